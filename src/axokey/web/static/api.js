/* AXOKEY pages: the API key (this tab's sessionStorage only), JSON API calls with
   it as a Bearer header (and the page's language, so problems come back in it),
   the page's messages in its language, money formatting with integers only, and DOM
   helpers that never parse HTML (textContent only). */
"use strict";

const AxokeyApi = (() => {
  const STORAGE_KEY = "axokey.apiKey";

  const LANGUAGE = document.body.dataset.language || "en";
  let messages = null;

  /* The English message in the page's language (the server put the page's
     translations in data-messages); "%(name)s" is replaced from values. */
  function t(message, values) {
    if (messages === null) {
      messages = JSON.parse(document.body.dataset.messages || "{}");
    }
    let text = messages[message] || message;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.replaceAll("%(" + name + ")s", String(value));
    }
    return text;
  }

  function getKey() {
    return sessionStorage.getItem(STORAGE_KEY) || "";
  }

  function setKey(key) {
    sessionStorage.setItem(STORAGE_KEY, key);
  }

  function forgetKey() {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  function newIdempotencyKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  class ApiError extends Error {
    constructor(status, code, detail) {
      super(detail || code || "HTTP " + status);
      this.status = status;
      this.code = code;
    }
  }

  async function call(method, path, body) {
    const headers = {
      Accept: "application/json",
      "Accept-Language": LANGUAGE,
      Authorization: "Bearer " + getKey(),
    };
    const init = { method, headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (method === "POST") {
      // A retried click can never act twice.
      headers["Idempotency-Key"] = newIdempotencyKey();
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new ApiError(0, "network_error", t("The server could not be reached."));
    }
    return answer(response);
  }

  /* A GET whose answer is text (the chart's SVG); problems as from call(). */
  async function text(path) {
    let response;
    try {
      response = await fetch(path, {
        headers: { "Accept-Language": LANGUAGE, Authorization: "Bearer " + getKey() },
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, "network_error", t("The server could not be reached."));
    }
    if (!response.ok) {
      return answer(response);
    }
    return response.text();
  }

  /* A body that is not JSON (a photo), sent as it is with its own type. */
  async function send(method, path, body, contentType) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          Accept: "application/json",
          "Accept-Language": LANGUAGE,
          Authorization: "Bearer " + getKey(),
          "Content-Type": contentType,
        },
        body,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, "network_error", t("The server could not be reached."));
    }
    return answer(response);
  }

  async function answer(response) {
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, data && data.code, data && data.detail);
    }
    return data;
  }

  /* A file from the API (e.g. a bank file), saved by the browser as ``filename``. */
  async function download(path, filename) {
    let response;
    try {
      response = await fetch(path, {
        headers: { Authorization: "Bearer " + getKey() },
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, "network_error", t("The server could not be reached."));
    }
    if (!response.ok) {
      let data = null;
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
      throw new ApiError(response.status, data && data.code, data && data.detail);
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function exponents() {
    const raw = document.body.dataset.currencyExponents || "{}";
    return JSON.parse(raw);
  }

  /* 13589, "EUR" -> "135.89 EUR" in English, "135,89 €" in French, as the server's
     pages write it. Amounts are integers in minor units (at most 10^12, exact in a
     JS number); the digits are split with integer arithmetic, never a float. */
  function formatMoney(amount, currency) {
    const exponent = exponents()[currency];
    if (!Number.isInteger(amount) || exponent === undefined) {
      return String(amount) + " " + currency + " (minor units)";
    }
    if (LANGUAGE === "fr") {
      return formatFrench(amount, currency, exponent);
    }
    const factor = 10 ** exponent;
    const absolute = Math.abs(amount);
    const units = Math.floor(absolute / factor);
    const minor = absolute % factor;
    let text = units.toLocaleString("en-US");
    if (exponent > 0) {
      text += "." + String(minor).padStart(exponent, "0");
    }
    return (amount < 0 ? "-" : "") + text + " " + currency;
  }

  function formatFrench(amount, currency, exponent) {
    const factor = 10 ** exponent;
    const absolute = Math.abs(amount);
    const units = Math.floor(absolute / factor);
    const minor = absolute % factor;
    // Group the units as French does (narrow no-break space), then the decimals
    // after a comma, then the currency's symbol as Intl writes it in French.
    let text = units.toLocaleString("fr-FR");
    if (exponent > 0) {
      text += "," + String(minor).padStart(exponent, "0");
    }
    const symbol = new Intl.NumberFormat("fr-FR", { style: "currency", currency })
      .formatToParts(0)
      .find((part) => part.type === "currency");
    return (amount < 0 ? "-" : "") + text + "\u00a0" + (symbol ? symbol.value : currency);
  }

  /* An RFC 3339 time as the page's language writes it, in UTC. */
  function formatTime(timestamp) {
    if (!timestamp) {
      return "";
    }
    const written = new Intl.DateTimeFormat(LANGUAGE === "fr" ? "fr-FR" : "en-GB", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "UTC",
    }).format(new Date(timestamp));
    return written + " UTC";
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      if (cell instanceof Node) {
        const td = document.createElement("td");
        td.appendChild(cell);
        tr.appendChild(td);
      } else if (cell && typeof cell === "object") {
        tr.appendChild(element("td", cell.text, cell.className));
      } else {
        tr.appendChild(element("td", cell));
      }
    }
    return tr;
  }

  function showError(message) {
    const box = document.getElementById("error");
    box.textContent = message;
    box.hidden = !message;
  }

  /* Wires the API key form; calls onReady(me) once a key works, onSignedOut() when
     it is forgotten. "me" is the caller's party, or null for the operator's key. */
  function setUpKey(onReady, onSignedOut) {
    const form = document.getElementById("key-form");
    const input = document.getElementById("api-key");
    const active = document.getElementById("key-active");
    const whoami = document.getElementById("whoami");

    async function activate() {
      showError("");
      let me = null;
      try {
        me = await call("GET", "/v1/me");
        whoami.textContent = me.name + " (" + t(me.role) + ")";
      } catch (error) {
        if (error.status === 404 && error.code === "no_party") {
          whoami.textContent = t("the operator");
        } else if (error.status === 401) {
          forgetKey();
          showError(t("This API key is not valid."));
          return;
        } else {
          showError(error.message);
          return;
        }
      }
      form.hidden = true;
      active.hidden = false;
      onReady(me);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const key = input.value.trim();
      input.value = "";
      if (!key) {
        showError(t("Paste your API key first."));
        return;
      }
      setKey(key);
      activate();
    });
    document.getElementById("key-forget").addEventListener("click", () => {
      forgetKey();
      active.hidden = true;
      form.hidden = false;
      showError("");
      onSignedOut();
    });
    // A link from the demo's landing page carries a key in its fragment (never sent
    // to a server): keep it in this tab, and take it out of the address bar.
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get("key")) {
      setKey(fragment.get("key"));
      history.replaceState(null, "", location.pathname + location.search);
    }
    if (getKey()) {
      activate();
    }
  }

  return { call, send, text, t, download, formatMoney, formatTime, element, row, showError, setUpKey, ApiError };
})();
