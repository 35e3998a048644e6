// Insured Portal — Billing: the small amount of JavaScript the pages need.
// Every feature also works without it: modals are plain pages, menus are <details>.
(function () {
  "use strict";
  var dialog = null;
  var opener = null;

  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  document.addEventListener("click", function (event) {
    var inMenu = event.target.closest("details.menu");
    closeMenus(inMenu);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details.menu[open]");
      if (open) {
        open.removeAttribute("open");
        var summary = open.querySelector("summary");
        if (summary) summary.focus();
      }
    }
  });

  // Focus stays inside the open modal: a native modal <dialog> makes the page inert but
  // lets Tab leave the document (to the browser's own controls); wrap it instead.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden])," +
    " select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    var d = document.getElementById("modal");
    if (!d || !d.open) return;
    var items = Array.prototype.filter.call(d.querySelectorAll(FOCUSABLE), function (el) {
      return el.getClientRects().length > 0 && !el.closest("[inert]");
    });
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var inside = d.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  });

  // A link or button with data-modal loads its partial into the shared <dialog>.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-modal")) opener = elt;
  });

  // After settle, not after swap: htmx binds the new content's own hx- attributes (the
  // account list's hx-get) in its settle step, and a control focused before that would
  // take the user's first keystrokes without them.
  document.addEventListener("htmx:afterSettle", function (event) {
    dialog = document.getElementById("modal");
    // A history restore (browser Back to an htmx-pushed URL) swaps with no target.
    var target = event.detail && event.detail.target;
    if (!dialog || !target || target.id !== "modal-content") return;
    // The dialog is named by the partial's first heading (announced on opening).
    var title = dialog.querySelector("[data-modal-title], h1, h2");
    if (title) {
      if (!title.id) title.id = "modal-title";
      dialog.setAttribute("aria-labelledby", title.id);
    } else {
      dialog.removeAttribute("aria-labelledby");
    }
    if (!dialog.open) dialog.showModal();
    var first = dialog.querySelector("[autofocus], [data-initial-focus]") ||
      dialog.querySelector("input:not([type=hidden]):not([readonly]), select, textarea, button");
    if (first) first.focus();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-modal-close]")) {
      event.preventDefault();
      var d = document.getElementById("modal");
      if (d && d.open) d.close();
    }
  });

  // A table that scrolls sideways (a narrow phone) must be reachable by keyboard
  // (WCAG 2.1.1, axe's scrollable-region-focusable): while a .table-wrap overflows, it
  // is a named tab stop, unless its template already made it one.
  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var labelled = wrap.closest("[aria-labelledby]");
    var heading = labelled && document.getElementById(labelled.getAttribute("aria-labelledby"));
    return heading ? heading.textContent.trim() : "Table";
  }

  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      var managed = wrap.hasAttribute("data-scroll-stop");
      if (scrolls && !managed && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("data-scroll-stop", "");
        wrap.setAttribute("tabindex", "0");
        if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", tableName(wrap) + " (scrolls sideways)");
        }
      } else if (!scrolls && managed) {
        ["data-scroll-stop", "tabindex", "role", "aria-label"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollingTables, 100);
  });
  document.addEventListener("htmx:afterSettle", markScrollingTables);
  document.addEventListener("DOMContentLoaded", markScrollingTables);

  document.addEventListener("DOMContentLoaded", function () {
    var d = document.getElementById("modal");
    if (!d) return;
    d.addEventListener("close", function () {
      document.getElementById("modal-content").innerHTML = "";
      if (opener && document.body.contains(opener)) {
        // An opener in a row menu that closed meanwhile (Escape): focus the menu's toggle.
        var menu = opener.closest("details.menu");
        if (menu && !menu.open) opener = menu.querySelector("summary") || opener;
        opener.focus();
      }
      opener = null;
    });
  });
})();
