// Persona Pal — comparison page enhancements. The page works without this
// file: the server checks the selection and the share link is selectable.
(function () {
  "use strict";

  // The picker: say how many personas are ticked, and warn beyond the limit.
  function updateCount(form) {
    var out = document.getElementById("pick-count");
    if (!out) return;
    var min = parseInt(form.dataset.min, 10) || 2;
    var max = parseInt(form.dataset.max, 10) || 8;
    var n = form.querySelectorAll('input[name="ids"]:checked').length;
    var text = n + " selected";
    if (n > max) {
      text += " · at most " + max + " can be compared: untick " + (n - max);
    } else if (n < min) {
      text += " · pick " + (min - n) + " more";
    } else {
      text += " · ready to compare";
    }
    out.textContent = text;
    out.classList.toggle("too-many", n > max);
  }

  // The share link: a copy button next to the read-only field.
  function setUpCopy() {
    var btn = document.getElementById("copy-share");
    var input = document.getElementById("share-url");
    if (!btn || !input || !navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        btn.textContent = "Copied";
        setTimeout(function () { btn.textContent = "Copy link"; }, 2000);
      }, function () {
        input.select();
      });
    });
  }

  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("#compare-picker");
    if (form) updateCount(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("compare-picker");
    if (form) updateCount(form);
    var share = document.getElementById("share-url");
    if (share) share.addEventListener("focus", function () { share.select(); });
    setUpCopy();
  });
})();
