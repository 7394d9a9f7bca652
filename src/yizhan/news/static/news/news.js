// News: read aloud with the browser's speech synthesis, and "reply" on comments.
(function () {
  "use strict";
  var button = document.getElementById("speak");
  var source = document.getElementById("speech-text");
  if (button && source && "speechSynthesis" in window && window.SpeechSynthesisUtterance) {
    var text = JSON.parse(source.textContent);
    var label = button.querySelector("span");
    var speaking = false;
    var stop = function () {
      window.speechSynthesis.cancel();
      speaking = false;
      label.textContent = button.dataset.start;
      button.setAttribute("aria-pressed", "false");
    };
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      if (speaking) { stop(); return; }
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "zh-CN";
      utterance.rate = 0.95;
      var voices = window.speechSynthesis.getVoices();
      for (var i = 0; i < voices.length; i++) {
        if (/^zh(-|_)?(CN|Hans)?/i.test(voices[i].lang)) { utterance.voice = voices[i]; break; }
      }
      utterance.onend = stop;
      utterance.onerror = stop;
      window.speechSynthesis.speak(utterance);
      speaking = true;
      label.textContent = button.dataset.stop;
      button.setAttribute("aria-pressed", "true");
    });
  }
  var form = document.getElementById("comment-form");
  if (form) {
    var parent = form.querySelector("input[name=parent]");
    var note = document.getElementById("reply-to");
    document.querySelectorAll("button.reply").forEach(function (reply) {
      reply.addEventListener("click", function () {
        parent.value = reply.dataset.parent;
        note.textContent = note.dataset.label + " " + reply.dataset.name;
        note.hidden = false;
        var box = form.querySelector("textarea");
        box.focus();
        form.scrollIntoView({ behavior: "smooth", block: "center" });
      });
    });
  }
})();
