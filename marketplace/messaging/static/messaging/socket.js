// The one websocket of a tab (/ws/, docs/events.md), shared by every script of the page: the bell, the
// "Messages" count, the live thread. Whoever loads first opens it; the others find it on window.
(function () {
  "use strict";
  if (window.reciproqueSocket || !window.WebSocket) return;
  var listeners = [], openers = [], closers = [];
  var socket = null, delay = 500, stopped = false, pinger = null;

  function emit(list, value) {
    list.slice().forEach(function (fn) {
      try { fn(value); } catch (error) { window.setTimeout(function () { throw error; }); }
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    var current = socket;
    socket.addEventListener("open", function () {
      delay = 500;
      // Presence ("vu récemment") and proxies both want some traffic on an idle socket.
      pinger = window.setInterval(function () { api.send({ type: "ping" }); }, 25000);
    });
    socket.addEventListener("message", function (frame) {
      var event;
      try { event = JSON.parse(frame.data); } catch (e) { return; }
      if (!event || typeof event.type !== "string") return;
      if (event.type === "hello") {
        api.user = event.user;
        emit(openers, event);  // ready: the server joined this socket to its user's group
      }
      emit(listeners, event);
    });
    socket.addEventListener("close", function (closed) {
      if (current !== socket) return;
      window.clearInterval(pinger);
      socket = null;
      emit(closers, closed);
      if (closed.code === 4401 || stopped) return;  // signed out: no retry
      // Back off, with jitter so that every tab of a restarted server does not come back at once.
      window.setTimeout(connect, delay * (0.75 + Math.random() / 2));
      delay = Math.min(delay * 2, 8000);
    });
  }

  var api = {
    user: null,
    // fn(event) for every event the server sends.
    on: function (fn) { listeners.push(fn); },
    // fn() each time the socket is (re)connected and greeted; at once if it already is.
    onReady: function (fn) { openers.push(fn); if (api.isOpen() && api.user !== null) fn(); },
    onClose: function (fn) { closers.push(fn); },
    isOpen: function () { return socket !== null && socket.readyState === WebSocket.OPEN; },
    // Sends when the socket is open; false otherwise (the caller falls back to REST or waits).
    send: function (frame) {
      if (!api.isOpen()) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
  };
  window.reciproqueSocket = api;
  window.addEventListener("pagehide", function () { stopped = true; });
  window.addEventListener("pageshow", function (shown) {
    // Back from the back-forward cache: the socket was closed while the page slept.
    if (shown.persisted && stopped) { stopped = false; if (socket === null) connect(); }
  });
  connect();
})();
