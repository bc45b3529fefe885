// The ballot: the reason box shows only for an unsatisfied overall answer.
(function () {
  var box = document.getElementById("reason-box");
  var radios = document.querySelectorAll('input[name="overall"]');
  function sync() {
    var checked = document.querySelector('input[name="overall"]:checked');
    box.hidden = !(checked && checked.value === "unsatisfied");
  }
  radios.forEach(function (el) { el.addEventListener("change", sync); });
  sync();
})();
