/* pinaudit HTML report. Each section element with data-view=ID and data-source=BLOCK is handed
   to VIEWS[ID] with the parsed JSON of the application/json block whose id is BLOCK. Text from
   scanned files goes in with textContent and createTextNode only, never parsed as markup, never
   into attributes that run code. The page's CSP allows this script by its hash and nothing else. */

  var VIEWS = {};
  var SEVERITIES = ["error", "warning", "info"];
  var SEV_RANK = { error: 0, warning: 1, info: 2 };
  var NUM = typeof Intl !== "undefined" ? new Intl.NumberFormat("en-US") : null;

  function fmt(n) {
    return NUM ? NUM.format(n) : String(n);
  }

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }

  function plural(n, word) {
    return fmt(n) + " " + word + (n === 1 ? "" : "s");
  }

  // Columns are 1-based code points (as in the findings JSON); JS strings count UTF-16 units.
  function cpSlice(text, from, to) {
    if (!/[\uD800-\uDFFF]/.test(text)) return text.slice(from, to);
    return Array.from(text).slice(from, to).join("");
  }

  function cpLength(text) {
    return /[\uD800-\uDFFF]/.test(text) ? Array.from(text).length : text.length;
  }

  // A group of toggle buttons, one per value, each pressed or not; ``set`` holds the pressed
  // values and ``changed`` runs after each click. Severity values get their colour class.
  function chipGroup(label, values, display, set, changed) {
    var g = h("div", "chips");
    g.setAttribute("role", "group");
    g.setAttribute("aria-label", label);
    add(g, h("span", "chips-label", label));
    var chips = {};
    values.forEach(function (v) {
      var b = h("button", "chip" + (SEV_RANK[v] !== undefined ? " sev-" + v : ""));
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      var name = h("span", "chip-name", display(v));
      var count = h("span", "chip-count", "0");
      add(b, name, count);
      b.addEventListener("click", function () {
        if (set.has(v)) set.delete(v);
        else set.add(v);
        b.setAttribute("aria-pressed", set.has(v) ? "true" : "false");
        changed();
      });
      chips[v] = { button: b, count: count };
      g.appendChild(b);
    });
    return { el: g, chips: chips };
  }

  // The chips' counts (a value with none is dimmed, not hidden: the filter stays reachable).
  function setCounts(group, counts) {
    Object.keys(group.chips).forEach(function (k) {
      var n = counts[k] || 0;
      group.chips[k].count.textContent = fmt(n);
      group.chips[k].button.classList.toggle("zero", !n);
    });
  }

  function unpress(group) {
    Object.keys(group.chips).forEach(function (k) {
      group.chips[k].button.setAttribute("aria-pressed", "false");
    });
  }

  function searchBox(section, label, placeholder) {
    var wrap = h("div", "search");
    var lab = h("label", "visually-hidden", label);
    lab.htmlFor = "q-" + section.id;
    var input = h("input");
    input.type = "search";
    input.id = "q-" + section.id;
    input.placeholder = placeholder;
    input.autocomplete = "off";
    input.spellcheck = false;
    add(wrap, lab, input);
    return { el: wrap, input: input };
  }

  /* Filters for the server-rendered views (simulate, verify): every element with data-facet is an
     item (its facet value one of opts.order, data-text what the search matches); an element with
     data-group hides while a filter is on and none of its items is shown. The page reads the same
     without this: it only hides what the reader filtered out. */
  function rowFilter(section, opts) {
    var app = section.querySelector("[data-role=app]");
    if (!app) return;
    var items = Array.prototype.slice.call(section.querySelectorAll("[data-facet]"));
    var groups = Array.prototype.slice.call(section.querySelectorAll("[data-group]"));
    var none = section.querySelector("[data-role=none]");
    var present = {};
    items.forEach(function (e) {
      present[e.getAttribute("data-facet")] = true;
    });
    var values = opts.order.filter(function (v) {
      return present[v];
    });
    var chosen = new Set();
    var search = searchBox(section, opts.searchLabel, opts.placeholder);
    var chips = chipGroup(opts.facetLabel, values, function (v) { return (opts.names && opts.names[v]) || v; }, chosen, update);
    var reset = h("button", "linkish", "Reset filters");
    reset.type = "button";
    var status = h("p", "status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    add(app, add(h("div", "toolbar"), add(h("div", "toolbar-row"), search.el, chips.el, reset)), status);
    app.hidden = false;

    function update() {
      var q = search.input.value.trim().toLowerCase();
      var filtering = q !== "" || chosen.size > 0;
      var counts = {};
      var shown = 0;
      items.forEach(function (e) {
        var facet = e.getAttribute("data-facet");
        var hit = !q || (e.getAttribute("data-text") || "").indexOf(q) >= 0;
        if (hit) counts[facet] = (counts[facet] || 0) + 1;
        var show = hit && (!chosen.size || chosen.has(facet));
        if (e.hidden === show) e.hidden = !show; // unchanged rows cost no style work
        if (show) shown++;
      });
      groups.forEach(function (g) {
        var hide = filtering && !g.querySelector("[data-facet]:not([hidden])");
        if (g.hidden !== hide) g.hidden = hide;
      });
      setCounts(chips, counts);
      if (none) none.hidden = !(filtering && shown === 0);
      status.textContent =
        (filtering ? "Showing " + fmt(shown) + " of " : "") + plural(items.length, opts.noun) + (filtering ? " (filtered)" : "");
    }

    var timer = 0;
    search.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, items.length > 2000 ? 150 : 40);
    });
    reset.addEventListener("click", function () {
      chosen.clear();
      unpress(chips);
      search.input.value = "";
      update();
    });
    update();
  }
