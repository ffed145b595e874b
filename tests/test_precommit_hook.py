"""The pre-commit hook, through the real ``pre-commit try-repo`` in a fresh git repository.

``try-repo`` clones the hook repository at a commit (uncommitted edits to *tracked* files are
snapshotted, untracked files are not), so the test first copies this checkout's working tree —
tracked and untracked-but-not-ignored files — into a throwaway git repository and commits it. The
hook is then exercised exactly as a user's ``.pre-commit-config.yaml`` would: pre-commit builds a
virtualenv, pip-installs pinaudit from that commit and runs ``pinaudit scan`` on the files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Each try-repo builds a fresh virtualenv and pip-installs pinaudit: about 25 s per run.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("git") is None or not (ROOT / ".git").exists(),
        reason="needs git and a git checkout of pinaudit",
    ),
]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "pinaudit tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "pinaudit tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    e.update(GIT_ENV)
    return e


def git(*args: str, cwd: Path) -> str:
    out = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of the working tree, as try-repo needs it."""
    dest = tmp_path_factory.mktemp("checkout")
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if not src.is_file() or src.is_symlink():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot", cwd=dest)
    return dest


def try_repo(checkout: Path, workdir: Path, dockerfile: str | None = None,
             files: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the hook on ``Dockerfile`` alone, or on every file of ``files`` (``--all-files``)."""
    git("init", "-q", cwd=workdir)
    for rel, text in ({"Dockerfile": dockerfile} if dockerfile is not None else files or {}).items():
        (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
        (workdir / rel).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=workdir)
    which = ["--files", "Dockerfile"] if dockerfile is not None else ["--all-files"]
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "pinaudit", *which],
        cwd=workdir,
        env={**env(), "PRE_COMMIT_COLOR": "never"},
        capture_output=True,
        text=True,
        timeout=600,
    )


DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_hook_fails_on_unpinned_install(checkout: Path, tmp_path: Path) -> None:
    dockerfile = f"FROM debian:bookworm-20240311@{DIGEST}\nRUN apt-get update && apt-get install -y curl\n"
    proc = try_repo(checkout, tmp_path, dockerfile)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "PIN101" in output, output
    assert "curl" in output, output


def test_hook_passes_on_pinned_install(checkout: Path, tmp_path: Path) -> None:
    dockerfile = (
        f"FROM debian:bookworm-20240311@{DIGEST}\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5\n"
    )
    proc = try_repo(checkout, tmp_path, dockerfile)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hook_reads_extensionless_scripts_and_skips_other_files(checkout: Path, tmp_path: Path) -> None:
    files = {
        "bin/bootstrap": "#!/usr/bin/env bash\nset -e\npip install httpie\n",
        "LICENSE": "From time to time the authors may publish revised versions.\n",
        "Makefile": "all:\n\techo hi\n",
        "Dockerfile.md": "# notes on the image\n",
        "README.md": "pip install nothing\n",
    }
    proc = try_repo(checkout, tmp_path, files=files)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "bin/bootstrap:3:13: PIN201 pip package 'httpie'" in output, output
    for other in ("LICENSE", "Makefile", "Dockerfile.md", "README.md", "cannot tell"):
        assert other not in output.replace("pinaudit", ""), output
