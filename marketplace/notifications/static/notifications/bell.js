// The bell of the header: its unread count follows the websocket's notification events (docs/events.md).
(function () {
  "use strict";
  var bell = document.querySelector("[data-notification-bell]");
  if (!bell || !window.WebSocket) return;
  var count = bell.querySelector("[data-notification-count]");
  var delay = 1000;

  function show(unread) {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    bell.setAttribute("data-unread", String(unread));
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.addEventListener("open", function () { delay = 1000; });
    socket.addEventListener("message", function (frame) {
      var event;
      try { event = JSON.parse(frame.data); } catch (e) { return; }
      if ((event.type === "notification.new" || event.type === "notification.unread") &&
          typeof event.unread === "number") {
        show(event.unread);
      }
    });
    socket.addEventListener("close", function (closed) {
      if (closed.code === 4401) return;  // signed out: no retry
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
