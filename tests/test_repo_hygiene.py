"""The repository names no path that exists on one machine only.

CI runs in a fresh clone in another folder, with ``../shared`` beside it; a test that reads
``../shared`` by its absolute path collects nothing there and passes by running nothing. Paths inside test data
(``/root/.cache`` in a Dockerfile snippet, ``/tmp/x.sh``) are the scanned project's, not ours, so
the check looks for this machine's own places: the checkout, the shared folder, the workplace
folder and a home folder other than root's.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO, SHARED


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.fail("the hygiene check needs the repository's git listing (git ls-files)")
    return [REPO / name for name in out.decode().split("\0") if name]


def _machine_paths() -> list[str]:
    places = {str(REPO), str(REPO.resolve()), str(SHARED), str(SHARED.resolve()), str(REPO.parent / "shared")}
    home = str(Path.home())
    if home not in ("/", "/root"):  # /root/.cache is everyday Dockerfile content
        places.add(home)
    return sorted(p for p in places if p.count("/") >= 2)  # never a bare top-level folder such as /tmp


# this workplace's folders, named even when the checkout lives elsewhere (as CI's does)
_WORKPLACE = re.compile(r"(?<![\w.-])/work/(?:shared|main|wt-[\w-]+)\b|/\.pyenv/versions/")


def test_no_machine_paths_in_tracked_files() -> None:
    needles = _machine_paths()
    bad: list[str] = []
    for path in _tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # binary or unreadable: not source
        for n, line in enumerate(text.splitlines(), 1):
            if _WORKPLACE.search(line) or any(p + "/" in line or line.rstrip().endswith(p) for p in needles):
                bad.append(f"{path.relative_to(REPO)}:{n}: {line.strip()[:120]}")
    assert not bad, "absolute paths of this machine in the repository:\n" + "\n".join(bad)


def test_the_check_sees_a_machine_path(tmp_path: Path) -> None:
    workplace = "/" + "work"  # spelled apart, or this file would name the path it forbids
    assert _WORKPLACE.search(f'CASES = Path("{workplace}/shared/cases/x.jsonl")')
    assert not _WORKPLACE.search("RUN --mount=type=cache,target=/root/.cache pip install x")
    assert not _WORKPLACE.search(f"COPY . {workplace}/app")
