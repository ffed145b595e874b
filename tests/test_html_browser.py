"""The HTML report in a real browser (issue 14): headless Chromium through Selenium.

One browser for the whole module. Each test opens a page from a file: URL, as a reader opens an
attachment; the page must load without a console error, fetch nothing, filter and sort, and run
nothing a scanned file put in it. Locally a missing browser skips these tests; under CI (``CI``
set, as ``.ci/run`` does, and ``.ci/run`` installs Debian's chromium and chromium-driver) it fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pinaudit.model import Severity
from pinaudit.output import html
from tests import browser
from tests.browser import errors, js, open_page
from tests.browser import wait as _wait
from tests.helpers import REPO, lay_out
from tests.html_fixtures import PAYLOADS, hostile_report, large_report, write_page


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "pinaudit", "scan", "fixtures/demo", "--format", "html", "-o", str(out), "-q"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    return out


def rows(driver: Any) -> int:
    return int(js(driver, "return document.querySelectorAll('[data-role=app] tr.frow').length"))


def status(driver: Any) -> str:
    return str(js(driver, "return document.querySelector('[data-role=app] .status').textContent"))


def chip(driver: Any, group: str, value: str) -> Any:
    return js(
        driver,
        "return [...document.querySelectorAll('[data-role=app] [role=group]')]"
        ".find(g => g.getAttribute('aria-label') === arguments[0])"
        ".querySelectorAll('button.chip')[arguments[1]]",
        group, _chip_index(driver, group, value),
    )


def _chip_index(driver: Any, group: str, value: str) -> int:
    names = js(
        driver,
        "return [...[...document.querySelectorAll('[data-role=app] [role=group]')]"
        ".find(g => g.getAttribute('aria-label') === arguments[0])"
        ".querySelectorAll('button.chip .chip-name')].map(e => e.textContent)",
        group,
    )
    return list(names).index(value)


def chip_count(driver: Any, group: str, value: str) -> int:
    return int(chip(driver, group, value).find_element("css selector", ".chip-count").text.replace(",", ""))


# --- the demo report ---------------------------------------------------------------------------


def test_demo_report_loads_offline_without_errors_or_requests(driver: Any, demo_page: Path) -> None:
    logs = open_page(driver, demo_page)
    assert errors(logs) == []
    assert rows(driver) == 27
    assert status(driver) == "Showing 1–27 of 27 findings in 4 files"
    assert js(driver, "return document.querySelector('[data-role=app]').hidden") is False
    assert js(driver, "return performance.getEntriesByName('pinaudit:rendered').length") == 1


def test_a_filter_click_changes_the_rows_and_the_counts(driver: Any, demo_page: Path) -> None:
    open_page(driver, demo_page)
    assert (chip_count(driver, "Ecosystem", "pip"), chip_count(driver, "Ecosystem", "npm")) == (15, 5)
    chip(driver, "Severity", "warning").click()
    assert rows(driver) == 16
    assert status(driver) == "Showing 1–16 of 16 findings in 4 files (filtered from 27)"
    assert chip(driver, "Severity", "warning").get_attribute("aria-pressed") == "true"
    # the other facets count what the severity filter leaves
    assert (chip_count(driver, "Ecosystem", "pip"), chip_count(driver, "Ecosystem", "npm")) == (13, 1)
    assert all(s == "warning" for s in js(driver, "return [...document.querySelectorAll('tr.frow .sev')]"
                                                  ".map(e => e.textContent)"))
    chip(driver, "Ecosystem", "npm").click()
    assert rows(driver) == 1
    assert chip_count(driver, "Severity", "error") == 4  # npm errors, were the error chip pressed
    driver.find_element("css selector", "[data-role=app] .linkish").click()  # reset
    assert rows(driver) == 27


def test_columns_sort_both_ways(driver: Any, demo_page: Path) -> None:
    open_page(driver, demo_page)
    driver.find_element("css selector", "[data-role=app] .toggle input").click()  # no grouping
    header = driver.find_element("css selector", "th.col-rule button")
    header.click()
    codes = js(driver, "return [...document.querySelectorAll('tr.frow .col-rule')].map(e => e.textContent)")
    assert codes == sorted(codes) and codes[0] == "PIN101"
    header.click()
    codes = js(driver, "return [...document.querySelectorAll('tr.frow .col-rule')].map(e => e.textContent)")
    assert codes == sorted(codes, reverse=True)
    assert driver.find_element("css selector", "th.col-rule").get_attribute("aria-sort") == "descending"
    assert js(driver, "return document.querySelector('tr.frow .col-location').textContent").count(":") == 2


def test_search_and_the_files_list_filter_too(driver: Any, demo_page: Path) -> None:
    open_page(driver, demo_page)
    search = driver.find_element("css selector", "[data-role=app] input[type=search]")
    search.send_keys("GUNICORN")
    driver.implicitly_wait(0)
    _wait(driver, lambda: rows(driver) == 1)
    assert "gunicorn==22.0.0" in js(driver, "return document.querySelector('tr.crow mark').textContent")
    search.clear()
    search.send_keys(" ")
    _wait(driver, lambda: rows(driver) == 27)
    driver.find_element("css selector", 'a[data-file="fixtures/demo/package.json"]').click()
    assert rows(driver) == 4
    assert js(driver, "return document.querySelector('.filechip').hidden") is False
    driver.find_element("css selector", ".filechip button").click()
    assert rows(driver) == 27


def test_controls_are_labelled_and_work_from_the_keyboard(driver: Any, demo_page: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    open_page(driver, demo_page)
    unlabelled = js(driver, """
        return [...document.querySelectorAll('[data-role=app] button, [data-role=app] input, [data-role=app] select')]
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
          .map(e => e.outerHTML);""")
    assert unlabelled == []
    button = chip(driver, "Severity", "error")
    js(driver, "arguments[0].focus()", button)
    assert js(driver, "return document.activeElement === arguments[0]", button)
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    assert button.get_attribute("aria-pressed") == "true" and rows(driver) == 11
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert js(driver, "return document.activeElement.tagName") in ("BUTTON", "SELECT", "INPUT")


def test_readable_without_javascript(driver: Any, demo_page: Path) -> None:
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(demo_page.resolve().as_uri())
        body = driver.find_element("css selector", "body").text
        assert "Pinning score by ecosystem" in body
        assert "apt package 'gettext' is installed without a version" in body  # the <noscript> findings
        assert "Without JavaScript this page shows the first 27 of 27 findings" in body
        assert not driver.find_element("css selector", "[data-role=app]").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_dark_and_print_styles(driver: Any, demo_page: Path) -> None:
    from tests.browser import background_luminance as luminance

    try:
        browser.set_color_scheme(driver, "dark")
        open_page(driver, demo_page)
        assert luminance(driver) < 0.2
        browser.set_color_scheme(driver, "light")
        assert luminance(driver) > 0.8
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert js(driver, "return getComputedStyle(document.querySelector('.toolbar')).display") == "none"
        assert rows(driver) == 27
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def test_screenshot_for_the_reviewer(driver: Any, demo_page: Path, tmp_path: Path) -> None:
    browser.screenshot_for_review(driver, demo_page, tmp_path / "scan-view.png")


# --- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_hostile_strings_run_nothing(driver: Any, tmp_path: Path, csp: bool) -> None:
    report, sources = hostile_report()
    browser.open_hostile(driver, html.render(report, sources=sources), tmp_path / "hostile.html", csp=csp)
    _exercise(driver)
    browser.assert_nothing_ran(driver)
    text = js(driver, "return document.querySelector('[data-role=app]').textContent")
    for p in PAYLOADS:  # shown, as text
        assert p.replace("\u2028", "").replace("\u2029", "")[:20] in text.replace("\u2028", "").replace("\u2029", "")


def test_a_scanned_hostile_tree_runs_nothing(driver: Any, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    evil_dir = '"><img src=x onerror=window.__pwned=1>'
    lay_out(tree, {
        f"{evil_dir}/Dockerfile": (
            "FROM evil:<script>window.__pwned=2</script>\n"
            "RUN npm install -g '\"><svg onload=window.__pwned=3>'\n"
            "RUN pip install '</script><script>window.__pwned=4</script>'\n"
        ),
        "package.json": '{"dependencies": {"</script><script>window.__pwned=5</script>": "^1", '
                        '"<img src=x onerror=window.__pwned=6>": "latest", "x": "<!--"}}\n',
    })
    out = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "pinaudit", "scan", ".", "--format", "html", "-o", str(out), "-q"],
                          cwd=tree, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    logs = open_page(driver, out)
    assert errors(logs) == []
    _exercise(driver)
    assert js(driver, "return typeof window.__pwned") == "undefined"
    marks = js(driver, "return [...document.querySelectorAll('tr.crow mark')].map(e => e.textContent)")
    assert "</script><script>window.__pwned=5</script>" in marks
    assert "evil:<script>window.__pwned=2</script>" in marks


def _exercise(driver: Any) -> None:
    """Touch every control once, so whatever each one renders is rendered (clicked from the
    page's side: one round trip instead of two dozen)."""
    js(driver, """
        const app = document.querySelector('[data-role=app]');
        for (const b of app.querySelectorAll('[role=group] button.chip')) { b.click(); b.click(); }
        for (const b of app.querySelectorAll('th button')) b.click();
        app.querySelector('.toggle input').click();""")
    driver.find_element("css selector", "[data-role=app] input[type=search]").send_keys("<script>window.__pwned=2")
    _wait(driver, lambda: "filtered" in status(driver))
    js(driver, """
        const app = document.querySelector('[data-role=app]');
        app.querySelector('.linkish').click();  // reset filters
        app.querySelector('.toggle input').click();  // group by file again""")


# --- a large report ----------------------------------------------------------------------------


def test_5000_findings_render_and_filter(driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import Select

    report, sources = large_report(5000)
    logs = open_page(driver, write_page(tmp_path / "large.html", html.render(report, sources=sources)))
    assert errors(logs) == []
    assert rows(driver) == 100
    assert status(driver) == "Showing 1–100 of 5,000 findings in 200 files"

    infos = sum(1 for f in report.findings if f.severity is Severity.INFO)
    chip(driver, "Severity", "info").click()
    assert status(driver).endswith(f"of {infos:,} findings in 200 files (filtered from 5,000)")
    chip(driver, "Severity", "info").click()

    Select(driver.find_element("css selector", "[data-role=app] .rulepick select")).select_by_value("PIN303")
    npm = sum(1 for f in report.findings if f.rule == "PIN303")
    assert chip_count(driver, "Ecosystem", "npm") == npm and chip_count(driver, "Ecosystem", "pip") == 0
    assert chip_count(driver, "Severity", "error") == npm
    Select(driver.find_element("css selector", "[data-role=app] .rulepick select")).select_by_value("")

    driver.find_element("css selector", "[data-role=app] .pager button[aria-label='Last page']").click()
    assert rows(driver) == 100 and status(driver).startswith("Showing 4,901–5,000 of 5,000")
    assert driver.find_element("css selector", ".pager button[aria-label='Next page']").get_attribute("disabled")

    search = driver.find_element("css selector", "[data-role=app] input[type=search]")
    search.send_keys("pkg-123")
    expected = sum(1 for f in report.findings if f.package == "pkg-123")
    _wait(driver, lambda: rows(driver) == expected)
    assert status(driver) == f"Showing 1–{expected} of {expected} findings in {expected} files (filtered from 5,000)"
