// Live countdowns computed from times the server stored, so a reload never resets them.
// <span data-countdown-to="ISO-8601" data-server-now="ISO-8601" data-done-text="...">
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function start(el) {
    if (el.dataset.countdownRunning) { return; }
    el.dataset.countdownRunning = "1";
    var due = Date.parse(el.dataset.countdownTo);
    var skew = Date.parse(el.dataset.serverNow) - Date.now(); // server clock minus this device's
    function tick() {
      if (!el.isConnected) { return; }
      var left = Math.ceil((due - (Date.now() + skew)) / 1000);
      if (left <= 0) {
        el.textContent = el.dataset.doneText || "Now";
        el.classList.add("countdown-done");
        return;
      }
      el.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      setTimeout(tick, 250);
    }
    tick();
  }
  window.plannerCountdowns = function (root) {
    (root || document).querySelectorAll("[data-countdown-to]").forEach(start);
  };
  window.plannerCountdowns(document);
})();
