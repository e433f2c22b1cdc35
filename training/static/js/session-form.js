// The session form, enhanced: without JavaScript every curriculum and every
// partner is listed and the server checks the choices.
(function () {
  "use strict";

  // Accents and case aside: "cote" finds "Côte d'Ivoire".
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // The partners' filter box narrows the checkbox list as you type; ticked
  // partners stay listed, so a choice never disappears from sight.
  document.querySelectorAll("input[data-filter-checkboxes]").forEach(function (input) {
    var list = document.getElementById(input.dataset.filterCheckboxes);
    if (!list) return;
    var items = Array.prototype.slice.call(list.querySelectorAll(".form-check"));
    var empty = list.querySelector("[data-filter-empty]");
    items.forEach(function (item) {
      item.dataset.text = folded(item.textContent);
    });
    input.hidden = false;
    input.addEventListener("input", function () {
      var query = folded(input.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var match = !query || item.dataset.text.indexOf(query) !== -1 || item.querySelector("input").checked;
        item.hidden = !match;
        if (match) shown += 1;
      });
      if (empty) empty.hidden = shown > 0;
    });
  });

  // The curriculum list offers the chosen theme's curricula only.
  document.querySelectorAll("select[data-theme-from]").forEach(function (select) {
    var theme = document.getElementById(select.dataset.themeFrom);
    if (!theme) return;
    function narrow() {
      Array.prototype.forEach.call(select.options, function (option) {
        var other = option.value !== "" && theme.value !== "" && option.dataset.theme !== theme.value;
        option.hidden = other;
        option.disabled = other;
      });
      var chosen = select.options[select.selectedIndex];
      if (chosen && chosen.disabled) select.value = "";
    }
    theme.addEventListener("change", narrow);
    narrow();
  });
})();
