"""QR images: they decode back to the exact token, in a small alphanumeric symbol."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
import segno
import zxingcpp
from PIL import Image

from axokey.adapters.qr_images import qr_code, qr_png, qr_svg
from axokey.domain.redemption_codes import Keyring, issue_token, new_reference, parse_keyring

KEYRING = parse_keyring("k1:" + "a" * 40)
LONGEST_KEY_ID_KEYRING = parse_keyring("ABCDEFGH:" + "b" * 40)


def _decode_png(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


@pytest.mark.parametrize("keyring", [KEYRING, LONGEST_KEY_ID_KEYRING])
def test_png_decodes_to_the_exact_token(keyring: Keyring) -> None:
    token = issue_token(keyring, new_reference())
    png = qr_png(token)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    barcodes = _decode_png(png)
    assert len(barcodes) == 1
    assert barcodes[0].format == zxingcpp.BarcodeFormat.QRCode
    assert barcodes[0].text == token
    assert barcodes[0].ec_level == "M"


@pytest.mark.parametrize("keyring", [KEYRING, LONGEST_KEY_ID_KEYRING])
def test_symbol_is_alphanumeric_level_m_and_small(keyring: Keyring) -> None:
    token = issue_token(keyring, new_reference())
    qr = qr_code(token)
    assert qr.mode == "alphanumeric"
    assert qr.error == "M"
    assert not qr.is_micro
    assert isinstance(qr.version, int)
    assert qr.version <= 4
    # A byte-mode symbol of the same payload would need a bigger version.
    byte_mode = segno.make_qr(token, error="m", mode="byte", boost_error=False)
    assert isinstance(byte_mode.version, int)
    assert byte_mode.version > qr.version


def test_png_scale_and_quiet_zone() -> None:
    token = issue_token(KEYRING, new_reference())
    qr = qr_code(token)
    modules = qr.symbol_size(scale=1, border=0)[0]
    for scale in (1, 8):
        image = Image.open(io.BytesIO(qr_png(token, scale=scale)))
        assert image.size == ((modules + 8) * scale, (modules + 8) * scale)
    grey = Image.open(io.BytesIO(qr_png(token, scale=4))).convert("L")
    quiet = [grey.getpixel((x, y)) for x in range(16) for y in range(grey.size[1])]
    assert set(quiet) == {255}
    assert grey.getpixel((16, 16)) == 0  # the finder pattern's corner starts right after
    assert len(_decode_png(qr_png(token, scale=2))) == 1


@pytest.mark.parametrize("scale", [0, -1, 33])
def test_png_scale_out_of_range_is_refused(scale: int) -> None:
    with pytest.raises(ValueError):
        qr_png(issue_token(KEYRING, new_reference()), scale=scale)


def test_svg_is_an_svg_document() -> None:
    token = issue_token(KEYRING, new_reference())
    svg = qr_svg(token)
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    modules = qr_code(token).symbol_size(scale=1, border=4)[0]
    assert root.get("width") == str(modules * 8)
    assert not svg.startswith(b"<?xml")
    assert ElementTree.tostring(root).count(b"path") >= 1


def _svg_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules drawn by segno's SVG path (``M x y``, ``m dx dy``, ``h n``)."""
    root = ElementTree.fromstring(svg)
    (path,) = root.iter("{http://www.w3.org/2000/svg}path")
    assert path.get("transform") == "scale(8)"
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, first, second in re.findall(
        r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d", "")
    ):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(float(first))):
                dark.add((int(y - 0.5), int(x) + column))
            x += float(first)
    return dark


def test_svg_draws_the_same_symbol_and_decodes_to_the_token() -> None:
    token = issue_token(KEYRING, new_reference())
    qr = qr_code(token)
    border = 4
    expected = {
        (row + border, column + border)
        for row, values in enumerate(qr.matrix)
        for column, value in enumerate(values)
        if value
    }
    drawn = _svg_modules(qr_svg(token))
    assert drawn == expected
    size = int(qr.symbol_size(scale=1, border=border)[0])
    symbol = Image.new("L", (size, size), 255)
    for row, column in drawn:
        symbol.putpixel((column, row), 0)
    image = symbol.resize((size * 6, size * 6), Image.Resampling.NEAREST)
    (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.text == token


def test_payloads_outside_the_alphanumeric_set_are_refused() -> None:
    with pytest.raises(ValueError):
        qr_png("axk1:lower:case")
    with pytest.raises(ValueError):
        qr_svg("https://example.com/?q=1")
