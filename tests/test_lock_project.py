"""``pinaudit lock pyproject.toml`` of a project that has its own lock tool (issue 16 item 3): the
tool is told by the files present, runs for real (uv from its wheel, against the loopback PyPI),
writes its own lockfile, and the command says which; a tool that is not installed is exit 3 with
nothing written; a pyproject.toml with no tool keeps being compiled to requirements.txt. The
written uv.lock is then judged in sync by the scan (PIN206 info, no PIN207)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.lock.project import project_tool
from tests.helpers import lay_out, scan_files
from tests.indexes.history import fill_pypi
from tests.indexes.servers import PypiServer

PROJECT = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["requests>=2.31"]\n'


def _run(root: Path, argv: list[str], capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_tool_is_told_by_the_files(tmp_path: Path) -> None:
    lay_out(tmp_path, {"a/pyproject.toml": PROJECT, "a/uv.lock": "version = 1\n",
                       "b/pyproject.toml": PROJECT + "\n[tool.poetry]\nname = \"app\"\n",
                       "c/pyproject.toml": PROJECT, "c/pdm.lock": "",
                       "d/pyproject.toml": PROJECT, "e/pyproject.toml": "[project\n"})
    assert [project_tool(tmp_path / d / "pyproject.toml") for d in "abcde"] == ["uv", "poetry", "pdm", None, None]


def test_uv_project_is_locked_by_uv(tmp_path: Path, pypi: PypiServer, isolated_env: Path,
                                    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fill_pypi(pypi)
    lay_out(tmp_path, {"pyproject.toml": PROJECT + "\n[tool.uv]\npackage = false\n"})
    code, _out, err = _run(tmp_path, ["lock", "pyproject.toml", "--pypi-index", pypi.url], capsys, monkeypatch)
    assert code == 0, err
    assert "locked pyproject.toml with its own tool: uv lock wrote uv.lock" in err
    lock = (tmp_path / "uv.lock").read_text()
    assert 'name = "requests"\nversion = "2.32.3"' in lock
    assert not (tmp_path / "requirements.txt").exists()  # no second, unused lock
    found = [(f.rule, f.location.span.line, f.severity.label) for f in scan_files(tmp_path, {})
             if f.rule in ("PIN206", "PIN207")]
    assert found == [("PIN206", 5, "info")]


def test_missing_tool_is_exit_3_and_nothing_written(tmp_path: Path, pypi: PypiServer, isolated_env: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    lay_out(tmp_path, {"pyproject.toml": PROJECT + '\n[tool.pdm]\ndistribution = false\n'})
    monkeypatch.setenv("PATH", os.fspath(tmp_path / "no-tools-here"))
    code, _out, err = _run(tmp_path, ["lock", "pyproject.toml", "--pypi-index", pypi.url], capsys, monkeypatch)
    assert code == 3
    assert "pyproject.toml (pdm lock): could not lock: the project is locked with pdm (pdm.lock), which is not " \
           "installed here" in err
    assert not (tmp_path / "pdm.lock").exists()


def test_a_project_without_a_tool_is_still_compiled(tmp_path: Path, pypi: PypiServer, isolated_env: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fill_pypi(pypi)
    lay_out(tmp_path, {"pyproject.toml": PROJECT})
    code, _out, err = _run(tmp_path, ["lock", "pyproject.toml", "--pypi-index", pypi.url], capsys, monkeypatch)
    assert code == 0, err
    assert "requests==2.32.3" in (tmp_path / "requirements.txt").read_text()
    assert not (tmp_path / "uv.lock").exists()
