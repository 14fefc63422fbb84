(function () {
  "use strict";
  // Copy buttons next to the replay commands. The clipboard API needs a
  // secure context; a file:// page may not be one, so fall back to a
  // selection and execCommand.
  function copy(button) {
    var pre = button.parentNode.querySelector("pre");
    if (!pre) { return; }
    var text = pre.textContent;
    var done = function () {
      button.textContent = "copied";
      window.setTimeout(function () { button.textContent = "copy"; }, 1500);
    };
    var fallback = function () {
      var range = document.createRange();
      range.selectNodeContents(pre);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { document.execCommand("copy"); done(); } catch (e) { button.textContent = "select + copy"; }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }
  var buttons = document.querySelectorAll("button.copy");
  for (var i = 0; i !== buttons.length; i += 1) {
    buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
  }
}());
