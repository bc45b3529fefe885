(function () {
  // Show the recipient field the chosen kind needs.
  var kind = document.getElementById("id_kind");
  var member = document.getElementById("id_member"), org = document.getElementById("id_organization");
  if (!kind || !member || !org) return;
  function sync() {
    var forOrg = kind.value === "advanced_organization";
    member.closest(".mb-3").hidden = forOrg;
    org.closest(".mb-3").hidden = !forOrg;
  }
  kind.addEventListener("change", sync);
  sync();
})();
