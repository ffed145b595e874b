"""The labelled Dockerfile cases, judged at the installer layer (RUN text -> shell -> sites).

Only cases made of FROM and plain RUN instructions are taken (ARG/ENV expansion, heredocs, exec
form and ONBUILD belong to the Dockerfile analyzer). "unpinned: true" needs a site that a rule
flags at some severity; "unpinned: false" must not yield an error-level site.
"""

from __future__ import annotations

import json
import re

import pytest

from pinaudit.installers import InstallContext, sites
from pinaudit.model import Action, InstallSite, Pin
from pinaudit.parse.shell import analyze
from tests.helpers import SHARED, mapped_at

CASES = SHARED / "cases" / "dockerfile_conformance.jsonl"
KINDS = {
    "apt": "apt",
    "apk": "apk",
    "yum": "yum",
    "dnf": "yum",
    "zypper": "yum",
    "pip": "pip",
    "npm": "npm",
    "gem": "gem",
    "upgrade": "upgrade",
}


def _plain_cases() -> list[dict[str, object]]:
    if not CASES.exists():
        return []
    out = []
    for line in CASES.read_text().splitlines():
        case = json.loads(line)
        content = case["content"]
        if any(not re.match(r"(FROM|RUN [^\[<]|\s|$|#|COPY )", ln) for ln in content.splitlines()):
            continue
        if "<<" in content or "$" in content:
            continue
        if any(e["kind"] not in KINDS for e in case["expect"]):
            continue
        out.append(case)
    return out


def _sites_of(content: str) -> list[InstallSite]:
    ctx = InstallContext("Dockerfile")
    lines = content.splitlines(keepends=True)
    out: list[InstallSite] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("RUN "):
            start = i
            text = lines[i][4:]
            while text.rstrip("\n").endswith("\\") and i + 1 < len(lines):
                i += 1
                text += lines[i]
            for cmd in analyze(mapped_at(text, start + 1, 5)).commands:
                out.extend(sites(cmd, ctx))
        i += 1
    return out


def _norm(name: str | None) -> str | None:
    return re.sub(r"[-_.]+", "-", name).lower() if name else None


def _error_level(s: InstallSite) -> bool:
    return s.action in (Action.UPGRADE, Action.LOCKLESS_INSTALL) or s.pin is Pin.UNPINNED


def _flagged(s: InstallSite) -> bool:
    return _error_level(s) or s.pin in (Pin.PARTIAL, Pin.UNKNOWN)


def _matches(s: InstallSite, e: dict[str, object]) -> bool:
    if s.location.line != e["line"]:
        return False
    if e["kind"] == "upgrade":
        return s.action is Action.UPGRADE
    if s.ecosystem.value != KINDS[str(e["kind"])]:
        return False
    return (e["package"] is None and s.package is None) or _norm(s.package) == _norm(str(e["package"]))


@pytest.mark.parametrize("case", _plain_cases(), ids=lambda c: str(c["id"]))
def test_conformance_case(case: dict[str, object]) -> None:
    found = _sites_of(str(case["content"]))
    for e in case["expect"]:  # type: ignore[attr-defined]
        mine = [s for s in found if _matches(s, e)]
        if e["unpinned"]:
            assert any(_flagged(s) for s in mine), (e, found)
        else:
            assert not any(_error_level(s) for s in mine), (e, found)


def test_enough_cases_are_covered() -> None:
    if not CASES.exists():
        pytest.skip(f"shared cases not present at {CASES}")
    assert len(_plain_cases()) >= 120
