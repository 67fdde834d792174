// The bell of the header: its unread count follows the websocket's notification events (docs/events.md),
// on the tab's one socket (messaging/socket.js, loaded before this file).
(function () {
  "use strict";
  var bell = document.querySelector("[data-notification-bell]");
  var socket = window.reciproqueSocket;
  if (!bell || !socket) return;
  var count = bell.querySelector("[data-notification-count]");

  function show(unread) {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    bell.setAttribute("data-unread", String(unread));
  }

  socket.on(function (event) {
    if ((event.type === "notification.new" || event.type === "notification.unread") &&
        typeof event.unread === "number") {
      show(event.unread);
    }
  });
})();
