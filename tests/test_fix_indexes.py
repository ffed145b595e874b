"""``fix`` against the loopback indexes: the instant (``--at``, ``--cooldown``), one platform's
image digest, and an unreachable index (exit 3, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinaudit._cli import main
from tests.indexes.registry import Registry
from tests.indexes.servers import AlpineServer, DebianServer, NpmServer, PypiServer, RpmServer


def test_at_and_cooldown_choose_the_instant(tmp_path: Path, pypi: PypiServer, npm: NpmServer, isolated_env: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    pypi.add("requests", "2.31.0", uploaded="2023-05-22T15:00:00Z")
    pypi.add("requests", "2.32.5", uploaded="2025-08-18T15:00:00Z")
    npm.add("express", "4.18.2", published="2022-10-08T12:00:00Z")
    npm.add("express", "4.21.2", published="2024-12-05T12:00:00Z")
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "install.sh"
    script.write_text("#!/bin/sh\npip install 'requests>=2'\nnpm install -g express\n")
    base = ["fix", "install.sh", "--pypi-index", pypi.url, "--npm-registry", npm.url, "--python-version", "3.12"]
    assert main([*base, "--at", "2024-01-01"]) == 0, capsys.readouterr().err
    assert script.read_text() == "#!/bin/sh\npip install 'requests==2.31.0'\nnpm install -g express@4.18.2\n"
    script.write_text("#!/bin/sh\npip install 'requests>=2'\nnpm install -g express\n")
    assert main([*base, "--cooldown", "30d"]) == 0, capsys.readouterr().err
    assert script.read_text() == "#!/bin/sh\npip install 'requests==2.32.5'\nnpm install -g express@4.21.2\n"
    assert main([*base, "--at", "2024-01-01"]) == 0  # pinned now: nothing to do, nothing changes
    assert "fixed 0 installs" in capsys.readouterr().err
    assert "requests==2.32.5" in script.read_text()


def test_an_unreachable_index_exits_3_and_writes_nothing(tmp_path: Path, isolated_env: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there: connection refused
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("requests>=2\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12@sha256:" + "0" * 64 + "\nRUN pip install flask\n")
    code = main(["fix", ".", "--pypi-index", f"http://127.0.0.1:{port}/simple", "--timeout", "2"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert (tmp_path / "requirements.txt").read_text() == "requests>=2\n"
    assert "RUN pip install flask\n" in (tmp_path / "Dockerfile").read_text()
    assert "nothing written" in err


def test_platform_writes_that_platforms_manifest_digest(tmp_path: Path, oci_registry: Registry, isolated_env: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pushed = oci_registry.push_image("acme/base", "1.0", salt="fix-platform")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(f"FROM {oci_registry.host}/acme/base:1.0\nCOPY . /app\n")
    assert main(["fix", "Dockerfile"]) == 0
    assert (tmp_path / "Dockerfile").read_text().startswith(f"FROM {pushed.reference}@{pushed.digest}\n")
    (tmp_path / "Dockerfile").write_text(f"FROM {oci_registry.host}/acme/base:1.0\nCOPY . /app\n")
    assert main(["fix", "Dockerfile", "--platform", "linux/arm64"]) == 0
    arm = pushed.platforms["linux/arm64"]
    assert (tmp_path / "Dockerfile").read_text().startswith(f"FROM {pushed.reference}@{arm}\n")


def test_apk_gets_the_branchs_candidate(tmp_path: Path, alpine: AlpineServer, isolated_env: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    alpine.publish("v3.20", "main", {"curl": "8.9.1-r1", "git": "2.45.2-r0"})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20@sha256:" + "0" * 64 + "\n"
                                         "RUN apk add --no-cache curl \\\n    git\n")
    assert main(["fix", ".", "--alpine-mirror", alpine.mirror]) == 0
    fixed = (tmp_path / "Dockerfile").read_text()
    assert fixed.endswith("RUN apk add --no-cache curl=8.9.1-r1 \\\n    git=2.45.2-r0\n")


def test_apt_snapshot_pins_come_from_the_snapshot_instant(tmp_path: Path, debian: DebianServer, isolated_env: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    debian.publish("2024-09-01T00:00:00Z", "bookworm", {"curl": "7.88.1-10+deb12u7"})
    debian.publish("2025-11-15T00:00:00Z", "bookworm", {"curl": "7.88.1-10+deb12u14"})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm@sha256:" + "0" * 64 + "\n"
                                         "RUN apt-get update && apt-get install -y curl\n")
    args = ["fix", ".", "--apt-strategy", "snapshot", "--debian-snapshot", debian.snapshot,
            "--debian-mirror", debian.mirror("debian"), "--debian-security-mirror", debian.mirror("debian-security")]
    assert main([*args, "--at", "2024-10-01"]) == 0, capsys.readouterr().err
    text = (tmp_path / "Dockerfile").read_text()
    assert "curl=7.88.1-10+deb12u7\n" in text and "/20241001T000000Z bookworm-security main'" in text
    assert main([*args, "--at", "2025-12-01"]) == 0, capsys.readouterr().err
    text = (tmp_path / "Dockerfile").read_text()
    assert "curl=7.88.1-10+deb12u14\n" in text and "20241001" not in text


def test_a_hashed_requirements_file_beside_gives_the_version(tmp_path: Path, pypi: PypiServer, isolated_env: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pypi.add("requests", "2.31.0", uploaded="2023-05-22T15:00:00Z")
    pypi.add("requests", "2.32.5", uploaded="2025-08-18T15:00:00Z")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("requests==2.31.0 \\\n    --hash=sha256:" + "1" * 64 + "\n")
    (tmp_path / "install.sh").write_text("#!/bin/sh\npip install requests\n")
    assert main(["fix", ".", "--pypi-index", pypi.url]) == 0
    assert (tmp_path / "install.sh").read_text() == "#!/bin/sh\npip install requests==2.31.0\n"


def test_ubuntu_snapshot_pins_come_from_the_dated_ubuntu_archive(tmp_path: Path, debian: DebianServer,
                                                                 isolated_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    debian.publish("2024-09-01T00:00:00Z", "jammy", {"curl": "7.81.0-1ubuntu1.16"})
    debian.publish("2024-09-01T00:00:00Z", "jammy-security", {"curl": "7.81.0-1ubuntu1.17"})
    debian.publish("2025-11-15T00:00:00Z", "jammy-security", {"curl": "7.81.0-1ubuntu1.21"})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:22.04@sha256:" + "0" * 64 + "\n"
                                         "RUN apt-get update && apt-get install -y curl\n")
    args = ["fix", ".", "--apt-strategy", "snapshot", "--ubuntu-snapshot", debian.snapshot]
    assert main([*args, "--at", "2024-10-01"]) == 0, capsys.readouterr().err
    text = (tmp_path / "Dockerfile").read_text()
    assert f"{debian.snapshot}ubuntu/20241001T000000Z jammy-security main restricted universe multiverse'" in text
    assert text.endswith("apt-get install -y curl=7.81.0-1ubuntu1.17\n")
    assert main([*args, "--at", "2025-12-01"]) == 0, capsys.readouterr().err
    text = (tmp_path / "Dockerfile").read_text()
    assert text.endswith("apt-get install -y curl=7.81.0-1ubuntu1.21\n") and "20241001" not in text


def test_yum_dnf_and_zypper_get_the_repositories_candidate(tmp_path: Path, rpm: RpmServer, isolated_env: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    rpm.publish("BaseOS", [("curl", "x86_64", "0", "7.76.1", "26.el9"), ("curl", "x86_64", "0", "7.76.1", "29.el9_4"),
                           ("curl", "aarch64", "0", "7.76.1", "31.el9"), ("tzdata", "noarch", "0", "2024a", "1.el9"),
                           ("vim-enhanced", "x86_64", "2", "8.2.2637", "20.el9_1")])
    rpm.publish("AppStream", [("java-17-openjdk-headless", "x86_64", "1", "17.0.12.0.7", "2.el9"),
                              ("tzdata", "noarch", "0", "2024a", "10.el9")])
    monkeypatch.chdir(tmp_path)
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM rockylinux:9@sha256:" + "0" * 64 + "\n"
                      "RUN dnf install -y curl java-17-openjdk-headless tzdata && zypper in -y vim-enhanced\n")
    assert main(["fix", "."]) == 1  # no repository configured: left, with how to configure one
    assert "pass --rpm-repo URL (repeatable: BaseOS, AppStream...)" in capsys.readouterr().err
    args = ["fix", ".", "--rpm-repo", rpm.url("BaseOS"), "--rpm-repo", rpm.url("AppStream")]
    assert main(args) == 0, capsys.readouterr().err
    assert docker.read_text().endswith(
        "RUN dnf install -y curl-7.76.1-29.el9_4 java-17-openjdk-headless-1:17.0.12.0.7-2.el9 "
        "tzdata-2024a-10.el9 && zypper in -y vim-enhanced=2:8.2.2637-20.el9_1\n")
    docker.write_text("FROM rockylinux:9@sha256:" + "0" * 64 + "\nRUN dnf install -y curl\n")
    assert main([*args, "--platform", "linux/arm64"]) == 0, capsys.readouterr().err
    assert docker.read_text().endswith("dnf install -y curl-7.76.1-31.el9\n")
    docker.write_text("FROM rockylinux:9@sha256:" + "0" * 64 + "\nRUN dnf install -y nosuch\n")
    assert main(args) == 1
    assert "no package 'nosuch' for x86_64" in capsys.readouterr().err
