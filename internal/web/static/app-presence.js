// Presence: the persona page and its edit form (#presence) open an event
// stream that names the other people with the persona open, so two
// editors learn of each other before a save conflicts. The stream
// reconnects by itself (the server sends retry:); a closed page closes it.
// Without the script the line stays empty.
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box || !window.EventSource) return;
  var url = box.getAttribute("data-presence-url");
  var MAX_FACES = 4;
  var source = null;

  function render(ev) {
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!ev.people || ev.people.length === 0) return;
    var line = document.createElement("p");
    line.className = "presence-line";
    var faces = document.createElement("span");
    faces.className = "presence-faces";
    faces.setAttribute("aria-hidden", "true");
    ev.people.slice(0, MAX_FACES).forEach(function (p) {
      var f = document.createElement("span");
      f.className = "presence-face " + (p.mode === "editing" ? "editing" : "viewing");
      f.title = p.name + (p.mode === "editing" ? " (editing)" : " (viewing)");
      f.textContent = p.initials;
      faces.appendChild(f);
    });
    var text = document.createElement("span");
    text.className = "presence-text";
    text.textContent = ev.text;
    line.appendChild(faces);
    line.appendChild(text);
    box.appendChild(line);
  }

  function open() {
    if (source) return;
    source = new EventSource(url);
    source.addEventListener("presence", function (e) {
      try { render(JSON.parse(e.data)); } catch (err) { /* a torn event: the next one repairs it */ }
    });
  }

  function close() {
    if (!source) return;
    source.close();
    source = null;
  }

  open();
  // A page put in the back/forward cache leaves; coming back joins again.
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", function (e) { if (e.persisted) open(); });
})();
