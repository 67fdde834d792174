// The live thread (messaging/_thread.html) on the tab's one socket (socket.js, docs/events.md).
//
// - Messages are keyed by their server id: one shown at most once, in id order, whatever the path that
//   brought it (the page, the socket live, the catch-up after a reconnection, the REST history).
// - A send gets a client id (a UUID) and shows at once; it goes over the socket, or over REST when the
//   socket is down or no ack came in time, again with the same client id (the server stores it once).
// - On each (re)connection `subscribe` replays what came after the last id shown; `resync_required` (too much
//   to replay) pages through GET …/messages?after_id=. Older messages come from the REST history on scroll.
// - Files go over REST with an upload progress bar (XHR), then the message with the file.
// - Without JavaScript, the same forms post to the page and come back (messaging/views.py).
(function () {
  "use strict";
  var socket = null;  // socket.js runs after this file (deferred, later in the page): read at DOMContentLoaded
  var ACK_TIMEOUT = 5000;
  var EDIT_WINDOW = 15 * 60 * 1000;

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.from(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function parse(text) { try { return JSON.parse(text); } catch (e) { return {}; } }

  function boot() {
    socket = window.reciproqueSocket || null;
    document.querySelectorAll("[data-thread]").forEach(start);
  }
  if (document.readyState === "complete") boot();
  else document.addEventListener("DOMContentLoaded", boot);

  function start(root) {
    var conversation = Number(root.dataset.conversation);
    var me = Number(root.dataset.me);
    var list = root.querySelector("[data-messages]");
    var scroller = root.querySelector("[data-scroll]");
    var typingLine = root.querySelector("[data-typing]");
    var presence = root.querySelector("[data-presence]");
    var form = root.querySelector("[data-send]");
    var statusLine = root.querySelector("[data-status]");
    var progress = root.querySelector("[data-progress]");
    var template = root.querySelector("template[data-template=message]").content;
    var people = parse(document.getElementById(root.dataset.people).textContent);
    var tokenInput = root.querySelector("input[name=csrfmiddlewaretoken]");
    var token = tokenInput ? tokenInput.value : JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    var messagesUrl = root.dataset.messagesUrl;
    var byId = new Map();  // server id -> <li>
    var pending = new Map();  // client id -> {li, text, file, attachment, tries, timer}
    var highest = 0, lowest = 0;
    // Every message of this conversation up to `synced` is shown: the page's, then the socket's stream (complete
    // while connected) and the catch-ups. Not the reply to a REST send made while the socket was down, which
    // may overtake messages not received yet: the next `subscribe` starts from here.
    var synced = 0;
    var wantRead = 0, lastReadSent = Number(root.dataset.lastRead) || 0;
    var typingSentAt = 0, typingTimer = null;

    function label(name) {
      var found = template.querySelector('[data-label="' + name + '"]');
      return found ? found.textContent : name;
    }

    function say(text) { if (statusLine) statusLine.textContent = text; }

    function track(id, li) {
      byId.set(id, li);
      if (id > highest) highest = id;
      if (!lowest || id < lowest) lowest = id;
      var empty = root.querySelector("[data-empty]");
      if (empty) empty.remove();
    }

    list.querySelectorAll("li[data-id]").forEach(function (li) {
      var id = Number(li.dataset.id);
      track(id, li);
      if (li.dataset.sender !== String(me)) wantRead = Math.max(wantRead, id);
    });
    synced = highest;
    list.querySelectorAll("[data-edit-until]").forEach(closeEditLater);
    var readForm = root.querySelector("[data-read-form]");
    if (readForm) readForm.hidden = true;  // this script marks what is shown as read

    function nearBottom() { return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80; }
    function toBottom() { scroller.scrollTop = scroller.scrollHeight; }
    toBottom();

    function formatTime(iso) {
      var date = new Date(iso);
      return date.toLocaleString(document.documentElement.lang || "fr", {
        day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      });
    }

    function closeEditLater(details) {
      var left = Date.parse(details.dataset.editUntil) - Date.now();
      window.setTimeout(function () { details.remove(); }, Math.max(0, left));
    }

    // ---- Rendering: the skeleton of _message_template.html, filled from the server's message ----
    function skeleton() { return template.querySelector("li").cloneNode(true); }

    function render(m) {
      var li = skeleton();
      li.id = "message-" + m.id;
      li.dataset.id = String(m.id);
      li.dataset.sender = m.sender === null ? "" : String(m.sender);
      if (m.client_id && m.sender === me) li.dataset.clientId = m.client_id;
      li.className = "chat-message" + (m.kind === "system" ? " is-system" : m.sender === me ? " is-mine" : "") +
        (m.deleted ? " is-deleted" : "");
      li.querySelector(".chat-who").textContent = m.kind === "system" ? label("system")
        : m.sender === me ? label("you")
        : (people[m.sender] ? people[m.sender].name : label("former"));
      var time = li.querySelector("time");
      time.dateTime = m.created_at;
      time.textContent = formatTime(m.created_at);
      li.querySelector(".chat-edited").hidden = !m.edited_at || m.deleted;
      li.querySelector(".chat-pending").remove();
      var body = li.querySelector(".chat-body");
      if (m.deleted) {
        var note = document.createElement("em");
        note.textContent = label("deleted");
        body.append(note);
      } else {
        body.innerHTML = m.html;  // escaped, links made safe, by the server (messaging/rendering.py)
      }
      showAttachment(li.querySelector(".chat-attachment"), m.deleted ? null : m.attachment);
      if (m.sender !== me || m.kind !== "user") li.querySelector("[data-receipt]").remove();
      actions(li, m);
      return li;
    }

    function showAttachment(box, a) {
      if (!a) { box.remove(); return; }
      box.hidden = false;
      var link = document.createElement("a");
      link.href = a.url;
      if (a.kind === "image") {
        var img = document.createElement("img");
        var width = Math.min(a.width || 320, 320);
        img.src = a.url;
        img.alt = a.name;
        img.width = width;
        img.height = a.width ? Math.round(a.height * width / a.width) : width;
        link.append(img);
      } else {
        link.textContent = a.name + " ";
        var hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = "(" + label("pdf") + ", " + Math.max(1, Math.round(a.size / 1024)) + " Ko)";
        link.append(hint);
      }
      box.append(link);
    }

    var PATHS = { edit: "modifier/", "delete": "supprimer/", report: "signaler/" };

    function actions(li, m) {
      var box = li.querySelector(".chat-actions");
      if (m.kind !== "user" || m.deleted) { box.remove(); return; }
      var mine = m.sender === me;
      box.querySelectorAll(mine ? "[data-theirs]" : "[data-mine]").forEach(function (el) { el.remove(); });
      box.querySelectorAll("form").forEach(function (f) {
        f.action = root.dataset.base + m.id + "/" + PATHS[f.dataset.action];
        var field = f.querySelector("textarea");
        if (field) {
          field.id = f.dataset.action + "-" + m.id;
          f.querySelector("label").htmlFor = field.id;
          if (f.dataset.action === "edit") field.value = m.text;
        }
      });
      var edit = box.querySelector(".chat-edit");
      if (edit) {
        var until = Date.parse(m.created_at) + EDIT_WINDOW;
        if (until <= Date.now()) edit.remove();
        else { edit.dataset.editUntil = new Date(until).toISOString(); closeEditLater(edit); }
      }
    }

    function insert(li, id) {
      var last = byId.get(highest);
      if (id > highest && last && last !== li && last.parentNode === list) { last.after(li); return; }  // the usual case
      var shown = list.querySelectorAll("li[data-id]");
      for (var i = shown.length - 1; i >= 0; i--) {
        if (shown[i] !== li && Number(shown[i].dataset.id) < id) { shown[i].after(li); return; }
      }
      list.prepend(li);
    }

    // A message from the server, whatever the path: shown once, at its place; `replace` for an edit.
    function upsert(m, replace, inSequence) {
      if (!m || m.conversation !== conversation) return;
      if (inSequence && m.id > synced) synced = m.id;
      var old = byId.get(m.id);
      if (old && !replace && !old.hasAttribute("data-pending")) return;  // already shown: dropped
      if (!old && m.client_id && m.sender === me && pending.has(m.client_id)) {
        old = pending.get(m.client_id).li;
        settle(m.client_id);
      }
      var follow = nearBottom() || m.sender === me;
      var li = render(m);
      if (old) old.remove();
      insert(li, m.id);
      track(m.id, li);
      if (m.sender !== me) {
        wantRead = Math.max(wantRead, m.id);
        markRead();
        if (m.sender !== null) { seen(); stopTyping(); }
      }
      if (m.sender === me) receipts();
      if (follow && !replace && m.id === highest) toBottom();
    }

    // ---- Read marks and receipts ----
    // Coalesced: a catch-up of hundreds of messages sends one read mark, not one per message (the socket
    // drops frames beyond 10 a second).
    var readTimer = null;
    function markRead() {
      if (readTimer === null) readTimer = window.setTimeout(sendRead, 250);
    }
    function sendRead() {
      readTimer = null;
      if (document.visibilityState !== "visible" || wantRead <= lastReadSent) return;
      lastReadSent = wantRead;
      if (socket && socket.send({ type: "read", conversation: conversation, up_to_id: wantRead })) return;
      fetch(root.dataset.readUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ up_to_id: wantRead }),
      }).catch(function () { lastReadSent = 0; });
    }
    document.addEventListener("visibilitychange", markRead);

    function receipts() {
      var others = Object.keys(people).filter(function (id) { return Number(id) !== me; });
      var read = others.length ? Math.min.apply(null, others.map(function (id) { return people[id].last_read; })) : 0;
      var target = null;
      list.querySelectorAll("li[data-id] [data-receipt]").forEach(function (receipt) {
        var li = receipt.closest("li");
        if (Number(li.dataset.id) <= read) target = receipt;
        receipt.hidden = true;
      });
      if (target) target.hidden = false;
    }

    // ---- Typing and presence ----
    function seen() {
      if (!presence) return;
      presence.textContent = "";
      var dot = document.createElement("span");
      dot.className = "dot";
      dot.setAttribute("aria-hidden", "true");
      presence.append(dot, label("seen"));
    }

    function stopTyping() { window.clearTimeout(typingTimer); typingLine.textContent = ""; }

    function typing(userId) {
      var name = people[userId] ? people[userId].name : label("former");
      typingLine.textContent = label("typing").replace("%(name)s", name);
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(stopTyping, 4000);
      seen();
    }

    // ---- Sending ----
    function pendingItem(text, file) {
      var li = skeleton();
      li.dataset.pending = "";
      li.className = "chat-message is-mine is-pending";
      li.querySelector(".chat-who").textContent = label("you");
      var time = li.querySelector("time");
      time.dateTime = new Date().toISOString();
      time.textContent = formatTime(time.dateTime);
      li.querySelector(".chat-pending").textContent = label(file ? "uploading" : "sending");
      li.querySelector(".chat-body").textContent = text;
      li.querySelector(".chat-attachment").remove();
      li.querySelector(".chat-actions").remove();
      li.querySelector("[data-receipt]").remove();
      list.append(li);
      toBottom();
      return li;
    }

    function settle(clientId) {
      var entry = pending.get(clientId);
      if (!entry) return;
      window.clearTimeout(entry.timer);
      pending.delete(clientId);
    }

    function fail(clientId, message) {
      var entry = pending.get(clientId);
      if (!entry) return;
      settle(clientId);
      entry.li.classList.add("is-failed");
      entry.li.querySelector(".chat-pending").textContent = label("failed") + " " + message;
      say(label("failed") + " " + message);
    }

    // The ack: the server stored it (id); the message itself comes as message.new (or already came).
    function acked(clientId, id) {
      var entry = pending.get(clientId);
      if (!entry) return;
      settle(clientId);
      if (byId.has(id)) { entry.li.remove(); return; }
      entry.li.dataset.id = String(id);
      entry.li.id = "message-" + id;
      entry.li.querySelector(".chat-pending").textContent = "";
      insert(entry.li, id);
      track(id, entry.li);
    }

    function viaSocket(clientId) {
      var entry = pending.get(clientId);
      if (!entry || entry.file || entry.inFlight) return;
      if (socket && socket.send({ type: "message.send", conversation: conversation, text: entry.text, client_id: clientId })) {
        window.clearTimeout(entry.timer);
        entry.timer = window.setTimeout(function () { viaRest(clientId); }, ACK_TIMEOUT);
      } else {
        viaRest(clientId);
      }
    }

    function retryLater(clientId) {
      var entry = pending.get(clientId);
      if (!entry) return;
      entry.tries += 1;
      entry.li.querySelector(".chat-pending").textContent = label("retrying");
      window.clearTimeout(entry.timer);
      entry.timer = window.setTimeout(function () {
        if (entry.file && entry.attachment === null) upload(clientId);
        else viaRest(clientId);
      }, Math.min(1000 * Math.pow(2, entry.tries), 15000));
    }

    function viaRest(clientId) {
      var entry = pending.get(clientId);
      if (!entry || entry.inFlight) return;
      entry.inFlight = true;
      var payload = { text: entry.text, client_id: clientId };
      if (entry.attachment !== null) payload.attachment = entry.attachment;
      fetch(messagesUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
        body: JSON.stringify(payload),
      }).then(function (response) {
        return response.text().then(function (text) { return { status: response.status, data: parse(text) }; });
      }).then(function (result) {
        entry.inFlight = false;
        if (result.status === 200 || result.status === 201) upsert(result.data);
        else if (result.status === 429 || result.status >= 500) retryLater(clientId);
        else fail(clientId, result.data.message || String(result.status));
      }).catch(function () {
        entry.inFlight = false;
        retryLater(clientId);  // offline: the same client id again later, stored once
      });
    }

    function upload(clientId) {
      var entry = pending.get(clientId);
      if (!entry) return;
      var xhr = new XMLHttpRequest();
      var body = new FormData();
      body.append("file", entry.file);
      xhr.open("POST", root.dataset.attachmentsUrl);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      progress.value = 0;
      progress.hidden = false;
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        progress.value = Math.round(100 * event.loaded / event.total);
        entry.li.querySelector(".chat-pending").textContent = label("uploading") + " " + progress.value + " %";
      });
      xhr.addEventListener("load", function () {
        var data = parse(xhr.responseText);
        if (xhr.status === 201) {
          progress.value = 100;
          entry.attachment = data.id;
          viaRest(clientId);
          window.setTimeout(function () { progress.hidden = true; }, 1500);
        } else if (xhr.status === 429 || xhr.status >= 500) {
          retryLater(clientId);
        } else {
          progress.hidden = true;
          fail(clientId, data.message || String(xhr.status));
        }
      });
      xhr.addEventListener("error", function () { retryLater(clientId); });
      xhr.send(body);
    }

    if (form) {
      var textarea = form.querySelector("[data-text]");
      var fileInput = form.querySelector("[data-file]");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = textarea.value;
        var file = fileInput.files.length ? fileInput.files[0] : null;
        if (!text.trim() && !file) { say(form.dataset.emptyMessage); textarea.focus(); return; }
        say("");
        var clientId = uuid();
        pending.set(clientId, {
          li: pendingItem(text, file), text: text, file: file, attachment: null, tries: 0, timer: null,
        });
        textarea.value = "";
        fileInput.value = "";
        if (file) upload(clientId); else viaSocket(clientId);
        textarea.focus();
      });
      textarea.addEventListener("keydown", function (event) {
        // Enter sends, Shift+Enter goes to the next line (as in every messaging product).
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
      textarea.addEventListener("input", function () {
        var now = Date.now();
        if (socket && textarea.value && now - typingSentAt > 2000) {
          if (socket.send({ type: "typing", conversation: conversation })) typingSentAt = now;
        }
      });
    }

    // ---- Edit, delete, report: the same forms, over the API, in place ----
    list.addEventListener("submit", function (event) {
      var f = event.target;
      var action = f.dataset.action;
      if (!action) return;
      event.preventDefault();
      var id = f.closest("li[data-id]").dataset.id;
      var request = {
        edit: { url: messagesUrl + "/" + id, method: "PATCH", body: { text: (f.querySelector("textarea") || {}).value } },
        "delete": { url: messagesUrl + "/" + id, method: "DELETE", body: null },
        report: { url: root.dataset.reportUrl.replace("/0/", "/" + id + "/"), method: "POST",
                  body: { reason: (f.querySelector("textarea") || {}).value || "" } },
      }[action];
      fetch(request.url, {
        method: request.method, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
        body: request.body === null ? undefined : JSON.stringify(request.body),
      }).then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, data: parse(text) }; });
      }).then(function (result) {
        if (!result.ok) { say(result.data.message || ""); return; }
        if (action === "report") {
          var details = f.closest("details");
          if (details) details.open = false;
          say(label("reported"));
        } else {
          upsert(result.data, true);
        }
      }).catch(function () { say(label("retrying")); });
    });

    // ---- Older messages: the REST history, when its link scrolls into view (or is followed) ----
    var older = root.querySelector("[data-older]");
    var loadingOlder = false;
    function loadOlder() {
      if (loadingOlder || !older || !lowest) return;
      loadingOlder = true;
      fetch(messagesUrl + "?before_id=" + lowest + "&limit=30", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (page) {
          var before = scroller.scrollHeight, top = scroller.scrollTop;
          page.items.forEach(function (m) { upsert(m); });
          scroller.scrollTop = top + scroller.scrollHeight - before;  // the reader stays where they were
          if (!page.next) { older.parentNode.remove(); older = null; }
          else older.href = "?avant=" + lowest;
          loadingOlder = false;
        })
        .catch(function () { loadingOlder = false; });
    }
    if (older) {
      older.addEventListener("click", function (event) { event.preventDefault(); loadOlder(); });
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          if (entries.some(function (e) { return e.isIntersecting; })) loadOlder();
        }, { root: scroller }).observe(older);
      }
    }

    // ---- Catch-up: everything after the last id shown, page by page, when the replay was too long ----
    var resyncing = false;
    function resync(cursor) {
      if (resyncing && !cursor) return;
      resyncing = true;
      if (!cursor) resyncFrom = synced;
      var url = messagesUrl + "?after_id=" + resyncFrom + "&limit=100" +
        (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (page) {
          page.items.forEach(function (m) { upsert(m, false, true); });
          if (page.next) resync(page.next); else resyncing = false;
        })
        .catch(function () { resyncing = false; });
    }
    var resyncFrom = 0;

    if (!socket) return;
    socket.on(function (event) {
      switch (event.type) {
        case "message.new": upsert(event.message, false, true); break;
        case "message.edited": case "message.deleted": upsert(event.message, true); break;
        case "message.ack": acked(event.client_id, event.id); break;
        case "error":
          if (event.client_id && pending.has(event.client_id)) fail(event.client_id, event.message);
          break;
        case "read":
          if (event.conversation === conversation && event.user !== me && people[event.user]) {
            people[event.user].last_read = Math.max(people[event.user].last_read, event.up_to_id);
            receipts();
            seen();
          }
          break;
        case "typing":
          if (event.conversation === conversation && event.user !== me) typing(event.user);
          break;
        case "resync_required": resync(null); break;
      }
    });
    socket.onReady(function () {
      socket.send({ type: "subscribe", after_id: synced });
      pending.forEach(function (entry, clientId) {
        if (!entry.file) viaSocket(clientId);  // not acked yet: again, same client id
      });
      markRead();
    });
    markRead();
    receipts();
  }
})();
