// Persona Pal — comments: the @mention autocomplete (the ARIA combobox
// pattern on a comment's textarea).
// Without this file a comment is still posted, edited and resolved with
// plain forms.
(function () {
  "use strict";
  var timer = 0, seq = 0;
  // "@" and up to 40 letters typed right before the caret, at the start or
  // after a space or bracket: a mention being written.
  var typing = /(^|[\s(])@([^\s@\[\]()]{0,40})$/u;

  function listOf(ta) { return document.getElementById(ta.getAttribute("aria-controls")); }
  function options(ta) { var l = listOf(ta); return l ? Array.prototype.slice.call(l.querySelectorAll("[role=option]")) : []; }

  function close(ta) {
    var l = listOf(ta);
    if (l) { l.hidden = true; l.innerHTML = ""; }
    ta.setAttribute("aria-expanded", "false");
    ta.removeAttribute("aria-activedescendant");
  }

  function activate(ta, i) {
    var opts = options(ta);
    if (!opts.length) return;
    i = (i + opts.length) % opts.length;
    opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
    ta.setAttribute("aria-activedescendant", opts[i].id);
    opts[i].scrollIntoView({ block: "nearest" });
  }

  function active(ta) {
    var id = ta.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  // pick replaces the "@letters" before the caret by the member's token.
  function pick(ta, opt) {
    var caret = ta.selectionStart, before = ta.value.slice(0, caret), m = typing.exec(before);
    if (!m) { close(ta); return; }
    var start = caret - m[2].length - 1, token = opt.getAttribute("data-token") + " ";
    ta.value = ta.value.slice(0, start) + token + ta.value.slice(caret);
    var at = start + token.length;
    ta.setSelectionRange(at, at);
    close(ta);
    ta.focus();
  }

  function show(ta, members) {
    var l = listOf(ta);
    if (!l) return;
    l.innerHTML = "";
    if (!members.length) { close(ta); return; }
    members.forEach(function (m, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = ta.id + "-opt-" + i;
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-token", m.token);
      var name = document.createElement("span");
      name.textContent = m.name;
      li.appendChild(name);
      if (m.email && m.email !== m.name) {
        var mail = document.createElement("small");
        mail.textContent = m.email;
        li.appendChild(mail);
      }
      // mousedown, not click: the textarea keeps the focus and the caret.
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(ta, li); });
      l.appendChild(li);
    });
    l.hidden = false;
    ta.setAttribute("aria-expanded", "true");
    activate(ta, 0);
  }

  function lookUp(ta) {
    var m = typing.exec(ta.value.slice(0, ta.selectionStart));
    if (!m) { close(ta); return; }
    var mine = ++seq;
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(ta.getAttribute("data-mentions") + "?q=" + encodeURIComponent(m[2]), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (members) { if (mine === seq) show(ta, members || []); })
        .catch(function () { close(ta); });
    }, 120);
  }

  document.addEventListener("input", function (e) {
    var ta = e.target;
    if (ta.matches && ta.matches("textarea[data-mentions]")) lookUp(ta);
  });

  document.addEventListener("keydown", function (e) {
    var ta = e.target;
    if (!ta.matches || !ta.matches("textarea[data-mentions]") || ta.getAttribute("aria-expanded") !== "true") return;
    var cur = options(ta).indexOf(active(ta));
    switch (e.key) {
    case "ArrowDown": e.preventDefault(); activate(ta, cur + 1); break;
    case "ArrowUp": e.preventDefault(); activate(ta, cur - 1); break;
    case "Enter": case "Tab":
      if (active(ta)) { e.preventDefault(); pick(ta, active(ta)); }
      break;
    case "Escape": e.preventDefault(); e.stopPropagation(); close(ta); break;
    }
  });

  document.addEventListener("focusout", function (e) {
    var ta = e.target;
    if (ta.matches && ta.matches("textarea[data-mentions]")) setTimeout(function () { if (document.activeElement !== ta) close(ta); }, 150);
  });
})();
