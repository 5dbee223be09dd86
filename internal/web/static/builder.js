// Template Builder — small enhancements; the builder works without them.
(function () {
  "use strict";
  // The builder answers refused saves with 409/412/422 and the builder
  // itself (messages next to the inputs): let htmx swap those in too.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    var status = e.detail.xhr && e.detail.xhr.status;
    if (target && target.id === "builder" && (status === 409 || status === 412 || status === 422)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // Warn as soon as a published key is edited: personas' values under the
  // old key will move to retired values when they upgrade.
  document.addEventListener("input", function (e) {
    var input = e.target.closest && e.target.closest("input[data-published-key]");
    if (!input) return;
    var hint = document.getElementById(input.id + "-hint");
    if (!hint || !hint.dataset.warning) return;
    if (hint.dataset.original === undefined) hint.dataset.original = hint.textContent;
    var renamed = input.value.trim() !== input.dataset.publishedKey;
    hint.textContent = renamed ? hint.dataset.warning : hint.dataset.original;
    hint.classList.toggle("b-warn-text", renamed);
    hint.classList.toggle("muted", !renamed);
  });
  // A new item arrives focused on its label: select the placeholder text
  // ("New field") so that typing replaces it.
  function selectPlaceholder() {
    var el = document.activeElement;
    if (el && el.tagName === "INPUT" && /^New (section|field|dimension)$/.test(el.value)) el.select();
  }
  document.addEventListener("htmx:afterSettle", selectPlaceholder);
  window.addEventListener("load", selectPlaceholder);
})();
