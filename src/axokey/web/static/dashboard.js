/* The dashboard: the caller's balance, orders and refunds, read from the JSON API
   with the caller's own API key. */
"use strict";

(() => {
  const api = AxokeyApi;
  const $ = (id) => document.getElementById(id);
  const PAGE_SIZE = 50;

  const cursors = { orders: null, refunds: null };

  function day(timestamp) {
    return timestamp ? timestamp.slice(0, 16).replace("T", " ") : "";
  }

  function label(value) {
    return String(value || "").replaceAll("_", " ");
  }

  function money(amount, currency) {
    return { text: api.formatMoney(amount, currency), className: "number" };
  }

  async function loadBalance() {
    const rows = $("balance-rows");
    rows.replaceChildren();
    $("balance-note").hidden = true;
    try {
      const body = await api.call("GET", "/v1/balance");
      for (const entry of body.balances) {
        rows.appendChild(
          api.row([
            entry.currency,
            money(entry.held, entry.currency),
            money(entry.available, entry.currency),
            money(entry.paid_out, entry.currency),
          ]),
        );
      }
      if (body.balances.length === 0) {
        rows.appendChild(api.row(["No money yet", "", "", ""]));
      }
    } catch (error) {
      $("balance-note").textContent = "Balance: " + error.message;
      $("balance-note").hidden = false;
    }
  }

  async function loadPage(kind, path, render) {
    const rows = $(kind === "orders" ? "order-rows" : "refund-rows");
    const more = $(kind + "-more");
    let url = path + "?limit=" + PAGE_SIZE;
    if (cursors[kind]) {
      url += "&starting_after=" + encodeURIComponent(cursors[kind]);
    } else {
      rows.replaceChildren();
    }
    more.disabled = true;
    try {
      const page = await api.call("GET", url);
      for (const item of page.data) {
        rows.appendChild(render(item));
      }
      if (page.data.length === 0 && !cursors[kind]) {
        rows.appendChild(api.row(["None yet"]));
      }
      cursors[kind] = page.data.length ? page.data[page.data.length - 1].id : cursors[kind];
      more.hidden = !page.has_more;
    } catch (error) {
      api.showError(error.message);
    } finally {
      more.disabled = false;
    }
  }

  function orderRow(order) {
    const tr = api.row([
      day(order.created_at),
      api.element("code", order.id),
      label(order.status),
      label(order.fulfilment),
      money(order.amount_total, order.currency),
      money(order.amounts.released, order.currency),
      money(order.amounts.refunded, order.currency),
      money(order.amounts.held, order.currency),
    ]);
    tr.dataset.orderId = order.id;
    tr.dataset.status = order.status;
    return tr;
  }

  function refundRow(refund) {
    const tr = api.row([
      day(refund.created_at),
      api.element("code", refund.id),
      api.element("code", refund.order_id),
      label(refund.reason),
      refund.method,
      label(refund.status) + (refund.failure_code ? " (" + label(refund.failure_code) + ")" : ""),
      money(refund.amount, refund.currency),
    ]);
    tr.dataset.refundId = refund.id;
    return tr;
  }

  async function loadAlerts() {
    // The operator sees every alert, a merchant its own; shown when there are some.
    const rows = $("alert-rows");
    rows.replaceChildren();
    $("alerts").hidden = true;
    let page;
    try {
      page = await api.call("GET", "/v1/payment-alerts?limit=" + PAGE_SIZE);
    } catch (error) {
      return;
    }
    for (const alert of page.data) {
      const tr = api.row([
        day(alert.created_at),
        api.element("code", alert.data.order_id || ""),
        api.element("code", alert.data.payment_id || ""),
        label(alert.data.reason),
        alert.data.detail || "",
      ]);
      tr.dataset.alertId = alert.id;
      rows.appendChild(tr);
    }
    $("alerts").hidden = page.data.length === 0;
  }

  function loadOrders() {
    return loadPage("orders", "/v1/orders", orderRow);
  }

  function loadRefunds() {
    return loadPage("refunds", "/v1/refunds", refundRow);
  }

  $("orders-more").addEventListener("click", loadOrders);
  $("refunds-more").addEventListener("click", loadRefunds);

  api.setUpKey(
    async () => {
      cursors.orders = null;
      cursors.refunds = null;
      $("dashboard").hidden = false;
      await Promise.all([loadBalance(), loadOrders(), loadRefunds(), loadAlerts()]);
    },
    () => {
      $("dashboard").hidden = true;
      $("alerts").hidden = true;
      for (const id of ["balance-rows", "order-rows", "refund-rows", "alert-rows"]) {
        $(id).replaceChildren();
      }
    },
  );
})();
