// Choosing another month opens that month's record (empty, or what was written), instead of carrying this text over.
(function () {
  var month = document.getElementById("id_month");
  if (month) month.addEventListener("change", function () { window.location.search = "?month=" + encodeURIComponent(month.value); });
})();
