
  /* ---------------------------------------------------------------- boot */

  document.documentElement.classList.add("js");
  var sections = document.querySelectorAll("section[data-view]");
  for (var i = 0; i < sections.length; i++) {
    var section = sections[i];
    var view = VIEWS[section.getAttribute("data-view")];
    var block = document.getElementById(section.getAttribute("data-source") || "");
    if (view) view(section, block ? JSON.parse(block.textContent) : null);
  }
  if (window.performance && performance.mark) performance.mark("pinaudit:rendered");
