// Refreshes the today board from the server every few seconds, keeping countdowns exact.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var seconds = parseInt(board.dataset.refreshSeconds, 10) || 30;
  function refresh() {
    fetch(board.dataset.refreshUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        board.innerHTML = html;
        window.plannerCountdowns(board);
        board.dataset.refreshedAt = new Date().toISOString();
      })
      .catch(function () { /* keep the last board; try again next time */ })
      .finally(function () { setTimeout(refresh, seconds * 1000); });
  }
  setTimeout(refresh, seconds * 1000);
})();
