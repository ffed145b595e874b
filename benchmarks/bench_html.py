#!/usr/bin/env python3
"""The HTML report's size and first paint (issue 14): budgets 3 MB and 1 s at 5,000 findings.

Scan reports, each written by the real command line (``pinaudit scan ... --format html -o``):

  (a) 5,000 findings: a generated tree of 100 Dockerfiles, each with 25 unpinned apt packages,
      15 unpinned and 10 exact pip pins (PIN101, PIN201, PIN203: real messages, real excerpts)
  (b) the shared corpus: ``pinaudit scan ../shared/corpus/files`` (46,899 findings today)

Simulation reports (``pinaudit simulate ... --format html``), rendered by the function the command
calls (``pinaudit.output.html_simulation.render_simulation``) from a simulation built as a value
(``tests/html_fixtures.large_simulation``: installs of 20 drifting and 10 unchanged packages, one
layer each, in 10 Dockerfiles, every change kind): resolving thousands of packages against
loopback indexes would measure the resolver, not the page.

  (c) 2,000 drifting packages (100 installs)
  (d) 5,000 drifting packages (250 installs)

For each: the file's size, the time the command took, and in headless Chromium (Debian's, as
the tests use it) the median over ``--repeat`` fresh loads of first paint, first contentful
paint, DOMContentLoaded, load, and ``pinaudit:rendered`` (the mark boot.js sets once the first
page of findings is on screen; for a simulation, once its filters are set up), read from the
Paint and Navigation Timing APIs.

Usage: python benchmarks/bench_html.py [--corpus PATH] [--repeat N] [--keep DIR] [--only scan|simulate]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tests import browser  # noqa: E402  (the tests' Chromium setup: same switches, same driver)

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
SIZE_BUDGET = 3_000_000
PAINT_BUDGET_MS = 1000.0

TIMINGS = """
const done = arguments[arguments.length - 1];
const started = performance.now();
(function poll() {
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
  const nav = performance.getEntriesByType('navigation')[0];
  if ((!paint['first-contentful-paint'] || !nav || !nav.loadEventEnd) && performance.now() - started < 10000) {
    return setTimeout(poll, 20);
  }
  const mark = performance.getEntriesByName('pinaudit:rendered')[0];
  done({fp: paint['first-paint'], fcp: paint['first-contentful-paint'], dcl: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd, rendered: mark ? mark.startTime : null,
        rows: document.querySelectorAll('[data-role=app] tr.frow, tr.drow').length,
        requests: performance.getEntriesByType('resource').length});
})();
"""


def generated_tree(root: Path, files: int = 100) -> None:
    for i in range(files):
        apt = " \\\n".join(f"        libbench{i}-{k}" for k in range(25))
        pip = " \\\n".join(
            f"        benchpkg{i}-{k}" + ("==1.0" if k >= 15 else "") for k in range(25)
        )
        d = root / f"service-{i:03d}"
        d.mkdir(parents=True)
        (d / "Dockerfile").write_text(
            "FROM debian:12@sha256:" + "a" * 64 + "\n"
            f"RUN apt-get update && apt-get install -y --no-install-recommends \\\n{apt}\n"
            f"RUN pip install --no-cache-dir \\\n{pip}\n"
        )


def write_report(target: Path, out: Path, cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pinaudit", "scan", str(target), "--format", "html", "-o", str(out)],
        cwd=cwd, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pinaudit failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.stderr.strip().splitlines()[-1]


def write_simulation(out: Path, drifting: int) -> tuple[float, str]:
    from pinaudit.output.html_simulation import render_simulation
    from pinaudit.output.simulation import summary
    from tests.html_fixtures import large_simulation

    sim = large_simulation(drifting)
    t0 = time.perf_counter()
    out.write_text(render_simulation(sim), encoding="utf-8")
    return time.perf_counter() - t0, summary(sim)


def measure(driver: Any, page: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        driver.get("about:blank")
        driver.get(page.resolve().as_uri())
        runs.append(driver.execute_async_script(TIMINGS))
    keys = ("fp", "fcp", "dcl", "load", "rendered")
    out = {k: statistics.median([r[k] for r in runs if r[k] is not None]) for k in keys}
    out["rows"] = runs[-1]["rows"]
    out["requests"] = max(r["requests"] for r in runs)
    return out


def report(name: str, page: Path, seconds: float, summary: str, t: dict[str, float]) -> None:
    size = page.stat().st_size
    print(f"\n{name}")
    print(f"  {summary}")
    print(f"  written in {seconds:.2f} s" + (" by the CLI (scan included)" if "simulation" not in name else
                                             " by render_simulation"))
    ok = "within" if size < SIZE_BUDGET else "OVER"
    print(f"  size            {size:>12,} bytes  ({size / 1e6:.2f} MB; {ok} the 3 MB budget)")
    ok = "within" if t["fcp"] < PAINT_BUDGET_MS else "OVER"
    print(f"  first paint     {t['fp']:>9.0f} ms")
    print(f"  first contentful{t['fcp']:>9.0f} ms  ({ok} the 1 s budget)")
    print(f"  DOMContentLoaded{t['dcl']:>9.0f} ms")
    print(f"  load            {t['load']:>9.0f} ms")
    print(f"  first rows drawn{t['rendered']:>9.0f} ms  ({int(t['rows'])} rows; {int(t['requests'])} requests)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", type=Path, default=None, help="write the reports into DIR and keep them")
    ap.add_argument("--only", choices=("scan", "simulate"), default=None, help="measure one kind of report")
    args = ap.parse_args(argv)
    why = browser.missing()
    if why:
        print(f"bench_html: {why}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="pinaudit-bench-html-") as tmp:
        outdir = args.keep or Path(tmp)
        outdir.mkdir(parents=True, exist_ok=True)
        pages = []
        if args.only != "simulate":
            tree = Path(tmp) / "tree"
            generated_tree(tree)
            secs, summary = write_report(Path("."), outdir / "bench-5000.html", tree)
            pages.append(("(a) 5,000 findings, generated", outdir / "bench-5000.html", secs, summary))
            files = args.corpus / "files"
            if files.is_dir():
                secs, summary = write_report(files, outdir / "bench-corpus.html", REPO)
                pages.append((f"(b) the corpus, {files}", outdir / "bench-corpus.html", secs, summary))
            else:
                print(f"bench_html: no corpus at {files}; (b) skipped", file=sys.stderr)
        if args.only != "scan":
            for label, n in (("(c)", 2000), ("(d)", 5000)):
                page = outdir / f"bench-simulate-{n}.html"
                secs, summary = write_simulation(page, n)
                pages.append((f"{label} simulation, {n:,} drifting packages", page, secs, summary))
        print(f"Chromium, median of {args.repeat} fresh loads from file: URLs")
        with browser.chromium() as driver:
            driver.set_script_timeout(30)
            for name, page, secs, summary in pages:
                report(name, page, secs, summary, measure(driver, page, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
