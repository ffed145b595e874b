#!/usr/bin/env python3
"""Regenerate the README's screenshots of the HTML report (docs/html-VIEW-light.png, -dark.png).

Renders each view of fixtures/demo with the real command and photographs it in headless Chromium
(Debian's, as the tests use it) in the light and the dark colour scheme:

* scan: ``pinaudit scan fixtures/demo --format html``
* simulate: ``pinaudit simulate fixtures/demo --cached-at 2024-09-15 --fresh-at 2026-01-01
  --format html`` against the loopback indexes of the README's simulate run
* verify: ``pinaudit verify fixtures/demo --format html`` after the demo was locked and its
  indexes moved on (tests/html_fixtures.py says how)

Usage: python scripts/html_screenshots.py [--view scan|simulate|verify] [--out docs] [--width 1280] [--height 1900]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import browser  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "docs")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1900, help="crop the page at this many CSS pixels")
    ap.add_argument("--view", choices=("scan", "simulate", "verify"), action="append",
                    help="the views to photograph (repeatable; default all)")
    args = ap.parse_args(argv)
    why = browser.missing()
    if why:
        print(f"html_screenshots: {why}", file=sys.stderr)
        return 2
    from tests.html_fixtures import demo_simulation_page, demo_verify_page

    with tempfile.TemporaryDirectory() as tmp:
        pages = {}
        for view in args.view or ("scan", "simulate", "verify"):
            work = Path(tmp) / view
            work.mkdir()
            page = work / "report.html"
            if view == "scan":
                subprocess.run([sys.executable, "-m", "pinaudit", "scan", "fixtures/demo", "--format", "html",
                                "-o", str(page), "-q"], cwd=REPO, check=False)
            elif view == "simulate":
                demo_simulation_page(work, page)
            else:
                demo_verify_page(work, page)
            pages[view] = page
        with browser.chromium(width=args.width) as driver:
            for view, page in pages.items():
                for scheme in ("light", "dark"):
                    browser.set_color_scheme(driver, scheme)
                    driver.set_window_size(args.width, 900)  # the last picture's size would pad a short page
                    driver.get(page.as_uri())
                    out = args.out / f"html-{view}-{scheme}.png"
                    browser.full_page_screenshot(driver, out, width=args.width, max_height=args.height)
                    print(out.relative_to(REPO) if out.is_relative_to(REPO) else out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
