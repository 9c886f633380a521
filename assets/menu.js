/* The menu button of the compact header (narrow screens): a disclosure button that shows and
   hides #site-menu. Works with a tap, a click, Enter and Space (it is a real button), never on
   hover; Escape closes the open menu and returns focus to the button; following a link in the
   menu closes it. Delegated on the document so React re-rendering the header never loses it. */
(function () {
  "use strict";

  function button() { return document.getElementById("menu-button"); }

  function setOpen(open, focusButton) {
    var b = button();
    if (!b) return;
    b.setAttribute("aria-expanded", open ? "true" : "false");
    var header = b.closest(".site-header");
    if (header) header.setAttribute("data-menu-open", open ? "true" : "false");
    if (!open && focusButton) b.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var b = target.closest("#menu-button");
    if (b) {
      setOpen(b.getAttribute("aria-expanded") !== "true", false);
      return;
    }
    // A link followed inside the open menu: the next page starts with the menu closed.
    if (target.closest("#site-menu a")) setOpen(false, false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var b = button();
    if (!b || b.getAttribute("aria-expanded") !== "true") return;
    var menu = document.getElementById("site-menu");
    var inside = menu && menu.contains(document.activeElement);
    setOpen(false, inside || document.activeElement === b);
  });
})();
