"""``fix --generate-hashes`` against the loopback PyPI (tiny real wheels): golden files in
``tests/fix_golden_hashes/<case>/before`` and ``after`` (``PINAUDIT_REGOLD=1`` rewrites them),
pip-compile's layout, every file of the pinned release, idempotence; a file that is not the
complete set of its dependencies is pinned but not hashed (hash-checking mode would fail), and a
pip command line is not hashed (both listed with their reason)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pinaudit._cli import main
from tests.indexes.servers import PypiServer

GOLDEN = Path(__file__).parent / "fix_golden_hashes"
REGOLD = bool(os.environ.get("PINAUDIT_REGOLD"))  # read before isolated_env clears the environment


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _fill(pypi: PypiServer) -> None:
    pypi.add("requests", "2.31.0", uploaded="2023-05-22T15:00:00Z", requires=["idna<4,>=2.5"])
    pypi.add("requests", "2.32.5", uploaded="2025-08-18T15:00:00Z", sdist=True,
             requires=["idna<4,>=2.5", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"', 'pywin32; sys_platform == "win32"'])
    pypi.add("idna", "3.10", uploaded="2024-09-15T00:00:00Z", sdist=True)
    pypi.add("attrs", "23.2.0", uploaded="2023-12-31T00:00:00Z")
    pypi.add("django", "4.2.27", uploaded="2025-12-02T00:00:00Z", requires=['bcrypt; extra == "bcrypt"'])
    pypi.add("bcrypt", "4.0.0", uploaded="2022-09-01T00:00:00Z")
    pypi.add("flask", "3.1.2", uploaded="2025-08-19T00:00:00Z", requires=["werkzeug>=3.1", "itsdangerous"])
    pypi.add("werkzeug", "3.1.3", uploaded="2024-11-08T00:00:00Z")
    pypi.add("itsdangerous", "2.2.0", uploaded="2024-04-16T00:00:00Z")


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_generate_hashes_golden(case: str, tmp_path: Path, pypi: PypiServer, isolated_env: Path,
                                monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(pypi)
    work = tmp_path / "w"
    shutil.copytree(GOLDEN / case / "before", work)
    monkeypatch.chdir(work)
    argv = ["fix", ".", "--generate-hashes", "--pypi-index", pypi.url, "--python-version", "3.12"]
    code = main(argv)
    err = capsys.readouterr().err
    expected = GOLDEN / case / "after"
    if REGOLD:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(work, expected)
    assert _tree(work) == _tree(expected), err
    if case == "complete":
        assert code == 0, err
    else:
        assert code == 1
        assert ("requirements.txt: not hashed: the pinned releases depend on itsdangerous, werkzeug, which the file "
                "does not list") in err
        assert "Dockerfile:2: pip command line not hashed: hashes on a command line need --require-hashes" in err
    fixed = _tree(work)
    assert main(argv) == code  # idempotent
    assert _tree(work) == fixed
