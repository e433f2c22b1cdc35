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
