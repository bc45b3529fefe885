// The public board. Its long sections are <details> that stay folded on a phone, so the organization's
// pledges come first; on a wide screen they open, a link to a folded section opens it, and printing shows all.
(function () {
  "use strict";
  var folds = Array.prototype.slice.call(document.querySelectorAll("details.board-fold"));
  if (!folds.length) { return; }

  if (window.matchMedia("(min-width: 768px)").matches) {
    folds.forEach(function (fold) { fold.open = true; });
  }

  function reveal(id) {
    var target = id && document.getElementById(id);
    var fold = target && target.closest("details.board-fold");
    if (fold && !fold.open) { fold.open = true; }
  }

  // Opened before the browser scrolls to the target, so the section's content shows under its heading.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) { reveal(decodeURIComponent(link.getAttribute("href").slice(1))); }
  });
  function revealHash() { reveal(decodeURIComponent(window.location.hash.slice(1))); }
  window.addEventListener("hashchange", revealHash);
  revealHash();

  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = folds.filter(function (fold) { return !fold.open; });
    closedBeforePrint.forEach(function (fold) { fold.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (fold) { fold.open = false; });
    closedBeforePrint = [];
  });
})();
