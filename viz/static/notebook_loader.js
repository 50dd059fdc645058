// Runs inside the walkthrough's notebook frame: unpack the gzipped page that sits in
// #stepgrad-page (base64) and replace this document with it. No network: the bytes
// are here.
(function () {
  "use strict";
  var status = document.getElementById("stepgrad-status");
  function fail(why) { status.textContent = why; }
  if (typeof DecompressionStream === "undefined") {
    fail("This browser cannot unpack the walkthrough (no DecompressionStream): " +
         "save it with wt.write_html(\"walkthrough.html\") and open that file instead.");
    return;
  }
  var text = atob(document.getElementById("stepgrad-page").textContent.trim());
  var bytes = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  new Response(stream).text().then(function (page) {
    document.open();
    document.write(page);
    document.close();
  }, function (error) { fail("The walkthrough could not be unpacked: " + error); });
})();
