// The signing page: a signature pad whose drawing is posted as a PNG data URL.
(function () {
  var canvas = document.getElementById("signature-pad");
  var pad = new SignaturePad(canvas, { penColor: "#111", minWidth: 1, maxWidth: 2.6 });
  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();
  document.getElementById("clear-pad").addEventListener("click", function () { pad.clear(); });
  document.getElementById("sign-form").addEventListener("submit", function () {
    document.getElementById("id_signature_data").value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
