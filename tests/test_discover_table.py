"""File kinds by name: one table for directory discovery and the pre-commit hook (issue 15).

A folder and an extension outrank a name prefix; the hook's ``files`` pattern is generated from
the same table, so a file that ``pinaudit scan DIR`` audits is never one the hook leaves out.
A path through a symlink is scanned like its target, and a directory with nothing to audit is
said, never a silent clean.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from pinaudit._cli import main
from pinaudit.discover import discover, hook_files_pattern, kind_of
from tests.helpers import CORPUS, REPO

BY_NAME = {
    ".github/workflows/dockerfile-lint.yml": "workflow",
    ".github/workflows/dockerfile.yaml": "workflow",
    ".github/workflows/ci.yml": "workflow",
    "scripts/dockerfile-check.sh": "shell",
    "requirements/dockerfile.txt": "requirements",
    "dev-requirements.txt": "requirements",
    "requirements-dev.in": "requirements",
    "constraints.txt": "requirements",
    "dockerfile.prod": "dockerfile",
    "Dockerfile-dev.arm64": "dockerfile",
    "Dockerfile-alpine.template": "dockerfile",
    "app.containerfile": "dockerfile",
    "Containerfile": "dockerfile",
    "docker/Dockerfile": "dockerfile",
    "docker-compose.override.yml": "compose",
    "web/package.json": "package.json",
    "environment.yml": "conda-env",
    "binder/environment.yaml": "conda-env",
    "ci/environment-py311.yml": "conda-env",
    "conda-environment.yml": "conda-env",
    "environment_dev.yml": "conda-env",
    ".github/workflows/environment.yml": "workflow",
    "conda-lock.yml": None,  # audited through the environment file it locks
    "pixi.toml": "pixi",
    "envs/gpu/pixi.toml": "pixi",
    "pixi.lock": None,  # audited through the pixi.toml beside it
    "environment.py": None,
    "docs/environments.yml": None,
    "backend/pyproject.toml": "pyproject.toml",
    "Pipfile": "Pipfile",
    "docs/Pipfile.md": None,
    "uv.lock": None,
    "Dockerfile.md": None,
    "docker/Dockerfile_notes.yaml": None,
    "Dockerfile.php": None,  # a code suffix: the content decides
    "pinaudit/parse/dockerfile.py": None,
    "README.md": None,
}


@pytest.mark.parametrize(("path", "kind"), sorted(BY_NAME.items(), key=lambda kv: kv[0]))
def test_kind_by_name(path: str, kind: str | None) -> None:
    assert kind_of(Path(path)) == kind


def test_hook_pattern_is_generated_from_the_table() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["files"] == hook_files_pattern(), "regenerate .pre-commit-hooks.yaml's files from KIND_TABLE"


def test_hook_passes_every_file_discovery_finds() -> None:
    pattern = re.compile(hook_files_pattern())
    named = [p for p, kind in BY_NAME.items() if kind is not None]
    missed = [p for p in named if not pattern.search(p)]
    files = CORPUS / "files"
    if not files.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    found = discover([files])
    assert len(found) > 5000
    rels = [t.path.relative_to(files).as_posix() for t in found]
    missed += [rel for rel in rels if not pattern.search(rel)]
    assert not missed


def test_a_checkout_through_a_symlink_is_scanned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "Dockerfile").write_text("FROM ubuntu\n")
    (repo / "ignored").mkdir()
    (repo / "ignored" / "Dockerfile").write_text("FROM debian\n")
    (repo / ".gitignore").write_text("ignored/\n")
    link = tmp_path / "link"
    link.symlink_to(repo, target_is_directory=True)
    assert [t.path for t in discover([link])] == [link / "Dockerfile"]
    assert main(["scan", str(link)]) == 1
    assert "PIN401" in capsys.readouterr().out


def test_a_directory_with_nothing_to_audit_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.md").write_text("FROM ubuntu\n")
    assert main(["scan", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"not audited: {tmp_path}: no Dockerfile, requirements file, package.json" in err


def test_a_python_lockfile_alone_is_audited_through_its_project_file(tmp_path: Path) -> None:
    """pre-commit passes only what changed: a new uv.lock / Pipfile.lock can put the project out of sync."""
    for rel in ("app/pyproject.toml", "app/uv.lock", "app/pylock.dev.toml", "svc/Pipfile", "svc/Pipfile.lock",
                "orphan/poetry.lock"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("", encoding="utf-8")
    named = [tmp_path / p for p in ("app/uv.lock", "app/pylock.dev.toml", "svc/Pipfile.lock", "orphan/poetry.lock")]
    got = [(t.path.relative_to(tmp_path).as_posix(), t.kind) for t in discover(named)]
    assert got == [("app/pyproject.toml", "pyproject.toml"), ("svc/Pipfile", "Pipfile")]
    pattern = re.compile(hook_files_pattern())
    assert all(pattern.search(p) for p in ("uv.lock", "a/poetry.lock", "pdm.lock", "pylock.toml", "pylock.dev.toml",
                                           "Pipfile.lock", "Pipfile", "sub/pyproject.toml"))
