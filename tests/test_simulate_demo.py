"""The README's ``pinaudit simulate fixtures/demo`` output is what the command prints, offline:
fixtures/demo is simulated against the loopback indexes filled with what its files install."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pinaudit._cli import main
from tests.helpers import REPO
from tests.indexes.history import fill_demo
from tests.indexes.servers import DebianServer, NpmServer, PypiServer


def _readme_block() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```\n(\$ pinaudit simulate fixtures/demo.*?)```", text, re.S)
    assert m, "the README shows a simulate run on fixtures/demo"
    return m.group(1).splitlines()[1:]


def test_the_readme_shows_what_simulate_prints_for_the_demo(
        tmp_path: Path, pypi: PypiServer, npm: NpmServer, debian: DebianServer, isolated_env: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fill_demo(pypi, npm, debian)
    shutil.copytree(REPO / "fixtures" / "demo", tmp_path / "fixtures" / "demo")
    monkeypatch.chdir(tmp_path)
    args = ["simulate", "fixtures/demo", "--cached-at", "2024-09-15", "--fresh-at", "2026-01-01",
            "--pypi-index", pypi.url, "--npm-registry", npm.url, "--debian-mirror", debian.mirror("debian"),
            "--debian-security-mirror", debian.mirror("debian-security"), "--debian-snapshot", debian.snapshot,
            "--no-progress"]
    code = main(args)
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    for line in _readme_block():
        if line == "...":
            continue
        shown = line.split("[...]")[0]
        assert any(o.startswith(shown) for o in out), f"README line not in the output: {line!r}"
    assert main([*args, "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["packages_changed"] == 7
