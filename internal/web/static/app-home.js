// The home page's filters apply as they are chosen: a change fetches the
// page for the new filters, swaps its results (#home-results) in and puts
// the filters in the address (only those set, so it reads well when
// shared). Back and forward bring earlier filters back. Without the
// script, the form's Apply button submits it as a plain GET.
(function () {
  "use strict";
  var form = document.getElementById("home-filters");
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams || !window.history.pushState) return;
  form.classList.add("live");
  var pending = null;

  function addressOf() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") params.append(key, value);
    });
    var q = params.toString();
    return form.getAttribute("action") + (q ? "?" + q : "");
  }

  // syncForm sets the controls from an address (after back or forward).
  function syncForm(search) {
    var params = new URLSearchParams(search);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "checkbox") el.checked = params.get(el.name) === el.value;
      else if (el.type === "radio") el.checked = (params.get(el.name) || "") === el.value;
      else if (el.tagName === "SELECT" || el.type === "search") el.value = params.get(el.name) || "";
    });
  }

  function announce() {
    var count = document.getElementById("persona-count");
    var live = document.getElementById("filter-announce");
    if (count && live) live.textContent = count.textContent.replace(/\s+/g, " ").trim();
  }

  function load(address, push) {
    var results = document.getElementById("home-results");
    if (!results) { window.location.assign(address); return; }
    if (pending) pending.abort();
    var mine = pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(address, { signal: mine.signal, credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("home-results");
        if (!fresh) throw new Error("no results in the answer");
        results.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        if (push === "replace") window.history.replaceState({ homeFilters: true }, "", address);
        else if (push) window.history.pushState({ homeFilters: true }, "", address);
        announce();
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        // Anything unexpected: load the page the plain way.
        window.location.assign(address);
      })
      .finally(function () {
        if (pending === mine) pending = null;
        var now = document.getElementById("home-results");
        if (now) now.removeAttribute("aria-busy");
      });
  }

  // A choice applies at once; typing in Find applies once the typing
  // pauses, and a burst of typing makes one history entry, not one a key.
  var find = document.getElementById("filter-q");
  var timer = null;
  var typing = false;
  form.addEventListener("change", function (e) {
    if (e.target === find) return;
    typing = false;
    load(addressOf(), true);
  });
  if (find) {
    find.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var again = typing;
        typing = true;
        load(addressOf(), again ? "replace" : true);
      }, 250);
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    window.clearTimeout(timer);
    typing = false;
    load(addressOf(), true);
  });
  window.addEventListener("popstate", function () {
    if (window.location.pathname !== form.getAttribute("action")) return;
    syncForm(window.location.search);
    typing = false;
    load(window.location.pathname + window.location.search, false);
  });
})();
