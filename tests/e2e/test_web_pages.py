"""The web pages through HTTP: the customer's order page, paying through the
sandbox's hosted card and 3-D Secure pages by their HTML forms, the scanner and
dashboard shells, and the pages' security headers. Pages are parsed, not grepped."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import LargeBinary, String, Text, select

from axokey.adapters.db.tables import metadata, sandbox_payments
from axokey.adapters.qr_images import qr_svg
from axokey.web.rendering import format_money
from tests.conftest import bearer
from tests.scenario import (
    DECLINED,
    NEEDS_CHALLENGE,
    SUCCEEDS,
    World,
    delivery_order,
    ok,
    spec_world,
)

# --- a small DOM over the standard library's HTML parser -------------------------------

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    start: int = 0  # offset of the start tag in the document
    end: int = 0  # offset just past the end tag

    def walk(self) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                found.append(child)
                found.extend(child.walk())
        return found

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and all(node.attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Node:
        node = self.find(id=element_id)
        assert node is not None, f"no element with id {element_id!r}"
        return node

    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return " ".join(" ".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.line_offsets = [0]
        for line in source.splitlines(keepends=True):
            self.line_offsets.append(self.line_offsets[-1] + len(line))

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_offsets[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, start=self._offset())
        self.stack[-1].children.append(node)
        if tag in VOID_ELEMENTS:
            node.end = self._offset() + len(self.get_starttag_text() or "")
        else:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, start=self._offset())
        node.end = self._offset() + len(self.get_starttag_text() or "")
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                self.stack[index].end = self._offset() + len(f"</{tag}>")
                del self.stack[index:]
                return
        raise AssertionError(f"unmatched </{tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder(html)
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def page(response: Any, status: int = 200) -> Node:
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


# --- helpers ------------------------------------------------------------------------


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def redirect(response: Any) -> str:
    assert response.status_code == 303, f"{response.status_code}: {response.text[:500]}"
    return path_of(response.headers["location"])


def submit(client: Any, form: Node, data: dict[str, str] | None = None) -> Any:
    assert form.attrs["method"] == "post"
    return client.post(form.attrs["action"], data=data or {}, follow_redirects=False)


ENGLISH_CUSTOMER = {"email": "customer@example.com", "name": "Camille", "locale": "en"}


def new_order(client: Any, customer: dict[str, str] = ENGLISH_CUSTOMER) -> tuple[World, Any, str]:
    """An order whose customer reads English (its page is in the order's language)."""
    world = spec_world(client)
    order = delivery_order(world, "escrow", customer=customer)
    return world, order, path_of(order["customer_url"])


def press_pay(client: Any, customer_path: str) -> str:
    """Press Pay on the customer's page; returns the sandbox card page's path."""
    form = page(client.get(customer_path)).by_id("pay-form")
    return redirect(submit(client, form))


def pay_with_card(client: Any, customer_path: str, card: str, otp: str | None = None) -> str:
    """The whole payment through the pages; returns where the customer lands."""
    checkout_path = press_pay(client, customer_path)
    card_form = page(client.get(checkout_path)).by_id("card-form")
    landed = redirect(
        submit(client, card_form, {"card_number": card, "expiry": "12/34", "cvc": "123"})
    )
    if landed.startswith("/sandbox/3ds/"):
        assert otp is not None
        challenge = page(client.get(landed))
        landed = redirect(submit(client, challenge.by_id("otp-form"), {"otp": otp}))
    return back_from_provider(client, landed)


def back_from_provider(client: Any, landed: str) -> str:
    """The provider sends the browser to the return route, which synchronises the
    payment and redirects (303) to the customer's page."""
    if landed.endswith("/return"):
        return redirect(client.get(landed, follow_redirects=False))
    return landed


def rasterise(svg_markup: str) -> Image.Image:
    """segno's SVG (one path of 1-module-high horizontal strokes) as an image."""
    width = int(re.search(r'width="(\d+)"', svg_markup).group(1))  # type: ignore[union-attr]
    scale = int(re.search(r"scale\((\d+)\)", svg_markup).group(1))  # type: ignore[union-attr]
    path = re.search(r' d="([^"]+)"', svg_markup).group(1)  # type: ignore[union-attr]
    modules = width // scale
    image = Image.new("L", (modules, modules), 255)
    x = y = 0.0
    for command, arguments in re.findall(r"([MmHh])([^MmHh]*)", path):
        numbers = [float(n) for n in arguments.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            end = numbers[0] if command == "H" else x + numbers[0]
            for column in range(int(x), int(end)):
                image.putpixel((column, int(y)), 0)
            x = end
    return image.resize((modules * 8, modules * 8), Image.Resampling.NEAREST)


# --- the customer's page --------------------------------------------------------------


def test_an_unpaid_order_shows_its_lines_and_the_pay_form_and_no_code(client: Any) -> None:
    _world, _order, customer_path = new_order(client)
    document = page(client.get(customer_path))
    assert document.by_id("order").attrs["data-order-status"] == "awaiting_payment"
    rows = document.by_id("order-lines").find("tbody").find_all("tr")  # type: ignore[union-attr]
    cells = [[cell.text() for cell in row.find_all("td")] for row in rows]
    assert cells == [
        ["P1", "2", "50.00 EUR", "100.00 EUR"],
        ["P2", "1", "29.99 EUR", "29.99 EUR"],
        ["Delivery", "", "", "5.90 EUR"],
    ]
    assert document.by_id("order-total").text() == "135.89 EUR"
    form = document.by_id("pay-form")
    assert form.attrs["action"] == customer_path + "/pay"
    assert form.by_id("pay-button").text() == "Pay 135.89 EUR"
    assert document.find("svg") is None
    assert document.find(id="short-code") is None
    # The customer's own personal data is not shown back, let alone anyone else's.
    assert "customer@example.com" not in client.get(customer_path).text


def test_a_wrong_token_or_an_unknown_order_is_a_404_page(client: Any) -> None:
    world, order, customer_path = new_order(client)
    other = delivery_order(world, "escrow")
    wrong_paths = [
        f"/orders/{order['id']}/{'a' * 32}",
        f"/orders/{order['id']}/{path_of(other['customer_url']).rsplit('/', 1)[1]}",
        f"/orders/ord_nope/{customer_path.rsplit('/', 1)[1]}",
    ]
    for wrong in wrong_paths:
        document = page(client.get(wrong), 404)
        assert document.find(id="order") is None
        assert order["id"] not in client.get(wrong).text
        assert page(client.post(wrong + "/pay", follow_redirects=False), 404)
    assert page(client.get(customer_path)).by_id("order")


def test_paying_through_the_pages_shows_the_qr_code_and_the_short_code(client: Any) -> None:
    world, order, customer_path = new_order(client)
    checkout_path = press_pay(client, customer_path)
    assert checkout_path.startswith("/sandbox/checkout/sbx_")
    # A browser that names neither of our languages gets French, the pages' first.
    assert page(client.get(checkout_path)).find("h1").text() == "Payer 135,89 €"  # type: ignore[union-attr]
    checkout = page(client.get(checkout_path, headers={"Accept-Language": "de, en;q=0.5"}))
    assert checkout.find("h1").text() == "Pay 135.89 EUR"  # type: ignore[union-attr]
    listed = [row.find("code").text() for row in checkout.by_id("test-cards").find_all("tr")]  # type: ignore[union-attr]
    assert NEEDS_CHALLENGE in listed and SUCCEEDS in listed
    names = {field.attrs["name"] for field in checkout.by_id("card-form").find_all("input")}
    assert names == {"card_number", "expiry", "cvc"}

    challenge_path = redirect(
        submit(client, checkout.by_id("card-form"), {"card_number": NEEDS_CHALLENGE})
    )
    assert challenge_path == checkout_path.replace("/checkout/", "/3ds/")
    challenge = page(client.get(challenge_path))
    assert challenge.by_id("test-otp").text() == "123456"
    landed = redirect(submit(client, challenge.by_id("otp-form"), {"otp": "123456"}))
    assert landed == customer_path + "/return"
    assert back_from_provider(client, landed) == customer_path

    api_order = world.get_order(order["id"])
    assert api_order["status"] == "paid"
    payload = api_order["redemption"]["qr_payload"]
    document = page(client.get(customer_path))
    assert document.by_id("order").attrs["data-order-status"] == "paid"
    assert document.find(id="pay-form") is None
    assert document.by_id("short-code").text() == api_order["redemption"]["short_code"]
    assert re.fullmatch(
        r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]{3}", api_order["redemption"]["short_code"]
    )
    figure = document.by_id("qr-code")
    svg = figure.find("svg")
    assert svg is not None
    html = client.get(customer_path).text
    inline_svg = html[svg.start : svg.end]
    assert inline_svg == qr_svg(payload).decode().strip()
    decoded = list(zxingcpp.read_barcodes(rasterise(inline_svg)))
    assert [barcode.text for barcode in decoded] == [payload]
    # The card page now says the payment is made, and takes no card.
    outcome = page(client.get(checkout_path)).by_id("payment-outcome")
    assert outcome.attrs["data-status"] == "succeeded"


def test_a_wrong_one_time_code_fails_and_the_customer_can_pay_again(client: Any) -> None:
    world, order, customer_path = new_order(client)
    assert pay_with_card(client, customer_path, NEEDS_CHALLENGE, otp="000000") == customer_path
    document = page(client.get(customer_path))
    assert "3-D Secure check failed" in document.by_id("payment-failure").text()
    assert document.find(id="pay-form") is not None
    assert document.find("svg") is None
    assert world.get_order(order["id"])["status"] == "awaiting_payment"

    assert pay_with_card(client, customer_path, DECLINED) == customer_path
    document = page(client.get(customer_path))
    assert "declined" in document.by_id("payment-failure").text()

    assert pay_with_card(client, customer_path, SUCCEEDS) == customer_path
    document = page(client.get(customer_path))
    assert document.find(id="payment-failure") is None
    assert (
        document.by_id("short-code").text()
        == world.get_order(order["id"])["redemption"]["short_code"]
    )


def test_an_invalid_card_number_shows_the_form_again_without_echoing_it(client: Any) -> None:
    _world, _order, customer_path = new_order(client)
    checkout_path = press_pay(client, customer_path)
    form = page(client.get(checkout_path)).by_id("card-form")
    for wrong in ("4242424242424241", "4111 1111 1111 1112", "12ab", "9" * 40):
        response = submit(client, form, {"card_number": wrong})
        document = page(response, 422)
        assert "pas valide" in document.by_id("card-error").text()
        assert "value" not in document.by_id("card_number").attrs
        if len(wrong) > 8:
            assert wrong not in response.text
    assert page(client.get(checkout_path)).by_id("card-form")


def test_submitting_a_card_or_a_code_to_a_finished_payment_is_a_409(client: Any) -> None:
    _world, _order, customer_path = new_order(client)
    checkout_path = press_pay(client, customer_path)
    form = page(client.get(checkout_path)).by_id("card-form")
    landed = redirect(submit(client, form, {"card_number": SUCCEEDS}))
    assert back_from_provider(client, landed) == customer_path

    again = page(submit(client, form, {"card_number": SUCCEEDS}), 409)
    assert "est effectué" in again.by_id("payment-outcome").text()
    assert again.find(id="card-form") is None
    challenge = client.post(checkout_path.replace("/checkout/", "/3ds/"), data={"otp": "123456"})
    assert page(challenge, 409).by_id("payment-outcome").attrs["data-status"] == "succeeded"
    # And the order, paid, is no longer payable from its page.
    document = page(client.post(customer_path + "/pay", follow_redirects=False), 409)
    assert document.by_id("error-page").find("a").attrs["href"] == customer_path  # type: ignore[union-attr]


def test_the_page_follows_the_order_through_hand_over(client: Any) -> None:
    world, order, customer_path = new_order(client)
    pay_with_card(client, customer_path, SUCCEEDS)
    line1 = order["lines"][0]
    world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
    document = page(client.get(customer_path))
    assert document.by_id("order").attrs["data-order-status"] == "completed"
    assert document.find("svg") is None and document.find(id="short-code") is None
    rows = document.by_id("order-lines").find("tbody").find_all("tr")  # type: ignore[union-attr]
    states = [row.find_all("td")[-1].text() for row in rows]
    assert states == ["Handed over", "Refunded (29.99 EUR refunded)", "Handed over"]
    amounts = {
        row.find("th").text(): row.find("td").text()  # type: ignore[union-attr]
        for row in document.by_id("order-amounts").find_all("tr")
    }
    assert amounts == {
        "Paid": "135.89 EUR",
        "Released to the sellers": "105.90 EUR",
        "Refunded to you": "29.99 EUR",
        "Still held": "0.00 EUR",
    }


def test_names_are_escaped(client: Any) -> None:
    world = spec_world(client)
    name = "<script>alert(1)</script>"
    world.party(name, "merchant")
    merchant = world.parties[name]
    ok(
        client.post(
            "/v1/listings",
            json={"product_id": world.products["P2"], "unit_price": 2999},
            headers=merchant.headers,
        ),
        201,
    )
    order = world.order(
        merchant=name,
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        lines=[{"product_id": world.products["P2"], "quantity": 1}],
        customer=ENGLISH_CUSTOMER,
    )
    response = client.get(path_of(order["customer_url"]))
    assert name not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert page(response).find("h1").text() == f"Your order from {name}"  # type: ignore[union-attr]


# --- security -------------------------------------------------------------------------


def test_every_page_sends_the_security_headers_and_has_nothing_inline(client: Any) -> None:
    _world, order, customer_path = new_order(client)
    checkout_path = press_pay(client, customer_path)
    responses = {
        "customer": client.get(customer_path),
        "not found": client.get(f"/orders/{order['id']}/nope"),
        "checkout": client.get(checkout_path),
        "3ds": client.get(checkout_path.replace("/checkout/", "/3ds/")),
        "scan": client.get("/scan"),
        "dashboard": client.get("/dashboard"),
        "pay redirect": client.post(customer_path + "/pay", follow_redirects=False),
    }
    for name, response in responses.items():
        headers = response.headers
        policy = headers.get("content-security-policy", "")
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        assert directives.get("default-src") == ["'self'"], name
        assert directives.get("img-src") == ["'self'", "data:"], name
        assert directives.get("frame-ancestors") == ["'none'"], name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name
        assert headers.get("x-content-type-options") == "nosniff", name
        assert headers.get("referrer-policy") == "no-referrer", name
        assert headers.get("cache-control") == "no-store", name
        if response.status_code == 303:
            continue
        document = parse(response.text)
        for node in document.walk():
            # The policy would block these: none may exist.
            assert "style" not in node.attrs, (name, node.tag)
            assert not any(attribute.startswith("on") for attribute in node.attrs), (name, node)
            if node.tag == "script":
                assert node.attrs.get("src", "").startswith("/static/"), name
                assert not node.text(), name
            assert node.tag != "style", name
        for link in document.find_all("link") + document.find_all("script"):
            target = link.attrs.get("href") or link.attrs["src"]
            if target.startswith("data:"):
                continue
            assert client.get(target).status_code == 200, target


def test_static_files_are_served_with_their_type_and_nosniff(client: Any) -> None:
    expected = {
        "/static/axokey.css": "text/css",
        "/static/api.js": "javascript",
        "/static/scan.js": "javascript",
        "/static/dashboard.js": "javascript",
    }
    for path, content_type in expected.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert content_type in response.headers["content-type"], path
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/../pages.py").status_code == 404
    assert client.get("/static/%2e%2e/pages.py").status_code == 404


def test_no_card_number_is_stored_anywhere(client: Any, context: Any) -> None:
    _world, _order, customer_path = new_order(client)
    assert pay_with_card(client, customer_path, DECLINED) == customer_path
    assert pay_with_card(client, customer_path, NEEDS_CHALLENGE, otp="123456") == customer_path
    with context.database.read() as connection:
        last4 = sorted(connection.execute(select(sandbox_payments.c.card_last4)).scalars())
        assert last4 == [DECLINED[-4:], NEEDS_CHALLENGE[-4:]]  # the scan below reads these rows
        searched = 0
        for table in metadata.sorted_tables:
            columns = [
                column
                for column in table.columns
                if isinstance(column.type, String | Text | LargeBinary)
            ]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                for value in row:
                    if value is None:
                        continue
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    digits = re.sub(r"\D", "", text)
                    for card in (DECLINED, NEEDS_CHALLENGE):
                        assert card not in digits, f"card number in {table.name}"
                    searched += 1
    assert searched > 100


def test_the_sandbox_pages_are_404_when_the_sandbox_is_not_the_provider(
    client: Any, context: Any
) -> None:
    _world, _order, customer_path = new_order(client)
    checkout_path = press_pay(client, customer_path)
    context.providers.pop("sandbox")
    for response in (
        client.get(checkout_path),
        client.post(checkout_path, data={"card_number": SUCCEEDS}),
        client.get(checkout_path.replace("/checkout/", "/3ds/")),
        client.post(checkout_path.replace("/checkout/", "/3ds/"), data={"otp": "123456"}),
    ):
        assert "bac à sable" in page(response, 404).by_id("error-page").text()


def test_an_unknown_sandbox_payment_is_a_404_page(client: Any) -> None:
    assert page(client.get("/sandbox/checkout/sbx_nope"), 404).by_id("error-page")
    response = client.post("/sandbox/checkout/sbx_nope", data={"card_number": SUCCEEDS})
    assert page(response, 404).by_id("error-page")


# --- the professionals' pages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "own_scripts"),
    [
        ("/scan", ["/static/camera.js", "/static/scan.js"]),
        ("/store", ["/static/camera.js", "/static/store.js"]),
        ("/dashboard", ["/static/dashboard.js"]),
    ],
)
def test_the_professionals_pages_are_static_shells(
    client: Any, path: str, own_scripts: list[str]
) -> None:
    document = page(client.get(path))
    scripts = [node.attrs["src"] for node in document.find_all("script")]
    assert scripts == ["/static/tables.js", "/static/api.js", *own_scripts]
    for script in own_scripts:
        served = client.get(script)
        assert served.status_code == 200 and "javascript" in served.headers["content-type"]
    key_input = document.by_id("api-key")
    assert key_input.attrs["type"] == "password"
    body = document.find("body")
    assert body is not None
    exponents = json.loads(body.attrs["data-currency-exponents"])
    assert exponents["EUR"] == 2 and exponents["JPY"] == 0 and exponents["BHD"] == 3
    assert "XAU" not in exponents


