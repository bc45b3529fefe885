// The activity form: show only the measures (数量, 金额, 受益对象) the chosen kind records, labelled in its words;
// find members in the participant list by name; keep 参加人次 at least the number of members ticked.
// The server checks all of it again.
(function () {
  var form = document.getElementById("activity-form");
  var data = document.getElementById("activity-kind-measures");
  if (!form || !data) { return; }
  var measures = JSON.parse(data.textContent);
  var kind = document.getElementById("id_kind");

  function showMeasures() {
    var labels = kind && measures[kind.value];
    var hint = document.getElementById("measure-hint");
    if (hint && labels) { hint.remove(); }
    form.querySelectorAll("[data-measure]").forEach(function (box) {
      var name = box.getAttribute("data-measure");
      var label = labels ? labels[name] : "";
      var input = box.querySelector("input");
      box.querySelector("[data-measure-label]").textContent = label || box.getAttribute("data-default-label");
      var hide = Boolean(labels) && !label;
      box.classList.toggle("d-none", hide);
      if (hide && input) { input.value = ""; }
    });
  }
  if (kind) {
    kind.addEventListener("change", showMeasures);
    showMeasures();  // a kind chosen before this script ran (a restored form, a quick hand) is labelled too
  }

  var picker = document.getElementById("participant-picker");
  var filter = document.getElementById("participant-filter");
  var chosen = document.getElementById("participants-chosen");
  var count = document.getElementById("id_participants_count");
  if (!picker) { return; }
  var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    if (chosen) { chosen.textContent = n ? "已选 " + n + " 人" : ""; }
    if (count && n > (parseInt(count.value, 10) || 0)) { count.value = n; }
  }
  picker.addEventListener("change", update);
  if (filter) {
    filter.addEventListener("input", function () {
      var text = filter.value.trim();
      picker.querySelectorAll(".participant-choice").forEach(function (row) {
        row.classList.toggle("d-none", text !== "" && row.textContent.indexOf(text) === -1);
      });
    });
    // Enter in the search box finds, it does not send the form.
    filter.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
  }
  form.querySelectorAll("[data-participants]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("data-participants") === "all";
      boxes.forEach(function (b) {
        if (!b.closest(".participant-choice").classList.contains("d-none")) { b.checked = on; }
      });
      update();
    });
  });
  update();
})();
