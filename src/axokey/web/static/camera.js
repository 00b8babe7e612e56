/* The camera loop shared by the scanner (scan.js: a customer's QR code) and the
   store's page (store.js: the products' barcodes), where the browser has
   BarcodeDetector: the back camera into a <video>, one frame read every
   SCAN_INTERVAL_MS, and each code shown handed to the page once (the same code
   again only after a frame without it, or another code). */
"use strict";

const AxokeyCamera = (() => {
  const SCAN_INTERVAL_MS = 250;

  /* Those of the wanted formats this browser's BarcodeDetector reads ([] when it
     has none, or no camera API). */
  async function formats(wanted) {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
      return [];
    }
    try {
      const supported = await BarcodeDetector.getSupportedFormats();
      return wanted.filter((format) => supported.includes(format));
    } catch (error) {
      return [];
    }
  }

  /* Film into ``video`` and call ``onCode(value, scanner)`` for each code read
     (awaited: no frame is read meanwhile; the first frame is read once this has
     resolved, so the page holds its scanner before any code arrives). Resolves to a scanner whose stop() ends the loop,
     releases the camera and hides the video; rejects (camera refused, absent) with
     everything already released. */
  async function start(video, codeFormats, onCode) {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
    const scanner = { stopped: false, timer: null, last: "" };
    scanner.stop = () => {
      scanner.stopped = true;
      clearTimeout(scanner.timer);
      for (const track of stream.getTracks()) {
        track.stop();
      }
      video.srcObject = null;
      video.hidden = true;
    };
    try {
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const detector = new BarcodeDetector({ formats: codeFormats });
      const tick = async () => {
        if (scanner.stopped) {
          return;
        }
        try {
          const codes = await detector.detect(video);
          const value = codes.length > 0 ? codes[0].rawValue : "";
          if (value && value !== scanner.last) {
            scanner.last = value;
            await onCode(value, scanner);
          } else if (!value) {
            scanner.last = "";
          }
        } catch (error) {
          // A frame that cannot be read yet: try the next one.
        }
        if (!scanner.stopped) {
          scanner.timer = setTimeout(tick, SCAN_INTERVAL_MS);
        }
      };
      scanner.timer = setTimeout(tick, 0);
    } catch (error) {
      scanner.stop();
      throw error;
    }
    return scanner;
  }

  return { formats, start };
})();
