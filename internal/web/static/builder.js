// Template Builder — enhancements; the builder works without them (every row
// opens, the move buttons reorder with form posts, the preview shows below).
//   - one row of the outline open at a time;
//   - drag a row's grip (⠿) to reorder fields (within and between sections),
//     sections and dimensions: the inputs are renamed to their new places,
//     so Save draft keeps the order; Escape cancels a drag;
//   - the live preview starts closed on narrow screens;
//   - a published key that is edited says what renaming does.
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 1100px)");
  var paneOpen = null; // the reader's choice for the preview, once made

  function form() { return document.getElementById("builder-form"); }

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

  // ---- one row open at a time ----

  // The name (s.0.f.1) of the row open for editing goes with every post,
  // so that the row is open again after a save.
  function syncOpen() {
    var f = form();
    var input = document.getElementById("b-open");
    if (!f || !input) return;
    var open = f.querySelector("details.b-edit[open]");
    var owner = open && open.closest("[data-name]");
    input.value = owner ? owner.dataset.name : "";
  }

  document.addEventListener("click", function (e) {
    var summary = e.target.closest && e.target.closest("summary");
    if (!summary) return;
    var d = summary.parentElement;
    if (d.id === "b-pane") { paneOpen = !d.open; return; }
    if (!d.classList.contains("b-edit") || !d.closest("#builder-form")) return;
    if (!d.open) {
      // About to open: close the others.
      form().querySelectorAll("details.b-edit[open]").forEach(function (o) { if (o !== d) o.open = false; });
    }
    setTimeout(syncOpen, 0);
  });
  document.addEventListener("submit", syncOpen, true);

  // A link to an input inside a closed row (the error summary) opens it.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest('#builder-errors a[href^="#"]');
    if (!a || a.getAttribute("href").length < 2) return;
    var el = document.getElementById(a.getAttribute("href").slice(1));
    var d = el && el.closest("details.b-edit");
    if (d && !d.open) d.open = true;
    if (el) setTimeout(function () { el.focus(); }, 0);
  });

  // ---- the live preview ----

  function settlePane() {
    var pane = document.getElementById("b-pane");
    if (!pane) return;
    var want = paneOpen === null ? wide.matches : paneOpen;
    if (pane.open !== want) pane.open = want;
  }
  wide.addEventListener("change", function () { if (paneOpen === null) settlePane(); });

  // ---- renaming a published key ----

  document.addEventListener("input", function (e) {
    var input = e.target.closest && e.target.closest("input[data-published-key]");
    if (!input) return;
    var id = input.id + "-warn";
    var warn = document.getElementById(id);
    var was = input.dataset.publishedKey;
    var renamed = input.value.trim() !== was;
    if (renamed && !warn) {
      warn = document.createElement("small");
      warn.id = id;
      warn.className = "b-hint b-warn-text";
      warn.setAttribute("data-rename-warning", "");
      input.after(warn);
      input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "") + " " + id);
    }
    if (warn) {
      warn.textContent = "Renamed from “" + was + "”: personas' values move to retired values when they upgrade.";
      warn.hidden = !renamed;
    }
  });

  // ---- drag to reorder ----

  var drag = null;

  function status(msg) {
    var s = document.getElementById("b-status");
    if (!s) return;
    s.textContent = msg;
    s.classList.add("b-said");
  }

  function labelOf(item) {
    var t = item.querySelector(".b-row-title");
    return t ? t.textContent.trim() : "";
  }

  // place moves the dragged row to where the pointer is.
  function place(x, y) {
    var hit = document.elementFromPoint(x, y);
    if (!hit || drag.item.contains(hit) || !hit.closest("#builder-form")) return;
    var item = drag.item;
    var target = hit.closest('[data-drag="' + drag.kind + '"]');
    if (target) {
      var r = target.getBoundingClientRect();
      var head = drag.kind === "section" ? target.querySelector(".b-section-head").getBoundingClientRect() : r;
      if (y < head.top + head.height / 2) {
        if (target.previousElementSibling !== item) target.before(item);
      } else if (drag.kind !== "section" || y > r.bottom - r.height / 2) {
        if (target.nextElementSibling !== item) target.after(item);
      }
      return;
    }
    if (drag.kind === "field") {
      // Over a section but not over a field: its head or its empty list.
      var sec = hit.closest('[data-drag="section"]');
      if (!sec) return;
      var list = sec.querySelector(".b-fields");
      if (hit.closest(".b-section-head")) {
        if (list.firstElementChild !== item) list.prepend(item);
      } else if (list.lastElementChild !== item) {
        list.append(item);
      }
    }
  }

  function autoScroll() {
    if (!drag) return;
    var edge = 110, y = drag.y, dy = 0;
    if (y < edge) dy = -Math.ceil((edge - y) / 6);
    else if (y > window.innerHeight - edge) dy = Math.ceil((y - window.innerHeight + edge) / 6);
    if (dy) {
      window.scrollBy(0, dy);
      place(drag.x, drag.y);
    }
    drag.raf = window.requestAnimationFrame(autoScroll);
  }

  document.addEventListener("pointerdown", function (e) {
    var grip = e.target.closest && e.target.closest(".b-grip");
    if (!grip || e.button !== 0 || drag) return;
    var item = grip.closest("[data-drag]");
    if (!item || !item.closest("#builder-form")) return;
    e.preventDefault();
    var top = item.getBoundingClientRect().top;
    drag = { item: item, kind: item.dataset.drag, grip: grip, parent: item.parentNode, next: item.nextSibling,
      x: e.clientX, y: e.clientY };
    try { grip.setPointerCapture(e.pointerId); } catch (err) { /* synthetic pointers */ }
    item.classList.add("b-dragging");
    var root = document.getElementById("builder");
    root.classList.add("b-drag-on");
    if (drag.kind === "section") {
      // Sections move as compact rows: their fields fold away while the
      // section under the pointer stays where it was.
      root.classList.add("b-drag-sections");
      window.scrollBy(0, item.getBoundingClientRect().top - top);
    }
    drag.raf = window.requestAnimationFrame(autoScroll);
  });

  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    drag.x = e.clientX;
    drag.y = e.clientY;
    place(e.clientX, e.clientY);
  });

  function finish(commit) {
    if (!drag) return;
    var d = drag;
    drag = null;
    window.cancelAnimationFrame(d.raf);
    d.item.classList.remove("b-dragging");
    var root = document.getElementById("builder");
    var top = d.item.getBoundingClientRect().top;
    root.classList.remove("b-drag-on", "b-drag-sections");
    if (d.kind === "section") window.scrollBy(0, d.item.getBoundingClientRect().top - top);
    if (!commit) {
      d.parent.insertBefore(d.item, d.next);
      status("Move cancelled.");
      return;
    }
    var moved = d.item.parentNode !== d.parent || d.item.nextSibling !== d.next;
    if (!moved) return;
    renumber();
    var where = "";
    if (d.kind === "field") {
      var sec = d.item.closest('[data-drag="section"]');
      where = " in section “" + labelOf(sec) + "”";
    }
    var pos = [].indexOf.call(d.item.parentNode.children, d.item) + 1;
    status("Moved “" + labelOf(d.item) + "” to position " + pos + where + ". Save draft to keep the new order.");
    form().dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("pointerup", function () { finish(true); });
  document.addEventListener("pointercancel", function () { finish(false); });
  document.addEventListener("keydown", function (e) {
    if (drag && e.key === "Escape") { e.preventDefault(); finish(false); }
  });

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // renumber gives every input the name of its row's new place (s.1.f.0.label),
  // and the row's buttons and numbers follow.
  function renumber() {
    var f = form();
    var names = new Map();
    var fields = [];
    var sections = [].slice.call(f.querySelectorAll('#b-sections > [data-drag="section"]'));
    sections.forEach(function (sec, i) {
      names.set(sec, "s." + i);
      var rows = [].slice.call(sec.querySelectorAll('.b-fields > [data-drag="field"]'));
      rows.forEach(function (row, j) {
        names.set(row, "s." + i + ".f." + j);
        row.querySelector(".b-num").textContent = String(j + 1);
        fields.push(row);
      });
      sec.querySelector(".b-n").textContent = String(i + 1);
      sec.querySelector(".b-count").textContent = plural(rows.length, "field", "fields");
    });
    var dims = [].slice.call(f.querySelectorAll('#b-dims > [data-drag="dimension"]'));
    dims.forEach(function (row, i) {
      names.set(row, "d." + i);
      row.querySelector(".b-num").textContent = String(i + 1);
    });
    f.querySelectorAll("[name]").forEach(function (el) {
      var owner = el.closest("[data-name]");
      if (!owner || !names.has(owner)) return;
      var old = owner.dataset.name, now = names.get(owner);
      if (el.name === "op") {
        var verb = el.value.split(":")[0], item = el.value.slice(verb.length + 1);
        if (verb === "add-field") el.value = "add-field:" + now.slice(2);
        else if (item === old) el.value = verb + ":" + now;
      } else if (el.name.indexOf(old + ".") === 0) {
        el.name = now + el.name.slice(old.length);
      }
    });
    names.forEach(function (now, owner) { owner.dataset.name = now; });
    // The move buttons: fields move across sections, so only the very
    // first and last field stop.
    function ends(rows) {
      rows.forEach(function (row, i) {
        var up = row.querySelector('[data-move="up"]'), down = row.querySelector('[data-move="down"]');
        if (up && up.closest("[data-drag]") === row) up.disabled = i === 0;
        if (down && down.closest("[data-drag]") === row) down.disabled = i === rows.length - 1;
      });
    }
    ends(fields);
    ends(sections);
    ends(dims);
    syncOpen();
  }

  // ---- after each load and swap ----

  // A new item arrives focused on its label: select the placeholder text
  // ("New field") so that typing replaces it.
  function selectPlaceholder() {
    var el = document.activeElement;
    if (el && el.tagName === "INPUT" && /^New (section|field|dimension)$/.test(el.value)) el.select();
  }
  function settle() {
    settlePane();
    selectPlaceholder();
  }
  function isBuilder(e) { return e.detail && e.detail.target && e.detail.target.id === "builder"; }
  // The new builder arrives with the preview open: close it before it is
  // painted where the reader keeps it closed.
  document.addEventListener("htmx:afterSwap", function (e) { if (isBuilder(e)) settlePane(); });
  document.addEventListener("htmx:afterSettle", function (e) { if (isBuilder(e)) settle(); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", settle);
  else settle();
})();
