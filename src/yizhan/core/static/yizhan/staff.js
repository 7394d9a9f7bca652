// Staff consoles, progressive enhancement only (every page works without this file):
// - a search box above each <select data-picker> that narrows its options as one types;
// - "select all" for the check boxes of a bulk-action table (data-check-all).
(function () {
  "use strict";

  function norm(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  function enhance(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    var wrap = document.createElement("span");
    wrap.className = "picker";
    var box = document.createElement("input");
    box.type = "search";
    box.autocomplete = "off";
    box.placeholder = select.dataset.picker || "…";
    box.setAttribute("aria-label", (select.getAttribute("aria-label") || "") + " " + box.placeholder);
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(box);
    wrap.appendChild(select);
    var count = null;
    if (select.multiple) {
      count = document.createElement("span");
      count.className = "picker-count";
      count.setAttribute("aria-live", "polite");
      wrap.appendChild(count);
    }
    var options = Array.prototype.slice.call(select.options);
    var texts = options.map(function (o) { return norm(o.text + " " + (o.dataset.search || "")); });

    function showCount() {
      if (!count) return;
      var n = options.filter(function (o) { return o.selected; }).length;
      count.textContent = (select.dataset.pickerCount || "%s").replace("%s", n);
    }

    box.addEventListener("input", function () {
      var q = norm(box.value);
      var firstMatch = null;
      options.forEach(function (o, i) {
        var match = !q || !o.value || texts[i].indexOf(q) !== -1 || o.selected;
        o.hidden = !match;
        if (match && o.value && firstMatch === null && texts[i].indexOf(q) !== -1) firstMatch = o;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      // A single choice follows the first match, so Enter submits what one sees.
      if (!select.multiple && q && firstMatch) select.value = firstMatch.value;
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && select.form && !select.multiple) {
        e.preventDefault();
        select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
      }
    });
    select.addEventListener("change", showCount);
    showCount();
  }

  function checkAll(root) {
    (root || document).querySelectorAll("input[data-check-all]").forEach(function (all) {
      if (all.dataset.ready) return;
      all.dataset.ready = "1";
      all.hidden = false;
      all.addEventListener("change", function () {
        var form = all.form || document;
        form.querySelectorAll('input[type=checkbox][name="' + all.dataset.checkAll + '"]').forEach(function (c) {
          c.checked = all.checked;
        });
      });
    });
  }

  // A filter form applies a choice at once (a select, a check box); text is sent with Enter.
  function autosubmit(root) {
    (root || document).querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("change", function (e) {
        var t = e.target;
        if (t.tagName === "SELECT" || t.type === "checkbox") {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
    });
  }

  function run(root) {
    (root || document).querySelectorAll("select[data-picker]").forEach(enhance);
    checkAll(root);
    autosubmit(root);
  }

  document.addEventListener("DOMContentLoaded", function () { run(document); });
  document.addEventListener("htmx:afterSwap", function (e) { run(e.target); });
})();
