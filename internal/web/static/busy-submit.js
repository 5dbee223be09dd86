// Persona Pal — a long-running submit (an import) says that it runs: the
// button named by data-busy-text shows a spinner and that text, and a second
// click does not send the form again. Linked by the pages that have such a
// button (the import wizard, the organisation import), not bundled.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    if (e.defaultPrevented || !button || !button.hasAttribute("data-busy-text")) return;
    if (form.getAttribute("data-busy") === "true") { e.preventDefault(); return; }
    form.setAttribute("data-busy", "true");
    button.setAttribute("aria-busy", "true");
    button.textContent = button.getAttribute("data-busy-text");
    var live = form.querySelector("[data-busy-status]");
    if (live) live.textContent = button.getAttribute("data-busy-text");
  });
  // Back in the browser's history, the page may come from its cache with
  // the busy state still on: clear it.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-busy=true]").forEach(function (f) { f.removeAttribute("data-busy"); });
    document.querySelectorAll("button[aria-busy=true]").forEach(function (b) { b.removeAttribute("aria-busy"); });
  });
})();
