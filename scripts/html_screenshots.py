#!/usr/bin/env python3
"""Regenerate the README's screenshots of the HTML report (docs/html-scan-light.png, -dark.png).

Renders ``pinaudit scan fixtures/demo --format html`` and photographs it in headless Chromium
(Debian's, as the tests use it) in the light and the dark colour scheme.

Usage: python scripts/html_screenshots.py [--out docs] [--width 1280] [--height 1900]
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
    args = ap.parse_args(argv)
    why = browser.missing()
    if why:
        print(f"html_screenshots: {why}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "pinaudit", "scan", "fixtures/demo", "--format", "html",
                        "-o", str(page), "-q"], cwd=REPO, check=False)
        with browser.chromium(width=args.width) as driver:
            for scheme in ("light", "dark"):
                browser.set_color_scheme(driver, scheme)
                driver.get(page.as_uri())
                out = args.out / f"html-scan-{scheme}.png"
                browser.full_page_screenshot(driver, out, width=args.width, max_height=args.height)
                print(out.relative_to(REPO) if out.is_relative_to(REPO) else out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
