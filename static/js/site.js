// Confirm irreversible steps: any form, or the submit button pressed, with data-confirm asks first.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// A select marked data-autosubmit sends its form as soon as a choice is made (period and campaign pickers).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

// The organization tree: a ＋/－ button shows or hides the children that htmx loaded into its target.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-tree-toggle]") : null;
  if (!button) { return; }
  var opening = button.textContent.trim() === "＋";
  button.textContent = opening ? "－" : "＋";
  var kids = document.getElementById(button.getAttribute("data-tree-toggle"));
  if (kids) { kids.classList.toggle("d-none", !opening); }
});
