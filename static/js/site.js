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

// A wide table scrolls inside its .table-responsive box on a phone: such a box takes the keyboard focus (arrow keys
// scroll it) and is announced as a region named after its table, so it can be read without a mouse (WCAG 2.1.1).
function markScrollableTables() {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      var table = box.querySelector("table");
      var caption = table && table.caption ? table.caption.textContent.trim() : "";
      var section = box.closest("section, .card, main");
      var heading = section ? section.querySelector("h1, h2, h3, h4, h5, h6") : null;
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption || (heading ? heading.textContent.trim() : "表格")) + "（可左右滚动）");
      box.setAttribute("data-scroll-region", "");
    } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
      ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) { box.removeAttribute(name); });
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
window.addEventListener("resize", markScrollableTables);
document.addEventListener("htmx:afterSwap", markScrollableTables);
