  /* ---------------------------------------------------------------- simulation view */

  VIEWS.simulate = function (section) {
    rowFilter(section, {
      order: ["major", "minor", "patch", "added", "removed", "unknown"],
      facetLabel: "Change",
      searchLabel: "Search packages",
      placeholder: "Search package…",
      noun: "package row",
    });
  };
