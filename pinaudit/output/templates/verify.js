  /* ---------------------------------------------------------------- verify view */

  VIEWS.verify = function (section) {
    rowFilter(section, {
      order: ["drift", "stale", "unresolved", "ok"],
      facetLabel: "Status",
      names: { drift: "differs", stale: "stale", unresolved: "could not check", ok: "matches" },
      searchLabel: "Search locks and packages",
      placeholder: "Search path or package…",
      noun: "lock",
    });
  };
