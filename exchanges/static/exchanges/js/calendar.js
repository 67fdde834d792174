/* "Mon logement": picking a period on a home's availability calendar (exchanges/_calendar.html, data-pick).
   The first day pressed is the arrival (the period form's start), the second the departure (its end, which is
   not a night); a day on or before the arrival starts again. The form's date inputs hold the choice, so it
   survives the htmx swap of the months, and dates typed there show on the calendar. One tab stop per
   calendar: the arrow keys go from day to day (up and down: a week), across the months shown. */
(function () {
  "use strict";
  const DAY_MS = 86400000;

  function parts(calendar) {
    return {
      start: document.getElementById(calendar.dataset.startInput),
      end: document.getElementById(calendar.dataset.endInput),
      status: document.getElementById(calendar.dataset.status),
    };
  }
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) { return key in values ? values[key] : match; });
  }
  function spoken(iso) {
    return new Intl.DateTimeFormat(document.documentElement.lang || "fr", {
      day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
    }).format(new Date(iso + "T00:00:00Z"));
  }
  function shifted(iso, days) { return new Date(Date.parse(iso + "T00:00:00Z") + days * DAY_MS).toISOString().slice(0, 10); }

  /* Marks the chosen days and keeps one button in the tab order. */
  function show(calendar) {
    const form = parts(calendar);
    if (!form.start || !form.end || !form.status) return;
    const start = form.start.value, end = form.end.value;
    const buttons = Array.from(calendar.querySelectorAll(".cal-pick"));
    buttons.forEach(function (button) {
      const day = button.dataset.date;
      button.classList.toggle("cal-start", day === start);
      button.classList.toggle("cal-end", day === end);
      button.classList.toggle("cal-between", Boolean(start && end && day > start && day < end));
      button.setAttribute("aria-label", button.dataset.label +
        (day === start ? form.status.dataset.startMark : day === end ? form.status.dataset.endMark : ""));
    });
    const stop = buttons.find(function (b) { return b.tabIndex === 0; }) ||
      buttons.find(function (b) { return b.dataset.date === start; }) || buttons[0];
    if (stop) tabStop(calendar, stop);
  }
  function tabStop(calendar, button) {
    calendar.querySelectorAll(".cal-pick").forEach(function (b) { b.tabIndex = b === button ? 0 : -1; });
  }

  function pick(calendar, button) {
    const form = parts(calendar);
    const day = button.dataset.date;
    if (!form.start.value || form.end.value || day <= form.start.value) {
      form.start.value = day;
      form.end.value = "";
      form.status.textContent = format(form.status.dataset.startText, { day: spoken(day) });
    } else {
      form.end.value = day;
      form.status.textContent = format(form.status.dataset.rangeText, { start: spoken(form.start.value), end: spoken(day) });
    }
    [form.start, form.end].forEach(function (input) { input.dispatchEvent(new Event("change", { bubbles: true })); });
    tabStop(calendar, button);
    show(calendar);
  }

  const MOVES = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  document.addEventListener("click", function (event) {
    const button = event.target.closest(".calendar[data-pick] .cal-pick");
    if (button) pick(button.closest(".calendar"), button);
  });
  document.addEventListener("keydown", function (event) {
    const button = event.target.closest && event.target.closest(".calendar[data-pick] .cal-pick");
    if (!button || !(event.key in MOVES)) return;
    const calendar = button.closest(".calendar");
    const target = calendar.querySelector(".cal-pick[data-date='" + shifted(button.dataset.date, MOVES[event.key]) + "']");
    event.preventDefault();
    if (target) { tabStop(calendar, target); target.focus(); }
  });
  document.addEventListener("change", function (event) {
    document.querySelectorAll(".calendar[data-pick]").forEach(function (calendar) {
      const form = parts(calendar);
      if (event.target === form.start || event.target === form.end) show(calendar);
    });
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll(".calendar[data-pick]").forEach(show);
  });
  document.querySelectorAll(".calendar-hint").forEach(function (hint) { hint.hidden = false; });
  document.querySelectorAll(".calendar[data-pick]").forEach(show);
})();
