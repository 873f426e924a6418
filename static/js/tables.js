// Wide tables scroll inside their own box, never the page: a table not already in a
// .table-responsive wrapper gets one, and every wrapper that scrolls can be reached and
// scrolled with the keyboard (a focusable region named after its table).
(() => {
  const wrap = () => {
    for (const table of document.querySelectorAll("main table")) {
      if (table.closest(".table-responsive")) continue;
      const box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    for (const box of document.querySelectorAll("main .table-responsive")) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) continue;
      const table = box.querySelector("table");
      const name =
        table?.getAttribute("aria-label") || table?.caption?.textContent?.trim() || "";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (name) box.setAttribute("aria-label", name);
    }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wrap);
  } else {
    wrap();
  }
  document.addEventListener("htmx:afterSettle", wrap);
})();
