// The pledge form: add item forms from the empty template, number them, mark deleted ones; text boxes that grow
// with their text; the opinions an item answers, picked from the page's one list and shown as chips.
(function () {
  var container = document.getElementById("item-forms");
  var total = document.getElementById("id_items-TOTAL_FORMS");

  // --- Numbering and deleting -------------------------------------------------------------------------------
  function renumber() {
    var n = 0;
    container.querySelectorAll(".item-form").forEach(function (card) {
      var del = card.querySelector("input[name$='-DELETE']");
      card.classList.toggle("opacity-50", del && del.checked);
      if (!(del && del.checked)) { n += 1; }
      card.querySelector(".item-no").textContent = del && del.checked ? "（将删除）" : "承诺事项 " + n;
    });
  }

  // --- Text boxes that grow with their text (where the browser cannot size them itself: field-sizing) --------
  var sizesItself = !!(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"));
  function grow(box) {
    if (sizesItself) { return; }
    box.style.height = "auto";
    box.style.height = box.scrollHeight + box.offsetHeight - box.clientHeight + "px";
  }
  function growAll(root) { root.querySelectorAll("textarea[data-autogrow]").forEach(grow); }
  container.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-autogrow]")) { grow(e.target); }
  });
  window.addEventListener("resize", function () { growAll(container); });

  // --- The opinion picker -------------------------------------------------------------------------------------
  // The page lists the opinions once (<datalist id="opinion-options">). Each item's picker shows its chosen
  // opinions as chips (a hidden input each, named as the form expects) and a search box; the one list of
  // checkboxes moves into the picker being used and is filtered by its search box.
  var source = document.getElementById("opinion-options");
  var options = source ? Array.prototype.map.call(source.options, function (o) {
    var label = o.textContent;
    return { id: o.value, label: label, text: (o.getAttribute("data-text") || label).toLowerCase() + " " + label.toLowerCase() };
  }) : [];
  var byId = {};
  options.forEach(function (o) { byId[o.id] = o; });
  var list = null;
  var active = null; // the picker the list is in
  var quiet = false; // the focus goes back to a search box without opening the list again

  function buildList() {
    list = document.createElement("div");
    list.id = "opinion-list";
    list.className = "opinion-list";
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", "可选的群众意见");
    list.hidden = true;
    options.forEach(function (o) {
      var row = document.createElement("div");
      row.className = "form-check";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.id = "opinion-option-" + o.id;
      box.value = o.id;
      box.tabIndex = -1; // reached with the arrow keys: Tab goes past the list
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = box.id;
      label.textContent = o.label;
      row.appendChild(box);
      row.appendChild(label);
      list.appendChild(row);
      o.row = row;
      o.box = box;
    });
    // Parked, hidden, at the end of the form until a picker is used.
    document.getElementById("pledge-form").appendChild(list);
    list.addEventListener("change", function (e) {
      if (!active || e.target.type !== "checkbox") { return; }
      if (e.target.checked) { addChip(active, e.target.value); } else { removeChip(active, e.target.value, false); }
    });
    list.addEventListener("keydown", function (e) {
      if (!active || e.target.type !== "checkbox") { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var boxes = visibleBoxes();
        var at = boxes.indexOf(e.target) + (e.key === "ArrowDown" ? 1 : -1);
        if (at < 0) { searchOf(active).focus(); } else if (at < boxes.length) { boxes[at].focus(); }
      } else if (e.key === "Enter") {
        e.preventDefault();
        e.target.click();
      } else if (e.key === "Escape") {
        e.preventDefault();
        var search = searchOf(active);
        hide();
        quiet = true;
        search.focus();
        quiet = false;
      }
    });
  }

  function searchOf(picker) { return picker.querySelector(".opinion-search"); }
  function chipsOf(picker) { return picker.querySelector(".opinion-chips"); }
  function chosen(picker) {
    return Array.prototype.map.call(chipsOf(picker).querySelectorAll("input[type=hidden]"), function (i) { return i.value; });
  }
  function visibleBoxes() {
    return options.filter(function (o) { return !o.row.hidden; }).map(function (o) { return o.box; });
  }
  function say(picker, text) { picker.querySelector(".opinion-status").textContent = text; }
  function count(picker) {
    var n = chosen(picker).length;
    picker.querySelector(".opinion-count").textContent = n ? "（已选 " + n + " 条）" : "";
  }

  function chip(picker, id) {
    var o = byId[id];
    var li = document.createElement("li");
    li.className = "opinion-chip";
    li.setAttribute("data-id", id);
    var text = document.createElement("span");
    text.className = "opinion-chip-text";
    text.textContent = o.label;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "opinion-chip-remove";
    remove.setAttribute("aria-label", "移除：" + o.label);
    remove.textContent = "×";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.getAttribute("data-name");
    input.value = id;
    li.appendChild(text);
    li.appendChild(remove);
    li.appendChild(input);
    return li;
  }

  function addChip(picker, id) {
    if (!byId[id] || chosen(picker).indexOf(id) >= 0) { return; }
    chipsOf(picker).appendChild(chip(picker, id));
    if (active === picker) { byId[id].box.checked = true; }
    count(picker);
    say(picker, "已选：" + byId[id].label);
  }

  function removeChip(picker, id, moveFocus) {
    var li = chipsOf(picker).querySelector("li[data-id='" + id + "']");
    if (!li) { return; }
    if (moveFocus) {
      var next = li.nextElementSibling || li.previousElementSibling;
      (next ? next.querySelector("button") : searchOf(picker)).focus();
    }
    li.remove();
    if (active === picker) { byId[id].box.checked = false; }
    count(picker);
    say(picker, "已移除：" + byId[id].label);
  }

  function filter(picker) {
    var q = searchOf(picker).value.trim().toLowerCase();
    var shown = 0;
    options.forEach(function (o) {
      o.row.hidden = !!q && o.text.indexOf(q) < 0;
      if (!o.row.hidden) { shown += 1; }
    });
    if (q) { say(picker, shown ? "找到 " + shown + " 条意见" : "没有含“" + q + "”的意见"); } else { say(picker, ""); }
  }

  function show(picker) {
    if (!list) { return; }
    if (active !== picker) {
      hide();
      active = picker;
      var picked = chosen(picker);
      options.forEach(function (o) { o.box.checked = picked.indexOf(o.id) >= 0; });
      picker.querySelector(".opinion-status").after(list);
    }
    filter(picker);
    list.hidden = false;
  }

  function hide() {
    if (list) { list.hidden = true; }
    active = null;
  }

  function pickFirst(picker) {
    var box = visibleBoxes().filter(function (b) { return !b.checked; })[0];
    if (!box) { say(picker, "没有可选的意见"); return; }
    addChip(picker, box.value);
    searchOf(picker).value = "";
    filter(picker);
    say(picker, "已选：" + byId[box.value].label);
  }

  function enhance(picker) {
    if (picker.getAttribute("data-ready")) { return; }
    picker.setAttribute("data-ready", "1");
    var chips = chipsOf(picker);
    var ids = Array.prototype.map.call(chips.querySelectorAll("input[type=checkbox]:checked"), function (b) { return b.value; });
    chips.textContent = "";
    ids.forEach(function (id) { if (byId[id]) { chips.appendChild(chip(picker, id)); } });
    var search = searchOf(picker);
    search.removeAttribute("name");
    search.removeAttribute("list");
    search.setAttribute("aria-controls", "opinion-list");
    var help = picker.querySelector("#" + search.getAttribute("aria-describedby"));
    help.textContent = "输入关键词筛选，回车选第一条，↓ 进入列表。";
    var status = document.createElement("div");
    status.className = "opinion-status visually-hidden";
    status.setAttribute("role", "status");
    help.after(status);
    picker.addEventListener("toggle", function () {
      // Opened by the person (the summary has the focus), not by the page arriving with it open.
      if (picker.open && picker.contains(document.activeElement)) { show(picker); } else if (!picker.open && active === picker) { hide(); }
    });
    search.addEventListener("focus", function () { if (!quiet) { show(picker); } });
    search.addEventListener("input", function () { show(picker); });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        show(picker);
        pickFirst(picker);
      } else if (e.key === "ArrowDown") {
        e.preventDefault();
        show(picker);
        var first = visibleBoxes()[0];
        if (first) { first.focus(); }
      } else if (e.key === "Escape") {
        e.preventDefault();
        if (search.value) { search.value = ""; filter(picker); } else { hide(); }
      }
    });
    chips.addEventListener("click", function (e) {
      var button = e.target.closest(".opinion-chip-remove");
      if (button) { removeChip(picker, button.parentNode.getAttribute("data-id"), true); }
    });
  }

  function setUp(root) {
    root.querySelectorAll(".opinion-picker").forEach(enhance);
    growAll(root);
  }

  // Leaving the picker in use folds its list away: when the focus moves on from the keyboard, or after a tap
  // elsewhere has landed (folding it while the finger is down would move the button being tapped).
  var pressing = false;
  function leave(e) {
    // A chip's button is gone from the page once its click lands: that click was inside.
    if (active && e.target.isConnected && !active.contains(e.target)) { hide(); }
  }
  document.addEventListener("pointerdown", function () { pressing = true; }, true);
  document.addEventListener("pointerup", function () { pressing = false; }, true);
  document.addEventListener("pointercancel", function () { pressing = false; }, true);
  document.addEventListener("focusin", function (e) { if (!pressing) { leave(e); } });
  document.addEventListener("click", leave);

  document.getElementById("add-item").addEventListener("click", function () {
    var count = parseInt(total.value, 10);
    if (count >= 10) { alert("一份承诺最多 10 项事项。"); return; }
    var html = document.getElementById("empty-item").innerHTML.replace(/__prefix__/g, count);
    container.insertAdjacentHTML("beforeend", html);
    total.value = count + 1;
    setUp(container.lastElementChild);
    renumber();
  });
  container.addEventListener("change", function (e) { if (e.target.name && e.target.name.endsWith("-DELETE")) { renumber(); } });
  document.querySelectorAll("[data-confirm-click]").forEach(function (b) {
    b.addEventListener("click", function (e) { if (!confirm(b.getAttribute("data-confirm-click"))) { e.preventDefault(); } });
  });
  if (options.length) { buildList(); }
  setUp(container);
  renumber();
})();
