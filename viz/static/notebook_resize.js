// Runs in the notebook (or documentation page) beside the walkthrough's frame: grow the
// frame to the height its page reports. Only messages from this frame count, and the
// frame takes the first height given, then only grows (so stepping through frames of
// different heights never makes the notebook jump back and forth).
(function (frame) {
  "use strict";
  if (!frame || frame.tagName !== "IFRAME") return;
  var sized = false;
  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || !event.data || event.data.stepgrad !== "height") return;
    var height = Math.min(Math.ceil(Number(event.data.height)) + 2, 5000);
    if (!(height > 0) || (sized && height <= frame.clientHeight)) return;
    frame.style.height = height + "px";
    sized = true;
  });
})(document.currentScript && document.currentScript.previousElementSibling);
