"""``fix`` takes its versions from the locks already there: a Dockerfile with a ``pinaudit.lock``
beside it is fixed to the locked versions (apt, pip, npm, image digests) with no index reachable
at all, and the lock is read by the lock command's own reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.lock.locktoml import from_document, parse_lockfile
from tests.helpers import REPO
from tests.indexes.history import fill_demo
from tests.indexes.registry import Registry
from tests.indexes.servers import DebianServer, NpmServer, PypiServer, refused_url


def _indexes(*urls: str) -> list[str]:
    flags = ("--pypi-index", "--npm-registry", "--debian-mirror", "--debian-security-mirror", "--image-registry")
    return [x for flag, url in zip(flags, urls, strict=True) for x in (flag, url)]


def test_a_dockerfile_with_a_lock_is_fixed_to_the_locked_versions_without_an_index(
        tmp_path: Path, pypi: PypiServer, npm: NpmServer, debian: DebianServer, oci_registry: Registry,
        isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fill_demo(pypi, npm, debian)
    python = oci_registry.push_image("library/python", "3.11", salt="python")
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", demo)
    (demo / "docker-compose.yml").unlink()  # compose images are locked by no pinaudit.lock
    # no upgrade (fix leaves it), and libpq-dev unpinned (its pin is no longer served: lock fails)
    docker = (demo / "Dockerfile").read_text().replace(" && apt-get upgrade -y \\\n", "")
    (demo / "Dockerfile").write_text(docker.replace("libpq-dev=15.8-0+deb12u1", "libpq-dev"))
    monkeypatch.chdir(demo)
    live = _indexes(pypi.url, npm.url, debian.mirror("debian"), debian.mirror("debian-security"), oci_registry.base)
    assert main(["lock", "Dockerfile", *live]) == 0, capsys.readouterr().err
    installs, images, _at = from_document(parse_lockfile((demo / "pinaudit.lock").read_text()))
    locked = {(i.ecosystem, p.name): p.version for i in installs for p in i.packages}
    # the digest a FROM pin carries (the multi-arch index), and the lock platform's manifest
    assert (images[0].digest, images[0].platform, images[0].platform_digest) == (
        python.digest, "linux/amd64", python.platforms["linux/amd64"])

    # a newer release everywhere: a fresh resolution would write these, the lock must win
    pypi.add("redis", "99.0.0", uploaded="2026-01-01T00:00:00Z")
    dead = refused_url()
    code = main(["fix", ".", *_indexes(dead + "simple", dead, dead, dead, dead), "--timeout", "2"])
    err = capsys.readouterr().err
    assert code == 0, err
    docker = (demo / "Dockerfile").read_text()
    assert f"FROM python:3.11@{python.digest}\n" in docker  # the index digest, no --platform needed
    assert f"        gettext={locked['apt', 'gettext']} \\\n" in docker
    assert f"        libpq-dev={locked['apt', 'libpq-dev']} \\\n" in docker
    assert f"        nodejs={locked['apt', 'nodejs']} \\\n" in docker
    assert f"RUN pip install --upgrade pip=={locked['pip', 'pip']} \\\n" in docker
    assert f"\nredis=={locked['pip', 'redis']}\n" in (demo / "requirements.txt").read_text()
    assert f'"alpinejs": "{locked["npm", "alpinejs"]}"' in (demo / "package.json").read_text()
    assert "fixed 9 installs in 3 files" in err, err

    # --platform naming the lock's platform: that platform's manifest, from the lock
    unpinned = docker.replace(f"@{python.digest}", "")
    (demo / "Dockerfile").write_text(unpinned)
    assert main(["fix", "Dockerfile", *_indexes(dead + "simple", dead, dead, dead, dead), "--timeout", "2",
                 "--platform", "linux/amd64"]) == 0, capsys.readouterr().err
    assert f"FROM python:3.11@{python.platforms['linux/amd64']}\n" in (demo / "Dockerfile").read_text()
    # another platform: the lock does not hold its manifest, the registry is asked
    (demo / "Dockerfile").write_text(unpinned)
    assert main(["fix", "Dockerfile", *_indexes(dead + "simple", dead, dead, dead, dead), "--timeout", "2",
                 "--platform", "linux/arm64"]) == 3
    assert (demo / "Dockerfile").read_text() == unpinned
    assert main(["fix", "Dockerfile", *live, "--platform", "linux/arm64"]) == 0
    assert f"FROM python:3.11@{python.platforms['linux/arm64']}\n" in (demo / "Dockerfile").read_text()

    # with another instant asked for (--at), the lock is not the answer: the index is asked
    (demo / "requirements.txt").write_text("redis>=5.0\n")
    assert main(["fix", "requirements.txt", "--at", "now", *_indexes(dead + "simple", dead, dead, dead, dead),
                 "--timeout", "2"]) == 3
    assert (demo / "requirements.txt").read_text() == "redis>=5.0\n"
