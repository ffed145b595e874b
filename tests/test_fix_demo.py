"""What issue 13 says ``fix`` must show, against the loopback indexes and the loopback OCI registry:
on a copy of fixtures/demo, ``fix`` then ``scan`` leaves no error-level unpinned finding for any
package the indexes could resolve (each one left was listed with its reason), images get the
registry's index digest, and a second ``fix`` changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.app import scan
from pinaudit.config import Config
from pinaudit.model import Category, Severity
from tests.helpers import REPO
from tests.indexes.history import fill_demo
from tests.indexes.registry import Registry
from tests.indexes.servers import DebianServer, NpmServer, PypiServer


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fix_then_scan_on_the_demo(tmp_path: Path, pypi: PypiServer, npm: NpmServer, debian: DebianServer,
                                   oci_registry: Registry, isolated_env: Path,
                                   capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fill_demo(pypi, npm, debian)
    python = oci_registry.push_image("library/python", "3.11", salt="python")
    postgres = oci_registry.push_image("library/postgres", "16.4", salt="postgres")
    oci_registry.push_image("library/redis", "latest", salt="redis")
    demo = tmp_path / "fixtures" / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", demo)
    monkeypatch.chdir(tmp_path)
    args = ["fix", "fixtures/demo", "--pypi-index", pypi.url, "--npm-registry", npm.url,
            "--debian-mirror", debian.mirror("debian"), "--debian-security-mirror", debian.mirror("debian-security"),
            "--image-registry", oci_registry.base]

    dry = main([*args, "--dry-run"])
    out, err = capsys.readouterr()
    assert (REPO / "fixtures" / "demo" / "Dockerfile").read_bytes() == (demo / "Dockerfile").read_bytes()
    assert "+++ b/fixtures/demo/Dockerfile" in out

    code = main(args)
    out, err = capsys.readouterr()
    assert code == dry == 1, err  # the apt-get upgrade is left on purpose
    left = [line for line in err.splitlines() if line.startswith("pinaudit: left ")]
    assert any("apt upgrade" in line and "security updates" in line for line in left)
    assert "pinaudit: fixed " in err
    docker = (demo / "Dockerfile").read_text()
    assert f"FROM python:3.11@{python.digest}" in docker
    assert f"postgres:16.4@{postgres.digest}" in (demo / "docker-compose.yml").read_text()
    assert "gettext=" in docker, err
    assert "redis==" in (demo / "requirements.txt").read_text()
    assert '"alpinejs": "3.15.3"' in (demo / "package.json").read_text(), err

    # no error-level unpinned finding is left but the ones fix listed with a reason
    result = scan([demo], Config(), cwd=tmp_path)
    unpinned = [f for f in result.report.findings if f.severity is Severity.ERROR and
                f.category in (Category.UNPINNED, Category.MUTABLE_IMAGE)]
    for f in unpinned:
        where = f"{f.location.path}:{f.location.span.line}:{f.location.span.column}:"
        assert any(where in line for line in left), f"{where} {f.message} was neither fixed nor listed"

    # a second fix changes nothing
    before = _tree(demo)
    main(args)
    capsys.readouterr()
    assert _tree(demo) == before
