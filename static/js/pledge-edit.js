// The pledge form: add item forms from the empty template, number them, mark deleted ones.
(function () {
  var container = document.getElementById("item-forms");
  var total = document.getElementById("id_items-TOTAL_FORMS");
  function renumber() {
    var n = 0;
    container.querySelectorAll(".item-form").forEach(function (card) {
      var del = card.querySelector("input[name$='-DELETE']");
      card.classList.toggle("opacity-50", del && del.checked);
      if (!(del && del.checked)) { n += 1; }
      card.querySelector(".item-no").textContent = del && del.checked ? "（将删除）" : "承诺事项 " + n;
    });
  }
  document.getElementById("add-item").addEventListener("click", function () {
    var count = parseInt(total.value, 10);
    if (count >= 10) { alert("一份承诺最多 10 项事项。"); return; }
    var html = document.getElementById("empty-item").innerHTML.replace(/__prefix__/g, count);
    container.insertAdjacentHTML("beforeend", html);
    total.value = count + 1;
    renumber();
  });
  container.addEventListener("change", function (e) { if (e.target.name && e.target.name.endsWith("-DELETE")) { renumber(); } });
  document.querySelectorAll("[data-confirm-click]").forEach(function (b) {
    b.addEventListener("click", function (e) { if (!confirm(b.getAttribute("data-confirm-click"))) { e.preventDefault(); } });
  });
  renumber();
})();
