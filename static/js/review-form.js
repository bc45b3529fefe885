(function () {
  // Changing the kind fills in that kind's current period, unless the period was typed by hand.
  var periods = JSON.parse(document.getElementById("review-periods").textContent);
  var kind = document.getElementById("id_kind"), period = document.getElementById("id_period");
  if (!kind || !period) return;
  var auto = Object.values(periods).indexOf(period.value) !== -1 || !period.value;
  period.addEventListener("input", function () { auto = false; });
  kind.addEventListener("change", function () { if (auto && periods[kind.value]) period.value = periods[kind.value]; });
})();
