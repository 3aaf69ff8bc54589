// A button marked data-print-page prints the page (no inline onclick: the CSP refuses it).
(function () {
  "use strict";
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
