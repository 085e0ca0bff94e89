/* As-you-type suggestions for the search box: an ARIA 1.2 combobox with a listbox popup.
 * Progressive enhancement: without this script the form is a plain search form.
 * Keys: ArrowDown/ArrowUp move through the suggestions, Enter opens the chosen entry,
 * Escape closes the list (a second Escape clears the box, as browsers do).
 */
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY_MS = 150;

  function setUp(input) {
    var endpoint = input.getAttribute("data-suggest-url");
    var lang = input.getAttribute("data-lang");
    var msgCount = input.getAttribute("data-msg-count") || "{n}";
    var msgNone = input.getAttribute("data-msg-none") || "";
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var items = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    if (input.labels && input.labels[0]) {
      list.setAttribute("aria-label", input.labels[0].textContent.trim());
    }
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function setActive(index) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var item = items[index];
      if (item && item.url) {
        close();
        window.location.assign(item.url);
      }
    }

    function option(item, index) {
      var li = document.createElement("li");
      var title = document.createElement("span");
      li.id = listId + "-" + index;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("lang", item.lang);
      title.className = "suggestion-title";
      title.textContent = item.title;
      li.appendChild(title);
      if (item.text && item.text !== item.title) {
        var match = document.createElement("span");
        match.className = "suggestion-match";
        match.textContent = item.text;
        li.appendChild(match);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
      });
      li.addEventListener("click", function () {
        choose(index);
      });
      return li;
    }

    function render(suggestions) {
      items = suggestions || [];
      list.textContent = "";
      active = -1;
      items.forEach(function (item, index) {
        list.appendChild(option(item, index));
      });
      status.textContent = items.length ? msgCount.replace("{n}", items.length) : msgNone;
      if (items.length) {
        open();
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      var mine = ++sequence;
      if (query.length < MIN_CHARS) {
        render([]);
        status.textContent = "";
        return;
      }
      var url = endpoint + "?q=" + encodeURIComponent(query) + "&lang=" + encodeURIComponent(lang);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (mine === sequence) {
            render(data.suggestions);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) {
          open();
        } else if (items.length) {
          setActive((active + 1) % items.length);
        }
      } else if (event.key === "ArrowUp") {
        if (expanded && items.length) {
          event.preventDefault();
          setActive(active <= 0 ? items.length - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", close);
  }

  var inputs = document.querySelectorAll("input[data-suggest-url]");
  if (window.fetch) {
    Array.prototype.forEach.call(inputs, setUp);
  }
})();
