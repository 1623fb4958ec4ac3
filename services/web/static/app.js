// stdnav pages: small enhancements only; every page works without script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var print = document.getElementById("print");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
  // Mark the map region under the pointer (the links drill down by themselves).
  var regions = document.querySelectorAll("#map .region");
  regions.forEach(function (r) {
    r.addEventListener("mouseenter", function () { r.classList.add("hover"); });
    r.addEventListener("mouseleave", function () { r.classList.remove("hover"); });
  });
});
