// Keyboard first: "/" focuses the search box from anywhere; arrows move through results; Enter opens one.
// On an account page "c" (or Alt+C inside a field) jumps to the contact-log entry.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function hits() {
    return Array.from(document.querySelectorAll("#search-results a.hit"));
  }

  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("global-search");
    var target = event.target;
    if (event.key === "/" && !typing(target) && search) {
      event.preventDefault();
      search.focus();
      search.select();
      return;
    }
    var contactKey = (event.key === "c" || event.key === "C");
    if (contactKey && !event.ctrlKey && !event.metaKey && (event.altKey || !typing(target))) {
      var subject = document.querySelector("#contact-form [name=subject]");
      if (subject) {
        event.preventDefault();
        subject.scrollIntoView({block: "center"});
        subject.focus();
        return;
      }
    }
    var list = hits();
    if (!list.length) return;
    var index = list.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && (target === search || index >= 0)) {
      event.preventDefault();
      list[Math.min(index + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) search.focus(); else list[index - 1].focus();
    } else if (event.key === "Enter" && target === search) {
      // Enter in the box opens the best hit when the results are showing.
      event.preventDefault();
      window.location.assign(list[0].href);
    } else if (event.key === "Escape") {
      document.getElementById("search-results").innerHTML = "";
      search.focus();
    }
  });

  // After logging a contact, put the cursor back in the subject for the next one.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "contact-panel") {
      var subject = document.querySelector("#contact-form [name=subject]");
      if (subject) subject.focus();
    }
  });
})();

// Dispatcher board: j/k move between orders, t focuses the technician, s saves, d dispatches, [ ] change day.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var rows = Array.from(document.querySelectorAll("tr.board-row"));
    if (!rows.length) return;
    var row = target && target.closest ? target.closest("tr.board-row") : null;
    var index = rows.indexOf(row);
    var key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      var next = key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
      rows[index < 0 ? 0 : next].focus();
    } else if ((key === "[" || key === "]") && !row) {
      var link = document.querySelector('a[data-key="' + key + '"]');
      if (link) { event.preventDefault(); link.click(); }
    } else if (row && (key === "s" || key === "d")) {
      var button = row.querySelector('button[data-key="' + key + '"]');
      if (button) { event.preventDefault(); button.click(); }
    } else if (row && key === "t") {
      var select = row.querySelector("select[name=technician]");
      if (select) { event.preventDefault(); select.focus(); }
    }
  });
})();
