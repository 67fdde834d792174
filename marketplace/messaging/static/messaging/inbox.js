// The conversation list of the messaging page: asked again from the server (messaging:list) when a message
// arrives or a conversation is read, so that its order, last messages and unread counts stay true.
(function () {
  "use strict";
  var nav = document.querySelector("[data-list-url]");
  var socket = window.reciproqueSocket;
  if (!nav || !socket) return;
  var timer = null;

  function markCurrent() {
    var current = nav.dataset.current;
    if (!current) return;
    nav.querySelectorAll("[data-conversation-row]").forEach(function (row) {
      var link = row.querySelector("a");
      if (row.dataset.conversationRow === current) {
        row.classList.add("is-current");
        link.setAttribute("aria-current", "page");
      }
    });
  }

  function refresh() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      fetch(nav.dataset.listUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var focused = document.activeElement && nav.contains(document.activeElement)
            ? document.activeElement.closest("[data-conversation-row]") : null;
          var focusedId = focused ? focused.dataset.conversationRow : null;
          nav.innerHTML = html;
          markCurrent();
          if (focusedId) {
            var again = nav.querySelector('[data-conversation-row="' + focusedId + '"] a');
            if (again) again.focus();
          }
        })
        .catch(function () { /* offline: the next event tries again */ });
    }, 300);
  }

  socket.on(function (event) {
    if (event.type === "message.new" || event.type === "message.edited" ||
        event.type === "message.deleted" || (event.type === "read" && event.user === socket.user)) {
      refresh();
    }
  });
})();
