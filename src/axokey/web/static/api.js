/* AXOKEY pages: the API key (this tab's sessionStorage only), JSON API calls with
   it as a Bearer header, money formatting with integers only, and DOM helpers that
   never parse HTML (textContent only). */
"use strict";

const AxokeyApi = (() => {
  const STORAGE_KEY = "axokey.apiKey";

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
    const headers = { Accept: "application/json", Authorization: "Bearer " + getKey() };
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
      throw new ApiError(0, "network_error", "the server could not be reached");
    }
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
      throw new ApiError(0, "network_error", "the server could not be reached");
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

  /* 13589, "EUR" -> "135.89 EUR", as the server's pages write it. Amounts are
     integers in minor units (at most 10^12, exact in a JS number). */
  function formatMoney(amount, currency) {
    const exponent = exponents()[currency];
    if (!Number.isInteger(amount) || exponent === undefined) {
      return String(amount) + " " + currency + " (minor units)";
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
        whoami.textContent = me.name + " (" + me.role + ")";
      } catch (error) {
        if (error.status === 404 && error.code === "no_party") {
          whoami.textContent = "the operator";
        } else if (error.status === 401) {
          forgetKey();
          showError("This API key is not valid.");
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
        showError("Paste your API key first.");
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
    if (getKey()) {
      activate();
    }
  }

  return { call, download, formatMoney, element, row, showError, setUpKey, ApiError };
})();
