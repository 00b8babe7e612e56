/* Phone-first tables: below 600 px the stylesheet shows each row of a table as a
   card, each cell under its column's name. This script writes that name on every
   cell (data-label, from the table's header), for the rows in the page and for the
   rows the page's scripts add later. */
"use strict";

(() => {
  function labelTable(table) {
    const headers = table.tHead ? Array.from(table.tHead.rows[0]?.cells || []) : [];
    if (headers.length === 0) {
      return;
    }
    const names = headers.map((cell) => cell.textContent.trim());
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          if (!cell.dataset.label && names[column]) {
            cell.dataset.label = names[column];
          }
          column += cell.colSpan || 1;
        }
      }
    }
  }

  function labelAll(root) {
    for (const table of root.querySelectorAll("table")) {
      labelTable(table);
    }
  }

  function start() {
    labelAll(document);
    new MutationObserver((changes) => {
      const tables = new Set();
      for (const change of changes) {
        const table = change.target.closest && change.target.closest("table");
        if (table) {
          tables.add(table);
        }
      }
      tables.forEach(labelTable);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
