"""``--cache-from-git``: each layer's cached date from git history, as Docker's layer cache
invalidates (instruction text, COPY sources, every earlier layer), read from the commits' trees
without checking anything out."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.simulation.gitcache import GitTree, layer_cache_dates
from tests.helpers import lay_out
from tests.indexes.history import fill_pypi
from tests.indexes.servers import PypiServer

V1 = """\
FROM python:3.11-slim-bookworm
RUN pip install flask==2.2.2
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY app.py .
"""


def _commit(repo: Path, files: dict[str, str], when: str, message: str) -> None:
    lay_out(repo, files)
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@localhost", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    _commit(root, {"Dockerfile": V1, "requirements.txt": "requests\n", "app.py": "print(1)\n"},
            "2023-01-10T12:00:00Z", "first")
    _commit(root, {"README.md": "docs\n", "app.py": "print(2)\n"}, "2023-08-01T12:00:00Z", "app and docs")
    _commit(root, {"requirements.txt": "requests\ngunicorn\n"}, "2024-03-01T12:00:00Z", "add gunicorn")
    return root


def _day(t: datetime) -> str:
    return f"{t:%Y-%m-%d}"


def test_a_copy_source_change_invalidates_its_layer_and_the_ones_below(repo: Path) -> None:
    dates = layer_cache_dates(repo / "Dockerfile", repo)
    assert {i: _day(c.date) for i, c in dates.items()} == {
        0: "2023-01-10", 1: "2023-01-10",  # FROM and the flask layer: unchanged since the first commit
        2: "2024-03-01", 3: "2024-03-01",  # COPY requirements.txt changed: it and the RUN -r below it
        4: "2024-03-01",  # COPY app.py: app.py last changed 2023-08, but the layer above was rebuilt later
    }
    assert dates[2].subject == "add gunicorn"


def test_an_instruction_change_invalidates_the_layers_after_it(repo: Path) -> None:
    _commit(repo, {"Dockerfile": V1.replace("flask==2.2.2", "flask==2.2.2 itsdangerous")}, "2024-05-01T00:00:00Z",
            "edit the RUN")
    dates = layer_cache_dates(repo / "Dockerfile", repo)
    assert [_day(dates[i].date) for i in range(5)] == ["2023-01-10", *["2024-05-01"] * 4]


def test_the_work_tree_is_not_touched(repo: Path) -> None:
    (repo / "requirements.txt").write_text("uncommitted\n")
    head = subprocess.run(["git", "rev-parse", "HEAD~2"], cwd=repo, capture_output=True, text=True).stdout.strip()
    tree = GitTree(repo, head, repo)
    assert tree.read_text(repo / "requirements.txt") == "requests\n"
    assert tree.is_file(repo / "app.py") and not tree.is_file(repo / "README.md")
    assert (repo / "requirements.txt").read_text() == "uncommitted\n"


def test_simulate_with_cached_dates_from_git(repo: Path, pypi: PypiServer, isolated_env: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fill_pypi(pypi)
    monkeypatch.chdir(repo)
    code = main(["simulate", ".", "--cache-from-git", "--fresh-at", "2024-06-01", "--pypi-index", pypi.url,
                 "--no-progress", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["hosts"][0] == {"name": "cached", "at": None, "from_git": True}
    by_package = {s["package"]: s for s in doc["sites"]}
    # the flask layer was cached on 2023-01-10: Werkzeug 2.2.2 then, 3.0.3 today
    assert by_package["flask"]["at"]["cached"] == "2023-01-10T12:00:00Z"
    assert by_package["flask"]["resolved"]["cached"]["werkzeug"] == "2.2.2"
    # the requirements layer was rebuilt on 2024-03-01 (gunicorn added): requests 2.31.0 then
    assert by_package["gunicorn"]["at"]["cached"] == "2024-03-01T12:00:00Z"
    assert by_package["requests"]["resolved"]["cached"]["requests"] == "2.31.0"
    assert by_package["requests"]["resolved"]["fresh"]["requests"] == "2.32.3"


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path, isolated_env: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    lay_out(tmp_path / "plain", {"Dockerfile": "FROM python:3.11\nRUN pip install requests\n"})
    monkeypatch.chdir(tmp_path / "plain")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code = main(["simulate", ".", "--cache-from-git", "--pypi-index", "http://127.0.0.1:9/simple/", "--no-progress"])
    assert code == 2
    assert "git" in capsys.readouterr().err.lower()

