/* The scanner: read a customer's code (camera, or typed), preview what this
   professional may hand over, then redeem the ticked lines. */
"use strict";

(() => {
  const api = AxokeyApi;
  const $ = (id) => document.getElementById(id);

  let currentCode = "";
  let currentPreview = null;
  let camera = null; // the running AxokeyCamera scanner

  function show(section) {
    for (const id of ["preview-section", "result-section"]) {
      $(id).hidden = id !== section;
    }
  }

  function busy(button, on) {
    button.disabled = on;
  }

  // --- preview -------------------------------------------------------------------

  async function lookUp(code) {
    api.showError("");
    currentCode = code.trim();
    if (!currentCode) {
      api.showError(api.t("Type the customer's short code, or scan the QR code."));
      return;
    }
    busy($("code-lookup"), true);
    try {
      currentPreview = await api.call("POST", "/v1/redemptions/preview", { code: currentCode });
      renderPreview(currentPreview);
      show("preview-section");
    } catch (error) {
      show(null);
      api.showError(error.message);
    } finally {
      busy($("code-lookup"), false);
    }
  }

  function renderPreview(preview) {
    const body = $("preview-lines");
    body.replaceChildren();
    $("preview-order").textContent = preview.order_id;
    for (const line of preview.lines) {
      const tick = document.createElement("input");
      tick.type = "checkbox";
      tick.className = "line-tick";
      tick.dataset.lineId = line.line_id;
      const name = line.product_name || line.product_id;
      tick.setAttribute("aria-label", api.t("Hand over %(product)s", { product: name }));
      const quantity = document.createElement("input");
      quantity.type = "number";
      quantity.className = "line-quantity";
      quantity.min = "1";
      quantity.max = String(line.quantity);
      quantity.step = "1";
      quantity.value = String(line.quantity);
      quantity.dataset.lineId = line.line_id;
      quantity.setAttribute("aria-label", api.t("Quantity handed over"));
      const product = api.element("span", null, "product");
      product.appendChild(
        api.element(
          "strong",
          name + " × " + line.quantity + " — " + api.formatMoney(line.amount, preview.currency),
          "line-summary",
        ),
      );
      const from = [line.supplier_name || line.supplier_id];
      if (line.gtin) {
        from.push(line.gtin);
      }
      product.appendChild(api.element("span", from.join(" · "), "muted block"));
      const tr = api.row([
        tick,
        product,
        quantity,
        { text: api.formatMoney(line.amount, preview.currency), className: "number" },
        {
          text: api.formatMoney(
            line.releasable_amount + line.releasable_commission,
            preview.currency,
          ),
          className: "number",
        },
      ]);
      tr.dataset.lineId = line.line_id;
      body.appendChild(tr);
    }
    $("preview-empty").hidden = preview.lines.length > 0;
    $("preview-fee").hidden = !(preview.courier_fee > 0);
    $("preview-fee-amount").textContent = api.formatMoney(preview.courier_fee, preview.currency);
    $("complete").checked = false;
  }

  // --- redeem --------------------------------------------------------------------

  function chosenLines() {
    const lines = [];
    for (const tick of document.querySelectorAll("#preview-lines .line-tick")) {
      if (!tick.checked) {
        continue;
      }
      const line = currentPreview.lines.find((l) => l.line_id === tick.dataset.lineId);
      const input = document.querySelector(
        '#preview-lines .line-quantity[data-line-id="' + CSS.escape(tick.dataset.lineId) + '"]',
      );
      const quantity = Number(input.value);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > line.quantity) {
        throw new Error(api.t("Quantities are whole numbers from 1 to the quantity ordered."));
      }
      const handover = { line_id: line.line_id };
      if (quantity !== line.quantity) {
        handover.quantity = quantity;
      }
      lines.push(handover);
    }
    return lines;
  }

  async function redeem() {
    api.showError("");
    let lines;
    try {
      lines = chosenLines();
    } catch (error) {
      api.showError(error.message);
      return;
    }
    const complete = $("complete").checked;
    if (lines.length === 0 && !complete) {
      api.showError(api.t("Tick what you hand over, or tick “the rest is missing”."));
      return;
    }
    busy($("redeem-submit"), true);
    try {
      const result = await api.call("POST", "/v1/redemptions", {
        code: currentCode,
        lines,
        complete,
      });
      renderResult(result, currentPreview.currency);
      show("result-section");
    } catch (error) {
      api.showError(error.message);
    } finally {
      busy($("redeem-submit"), false);
    }
  }

  function renderResult(result, currency) {
    $("result-status").textContent = api.t(result.order_status.replaceAll("_", " "));
    const names = {};
    for (const line of currentPreview ? currentPreview.lines : []) {
      names[line.line_id] = line.product_name || line.product_id;
    }
    const released = $("result-released");
    released.replaceChildren();
    for (const item of result.released) {
      released.appendChild(
        api.row([
          api.element("span", (item.product_name || names[item.line_id] || item.line_id) + " × " + item.quantity, "line-summary"),
          item.supplier_name || item.supplier_id,
          { text: item.quantity, className: "number" },
          { text: api.formatMoney(item.amount, currency), className: "number" },
          { text: api.formatMoney(item.commission, currency), className: "number" },
        ]),
      );
    }
    if (result.released.length === 0) {
      released.appendChild(api.row([api.t("Nothing released"), "", "", "", ""]));
    }
    $("result-fee").hidden = !(result.courier_fee_released > 0);
    $("result-fee-amount").textContent = api.formatMoney(result.courier_fee_released, currency);
    const refunded = $("result-refunded");
    refunded.replaceChildren();
    for (const item of result.refunded) {
      refunded.appendChild(
        api.row([
          item.line_id
            ? item.product_name || names[item.line_id] || item.line_id
            : api.t("Delivery fee"),
          api.t(item.reason.replaceAll("_", " ")),
          { text: api.formatMoney(item.amount, currency), className: "number" },
        ]),
      );
    }
    if (result.refunded.length === 0) {
      refunded.appendChild(api.row([api.t("Nothing refunded"), "", ""]));
    }
  }

  function reset() {
    currentCode = "";
    currentPreview = null;
    $("code").value = "";
    show(null);
    api.showError("");
    $("code").focus();
  }

  // --- photo (every phone: the server reads the QR code in it) -------------------------

  async function readPhoto(file) {
    api.showError("");
    show(null);
    $("photo-status").hidden = false;
    $("photo-start").disabled = true;
    try {
      const body = await api.send("POST", "/v1/redemptions/code-image", file, file.type || "application/octet-stream");
      $("code").value = body.code;
      await lookUp(body.code);
    } catch (error) {
      api.showError(error.message);
    } finally {
      $("photo-status").hidden = true;
      $("photo-start").disabled = false;
      $("photo").value = "";  // the same photo may be chosen again
    }
  }

  // --- camera (only where the browser has BarcodeDetector: camera.js) --------------

  async function cameraAvailable() {
    return (await AxokeyCamera.formats(["qr_code"])).length > 0;
  }

  async function startCamera() {
    api.showError("");
    try {
      camera = await AxokeyCamera.start($("camera"), ["qr_code"], (value, scanner) => {
        scanner.stop();
        stopCamera();
        $("code").value = value;
        lookUp(value);
      });
      $("camera-start").hidden = true;
      $("camera-stop").hidden = false;
    } catch (error) {
      stopCamera();
      $("photo-start").hidden = false;
      api.showError(api.t("The camera could not be started: take a photo of the QR code, or type the short code."));
    }
  }

  function stopCamera() {
    if (camera) {
      camera.stop();
      camera = null;
    }
    $("camera-stop").hidden = true;
    cameraAvailable().then((available) => {
      $("camera-start").hidden = !available || $("code-section").hidden;
    });
  }

  // --- wiring ----------------------------------------------------------------------

  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lookUp($("code").value);
  });
  $("redeem-form").addEventListener("submit", (event) => {
    event.preventDefault();
    redeem();
  });
  $("preview-cancel").addEventListener("click", reset);
  $("scan-next").addEventListener("click", reset);
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  $("photo-start").addEventListener("click", () => $("photo").click());
  $("photo").addEventListener("change", () => {
    const file = $("photo").files[0];
    if (file) {
      readPhoto(file);
    }
  });

  api.setUpKey(
    async () => {
      $("code-section").hidden = false;
      // The camera in the page where the browser reads QR codes; elsewhere (iPhones,
      // Firefox) a photo taken with the phone's camera, read by the server.
      const live = await cameraAvailable();
      $("camera-start").hidden = !live;
      $("photo-start").hidden = live;
      $("code").focus();
    },
    () => {
      stopCamera();
      $("code-section").hidden = true;
      show(null);
    },
  );
})();
