  /* ---------------------------------------------------------------- scan view: data */

  // The compact form of pinaudit/output/html.py's scan_data (its docstring is the reference).
  function decodeScan(d) {
    var kinds = d.kinds;
    var strings = d.strings;
    var files = [];
    var findings = [];
    var path = "";
    var has = Object.prototype.hasOwnProperty;
    for (var fi = 0; fi < d.files.length; fi++) {
      var F = d.files[fi];
      path = path.slice(0, F[0]) + F[1];
      var lines = new Map();
      var n = 0;
      for (var i = 0; i < F[2].length; i++) {
        n += F[2][i];
        lines.set(n, F[3][i]);
      }
      var file = { path: path, lines: lines, order: fi };
      files.push(file);
      var flat = F[4];
      var extra = F[5];
      var line = 0;
      for (var j = 0, k = 0; j < flat.length; j += 6, k++) {
        var kind = kinds[flat[j]];
        line += flat[j + 1];
        var more = has.call(extra, String(k)) ? extra[String(k)] : null;
        var f = {
          file: file,
          rule: kind[0],
          severity: kind[1],
          category: kind[2],
          ecosystem: kind[3] || "",
          line: line,
          column: flat[j + 2],
          endLine: more && more.end_line !== undefined ? more.end_line : line,
          endColumn: more && more.end_column !== undefined ? more.end_column : flat[j + 2] + flat[j + 3],
          pkg: flat[j + 4] ? strings[flat[j + 4] - 1] : null,
          spec: null,
          message: "",
          fix: more && more.fix !== undefined ? more.fix : null,
          order: findings.length,
          hay: null,
        };
        var sc = flat[j + 5];
        if (sc === 0) f.spec = cpSlice(lines.get(line) || "", f.column - 1, f.endColumn - 1);
        else if (sc === 2) f.spec = f.pkg;
        else if (sc > 2) f.spec = strings[sc - 3];
        var parts = kind[4];
        var msg = "";
        for (var p = 0; p < parts.length; p++) {
          var part = parts[p];
          msg += part === 1 ? f.pkg : part === 2 ? f.spec : part;
        }
        f.message = msg;
        findings.push(f);
      }
    }
    return { files: files, findings: findings, rules: d.rules || {} };
  }

  /* ---------------------------------------------------------------- scan view: UI */

  var COLUMNS = [
    { key: "severity", label: "Severity" },
    { key: "rule", label: "Rule" },
    { key: "ecosystem", label: "Ecosystem" },
    { key: "package", label: "Package" },
    { key: "location", label: "Location" },
    { key: "message", label: "Message" },
  ];

  function byLocation(a, b) {
    if (a.file !== b.file) return a.file.order - b.file.order;
    return a.order - b.order;
  }

  function textCmp(x, y) {
    return x < y ? -1 : x > y ? 1 : 0;
  }

  var KEYS = {
    severity: function (a, b) {
      return SEV_RANK[a.severity] - SEV_RANK[b.severity];
    },
    rule: function (a, b) {
      return textCmp(a.rule, b.rule);
    },
    ecosystem: function (a, b) {
      return textCmp(a.ecosystem, b.ecosystem);
    },
    package: function (a, b) {
      // findings without a package (an upgrade, a parse error) after those with one
      if (a.pkg === null || b.pkg === null) return (a.pkg === null) - (b.pkg === null);
      return textCmp(a.pkg.toLowerCase(), b.pkg.toLowerCase());
    },
    location: function () {
      return 0;
    },
    message: function (a, b) {
      return textCmp(a.message, b.message);
    },
  };

  VIEWS.scan = function (section, raw) {
    var app = section.querySelector("[data-role=app]");
    if (!app) return;
    var data = decodeScan(raw);
    var all = data.findings;
    var ecosystems = [];
    var rules = [];
    (function () {
      var seenE = {};
      var seenR = {};
      for (var i = 0; i < all.length; i++) {
        var f = all[i];
        if (!seenE[f.ecosystem]) ecosystems.push(f.ecosystem);
        if (!seenR[f.rule]) rules.push(f.rule);
        seenE[f.ecosystem] = seenR[f.rule] = true;
      }
      ecosystems.sort();
      rules.sort();
    })();

    var state = {
      sev: new Set(),
      eco: new Set(),
      rule: "",
      q: "",
      file: null,
      sort: "severity", // errors first: what a reader fixes first
      dir: 1,
      group: true,
      page: 0,
      size: 100,
    };
    var shown = all;

    /* toolbar */
    var toolbar = h("div", "toolbar");
    var box = searchBox(section, "Search findings", "Search package, path, message, source…");
    var searchWrap = box.el;
    var search = box.input;

    function refilter() {
      state.page = 0;
      update();
    }

    var sevChips = chipGroup("Severity", SEVERITIES, function (v) { return v; }, state.sev, refilter);
    var ecoChips = chipGroup("Ecosystem", ecosystems, function (v) { return v || "other"; }, state.eco, refilter);

    var ruleWrap = h("div", "rulepick");
    var ruleLabel = h("label", "chips-label", "Rule");
    ruleLabel.htmlFor = "r-" + section.id;
    var ruleSelect = h("select");
    ruleSelect.id = "r-" + section.id;
    var ruleOptions = {};
    var allOpt = h("option", null, "All rules");
    allOpt.value = "";
    ruleSelect.appendChild(allOpt);
    rules.forEach(function (code) {
      var o = h("option");
      o.value = code;
      ruleOptions[code] = o;
      ruleSelect.appendChild(o);
    });
    add(ruleWrap, ruleLabel, ruleSelect);

    var fileChip = h("div", "filechip");
    fileChip.hidden = true;
    var fileText = h("span", "path");
    var fileClear = h("button", "chip clear", "Show all files");
    fileClear.type = "button";
    add(fileChip, h("span", "chips-label", "File"), fileText, fileClear);

    var groupWrap = h("label", "toggle");
    var groupBox = h("input");
    groupBox.type = "checkbox";
    groupBox.checked = true;
    add(groupWrap, groupBox, " Group by file");

    var reset = h("button", "linkish", "Reset filters");
    reset.type = "button";

    var row1 = add(h("div", "toolbar-row"), searchWrap, sevChips.el, ruleWrap);
    var row2 = add(h("div", "toolbar-row"), ecoChips.el, fileChip, h("span", "spacer"), groupWrap, reset);
    add(toolbar, row1, row2);

    var status = h("p", "status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    /* table */
    var table = h("table", "grid ftable");
    var caption = h("caption", "visually-hidden", "Findings, filtered and sorted as chosen above");
    var thead = h("thead");
    var headRow = h("tr");
    var heads = {};
    COLUMNS.forEach(function (c) {
      var th = h("th");
      th.scope = "col";
      th.className = "col-" + c.key;
      var b = h("button", "sort");
      b.type = "button";
      var label = h("span", null, c.label);
      b.appendChild(label);
      var arrow = h("span", "arrow");
      arrow.setAttribute("aria-hidden", "true");
      b.appendChild(arrow);
      b.addEventListener("click", function () {
        if (state.sort === c.key) state.dir = -state.dir;
        else {
          state.sort = c.key;
          state.dir = 1;
        }
        state.page = 0;
        update();
      });
      th.appendChild(b);
      heads[c.key] = { th: th, label: label, arrow: arrow };
      headRow.appendChild(th);
    });
    add(table, caption, add(thead, headRow));
    var tbody = h("tbody");
    table.appendChild(tbody);
    var empty = h("p", "empty", "No finding matches these filters.");
    empty.hidden = true;

    /* pager */
    var pager = h("nav", "pager");
    pager.setAttribute("aria-label", "Pages of findings");
    function pageButton(label, text, go) {
      var b = h("button", "chip", text);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.addEventListener("click", function () {
        state.page = go();
        render();
        table.scrollIntoView({ block: "start" });
      });
      return b;
    }
    var pages = function () {
      return Math.max(1, Math.ceil(shown.length / state.size));
    };
    var first = pageButton("First page", "« First", function () { return 0; });
    var prev = pageButton("Previous page", "‹ Previous", function () { return Math.max(0, state.page - 1); });
    var pageInfo = h("span", "pageinfo");
    var next = pageButton("Next page", "Next ›", function () { return Math.min(pages() - 1, state.page + 1); });
    var last = pageButton("Last page", "Last »", function () { return pages() - 1; });
    var sizeLabel = h("label", "pagesize", "Rows per page ");
    var sizeSelect = h("select");
    [50, 100, 250, 500].forEach(function (n) {
      var o = h("option", null, String(n));
      o.value = String(n);
      if (n === state.size) o.selected = true;
      sizeSelect.appendChild(o);
    });
    sizeLabel.appendChild(sizeSelect);
    add(pager, first, prev, pageInfo, next, last, sizeLabel);

    add(app, toolbar, status, table, empty, pager);
    app.hidden = false;

    /* events */
    var timer = 0;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        state.q = search.value.trim().toLowerCase();
        state.page = 0;
        update();
      }, all.length > 5000 ? 200 : 60);
    });
    ruleSelect.addEventListener("change", function () {
      state.rule = ruleSelect.value;
      state.page = 0;
      update();
    });
    groupBox.addEventListener("change", function () {
      state.group = groupBox.checked;
      state.page = 0;
      update();
    });
    sizeSelect.addEventListener("change", function () {
      state.size = parseInt(sizeSelect.value, 10) || 100;
      state.page = 0;
      render();
    });
    fileClear.addEventListener("click", function () {
      state.file = null;
      state.page = 0;
      update();
    });
    reset.addEventListener("click", function () {
      state.sev.clear();
      state.eco.clear();
      state.rule = "";
      state.q = "";
      state.file = null;
      state.page = 0;
      search.value = "";
      ruleSelect.value = "";
      unpress(sevChips);
      unpress(ecoChips);
      update();
    });
    section.addEventListener("click", function (ev) {
      var a = ev.target instanceof Element ? ev.target.closest("a[data-file]") : null;
      if (!a) return;
      ev.preventDefault();
      state.file = a.getAttribute("data-file");
      state.page = 0;
      update();
      table.scrollIntoView({ block: "start" });
    });

    /* filtering and sorting */
    function haystack(f) {
      if (f.hay === null) {
        var src = f.file.lines.get(f.line) || "";
        f.hay = [f.file.path, f.rule, f.pkg || "", f.spec || "", f.message, f.ecosystem, src].join("\u0000").toLowerCase();
      }
      return f.hay;
    }

    function update() {
      var sevC = { error: 0, warning: 0, info: 0 };
      var ecoC = {};
      var ruleC = {};
      var out = [];
      var q = state.q;
      for (var i = 0; i < all.length; i++) {
        var f = all[i];
        if (state.file !== null && f.file.path !== state.file) continue;
        if (q && haystack(f).indexOf(q) < 0) continue;
        var mS = !state.sev.size || state.sev.has(f.severity);
        var mE = !state.eco.size || state.eco.has(f.ecosystem);
        var mR = !state.rule || state.rule === f.rule;
        if (mE && mR) sevC[f.severity]++;
        if (mS && mR) ecoC[f.ecosystem] = (ecoC[f.ecosystem] || 0) + 1;
        if (mS && mE) ruleC[f.rule] = (ruleC[f.rule] || 0) + 1;
        if (mS && mE && mR) out.push(f);
      }
      setCounts(sevChips, sevC);
      setCounts(ecoChips, ecoC);
      var ruleTotal = 0;
      rules.forEach(function (r) {
        var n = ruleC[r] || 0;
        ruleTotal += n;
        var meta = data.rules[r];
        ruleOptions[r].textContent = r + (meta ? " " + meta[0] : "") + " (" + fmt(n) + ")";
      });
      allOpt.textContent = "All rules (" + fmt(ruleTotal) + ")";
      fileChip.hidden = state.file === null;
      fileText.textContent = state.file || "";

      var cmp = KEYS[state.sort];
      var dir = state.dir;
      out.sort(function (a, b) {
        return dir * cmp(a, b) || (state.sort === "location" ? dir : 1) * byLocation(a, b);
      });
      if (state.group) {
        // one block per file, in the order of each file's first finding under this sort
        var buckets = new Map();
        for (var j = 0; j < out.length; j++) {
          var b = buckets.get(out[j].file);
          if (!b) buckets.set(out[j].file, (b = []));
          b.push(out[j]);
        }
        out = [];
        buckets.forEach(function (list) {
          for (var k = 0; k < list.length; k++) out.push(list[k]);
        });
      }
      shown = out;
      COLUMNS.forEach(function (c) {
        var active = state.sort === c.key;
        heads[c.key].th.setAttribute("aria-sort", active ? (state.dir > 0 ? "ascending" : "descending") : "none");
        heads[c.key].arrow.textContent = active ? (state.dir > 0 ? " ▲" : " ▼") : "";
      });
      heads.location.label.textContent = state.group ? "Line" : "Location";
      table.classList.toggle("flat", !state.group);
      render();
    }

    function excerpt(f) {
      var lines = f.file.lines;
      var pre = h("pre", "code");
      var any = false;
      var gap = false;
      for (var n = f.line; n <= f.endLine; n++) {
        var text = lines.get(n);
        if (text === undefined) {
          gap = true;
          continue;
        }
        if (any) pre.appendChild(document.createTextNode("\n"));
        if (gap && any) add(pre, h("span", "ln", "⋮"), "\n");
        gap = false;
        any = true;
        var len = cpLength(text);
        var start = n === f.line ? Math.min(Math.max(f.column - 1, 0), len) : 0;
        var end = n === f.endLine ? Math.min(Math.max(f.endColumn - 1, start), len) : len;
        add(pre, h("span", "ln", n), cpSlice(text, 0, start));
        if (end > start) pre.appendChild(h("mark", null, cpSlice(text, start, end)));
        else if (n === f.line) pre.appendChild(h("span", "caret", ""));
        pre.appendChild(document.createTextNode(cpSlice(text, end, len)));
      }
      return any ? pre : null;
    }

    function ruleLink(code) {
      var a = h("a", "rule", code);
      a.href = "#rule-" + code;
      var meta = data.rules[code];
      if (meta) a.title = meta[0] + ": " + meta[1];
      return a;
    }

    function render() {
      var total = shown.length;
      var n = pages();
      if (state.page >= n) state.page = n - 1;
      var from = state.page * state.size;
      var to = Math.min(total, from + state.size);
      var frag = document.createDocumentFragment();
      var current = null;
      var perFile = null;
      if (state.group) {
        perFile = new Map();
        for (var i = 0; i < total; i++) perFile.set(shown[i].file, (perFile.get(shown[i].file) || 0) + 1);
      }
      for (var r = from; r < to; r++) {
        var f = shown[r];
        if (state.group && f.file !== current) {
          current = f.file;
          var gr = h("tr", "grow");
          var gth = h("th");
          gth.colSpan = COLUMNS.length;
          gth.scope = "colgroup";
          var cont = r === from && r > 0 && shown[r - 1].file === f.file;
          add(gth, h("span", "path", f.file.path), h("span", "gcount", plural(perFile.get(f.file), "finding") + (cont ? " (continued)" : "")));
          frag.appendChild(add(gr, gth));
        }
        var tr = h("tr", "frow sev-row-" + f.severity);
        add(tr, add(h("td", "col-severity"), h("span", "sev sev-" + f.severity, f.severity)));
        add(tr, add(h("td", "col-rule"), ruleLink(f.rule)));
        add(tr, add(h("td", "col-ecosystem"), f.ecosystem ? h("span", "eco", f.ecosystem) : null));
        add(tr, h("td", "col-package pkg", f.pkg === null ? "" : f.pkg));
        add(tr, h("td", "col-location loc", (state.group ? "" : f.file.path + ":") + f.line + ":" + f.column));
        var msg = add(h("td", "col-message msg"), f.message);
        if (f.fix !== null) msg.appendChild(h("div", "fix", "Fix: " + f.fix));
        tr.appendChild(msg);
        frag.appendChild(tr);
        var code = excerpt(f);
        if (code) {
          var cr = h("tr", "crow");
          var td = h("td");
          td.colSpan = COLUMNS.length;
          frag.appendChild(add(cr, add(td, code)));
        }
      }
      tbody.replaceChildren(frag);
      table.hidden = total === 0;
      empty.hidden = total !== 0;
      pager.hidden = total <= state.size;
      var files = new Set();
      for (var s = 0; s < total; s++) files.add(shown[s].file);
      status.textContent =
        (total ? "Showing " + fmt(from + 1) + "–" + fmt(to) + " of " : "") +
        plural(total, "finding") +
        " in " +
        plural(files.size, "file") +
        (total !== all.length ? " (filtered from " + fmt(all.length) + ")" : "");
      pageInfo.textContent = "Page " + fmt(state.page + 1) + " of " + fmt(n);
      first.disabled = prev.disabled = state.page === 0;
      next.disabled = last.disabled = state.page >= n - 1;
    }

    update();
  };
