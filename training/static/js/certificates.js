// "Issue all eligible": while the server renders and stores the batch, say
// so and keep the button from being pressed twice.
document.querySelectorAll("form[data-issue-all]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector(".issue-progress");
    if (button) {
      button.disabled = true;
      button.insertAdjacentHTML("afterbegin", '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>');
    }
    if (status) {
      status.textContent = form.getAttribute("data-progress");
    }
  });
});

// "Copy" beside a verification link: shown only where the browser can copy
// (the link stays selectable in its field without JavaScript).
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () {
        button.textContent = button.getAttribute("data-copied");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      },
      function () {
        field.focus();
        field.select();
      }
    );
  });
});
