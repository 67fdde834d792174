// The proposal's conversation: a message goes through the REST API (a client id makes a retry harmless),
// then appears at the end of the thread.
(function () {
  "use strict";
  const form = document.getElementById("thread-form");
  if (!form) return;
  const thread = document.getElementById("thread");
  const error = document.getElementById("thread-error");
  const text = document.getElementById("thread-text");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    error.textContent = "";
    const body = JSON.stringify({ text: text.value, client_id: crypto.randomUUID() });
    const response = await fetch(form.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
      },
      body: body,
    });
    const data = await response.json();
    if (!response.ok) {
      error.textContent = data.message || String(response.status);
      return;
    }
    const item = document.createElement("li");
    item.className = "message";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = form.dataset.me;
    item.append(who, " : " + data.text);
    thread.append(item);
    text.value = "";
  });
})();
