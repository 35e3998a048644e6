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

  // A link or button with data-modal loads its partial into the shared <dialog>.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-modal")) opener = elt;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    dialog = document.getElementById("modal");
    if (!dialog || event.detail.target.id !== "modal-content") return;
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
