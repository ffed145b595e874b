"""The simulation and verify views in a real browser (issue 14): headless Chromium through Selenium.

The demo pages are written by the real commands: ``simulate fixtures/demo`` against the loopback
indexes of the README's run, and ``verify`` after the demo was locked and its indexes moved on
(tests/html_fixtures.py). Each page must load from a file: URL without a console error or a
request, filter from the keyboard, read without JavaScript, and run nothing a scanned file or an
index answer put in it. Locally a missing browser skips these tests; under CI it fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinaudit.output.html_simulation import render_simulation
from pinaudit.output.html_verify import render_verify
from tests import browser
from tests.browser import errors, js, open_page, wait
from tests.html_fixtures import (
    PAYLOADS,
    demo_simulation_page,
    demo_verify_page,
    hostile_simulation,
    hostile_verify,
    large_simulation,
    write_page,
)


@pytest.fixture(scope="module")
def sim_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("simulate")
    return demo_simulation_page(work, work / "simulate.html")


@pytest.fixture(scope="module")
def verify_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("verify")
    return demo_verify_page(work, work / "verify.html")


def shown(driver: Any, selector: str) -> list[str]:
    """The data-text of the items matching ``selector`` that are on screen."""
    return list(js(driver, "return [...document.querySelectorAll(arguments[0])]"
                           ".filter(e => e.offsetParent !== null).map(e => e.getAttribute('data-text'))", selector))


def status(driver: Any) -> str:
    return str(js(driver, "return document.querySelector('[data-role=app] .status').textContent"))


def chip(driver: Any, name: str) -> Any:
    return js(driver, "return [...document.querySelectorAll('[data-role=app] button.chip')]"
                      ".find(b => b.querySelector('.chip-name').textContent === arguments[0])", name)


def chip_counts(driver: Any) -> dict[str, int]:
    pairs = js(driver, "return [...document.querySelectorAll('[data-role=app] button.chip')].map(b => "
                       "[b.querySelector('.chip-name').textContent, b.querySelector('.chip-count').textContent])")
    return {k: int(v) for k, v in pairs}


def exercise(driver: Any) -> None:
    """Every chip twice, a hostile search, reset: whatever the filters render is rendered."""
    js(driver, "for (const b of document.querySelectorAll('[data-role=app] button.chip')) { b.click(); b.click(); }")
    driver.find_element("css selector", "[data-role=app] input[type=search]").send_keys("<script>window.__pwned=2")
    wait(driver, lambda: "filtered" in status(driver))
    js(driver, "document.querySelector('[data-role=app] .linkish').click()")


def readable_without_js(driver: Any, page: Path) -> str:
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(page.resolve().as_uri())
        assert not driver.find_element("css selector", "[data-role=app]").is_displayed()
        return str(driver.find_element("css selector", "body").text)
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def keyboard_toggles_a_chip(driver: Any, name: str) -> None:
    from selenium.webdriver.common.keys import Keys

    search = driver.find_element("css selector", "[data-role=app] input[type=search]")
    search.click()
    driver.switch_to.active_element.send_keys(Keys.TAB)  # from the search box to the first chip
    assert js(driver, "return document.activeElement.classList.contains('chip')")
    while js(driver, "return document.activeElement.querySelector('.chip-name').textContent") != name:
        driver.switch_to.active_element.send_keys(Keys.TAB)
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    assert chip(driver, name).get_attribute("aria-pressed") == "true"
    assert js(driver, "return getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is seen


# --- the simulation of the demo ---------------------------------------------------------------


DEMO_DRIFT = ["webpack-cli", "pip", "redis", "packaging", "alpinejs", "webpack", "typing-extensions"]


def test_demo_simulation_opens_offline_without_errors(driver: Any, sim_page: Path) -> None:
    logs = open_page(driver, sim_page)
    assert errors(logs) == []
    rows = shown(driver, "tr.drow")
    assert sorted(rows) == sorted([*DEMO_DRIFT, "gettext", "libpq-dev", "nodejs"])  # 7 drift, 3 unresolved
    assert status(driver) == "10 package rows"
    assert chip_counts(driver) == {"major": 4, "minor": 3, "unknown": 3}
    assert js(driver, "return document.querySelectorAll('svg.tl').length") == 7  # a timeline per drift
    assert js(driver, "return performance.getEntriesByName('pinaudit:rendered').length") == 1
    layer_map = js(driver, "return [...document.querySelectorAll('.layermap tbody tr')].map(r => r.textContent)")
    assert len(layer_map) == 3 and all("keeps cache" in r and "rebuilds" in r for r in layer_map)


def test_change_chips_and_search_filter_rows_and_hide_empty_layers(driver: Any, sim_page: Path) -> None:
    open_page(driver, sim_page)
    chip(driver, "major").click()
    assert sorted(shown(driver, "tr.drow")) == ["packaging", "pip", "redis", "webpack-cli"]
    assert status(driver) == "Showing 4 of 10 package rows (filtered)"
    assert not js(driver, "return document.querySelector('section.layer').offsetParent")  # the apt layer: none
    search = driver.find_element("css selector", "[data-role=app] input[type=search]")
    search.send_keys("WEB")
    wait(driver, lambda: shown(driver, "tr.drow") == ["webpack-cli"])
    assert chip_counts(driver) == {"major": 1, "minor": 1, "unknown": 0}  # counts follow the search
    search.clear()
    search.send_keys("no-such-package")
    wait(driver, lambda: js(driver, "return !document.querySelector('[data-role=none]').hidden"))
    driver.find_element("css selector", "[data-role=app] .linkish").click()
    assert len(shown(driver, "tr.drow")) == 10 and chip(driver, "major").get_attribute("aria-pressed") == "false"


def test_simulation_keyboard(driver: Any, sim_page: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    open_page(driver, sim_page)
    keyboard_toggles_a_chip(driver, "minor")
    assert sorted(shown(driver, "tr.drow")) == ["alpinejs", "typing-extensions", "webpack"]
    link = driver.find_element("css selector", ".layermap a")
    js(driver, "arguments[0].focus()", link)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert js(driver, "return location.hash") == "#layer-1"
    unlabelled = js(driver, """
        return [...document.querySelectorAll('[data-role=app] button, [data-role=app] input')]
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
          .map(e => e.outerHTML);""")
    assert unlabelled == []


def test_simulation_readable_without_javascript(driver: Any, sim_page: Path) -> None:
    body = readable_without_js(driver, sim_page)
    assert "Which layers each host keeps and rebuilds" in body
    for name in DEMO_DRIFT:
        assert name in body
    assert "redis 5.0.8 2024-07-30 7.1.0 2025-11-19 MAJOR" in " ".join(body.split())
    assert "Unresolved (3)" in body and "Cannot be simulated (5)" in body
    assert "libpq-dev=15.8-0+deb12u1 was not served then" in body  # the reason, not hidden
    assert js(driver, "return document.querySelectorAll('svg.tl').length") == 7


def test_simulation_dark_and_print(driver: Any, sim_page: Path) -> None:
    from tests.browser import background_luminance as luminance

    try:
        browser.set_color_scheme(driver, "dark")
        open_page(driver, sim_page)
        assert luminance(driver) < 0.2
        bar = js(driver, "return getComputedStyle(document.querySelector('tr.chg-major svg.tl .bar')).fill")
        browser.set_color_scheme(driver, "light")
        assert luminance(driver) > 0.8
        assert js(driver, "return getComputedStyle(document.querySelector('tr.chg-major svg.tl .bar')).fill") != bar
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert js(driver, "return getComputedStyle(document.querySelector('.toolbar')).display") == "none"
        assert len(shown(driver, "tr.drow")) == 10
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def test_simulation_screenshot_for_the_reviewer(driver: Any, sim_page: Path, tmp_path: Path) -> None:
    browser.screenshot_for_review(driver, sim_page, tmp_path / "simulate-view.png")


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_hostile_simulation_runs_nothing(driver: Any, tmp_path: Path, csp: bool) -> None:
    browser.open_hostile(driver, render_simulation(hostile_simulation()), tmp_path / "hostile.html", csp=csp)
    exercise(driver)
    browser.assert_nothing_ran(driver)
    packages = js(driver, "return [...document.querySelectorAll('tr.drow .pkg')].map(e => e.textContent)")
    assert PAYLOADS[0] in packages and PAYLOADS[1] in packages  # shown, as text


def test_2000_drifting_packages_render_and_filter(driver: Any, tmp_path: Path) -> None:
    sim = large_simulation(2000)
    logs = open_page(driver, write_page(tmp_path / "large.html", render_simulation(sim)))
    assert errors(logs) == []
    assert status(driver) == "2,000 package rows"
    added = sum(1 for s in sim.installs for c in s.drift if c.change == "added")
    chip(driver, "added").click()
    assert status(driver) == f"Showing {added:,} of 2,000 package rows (filtered)"
    chip(driver, "added").click()
    driver.find_element("css selector", "[data-role=app] input[type=search]").send_keys("pkg-42-")
    wait(driver, lambda: status(driver) == "Showing 20 of 2,000 package rows (filtered)")
    assert js(driver, "return [...document.querySelectorAll('section.layer')].filter(s => !s.hidden).length") == 1


# --- verify -----------------------------------------------------------------------------------


def test_verify_of_the_demo_opens_offline_without_errors(driver: Any, verify_page: Path) -> None:
    logs = open_page(driver, verify_page)
    assert errors(logs) == []
    locks = shown(driver, "article.lock")
    assert [x.split()[0] for x in locks] == ["fixtures/demo/pinaudit.lock", "fixtures/demo/requirements.txt",
                                            "fixtures/demo/worker/requirements.txt"]
    assert chip_counts(driver) == {"differs": 2, "stale": 1}
    text = driver.find_element("css selector", "section.locks").text
    assert "whitenoise 6.7.0 6.8.2 NEWER" in " ".join(text.split())
    assert "alpinejs 3.15.3 3.15.4 NEWER" in " ".join(text.split())
    assert "redis ADDED – redis>=5" in " ".join(text.split())


def test_verify_filters_from_the_keyboard_and_reads_without_javascript(driver: Any, verify_page: Path) -> None:
    open_page(driver, verify_page)
    keyboard_toggles_a_chip(driver, "stale")
    assert [x.split()[0] for x in shown(driver, "article.lock")] == ["fixtures/demo/worker/requirements.txt"]
    assert status(driver) == "Showing 1 of 3 locks (filtered)"
    driver.find_element("css selector", "[data-role=app] .linkish").click()
    driver.find_element("css selector", "[data-role=app] input[type=search]").send_keys("whitenoise")
    wait(driver, lambda: len(shown(driver, "article.lock")) == 1)
    body = readable_without_js(driver, verify_page)
    assert "whitenoise" in body and "stale" in body.lower() and "3 locks verified; 3 differ." in body


def test_verify_screenshot_for_the_reviewer(driver: Any, verify_page: Path, tmp_path: Path) -> None:
    browser.screenshot_for_review(driver, verify_page, tmp_path / "verify-view.png")


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_hostile_verify_runs_nothing(driver: Any, tmp_path: Path, csp: bool) -> None:
    page = render_verify(hostile_verify(tmp_path), tmp_path, [f"{PAYLOADS[0]}: no lock"])
    browser.open_hostile(driver, page, tmp_path / "hostile.html", csp=csp)
    exercise(driver)
    browser.assert_nothing_ran(driver)
    assert PAYLOADS[1] in driver.find_element("css selector", "section.locks").text
