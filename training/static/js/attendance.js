// The attendance day grid: "Everyone present" fills a period at once in the
// browser. Without JavaScript the same button asks the server to pre-fill.
(function () {
  "use strict";
  var form = document.getElementById("day-form");
  if (!form) {
    return;
  }
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var suffix = "-" + button.getAttribute("data-fill");
    var radios = form.querySelectorAll('input[type="radio"][value="present"]');
    Array.prototype.forEach.call(radios, function (radio) {
      if (!radio.disabled && radio.name.slice(-suffix.length) === suffix) {
        radio.checked = true;
      }
    });
  });
})();
