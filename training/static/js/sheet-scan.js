// The signed sheet's scan: a file past the limit is refused in the page,
// before a slow link spends minutes sending it only to be refused by the
// server (which checks it again, with or without this script).
"use strict";

(() => {
  const input = document.querySelector("#scan-form input[type=file][data-max-bytes]");
  if (!input) {
    return;
  }
  const limit = Number(input.dataset.maxBytes);
  const check = () => {
    const file = input.files && input.files[0];
    const tooLarge = Boolean(file) && file.size > limit;
    input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
    input.classList.toggle("is-invalid", tooLarge);
    return !tooLarge;
  };
  input.addEventListener("change", () => {
    if (!check()) {
      input.reportValidity();
    }
  });
  input.form.addEventListener("submit", (event) => {
    if (!check()) {
      event.preventDefault();
      input.reportValidity();
    }
  });
})();
