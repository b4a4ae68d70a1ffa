// Sortable tables: any <table data-sortable> gets a button in each column header that sorts its rows.
// Progressive enhancement: without this script the table is the server's order, unchanged.
//
// - A cell's `data-sort-value` attribute is its sort key when present (numbers, ISO dates, ranks);
//   otherwise its text. Keys that read as numbers compare as numbers (in the page's language:
//   "98,96" in Vietnamese, "98.96" in English), others by the page language's collation.
// - Empty cells sort last in either direction; equal keys keep their previous order.
// - The sorted column's <th> carries aria-sort; `data-sort-type="number|text"` on a <th> forces the
//   comparison, `data-sort-default="descending"` makes its first click sort high to low, and
//   `data-sort="none"` leaves a column unsortable.
// - window.DxkgSortable.enhance(table) enhances a table added later (the query editor's results).
(function () {
  "use strict";

  const lang = (document.documentElement.lang || "vi").toLowerCase();
  const collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });
  // Vietnamese writes 1.234,5; English 1,234.5.
  const decimalComma = lang.startsWith("vi");
  const NUMBER = /^[-+\u2212]?(\d{1,3}([ .,\u00a0\u202f]\d{3})*|\d+)([.,]\d+)?$/;

  function parseNumber(text) {
    let s = text.replace(/[%\u00a0\u202f ]/g, "").replace("\u2212", "-");
    if (s === "" || !NUMBER.test(s)) {
      return null;
    }
    if (decimalComma) {
      s = s.replace(/\./g, "").replace(",", ".");
    } else {
      s = s.replace(/,/g, "");
    }
    const n = Number(s);
    return Number.isFinite(n) ? n : null;
  }

  // The cell under column `index`, counting colspans; null when the row is shorter.
  function cellAt(row, index) {
    let column = 0;
    for (const cell of row.cells) {
      const span = cell.colSpan || 1;
      if (index < column + span) {
        return column === index ? cell : null;
      }
      column += span;
    }
    return null;
  }

  function keyOf(cell, type) {
    if (!cell) {
      return { empty: true };
    }
    const raw = cell.hasAttribute("data-sort-value") ? cell.getAttribute("data-sort-value") : cell.textContent;
    const text = raw.trim();
    if (text === "") {
      return { empty: true };
    }
    if (type !== "text") {
      const explicit = cell.hasAttribute("data-sort-value") ? Number(text) : NaN;
      const number = Number.isFinite(explicit) && text !== "" ? explicit : parseNumber(text);
      if (number !== null) {
        return { number: number, text: text };
      }
    }
    return { text: text };
  }

  function compare(a, b) {
    if (a.number !== undefined && b.number !== undefined) {
      return a.number - b.number;
    }
    if (a.number !== undefined) {
      return -1; // numbers before words
    }
    if (b.number !== undefined) {
      return 1;
    }
    return collator.compare(a.text, b.text);
  }

  function sortBy(table, th, index, direction) {
    const type = th.dataset.sortType;
    const sign = direction === "ascending" ? 1 : -1;
    for (const body of table.tBodies) {
      const rows = Array.from(body.rows).map(function (row, position) {
        return { row: row, position: position, key: keyOf(cellAt(row, index), type) };
      });
      rows.sort(function (a, b) {
        if (a.key.empty || b.key.empty) {
          return (a.key.empty ? 1 : 0) - (b.key.empty ? 1 : 0) || a.position - b.position;
        }
        return sign * compare(a.key, b.key) || a.position - b.position;
      });
      const fragment = document.createDocumentFragment();
      rows.forEach(function (r) { fragment.append(r.row); });
      body.append(fragment);
    }
    table.querySelectorAll("thead th[aria-sort]").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", direction);
  }

  function enhance(table) {
    if (!table || table.dataset.sortableReady === "true" || !table.tHead) {
      return;
    }
    const headRows = table.tHead.rows;
    if (headRows.length === 0) {
      return;
    }
    table.dataset.sortableReady = "true";
    let column = 0;
    for (const th of headRows[headRows.length - 1].cells) {
      const index = column;
      column += th.colSpan || 1;
      if (th.dataset.sort === "none" || th.querySelector("button, a, input, select")) {
        continue;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) {
        button.append(th.firstChild);
      }
      const mark = document.createElement("span");
      mark.className = "sort-mark";
      mark.setAttribute("aria-hidden", "true");
      button.append(mark);
      th.append(button);
      button.addEventListener("click", function () {
        const current = th.getAttribute("aria-sort");
        let direction;
        if (current === "ascending") {
          direction = "descending";
        } else if (current === "descending") {
          direction = "ascending";
        } else {
          direction = th.dataset.sortDefault === "descending" ? "descending" : "ascending";
        }
        sortBy(table, th, index, direction);
      });
    }
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("table[data-sortable]").forEach(enhance);
  }

  window.DxkgSortable = Object.freeze({ enhance: enhance, enhanceAll: enhanceAll });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
})();
