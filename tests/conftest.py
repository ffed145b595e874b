"""Suite-wide policy: under CI, a skipped test is a failure unless the allow-list below says why.

A gate that passes because it ran nothing is the failure CI exists to catch: a shared folder
that is not where a test looks, a tool that was not installed, a dependency that did not import.
Locally, skips stay skips (a developer may not have the corpus or a browser); with ``CI`` set
(as ``.ci/run`` runs), every skip whose reason no entry of :data:`ALLOWED_SKIPS` matches is
turned into a failure that names the reason. The allow-list is the one place that says which
skips are legitimate and why.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable, Generator
from typing import NamedTuple

import pytest

# the loopback index servers' fixtures (tests/indexes/) and the headless browser (tests/browser.py)
pytest_plugins = ("tests.indexes.fixtures", "tests.browser")


class AllowedSkip(NamedTuple):
    reason: re.Pattern[str]  # matched (search) against the skip's reason
    applies: Callable[[], bool]  # the skip is allowed only where this holds
    why: str


def _off_x86_64() -> bool:
    return platform.machine() not in ("x86_64", "AMD64")


ALLOWED_SKIPS: tuple[AllowedSkip, ...] = (
    AllowedSkip(
        re.compile(r"PINAUDIT_LIVE"),
        lambda: os.environ.get("PINAUDIT_LIVE") != "1",
        "live-index tests talk to the real package indexes: opt-in, never in CI",
    ),
    AllowedSkip(
        re.compile(r"could not import 'dockerfile'"),
        _off_x86_64,
        "the BuildKit oracle (the `dockerfile` package) ships wheels for x86-64 only",
    ),
)


def _allowed(reason: str) -> bool:
    return any(a.reason.search(reason) and a.applies() for a in ALLOWED_SKIPS)


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _enforce(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not os.environ.get("CI") or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _reason(report)
    if _allowed(reason):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI, and no entry of tests/conftest.py ALLOWED_SKIPS allows it: {reason}\n"
        "A skip in CI hides a test that did not run: install what it needs in .ci/run, or allow it there with a reason."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    _enforce(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, None, None]:
    # a module-level importorskip skips the whole module at collection, outside any test
    outcome = yield
    _enforce(outcome.get_result())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # one switch for every test that talks to the real indexes; its reason is on the allow-list
    if os.environ.get("PINAUDIT_LIVE") == "1":
        return
    skip = pytest.mark.skip(reason="live index test: set PINAUDIT_LIVE=1 to run it")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)
