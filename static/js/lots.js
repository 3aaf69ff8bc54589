// The session day's materials form: once a product is chosen, the lot list shows only that
// product's lots (grouped under the product's name). Without this script every usable lot
// is listed, and the server refuses another product's lot with the reason.
(function () {
  "use strict";
  document.querySelectorAll("form[data-lots-by-product]").forEach(function (form) {
    var product = form.querySelector("select[name=product]");
    var lot = form.querySelector("select[name=lot]");
    if (!product || !lot) {
      return;
    }
    function show() {
      var chosen = product.selectedOptions.length ? product.selectedOptions[0].text : "";
      lot.querySelectorAll("optgroup").forEach(function (group) {
        var mine = !product.value || group.label === chosen;
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var selected = lot.selectedOptions.length ? lot.selectedOptions[0] : null;
      if (selected && selected.parentElement && selected.parentElement.disabled) {
        lot.value = "";
      }
    }
    product.addEventListener("change", show);
    show();
  });
})();