def test_the_scanner_page_has_the_code_form_and_a_hidden_camera_button(client: Any) -> None:
    document = page(client.get("/scan"))
    assert document.by_id("code").attrs["maxlength"] == "128"
    assert "hidden" in document.by_id("camera-start").attrs
    assert document.by_id("complete").attrs["type"] == "checkbox"
    assert "hidden" in document.by_id("code-section").attrs  # until a key is given


def test_the_pages_need_no_key_but_the_api_they_call_does(client: Any) -> None:
    world = spec_world(client)
    assert client.get("/scan").status_code == 200
    assert client.get("/v1/orders").status_code == 401
    assert client.get("/v1/orders", headers=bearer(world.parties["C"].key)).status_code == 200


def test_the_pages_are_not_in_the_openapi_schema(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operations = {"/healthz", "/readyz", "/metrics"}  # probes and metrics: documented
    assert not [path for path in paths if not path.startswith("/v1/") and path not in operations]


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (13589, "EUR", "135.89 EUR"),
        (5, "EUR", "0.05 EUR"),
        (0, "EUR", "0.00 EUR"),
        (123456789, "EUR", "1,234,567.89 EUR"),
        (500, "JPY", "500 JPY"),
        (1234, "BHD", "1.234 BHD"),
        (-2999, "EUR", "-29.99 EUR"),
        (10**12, "EUR", "10,000,000,000.00 EUR"),
    ],
)
def test_amounts_are_formatted_from_minor_units_exactly(
    amount: int, currency: str, text: str
) -> None:
    assert format_money(amount, currency) == text


