/* One order on the dashboard, as the caller may see it (the JSON API decides): its
   lines by name, the caller's own share, the order's figures when the caller may
   read them (not a supplier), and the refunds the caller may see. */
"use strict";

(() => {
  const api = AxokeyApi;
  const $ = (id) => document.getElementById(id);
  const ORDER_ID = document.body.dataset.orderId;

  function label(value) {
    return value ? api.t(String(value).replaceAll("_", " ")) : "";
  }

  function moneyCell(amount, currency) {
    const text = amount === null || amount === undefined ? "—" : api.formatMoney(amount, currency);
    return { text, className: "number" };
  }

  function setMoney(id, amount, currency) {
    $(id).textContent = api.formatMoney(amount, currency);
  }

  function renderOrder(order) {
    const currency = order.currency;
    $("order-title").textContent = api.t("Order %(order)s", { order: order.id });
    $("order-status").textContent = label(order.status);
    $("order-fulfilment").textContent = label(order.fulfilment);
    $("order-merchant").textContent = api.t("from %(merchant)s", {
      merchant: order.merchant_name || order.merchant_id,
    });
    $("order-created").textContent = api.t("Created %(time)s", { time: api.formatTime(order.created_at) });

    const share = order.share;
    $("share-section").hidden = !share;
    if (share) {
      setMoney("share-amount", share.amount, currency);
      setMoney("share-released", share.released, currency);
      setMoney("share-held", share.held, currency);
      setMoney("share-refunded", share.refunded, currency);
    }
    // A supplier reads its own share only: the order's figures are not sent to it.
    $("totals-section").hidden = !order.amounts;
    if (order.amounts) {
      setMoney("order-total", order.amount_total, currency);
      setMoney("order-captured", order.amounts.captured, currency);
      setMoney("order-released", order.amounts.released, currency);
      setMoney("order-refunded", order.amounts.refunded, currency);
      setMoney("order-held", order.amounts.held, currency);
    }

    const rows = $("line-rows");
    rows.replaceChildren();
    for (const line of order.lines) {
      const tr = api.row([
        api.element("span", (line.product_name || line.product_id) + " × " + line.quantity, "line-summary"),
        line.supplier_name || line.supplier_id,
        label(line.status),
        moneyCell(line.amount, currency),
        moneyCell(line.supplier_amount, currency),
        moneyCell(line.refunded_amount, currency),
      ]);
      tr.dataset.lineId = line.id;
      rows.appendChild(tr);
    }
    if (order.delivery_fee) {
      rows.appendChild(
        api.row([api.t("Delivery fee"), "", label(order.courier_fee_status), moneyCell(order.delivery_fee, currency), "", ""]),
      );
    }
  }

  async function loadRefunds(currency) {
    const rows = $("order-refund-rows");
    rows.replaceChildren();
    const page = await api.call("GET", "/v1/refunds?limit=100&order_id=" + encodeURIComponent(ORDER_ID));
    for (const refund of page.data) {
      const tr = api.row([
        api.formatTime(refund.created_at),
        label(refund.reason),
        label(refund.method),
        label(refund.status),
        moneyCell(refund.amount, refund.currency || currency),
      ]);
      tr.dataset.refundId = refund.id;
      rows.appendChild(tr);
    }
    if (page.data.length === 0) {
      rows.appendChild(api.row([api.t("No refund on this order")]));
    }
  }

  api.setUpKey(
    async () => {
      api.showError("");
      try {
        const order = await api.call("GET", "/v1/orders/" + encodeURIComponent(ORDER_ID));
        renderOrder(order);
        $("order").hidden = false;
        await loadRefunds(order.currency);
      } catch (error) {
        $("order").hidden = true;
        api.showError(error.message);
      }
    },
    () => {
      $("order").hidden = true;
    },
  );
})();
