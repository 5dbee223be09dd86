// Persona Pal — small progressive enhancements. Every page works without
// this file; it adds confirmations and live outputs for scale sliders (the
// persona and variant forms have their own script: app-forms.js).
(function () {
  "use strict";
  // Confirm destructive buttons: <button data-confirm="…">.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
  // Show a range input's value next to it: <output data-for="id">.
  function syncOutputs(root) {
    root.querySelectorAll("input[type=range]").forEach(function (input) {
      var out = document.querySelector('output[data-for="' + input.id + '"]');
      if (!out) return;
      var update = function () { out.textContent = input.value; };
      input.addEventListener("input", update);
      // Moving a slider sets the value: clear its "Not set" box.
      var unset = input.dataset.unset && document.getElementById(input.dataset.unset);
      if (unset) input.addEventListener("input", function () { unset.checked = false; });
      update();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { syncOutputs(document); });
  // A refused Markdown preview (too long, not allowed) says why in the
  // preview box: let htmx swap those answers in too.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    var status = e.detail.xhr && e.detail.xhr.status;
    if (target && target.classList.contains("md-preview") && (status === 403 || status === 413 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // The top bar's main menu (<details id="site-menu">): always open on a
  // wide window (its button is hidden there), folded behind the menu button
  // at 768 px and below, where the personal menu lies open inside it.
  var wide = window.matchMedia("(min-width: 769px)");
  function layoutMenu() {
    var menu = document.getElementById("site-menu");
    if (!menu) return;
    menu.open = wide.matches;
    var user = menu.querySelector(".user-menu");
    if (user) user.open = !wide.matches;
  }
  layoutMenu();
  wide.addEventListener("change", layoutMenu);
  // Escape closes the top bar's open menu and gives the focus back to its
  // button.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = e.target.closest && e.target.closest(".topbar details[open]");
    if (!open) return;
    if (open.classList.contains("user-menu") && !wide.matches) open = open.parentElement.closest("details[open]") || open;
    if (open.id === "site-menu" && wide.matches) return;
    open.open = false;
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });
  document.addEventListener("htmx:afterSwap", function (e) { syncOutputs(e.target); });
})();
