// The consent signature on the patient's course page (issue #17): no inline script (the CSP
// refuses it). A canvas marked data-signature-pad="INPUT_ID" records strokes drawn with a
// finger, pen or mouse as SVG path data in the canvas's own 600x200 coordinates
// ("M x y L x y ... M x y ..."), whole numbers only, into the hidden input; the server
// checks that form strictly (patients/signature.py). Radio buttons marked
// data-signature-method show the typed-name or the drawing block (data-signature-for).
(function () {
  "use strict";
  var MAX_CHARS = 20000;

  function setUpPad(canvas) {
    var input = document.getElementById(canvas.getAttribute("data-signature-pad"));
    if (!input) { return; }
    var context = canvas.getContext("2d");
    var strokes = [];
    var drawing = false;

    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#212529";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      var x = Math.round((event.clientX - box.left) * canvas.width / box.width);
      var y = Math.round((event.clientY - box.top) * canvas.height / box.height);
      return [Math.min(Math.max(x, 0), canvas.width), Math.min(Math.max(y, 0), canvas.height)];
    }

    function path() {
      return strokes.map(function (stroke) {
        return stroke.map(function (p, i) { return (i ? "L" : "M") + p[0] + " " + p[1]; }).join(" ");
      }).join(" ");
    }

    function save() {
      var value = path();
      input.value = value.length <= MAX_CHARS ? value : "";
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      strokes.push([p]);
      context.beginPath();
      context.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var stroke = strokes[strokes.length - 1];
      var p = point(event);
      var last = stroke[stroke.length - 1];
      if (p[0] === last[0] && p[1] === last[1]) { return; }
      stroke.push(p);
      context.lineTo(p[0], p[1]);
      context.stroke();
    });
    function end() {
      if (!drawing) { return; }
      drawing = false;
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    var form = canvas.closest("form");
    var clear = form && form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        strokes = [];
        context.clearRect(0, 0, canvas.width, canvas.height);
        input.value = "";
      });
    }
  }

  function setUpMethod(form) {
    var radios = form.querySelectorAll("[data-signature-method]");
    if (!radios.length) { return; }
    function show() {
      var chosen = form.querySelector("[data-signature-method]:checked");
      form.querySelectorAll("[data-signature-for]").forEach(function (block) {
        block.hidden = !chosen || block.getAttribute("data-signature-for") !== chosen.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }

  document.querySelectorAll("canvas[data-signature-pad]").forEach(setUpPad);
  document.querySelectorAll("form").forEach(setUpMethod);
})();
