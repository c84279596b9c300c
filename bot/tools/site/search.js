// The index page's search: every word typed must appear in an answer's title, summary,
// examples or keywords. The index is embedded in the page, so it works from disk, offline.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var index = JSON.parse(document.getElementById("search-index").textContent);
  function show() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.innerHTML = "";
    if (!words.length) return;
    var found = index.filter(function (item) {
      return words.every(function (word) { return item.k.indexOf(word) !== -1; });
    });
    found.slice(0, 30).forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.u;
      a.textContent = item.t;
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No answer has all of these words.";
      list.appendChild(none);
    }
  }
  input.addEventListener("input", show);
  show();
})();
