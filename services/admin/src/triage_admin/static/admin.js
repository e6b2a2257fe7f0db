// SLA countdowns: every element with data-due (ISO 8601) counts down each second, then up as overdue.
"use strict";
function duration(seconds) {
  seconds = Math.floor(Math.abs(seconds));
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
  const m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
  const pad = (n) => String(n).padStart(2, "0");
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${pad(m)}m`;
  return `${m}m ${pad(s)}s`;
}
function tick() {
  for (const el of document.querySelectorAll("[data-due]")) {
    if (!el.dataset.due) continue;
    const left = (Date.parse(el.dataset.due) - Date.now()) / 1000;
    el.textContent = left < 0 ? `overdue by ${duration(left)}` : `due in ${duration(left)}`;
    el.classList.toggle("overdue", left < 0);
    el.classList.toggle("due", left >= 0);
  }
}
document.addEventListener("DOMContentLoaded", () => { tick(); setInterval(tick, 1000); });
