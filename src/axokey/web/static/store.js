/* The store clerk's page: a cart built by scanning (camera where the browser has
   BarcodeDetector, a USB scanner typing digits and Enter into the focused field,
   or typing), checked out into an order whose payment link is shown as a QR code;
   the reservations to hand over (scan the customer's code, then the items); the
   stock, with what runs low highlighted. Everything through the JSON API. */
"use strict";

(() => {
  const api = AxokeyApi;
  const $ = (id) => document.getElementById(id);
  const CART_KEY = "axokey.store.cartId";
  const LOW_STOCK = Number(document.body.dataset.lowStock || "2");

  let me = null;
  let cart = null;
  let handover = null; // {code, preview, counts: {line_id: units}}
  let camera = null;
  const names = {}; // product id -> name (the catalog is readable by any key)

  function notice(message) {
    $("notice").textContent = message || "";
    $("notice").hidden = !message;
  }

  async function productName(productId) {
    if (!(productId in names)) {
      try {
        names[productId] = (await api.call("GET", "/v1/products/" + encodeURIComponent(productId))).name;
      } catch (error) {
        names[productId] = productId;
      }
    }
    return names[productId];
  }

  // --- the cart --------------------------------------------------------------------

  async function renderCart() {
    const body = $("cart-lines");
    body.replaceChildren();
    $("cart-id-line").hidden = !cart;
    $("cart-id").textContent = cart ? cart.id : "";
    if (!cart) {
      $("cart-total").textContent = "";
      return;
    }
    for (const line of cart.lines) {
      const name = await productName(line.product_id);
      const quantity = document.createElement("input");
      quantity.type = "number";
      quantity.min = "1";
      quantity.step = "1";
      quantity.value = String(line.quantity);
      quantity.className = "cart-quantity";
      quantity.setAttribute("aria-label", api.t("Quantity handed over"));
      quantity.addEventListener("change", () => changeQuantity(line, quantity));
      const remove = api.element("button", "×");
      remove.type = "button";
      remove.className = "cart-remove";
      remove.setAttribute("aria-label", api.t("Remove %(product)s", { product: name }));
      remove.addEventListener("click", () => removeLine(line));
      const tr = api.row([
        api.element("span", name, "line-summary"),
        quantity,
        { text: api.formatMoney(line.amount, cart.currency), className: "number" },
        remove,
      ]);
      tr.dataset.productId = line.product_id;
      body.appendChild(tr);
    }
    $("cart-total").textContent = api.formatMoney(cart.amount_total, cart.currency);
  }

  function keepCart(value) {
    cart = value;
    if (cart && cart.status === "open") {
      sessionStorage.setItem(CART_KEY, cart.id);
    } else {
      sessionStorage.removeItem(CART_KEY);
    }
    return renderCart();
  }

  async function ensureCart() {
    if (cart && cart.status === "open") {
      return cart;
    }
    await keepCart(await api.call("POST", "/v1/carts", { currency: "EUR" }));
    return cart;
  }

  async function addScanned(raw) {
    const gtin = raw.trim();
    api.showError("");
    notice("");
    if (!gtin) {
      api.showError(api.t("Scan or type a barcode first."));
      return;
    }
    try {
      const current = await ensureCart();
      await keepCart(
        await api.call("POST", "/v1/carts/" + current.id + "/scan", { gtin, quantity: 1 }),
      );
      const added = cart.lines[cart.lines.length - 1];
      notice(api.t("Added: %(product)s", { product: await productName(added.product_id) }));
    } catch (error) {
      api.showError(error.message);
    } finally {
      $("scan-input").value = "";
      $("scan-input").focus();
    }
  }

  async function changeQuantity(line, input) {
    api.showError("");
    const quantity = Number(input.value);
    try {
      await keepCart(
        await api.call("PATCH", "/v1/carts/" + cart.id + "/lines/" + line.id, { quantity }),
      );
    } catch (error) {
      api.showError(error.message);
      input.value = String(line.quantity);
    }
  }

  async function removeLine(line) {
    api.showError("");
    try {
      await keepCart(await api.call("DELETE", "/v1/carts/" + cart.id + "/lines/" + line.id));
    } catch (error) {
      api.showError(error.message);
    }
  }

  async function openCart(cartId) {
    api.showError("");
    try {
      await keepCart(await api.call("GET", "/v1/carts/" + encodeURIComponent(cartId.trim())));
      $("open-cart-id").value = "";
    } catch (error) {
      api.showError(error.message);
    }
  }

  async function checkout() {
    api.showError("");
    if (!cart || cart.lines.length === 0) {
      api.showError(api.t("The cart is empty: scan the products first."));
      return;
    }
    const email = $("customer-email").value.trim();
    if (!email) {
      api.showError(api.t("Type the customer's email."));
      return;
    }
    $("checkout").disabled = true;
    try {
      const order = await api.call("POST", "/v1/carts/" + cart.id + "/checkout", {
        payment_mode: "escrow",
        fulfilment: "store",
        customer: { email },
      });
      const checkedOut = cart;
      await showPayment(checkedOut.id, order);
      await keepCart(null);
      $("customer-email").value = "";
      loadStock();
    } catch (error) {
      api.showError(error.message);
    } finally {
      $("checkout").disabled = false;
    }
  }

  async function showPayment(cartId, order) {
    const response = await fetch("/v1/carts/" + cartId + "/checkout-qr", {
      headers: { Authorization: "Bearer " + sessionStorage.getItem("axokey.apiKey") },
      credentials: "omit",
      cache: "no-store",
    });
    const svg = await response.text();
    // A data: URL (the page's CSP allows images from 'self' and data: only).
    $("pay-qr").src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(svg)));
    $("pay-link").href = order.customer_url;
    $("pay-order").textContent = order.id;
    $("pay-total").textContent = api.formatMoney(order.amount_total, order.currency);
    $("pay-section").hidden = false;
    $("pay-section").scrollIntoView();
  }

  // --- reservations and hand-over ---------------------------------------------------

  // The clerk's list is bounded: first the orders to hand over (a hand-over begun,
  // then paid), newest first, then the orders still unpaid since the start of today
  // (older ones are expired by the unpaid hold); ORDERS_PAGE of each at a time, and
  // "More orders" fetches the next page of the lists that have one.
  const ORDERS_PAGE = 20;
  const ORDER_LISTS = ["partially_redeemed", "paid", "awaiting_payment"];
  let orderLists = {}; // status -> {after: its last order's id, more: bool, rows: [tr]}

  function startOfToday() {
    // The API's days are UTC: the UTC day of the local midnight (in France, the day
    // before from 23:00 or 22:00), so no order of the clerk's today is left out.
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    return midnight.toISOString().slice(0, 10);
  }

  function ordersQuery(status, list) {
    let query = "/v1/orders?limit=" + ORDERS_PAGE + "&status=" + status;
    if (status === "awaiting_payment") {
      query += "&created_from=" + startOfToday();
    }
    if (list.after) {
      query += "&starting_after=" + encodeURIComponent(list.after);
    }
    return query;
  }

  async function reservationRow(order) {
    const items = [];
    for (const line of order.lines) {
      if (line.status === "pending" || line.status === "held") {
        items.push((await productName(line.product_id)) + " × " + line.quantity);
      }
    }
    const status = api.element("span", api.t(order.status.replaceAll("_", " ")), "status status-" + order.status);
    const tr = api.row([
      api.element("code", order.id),
      order.customer && order.customer.name ? order.customer.name : "—",
      items.join(", "),
      status,
    ]);
    tr.dataset.orderId = order.id;
    tr.dataset.status = order.status;
    return tr;
  }

  async function loadReservations(more = false) {
    const body = $("reservation-rows");
    if (!more) {
      orderLists = {};
      for (const status of ORDER_LISTS) {
        orderLists[status] = { after: null, more: true, rows: [] };
      }
    }
    $("reservations-more").disabled = true;
    try {
      for (const status of ORDER_LISTS) {
        const list = orderLists[status];
        if (!list.more) {
          continue;
        }
        const page = await api.call("GET", ordersQuery(status, list));
        list.more = page.has_more;
        if (page.data.length > 0) {
          list.after = page.data[page.data.length - 1].id;
        }
        for (const order of page.data) {
          if (order.fulfilment === "store") {
            list.rows.push(await reservationRow(order));
          }
        }
      }
      // Each status's rows together, in the lists' order (a page fetched by "More
      // orders" joins the rows of its own status).
      const rows = ORDER_LISTS.flatMap((status) => orderLists[status].rows);
      body.replaceChildren(...rows);
      if (rows.length === 0) {
        body.appendChild(api.row([api.t("No reservation to hand over."), "", "", ""]));
      }
      $("reservations-more").hidden = !ORDER_LISTS.some((status) => orderLists[status].more);
    } catch (error) {
      api.showError(error.message);
    } finally {
      $("reservations-more").disabled = false;
    }
  }

  async function lookUpHandover(raw) {
    api.showError("");
    notice("");
    const code = raw.trim();
    if (!code) {
      api.showError(api.t("Type the customer's short code, or scan the QR code."));
      return;
    }
    try {
      const preview = await api.call("POST", "/v1/redemptions/preview", { code });
      handover = { code, preview, counts: {} };
      renderHandover();
      $("handover").hidden = false;
      $("handover-scan").focus();
    } catch (error) {
      handover = null;
      $("handover").hidden = true;
      api.showError(error.message);
    }
  }

  function renderHandover() {
    const body = $("handover-lines");
    body.replaceChildren();
    for (const line of handover.preview.lines) {
      const count = handover.counts[line.line_id] || 0;
      const tick = document.createElement("input");
      tick.type = "checkbox";
      tick.className = "line-tick";
      tick.checked = count === line.quantity;
      const name = line.product_name || line.product_id;
      tick.setAttribute("aria-label", api.t("Hand over %(product)s", { product: name }));
      tick.addEventListener("change", () => {
        handover.counts[line.line_id] = tick.checked ? line.quantity : 0;
        renderHandover();
      });
      const tr = api.row([
        tick,
        api.element("span", name + (line.gtin ? " · " + line.gtin : ""), "line-summary"),
        { text: line.quantity, className: "number" },
        { text: count, className: "number handed-over" },
      ]);
      tr.dataset.lineId = line.line_id;
      body.appendChild(tr);
    }
  }

  function sameGtin(a, b) {
    return a.replace(/^0+/, "") === b.replace(/^0+/, "");
  }

  function scanHandover(raw) {
    api.showError("");
    const gtin = raw.trim();
    $("handover-scan").value = "";
    $("handover-scan").focus();
    if (!gtin || !handover) {
      return;
    }
    const matching = handover.preview.lines.filter((line) => line.gtin && sameGtin(line.gtin, gtin));
    if (matching.length === 0) {
      api.showError(api.t("No line of this order carries barcode %(gtin)s.", { gtin }));
      return;
    }
    const line = matching.find((each) => (handover.counts[each.line_id] || 0) < each.quantity);
    if (!line) {
      api.showError(
        api.t("Every unit of %(product)s is already counted.", {
          product: matching[0].product_name || matching[0].product_id,
        }),
      );
      return;
    }
    handover.counts[line.line_id] = (handover.counts[line.line_id] || 0) + 1;
    renderHandover();
  }

  async function confirmHandover() {
    api.showError("");
    const lines = [];
    for (const line of handover.preview.lines) {
      const count = handover.counts[line.line_id] || 0;
      if (count > 0) {
        lines.push({ line_id: line.line_id, quantity: count });
      }
    }
    const complete = $("handover-complete").checked;
    if (lines.length === 0 && !complete) {
      api.showError(api.t("Tick what you hand over, or tick “the rest is missing”."));
      return;
    }
    $("handover-confirm").disabled = true;
    try {
      const result = await api.call("POST", "/v1/redemptions", {
        code: handover.code,
        lines,
        complete,
      });
      notice(
        api.t("Handed over: order %(order)s is %(status)s.", {
          order: result.order_id,
          status: api.t(result.order_status.replaceAll("_", " ")),
        }),
      );
      resetHandover();
      loadReservations();
      loadStock();
    } catch (error) {
      api.showError(error.message);
    } finally {
      $("handover-confirm").disabled = false;
    }
  }

  function resetHandover() {
    handover = null;
    $("handover").hidden = true;
    $("handover-code").value = "";
    $("handover-complete").checked = false;
  }

  // --- stock --------------------------------------------------------------------------

  async function loadStock() {
    if (!me) {
      return;
    }
    const body = $("stock-rows");
    try {
      const page = await api.call("GET", "/v1/stock?limit=100&store_id=" + encodeURIComponent(me.id));
      body.replaceChildren();
      for (const level of page.data) {
        const tr = api.row([
          await productName(level.product_id),
          { text: level.on_hand, className: "number" },
          { text: level.reserved, className: "number" },
          { text: level.available, className: "number" },
        ]);
        tr.dataset.productId = level.product_id;
        if (level.available <= LOW_STOCK) {
          tr.classList.add("low-stock");
        }
        body.appendChild(tr);
      }
      if (page.data.length === 0) {
        body.appendChild(api.row([api.t("No stock counted yet."), "", "", ""]));
      }
    } catch (error) {
      api.showError(error.message);
    }
  }

  // --- camera (only where the browser has BarcodeDetector: camera.js) -------------

  const PRODUCT_FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e"];

  function cameraFormats() {
    return AxokeyCamera.formats(PRODUCT_FORMATS);
  }

  async function startCamera() {
    api.showError("");
    const formats = await cameraFormats();
    if (formats.length === 0) {
      api.showError(api.t("The camera cannot read barcodes in this browser: type them or use a scanner."));
      return;
    }
    try {
      // One add per barcode shown: the same one again only after another.
      camera = await AxokeyCamera.start($("cart-camera"), formats, addScanned);
      $("cart-camera-start").hidden = true;
      $("cart-camera-stop").hidden = false;
    } catch (error) {
      stopCamera();
      api.showError(api.t("The camera could not be started: type the barcodes or use a scanner."));
    }
  }

  function stopCamera() {
    if (camera) {
      camera.stop();
      camera = null;
    }
    $("cart-camera-stop").hidden = true;
    cameraFormats().then((formats) => {
      $("cart-camera-start").hidden = formats.length === 0;
    });
  }

  // --- wiring -------------------------------------------------------------------------

  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    addScanned($("scan-input").value);
  });
  $("open-cart-form").addEventListener("submit", (event) => {
    event.preventDefault();
    openCart($("open-cart-id").value);
  });
  $("checkout-form").addEventListener("submit", (event) => {
    event.preventDefault();
    checkout();
  });
  $("cart-new").addEventListener("click", () => {
    keepCart(null);
    $("scan-input").focus();
  });
  $("pay-done").addEventListener("click", () => {
    $("pay-section").hidden = true;
    $("scan-input").focus();
  });
  $("handover-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lookUpHandover($("handover-code").value);
  });
  $("handover-scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    scanHandover($("handover-scan").value);
  });
  $("handover-confirm").addEventListener("click", confirmHandover);
  $("handover-cancel").addEventListener("click", resetHandover);
  $("stock-refresh").addEventListener("click", loadStock);
  $("reservations-more").addEventListener("click", () => loadReservations(true));
  $("cart-camera-start").addEventListener("click", startCamera);
  $("cart-camera-stop").addEventListener("click", stopCamera);

  api.setUpKey(
    async (party) => {
      me = party;
      $("store").hidden = false;
      $("cart-camera-start").hidden = (await cameraFormats()).length === 0;
      const saved = sessionStorage.getItem(CART_KEY);
      if (saved) {
        try {
          await keepCart(await api.call("GET", "/v1/carts/" + saved));
        } catch (error) {
          await keepCart(null);
        }
      }
      $("scan-input").focus();
      loadReservations();
      loadStock();
    },
    () => {
      stopCamera();
      me = null;
      cart = null;
      $("store").hidden = true;
    },
  );
})();
