// A field's error is linked to its field (aria-describedby, aria-invalid),
// and the first field in error takes the focus when the page opens, so that
// a screen reader reads the field and its error together. The errors are
// rendered by Bootstrap-Flask's macros and by hand in a few templates:
// each is a .invalid-feedback beside (or just after the wrapper of) its field.
(function () {
  "use strict";
  const FIELDS = "input:not([type=hidden]), select, textarea";

  function fieldOf(error) {
    for (let node = error.previousElementSibling; node; node = node.previousElementSibling) {
      if (node.matches(FIELDS)) return node;
      const inside = node.querySelectorAll(FIELDS);
      if (inside.length) return inside[inside.length - 1];
    }
    const holder = error.parentElement;
    if (holder && holder.matches(".form-check, .mb-3, .input-group, .form-floating")) {
      return holder.querySelector(FIELDS);
    }
    return null;
  }

  let first = null;
  document.querySelectorAll("main .invalid-feedback").forEach(function (error, index) {
    const field = fieldOf(error);
    const shown = error.classList.contains("d-block") || (field && field.classList.contains("is-invalid"));
    if (!field || !shown) return;
    if (!error.id) error.id = (field.id || field.name || "field") + "-error-" + index;
    const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (!described.includes(error.id)) described.push(error.id);
    field.setAttribute("aria-describedby", described.join(" "));
    field.setAttribute("aria-invalid", "true");
    first = first || field;
  });
  if (first && (document.activeElement === document.body || !document.activeElement)) {
    first.focus({ preventScroll: false });
  }
})();

// A table wider than a phone scrolls sideways in its .table-responsive
// box: that box takes the keyboard focus (arrow keys scroll it) and says
// what it holds (WCAG 2.1.1).
(function () {
  "use strict";
  function reachable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      // Either way: its overflow is "auto" both ways, so a table a pixel
      // taller than its box (rounding on a phone's screen) scrolls too.
      const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        const caption = box.querySelector("caption");
        const heading = caption || box.closest("section, .card, main").querySelector("h1, h2, h3");
        if (heading && !box.hasAttribute("aria-label")) box.setAttribute("aria-label", heading.textContent.trim());
        box.dataset.a11yScroll = "1";
      } else if (!scrolls && box.dataset.a11yScroll) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        delete box.dataset.a11yScroll;
      }
    });
  }
  reachable();
  // Again whenever a box or its table changes size (a phone turned, a
  // table filled or widened after the page was read, images loaded).
  if ("ResizeObserver" in window) {
    const observer = new ResizeObserver(reachable);
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      observer.observe(box);
      if (box.firstElementChild) observer.observe(box.firstElementChild);
    });
  } else {
    window.addEventListener("resize", reachable);
  }
  window.addEventListener("load", reachable);
})();
