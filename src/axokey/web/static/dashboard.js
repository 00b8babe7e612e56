/* The dashboard: the caller's balance, orders, refunds and payouts (a party), or
   the payout batches and their bank files (the operator), read from the JSON API
   with the caller's own API key. */
"use strict";

(() => {
  const api = AxokeyApi;
  const $ = (id) => document.getElementById(id);
  const PAGE_SIZE = 50;

  const cursors = { orders: null, refunds: null, payouts: null, batches: null, keys: null, audit: null };
  const ROWS = {
    orders: "order-rows",
    refunds: "refund-rows",
    payouts: "payout-rows",
    batches: "batch-rows",
    keys: "key-rows",
    audit: "audit-rows",
  };

  function day(timestamp) {
    return api.formatTime(timestamp);
  }

  function label(value) {
    return value ? api.t(String(value).replaceAll("_", " ")) : "";
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
            money(entry.in_transit, entry.currency),
            money(entry.paid_out, entry.currency),
          ]),
        );
      }
      if (body.balances.length === 0) {
        rows.appendChild(api.row([api.t("No money yet"), "", "", "", ""]));
      }
      await loadChart(body.balances.length ? body.balances[0].currency : "EUR");
    } catch (error) {
      $("balance-note").textContent = api.t("Balance:") + " " + error.message;
      $("balance-note").hidden = false;
    }
  }

  /* A section the key's scopes do not reach says so, in place of a page error. */
  function sectionNote(kind, error) {
    const note = $(kind + "-note");
    if (!note) {
      return false;
    }
    note.textContent =
      error.status === 403 && error.code === "insufficient_scope"
        ? api.t("This key lacks the scope:") + " " + error.message
        : error.message;
    note.hidden = false;
    return true;
  }

  async function loadPage(kind, path, render) {
    const rows = $(ROWS[kind]);
    const note = $(kind + "-note");
    if (note) {
      note.hidden = true;
    }
    const more = $(kind + "-more");
    let url = path + (path.includes("?") ? "&" : "?") + "limit=" + PAGE_SIZE;
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
        rows.appendChild(api.row([api.t("None yet")]));
      }
      cursors[kind] = page.data.length ? page.data[page.data.length - 1].id : cursors[kind];
      more.hidden = !page.has_more;
    } catch (error) {
      if (!sectionNote(kind, error)) {
        api.showError(error.message);
      }
    } finally {
      more.disabled = false;
    }
  }

  function orderLink(orderId) {
    const link = api.element("a", orderId, "order-link");
    link.href = "/dashboard/orders/" + encodeURIComponent(orderId);
    return link;
  }

  /* A figure the caller may not read (a supplier, the order's total): a dash. */
  function moneyOrDash(amount, currency) {
    return amount === null || amount === undefined ? { text: "—", className: "number" } : money(amount, currency);
  }

  function orderRow(order) {
    const share = order.share;
    const tr = api.row([
      day(order.created_at),
      orderLink(order.id),
      label(order.status),
      label(order.fulfilment),
      moneyOrDash(order.amount_total, order.currency),
      moneyOrDash(share && share.amount, order.currency),
      moneyOrDash(share && share.released, order.currency),
      moneyOrDash(share && share.held, order.currency),
    ]);
    tr.dataset.orderId = order.id;
    tr.dataset.status = order.status;
    return tr;
  }

  function refundRow(refund) {
    const tr = api.row([
      day(refund.created_at),
      api.element("code", refund.id),
      orderLink(refund.order_id),
      label(refund.reason),
      label(refund.method),
      label(refund.status) + (refund.failure_code ? " (" + label(refund.failure_code) + ")" : ""),
      money(refund.amount, refund.currency),
    ]);
    tr.dataset.refundId = refund.id;
    return tr;
  }

  function payoutRow(payout) {
    const tr = api.row([
      api.element("code", payout.id),
      api.element("code", payout.batch_id),
      "…" + payout.iban.slice(-4),
      label(payout.status) + (payout.rejection_reason ? " (" + payout.rejection_reason + ")" : ""),
      money(payout.amount, payout.currency),
    ]);
    tr.dataset.payoutId = payout.id;
    tr.dataset.status = payout.status;
    return tr;
  }

  function batchRow(batch) {
    const button = api.element("button", "pain.001");
    button.type = "button";
    button.className = "batch-download";
    button.addEventListener("click", async () => {
      api.showError("");
      try {
        await api.download(
          "/v1/payout-batches/" + encodeURIComponent(batch.id) + "/pain.001",
          batch.id + ".pain.001.xml",
        );
      } catch (error) {
        api.showError(error.message);
      }
    });
    const tr = api.row([
      day(batch.created_at),
      api.element("code", batch.id),
      label(batch.status),
      { text: String(batch.item_count), className: "number" },
      money(batch.total, batch.currency),
      button,
    ]);
    tr.dataset.batchId = batch.id;
    tr.dataset.status = batch.status;
    return tr;
  }

  function loadPayouts() {
    return loadPage("payouts", "/v1/payouts", payoutRow);
  }

  function loadBatches() {
    return loadPage("batches", "/v1/payout-batches", batchRow);
  }

  async function createBatch() {
    const note = $("batch-note");
    note.hidden = true;
    $("batch-create").disabled = true;
    try {
      const batch = await api.call("POST", "/v1/payout-batches", { currency: "EUR" });
      note.textContent = api.t("%(batch)s: %(count)s transfer(s)", { batch: batch.id, count: batch.item_count });
      note.hidden = false;
      cursors.batches = null;
      await loadBatches();
    } catch (error) {
      note.textContent =
        error.code === "nothing_to_pay_out"
          ? api.t("Nothing to pay out")
          : error.message;
      note.hidden = false;
    } finally {
      $("batch-create").disabled = false;
    }
  }

  function keyState(key) {
    if (key.revoked_at) {
      return api.t("revoked");
    }
    if (key.expires_at && new Date(key.expires_at) <= new Date()) {
      return api.t("expired");
    }
    return api.t("active");
  }

  function keyRow(key) {
    const actions = document.createElement("span");
    if (!key.revoked_at) {
      const button = api.element("button", api.t("Revoke"));
      button.type = "button";
      button.className = "link";
      button.addEventListener("click", async () => {
        if (!window.confirm(api.t("Revoke the key “%(name)s”?", { name: key.name }))) {
          return;
        }
        try {
          await api.call("DELETE", "/v1/api-keys/" + encodeURIComponent(key.id));
          cursors.keys = null;
          await loadKeys();
        } catch (error) {
          if (error.status === 401) {
            api.showError(api.t("This key was just revoked."));
            return;
          }
          if (!sectionNote("keys", error)) {
            api.showError(error.message);
          }
        }
      });
      actions.appendChild(button);
    }
    const tr = api.row([
      key.name,
      api.element("code", key.prefix),
      key.scopes.join(" "),
      day(key.created_at),
      key.last_used_at ? day(key.last_used_at) + (key.last_used_ip ? " (" + key.last_used_ip + ")" : "") : "—",
      keyState(key),
      actions,
    ]);
    tr.dataset.keyId = key.id;
    return tr;
  }

  function auditRow(event) {
    const by = event.party_id
      ? event.key_id || event.party_id
      : api.t("the operator") + (event.key_id ? " " + event.key_id : "");
    const tr = api.row([
      day(event.created_at),
      event.action,
      api.element("code", event.object_id || ""),
      by,
      event.ip || "",
      event.request_id || "",
    ]);
    tr.dataset.auditId = event.id;
    tr.dataset.action = event.action;
    return tr;
  }

  function loadKeys() {
    return loadPage("keys", "/v1/api-keys", keyRow);
  }

  function loadAudit() {
    return loadPage("audit", "/v1/audit-events", auditRow);
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

  function orderQuery() {
    const query = new URLSearchParams();
    for (const [name, id] of [["status", "filter-status"], ["created_from", "filter-from"], ["created_to", "filter-to"]]) {
      if ($(id).value) {
        query.set(name, $(id).value);
      }
    }
    const text = query.toString();
    return "/v1/orders" + (text ? "?" + text : "");
  }

  function loadOrders() {
    return loadPage("orders", orderQuery(), orderRow);
  }

  /* The chart of money held in escrow, drawn by the server as SVG, shown as an image
     (a data: URL: the page's policy allows images from there, and no script in an
     image ever runs). */
  async function loadChart(currency) {
    const section = $("chart-section");
    try {
      const svg = await api.text(
        "/v1/balance/history?format=svg&days=30&currency=" + encodeURIComponent(currency),
      );
      const image = $("held-chart");
      image.alt = api.t("Held in escrow over the last 30 days, day by day");
      image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
      section.hidden = false;
    } catch (error) {
      section.hidden = true;
    }
  }

  function loadRefunds() {
    return loadPage("refunds", "/v1/refunds", refundRow);
  }

  /* Webhook endpoints disabled after failing for the whole retry schedule. */
  async function loadWebhookNotice() {
    const notice = $("webhook-notice");
    notice.hidden = true;
    try {
      const body = await api.call("GET", "/v1/webhook-endpoints?limit=100");
      const failing = body.data.filter((endpoint) => endpoint.disabled_reason === "failing");
      if (failing.length > 0) {
        notice.textContent = api.t(
          "A webhook endpoint was disabled after failing for the whole retry schedule: " +
            "%(urls)s. PATCH /v1/webhook-endpoints/{id} with {\"enabled\": true} turns it back on.",
          { urls: failing.map((endpoint) => endpoint.url).join(", ") },
        );
        notice.hidden = false;
      }
    } catch (error) {
      // The endpoints are not the caller's to read (a role without webhooks): no notice.
    }
  }

  $("orders-more").addEventListener("click", loadOrders);
  $("order-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    cursors.orders = null;
    loadOrders();
  });
  $("refunds-more").addEventListener("click", loadRefunds);
  $("payouts-more").addEventListener("click", loadPayouts);
  $("batches-more").addEventListener("click", loadBatches);
  $("batch-create").addEventListener("click", createBatch);

  $("keys-more").addEventListener("click", loadKeys);
  $("audit-more").addEventListener("click", loadAudit);

  api.setUpKey(
    async (me) => {
      for (const kind of Object.keys(cursors)) {
        cursors[kind] = null;
      }
      $("dashboard").hidden = false;
      const operator = me === null;
      $("payouts-section").hidden = operator;
      $("batches-section").hidden = !operator;
      $("balance-section").hidden = operator;  // the operator names a party for it
      await Promise.all([
        operator ? loadChart("EUR") : loadBalance(),
        loadOrders(),
        loadRefunds(),
        operator ? loadBatches() : loadPayouts(),
        loadAlerts(),
        loadWebhookNotice(),
      ]);
      // Then the keys and the audit trail: the money first on a slow connection.
      await Promise.all([loadKeys(), loadAudit()]);
    },
    () => {
      $("dashboard").hidden = true;
      $("alerts").hidden = true;
      $("chart-section").hidden = true;
      for (const id of ["balance-rows", "alert-rows", ...Object.values(ROWS)]) {
        $(id).replaceChildren();
      }
    },
  );
})();
