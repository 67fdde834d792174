// The "Messages" link of the header: its unread count follows the socket (a message from someone else, a
// conversation read in this tab or another) and is read again from GET /api/v1/conversations/unread-count.
(function () {
  "use strict";
  var link = document.querySelector("[data-messages-link]");
  var socket = window.reciproqueSocket;
  if (!link || !socket) return;
  var count = link.querySelector("[data-messages-count]");
  var timer = null;

  function refresh() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      fetch(link.dataset.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || typeof data.unread !== "number") return;
          count.textContent = String(data.unread);
          count.hidden = data.unread === 0;
          link.setAttribute("data-unread", String(data.unread));
        })
        .catch(function () { /* offline: the next event tries again */ });
    }, 400);
  }

  socket.on(function (event) {
    if ((event.type === "message.new" && event.message && event.message.sender !== socket.user) ||
        (event.type === "read" && event.user === socket.user) || event.type === "message.deleted") {
      refresh();
    }
  });
})();
