// Persona Pal — the persona and variant forms. The forms work without this
// file (the server focuses the first field with an error, and adds or
// removes a variant's override rows itself); it marks unsaved changes,
// focuses the field a link of the error summary names, keeps the focus
// when htmx adds or removes an override row, and marks the section on
// screen in the section list.
(function () {
  "use strict";
  function stateOf(form) { return form && form.querySelector("#save-state"); }
  function markDirty(form) {
    var state = stateOf(form);
    if (!state || state.classList.contains("dirty")) return;
    state.classList.add("dirty");
    var text = state.querySelector("[data-state-text]");
    if (text) text.textContent = "Unsaved changes";
  }
  function onEdit(e) {
    var form = e.target.closest && e.target.closest("form[data-form-state]");
    if (!form || e.target.name === "add") return;
    markDirty(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  function reveal(el) {
    if (!el) return;
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  }
  // The first field with an error takes the focus (the server marks it
  // autofocus; this centres it below the sticky top bar).
  function focusFirstError() {
    if (!document.getElementById("form-errors")) return;
    reveal(document.querySelector("form[data-form-state] [autofocus]") ||
      document.querySelector("form[data-form-state] [aria-invalid=true]") ||
      document.getElementById("form-errors"));
  }
  // A link of the error summary focuses the control it names.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-focus]");
    if (!a) return;
    var el = document.getElementById(a.getAttribute("data-focus"));
    if (!el) return;
    e.preventDefault();
    reveal(el);
  });
  // htmx swapped the variant form after adding or removing an override:
  // focus the added field, or "Override a field" after a removal.
  document.addEventListener("htmx:afterSettle", function (e) {
    var form = document.getElementById("variant-form");
    if (!form || !(e.target === form || form.contains(e.target) || e.target.contains(form))) return;
    markDirty(form);
    reveal(form.querySelector(".override-row.added [autofocus]") || form.querySelector(".override-row.added input:not([type=hidden]), .override-row.added select, .override-row.added textarea") || document.getElementById("add-field"));
  });
  // The section list marks the section at the top of the window.
  function trackSections() {
    var nav = document.querySelector(".form-nav");
    if (!nav || !("IntersectionObserver" in window)) return;
    var links = {};
    nav.querySelectorAll("a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (!en.isIntersecting || !links[en.target.id]) return;
        Object.keys(links).forEach(function (k) { links[k].removeAttribute("aria-current"); });
        links[en.target.id].setAttribute("aria-current", "true");
      });
    }, { rootMargin: "-20% 0px -70% 0px" });
    Object.keys(links).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) io.observe(el);
    });
  }
  function start() { focusFirstError(); trackSections(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