def test_the_professional_pages_say_which_scopes_they_need_in_french_and_english(
    client: Any,
) -> None:
    # In the page's language, one at a time.
    french = page(client.get("/scan", headers={"Accept-Language": "fr"})).by_id("scopes-needed")
    assert "redeem" in french.text() and "portée" in french.text()
    english = page(client.get("/scan", headers={"Accept-Language": "en"})).by_id("scopes-needed")
    assert "redeem" in english.text() and "scope" in english.text()
    assert "portée" not in english.text()
    dashboard = page(client.get("/dashboard", headers={"Accept-Language": "fr"}))
    text = dashboard.by_id("scopes-needed").text()
    for scope in ("orders:read", "payouts:read", "keys:read", "audit:read"):
        assert scope in text
    assert dashboard.by_id("key-rows").tag == "tbody"
    assert dashboard.by_id("audit-rows").tag == "tbody"
    assert "Clés d’API" in dashboard.by_id("keys-section").text()
    assert "Journal d’audit" in dashboard.by_id("audit-section").text()
    english = page(client.get("/dashboard", headers={"Accept-Language": "en"}))
    assert "API keys" in english.by_id("keys-section").text()
    assert "Clés" not in english.by_id("keys-section").text()
    assert "Audit trail" in english.by_id("audit-section").text()
