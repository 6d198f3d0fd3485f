// Copy-link for papers: clicking a paper's ¶ link (a.digest-paper__permalink on day pages)
// copies the paper's full address to the clipboard and says "Link copied" next to it. The
// click is not cancelled, so the browser still moves to the anchor and updates the hash.
// navigator.clipboard exists only in secure contexts (https, localhost); elsewhere, or when
// the browser refuses, the link just navigates as before.
(function () {
  "use strict";
  var SHOWN_MS = 1600;

  function feedback(link, text) {
    var old = link.parentNode.querySelector(".digest-copied");
    if (old) old.remove();
    var note = document.createElement("span");
    note.className = "digest-copied";
    note.setAttribute("role", "status");
    note.textContent = text;
    link.after(note);
    setTimeout(function () { note.remove(); }, SHOWN_MS);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.digest-paper__permalink");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (!navigator.clipboard || !navigator.clipboard.writeText) return;
    // link.href is already absolute: this page's address plus the paper's anchor.
    navigator.clipboard.writeText(link.href).then(
      function () { feedback(link, "Link copied"); },
      function () { /* refused (no permission, not focused): navigation alone */ }
    );
  });
})();
