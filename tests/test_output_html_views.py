"""The simulation and verify views of the HTML report as text (issue 14): what they show, that
scanned and index text stays text, that they use the scan view's page shell (one CSP-hashed style
and script, nothing fetched), that Jinja2 loads only for html. The browser side is in
test_html_browser_views.py."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from datetime import datetime, timezone
from html import unescape
from pathlib import Path

import pytest

from pinaudit.lock.core import Difference, Verified
from pinaudit.output.html_simulation import CHANGE_ORDER, render_simulation, time_axis
from pinaudit.output.html_verify import render_verify
from pinaudit.resolve.interface import Unresolved
from pinaudit.simulation.model import Simulation, UnresolvedSite
from tests.helpers import REPO
from tests.html_fixtures import (
    CACHED_AT,
    FRESH_AT,
    HOSTS,
    PAYLOADS,
    hostile_simulation,
    hostile_verify,
    large_simulation,
    simulated,
)


def _sim() -> Simulation:
    return Simulation(HOSTS, (
        simulated(1, "Dockerfile", 3, "RUN pip install requests", [
            ("urllib3", "1.26.13", "2.2.1", "major"), ("idna", "3.4", "3.7", "minor"),
            ("packaging", "", "24.0", "added"), ("six", "1.16.0", "", "removed"),
        ], [("certifi", "2024.2.2")]),
        simulated(2, "Dockerfile", 5, "RUN apt-get install curl", [("curl", "7.86.0-2", "7.86.0-2", "same")],
                  eco="apt", unresolved={"cached": Unresolved("no snapshot archive configured")}),
    ), (
        UnresolvedSite("Dockerfile", 5, "apt", "curl", "cached", "no snapshot archive configured"),
        UnresolvedSite("Dockerfile", 1, "image", "python", None,
                       "cannot be simulated: a tag's past digest is not recorded"),
    ), "uv", (), {"cached": CACHED_AT, "fresh": FRESH_AT})


def _outside_blocks(page: str) -> str:
    return re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.S)


def _text(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", fragment))


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- simulation ---------------------------------------------------------------------------------


def test_simulation_view_shows_drift_per_layer_with_versions_dates_and_kinds() -> None:
    page = render_simulation(_sim())
    rows = re.findall(r'<tr class="drow chg-(\w+)" data-facet="\w+" data-text="([^"]*)">(.*?)</tr>', page, re.S)
    # changes first (major, minor, patch, added, removed), then what a host could not resolve
    assert [(kind, name) for kind, name, _ in rows] == [
        ("major", "urllib3"), ("minor", "idna"), ("added", "packaging"), ("removed", "six"), ("unknown", "curl")]
    urllib3 = _text(rows[0][2]).split()
    assert urllib3[:6] == ["urllib3", "1.26.13", _day(rows, 0, 0), "2.2.1", _day(rows, 0, 1), "major"]
    assert "none" in _text(rows[2][2]).split()[:3]  # packaging: the cached host does not get it
    assert _text(rows[4][2]).split()[:4] == ["curl", "?", "7.86.0-2", "unknown"]
    assert "1 package the same on every host" in page and ">certifi</span> 2024.2.2" in page
    assert "Unresolved for cached:</strong> no snapshot archive configured" in page  # inside its install
    assert page.count("no snapshot archive configured") == 2  # and in the list of unresolved sites
    assert "a tag&#39;s past digest is not recorded" in page  # cannot be simulated
    layer_rows = re.findall(r'<td class="when (keeps|rebuilds)">', page)
    assert layer_rows == ["keeps", "rebuilds", "keeps", "rebuilds"]  # cached keeps each layer, fresh rebuilds
    assert "cached and fresh differ in 4 packages across 1 layer" in page


def _day(rows: list[tuple[str, str, str]], i: int, cell: int) -> str:
    found = re.findall(r'<span class="rel">([\d-]+)</span>', rows[i][2])
    return found[cell]


def test_timelines_run_from_the_older_release_to_the_newer_on_one_axis() -> None:
    sim = _sim()
    axis = time_axis(sim)
    page = render_simulation(sim)
    svgs = re.findall(r'<svg class="tl" role="img"><title>([^<]*)</title>(.*?)</svg>', page, re.S)
    assert len(svgs) == 4  # the drifting packages; an unresolved row has no timeline
    title, body = svgs[0]
    assert unescape(title).startswith("urllib3: cached 1.26.13 (") and unescape(title).endswith("): major")
    marks = [float(x) for x in re.findall(r'<circle class="m(?: last)?" cx="([\d.]+)%"/>', body)]
    bar = re.search(r'<rect class="bar" x="([\d.]+)%" width="([\d.]+)%"/>', body)
    assert bar is not None and len(marks) == 2 and marks[0] < marks[1]
    assert float(bar.group(1)) == marks[0] and float(bar.group(1)) + float(bar.group(2)) == pytest.approx(marks[1])
    instants = [float(x) for x in re.findall(r'<rect class="i" x="([\d.]+)%"/>', body)]
    assert instants == [axis.x(CACHED_AT), axis.x(FRESH_AT)]
    assert all(2.0 <= x <= 98.0 for x in marks + instants)
    _, added = svgs[2]
    assert len(re.findall(r"<circle", added)) == 1  # packaging: only the fresh host has a release
    ticks = [t.label for t in axis.ticks]
    assert ticks == sorted(ticks) and "2025" in ticks


def test_every_change_kind_has_a_colour_and_a_chip() -> None:
    css = (Path(render_simulation.__code__.co_filename).parent / "templates" / "report.css").read_text()
    for kind in CHANGE_ORDER:
        assert f".chg-{kind} {{ --k: var(--chg-{kind}); }}" in css
        assert css.count(f"--chg-{kind}:") == 2  # light and dark
    js = (Path(render_simulation.__code__.co_filename).parent / "templates" / "simulate.js").read_text()
    assert '["major", "minor", "patch", "added", "removed", "unknown"]' in js


def test_simulation_hostile_strings_stay_text() -> None:
    page = render_simulation(hostile_simulation())
    markup = _outside_blocks(page)
    assert "<img" not in markup and "<svg onload" not in markup and "<script" not in markup
    assert "{{ 7*7 }}" in markup
    assert page.count("<script") == 1 and page.count("</script>") == 1  # ours only: no data block
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in markup
    for p in PAYLOADS:  # in the drift table, the unresolved list and the not-simulated list
        assert _text(markup).count(p.replace("\u2028", "").replace("\u2029", "")[:18]) >= 3 or "\u2028" in p


@pytest.mark.parametrize("page", [
    pytest.param(lambda: render_simulation(_sim()), id="simulate"),
    pytest.param(lambda: render_verify(_verified(Path("/r")), Path("/r"), ["x: no lock"]), id="verify"),
])
def test_views_use_the_page_shell_csp_and_fetch_nothing(page: object) -> None:
    assert callable(page)
    html = page()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp is not None
    policy = dict(d.strip().split(" ", 1) for d in unescape(csp.group(1)).split(";"))
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(styles) == 1 and len(scripts) == 1
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == _sha(styles[0]) and policy["script-src"] == _sha(scripts[0])
    assert " style=" not in html and not re.search(r"\son[a-z]+=", _outside_blocks(html))
    markup = _outside_blocks(html)
    assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source|base|form)\b", markup)
    assert not re.search(r"\ssrc=", markup) and all(h.startswith("#") for h in re.findall(r'\shref="([^"]*)"', markup))
    assert "url(" not in styles[0] and "@import" not in styles[0]
    # the shared machinery, not a copy: the scan view's script is not on these pages
    assert "decodeScan" not in scripts[0] and "function rowFilter" in scripts[0]


def test_simulation_render_is_deterministic_and_an_empty_one_renders() -> None:
    sim = _sim()
    assert render_simulation(sim) == render_simulation(sim)
    empty = render_simulation(Simulation(HOSTS, (), (), "uv", (), {"cached": CACHED_AT, "fresh": FRESH_AT}))
    assert "No install could be simulated." in empty and "Every install site was simulated." in empty


def test_git_hosts_keep_some_layers_and_rebuild_others() -> None:
    from dataclasses import replace

    from pinaudit.simulation.model import Host

    hosts = (Host("laptop", None, from_git=True), Host("ci", FRESH_AT, now=True))
    old = simulated(1, "Dockerfile", 2, "RUN pip install a", [("a", "1.0", "2.0", "major")])
    new = simulated(2, "Dockerfile", 4, "RUN pip install b", [("b", "1.0", "1.0", "same")])
    old = replace(old, at={"laptop": datetime(2024, 1, 2, tzinfo=timezone.utc), "ci": None},
                  outcomes={"laptop": old.outcomes["cached"], "ci": old.outcomes["fresh"]},
                  drift=tuple(replace(c, versions={"laptop": "1.0", "ci": "2.0"},
                                      released={"laptop": None, "ci": None}) for c in old.drift))
    new = replace(new, at={"laptop": None, "ci": None},
                  outcomes={"laptop": new.outcomes["cached"], "ci": new.outcomes["fresh"]})
    page = render_simulation(Simulation(hosts, (old, new), (), "uv", (), {"ci": FRESH_AT}))
    cells = re.findall(r'<td class="when (\w+)"><span class="when-what">[^<]*</span> <span class="when-day">([^<]*)<',
                       page)
    # layer 2: the laptop keeps its cache from 2024-01-02; layer 4 changed since: rebuilt like CI
    assert cells == [("keeps", "2024-01-02"), ("rebuilds", "2026-01-01"),
                     ("rebuilds", "2026-01-01"), ("rebuilds", "2026-01-01")]
    assert "each layer as of the commit that last invalidated it (from git)" in page
    assert "no release dates" in page  # a change without dates draws no timeline, and says so


def test_a_2000_package_simulation_stays_small() -> None:
    page = render_simulation(large_simulation(2000))
    assert page.count('<tr class="drow') == 2000
    assert len(page.encode()) < 2_000_000


# --- verify -------------------------------------------------------------------------------------


def _verified(tmp_path: Path) -> list[Verified]:
    return [
        Verified(tmp_path / "ok" / "requirements.txt", tmp_path / "ok" / "requirements.in"),
        Verified(tmp_path / "a" / "requirements.txt", tmp_path / "a" / "requirements.in", differences=(
            Difference("idna", "3.7", "3.10", "newer", "a newer version a fresh build would get"),
            Difference("click", "8.1.7", "8.1.7", "hash changed", "1 locked file hash no longer on the index"),
        )),
        Verified(tmp_path / "down" / "requirements.txt", None,
                 unresolved=Unresolved("could not reach the index", unreachable=True, index="http://127.0.0.1:9/")),
    ]


def test_verify_view_lists_differences_per_lock_and_what_could_not_be_checked(tmp_path: Path) -> None:
    page = render_verify(_verified(tmp_path), tmp_path, ["b/requirements.txt: not a lock (no --hash on every entry)"])
    order = re.findall(r'<article class="lock" id="lock-\d+" data-facet="(\w+)"', page)
    assert order == ["drift", "unresolved", "ok"]  # what needs a look first
    drift = re.search(r'data-facet="drift".*?</article>', page, re.S)
    assert drift is not None
    assert '<th scope="row" class="pkg">idna</th><td class="ver">3.7</td><td class="ver">3.10</td>' in drift.group(0)
    assert re.search(r'<span class="chg chg-major">hash changed</span>', drift.group(0))
    assert re.search(r'<span class="chg chg-minor">newer</span>', drift.group(0))
    assert "a/requirements.txt" in drift.group(0) and "from" in drift.group(0)
    assert "Could not look:</strong> could not reach the index" in page and "http://127.0.0.1:9/" in page
    assert "Incomplete:" in page  # an unreachable index is said at the top
    assert "b/requirements.txt: not a lock" in page
    assert "A fresh build installs exactly the lock." in page
    assert "3 locks verified; 1 differ; 1 could not be checked" in page


def test_verify_hostile_strings_stay_text(tmp_path: Path) -> None:
    page = render_verify(hostile_verify(tmp_path), tmp_path, [f"{PAYLOADS[0]}: no lock"])
    markup = _outside_blocks(page)
    assert "<img" not in markup and "<svg onload" not in markup and "<script" not in markup
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in markup


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["simulate", ".", "--cached-at", "2024-01-01", "--offline", "--no-progress"],
    ["verify", ".", "--offline"],
])
def test_text_reports_do_not_load_jinja2_and_html_ones_do(tmp_path: Path, command: list[str]) -> None:
    probe = ("import sys; from pinaudit._cli import main; code = main(sys.argv[1:]); "
             "print(code, 'jinja2' in sys.modules, 'pinaudit.output.html' in sys.modules)")
    for fmt, loaded in (("text", "False False"), ("html", "True True")):
        out = tmp_path / f"report-{fmt}"
        proc = subprocess.run([sys.executable, "-c", probe, *command, "--format", fmt, "-o", str(out), "-q"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={"PYTHONPATH": str(REPO), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
        assert proc.stdout.split()[1:] == loaded.split(), proc.stderr
        assert proc.stdout.split()[0] in ("0", "3"), proc.stderr  # nothing to simulate or verify here
        if fmt == "html":
            assert out.read_text().startswith("<!DOCTYPE html>")
