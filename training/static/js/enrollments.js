// "Nominated by" beside the search: without JavaScript the choice reaches the
// Nominate buttons when the search is run again; with it, a change applies at
// once to every Nominate button of the results.
document.querySelectorAll("select[data-nominating-organisation]").forEach(function (select) {
  select.addEventListener("change", function () {
    document.querySelectorAll("input[name=nominating_organisation_id]").forEach(function (input) {
      input.value = select.value;
    });
  });
});
