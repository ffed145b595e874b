"""Headless Chromium for the HTML report's tests, benchmark and screenshots (issue 14).

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them): Selenium's driver
manager cannot download a browser here, so the driver is pointed at the system chromedriver.
Every run gets a fresh profile, and the switches turn off what a browser fetches on its own
(component updates, sync, field trials), so "the page made no request" is the page's doing.
The ``driver`` fixture (one browser per test module) and the page helpers below serve the test
modules of every view (tests/conftest.py loads this module as a pytest plugin).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMEDRIVER = os.environ.get("PINAUDIT_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("PINAUDIT_CHROMIUM", "/usr/bin/chromium")
ARGUMENTS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
)


def missing() -> str | None:
    """Why a browser test cannot run here, or None."""
    if not (Path(CHROMEDRIVER).is_file() and os.access(CHROMEDRIVER, os.X_OK)):
        return f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
    if not Path(CHROMIUM).is_file():
        return f"no chromium at {CHROMIUM} (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def chromium(width: int = 1360, height: int = 900) -> Iterator[Any]:
    """A headless Chromium WebDriver with the browser log and DevTools performance log on."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="pinaudit-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ARGUMENTS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_color_scheme(driver: Any, scheme: str) -> None:
    """Emulate ``prefers-color-scheme`` (``light`` or ``dark``) through DevTools."""
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )


def full_page_screenshot(driver: Any, path: Path, width: int = 1360, max_height: int = 2400) -> None:
    """A PNG of the page down to ``max_height`` CSS pixels (the window is resized to fit)."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, min(max(height, 600), max_height) + 140)  # the window's chrome
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": min(max(height, 600), max_height), "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        path.write_bytes(driver.get_screenshot_as_png())
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# --- for the test modules -------------------------------------------------------------------


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    why = missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the HTML report's browser tests must run in CI: {why}")
        pytest.skip(why)
    with chromium() as d:
        yield d


def open_page(driver: Any, path: Path) -> list[dict[str, Any]]:
    """Load ``path``; return the console entries and check no request left the page."""
    driver.get("about:blank")
    driver.get_log("browser")  # drain what earlier pages left
    driver.get_log("performance")
    url = path.resolve().as_uri()
    driver.get(url)
    logs: list[dict[str, Any]] = driver.get_log("browser")
    requests = []
    for entry in driver.get_log("performance"):
        message = entry["message"]
        if '"Network.requestWillBeSent"' in message:
            found = re.search(r'"url":"([^"]*)"', message)
            requests.append(found.group(1) if found else message)
    assert [r for r in requests if r != url] == [], "the page made requests"
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    return logs


def js(driver: Any, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def errors(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in logs if e["level"] in ("SEVERE", "WARNING")]


def wait(driver: Any, condition: Any, timeout: float = 5.0) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda _: condition())


def background_luminance(driver: Any) -> float:
    """The page background's relative luminance, 0 (black) to 1 (white): light or dark scheme."""
    rgb = js(driver, "return getComputedStyle(document.body).backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def screenshot_for_review(driver: Any, page: Path, shot: Path) -> None:
    """Open ``page`` and write its PNG to ``shot`` (a test's tmp_path, for a reviewer to look at)."""
    open_page(driver, page)
    full_page_screenshot(driver, shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    print(f"screenshot: {shot}")


def open_hostile(driver: Any, page: str, path: Path, *, csp: bool) -> None:
    """Open a page full of hostile strings; without its CSP when ``csp`` is False (the escaping
    must hold by itself: the CSP is the second wall, not the only one)."""
    if not csp:
        page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
        assert "Content-Security-Policy" not in page
    path.write_text(page, encoding="utf-8")
    assert errors(open_page(driver, path)) == []


def assert_nothing_ran(driver: Any) -> None:
    """No payload ran (each would set window.__pwned) and no element a payload would add exists."""
    assert js(driver, "return typeof window.__pwned") == "undefined"
    assert js(driver, "return document.querySelectorAll('img, iframe, object, embed, [onerror], [onload]').length") == 0
