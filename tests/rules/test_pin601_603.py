"""PIN601 (pin no longer served), PIN602 (yanked/deprecated), PIN603 (image tag moved): scan --online
against loopback indexes, exact (code, line) pairs. The static scan never reports them."""

from __future__ import annotations

import json

import pytest

from tests.helpers import hits, scan_files
from tests.indexes.online import online_hits, run_online

APT_DOCKERFILE = """\
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \\
    curl=7.88.1-10+deb12u5 \\
    bash=5.2.15-2+b7 \\
    jq
"""


@pytest.fixture(scope="module")
def hub(oci_registry):
    """The loopback registry standing in for Docker Hub (image-registry), with the base images the
    tests' Dockerfiles name."""
    for repo, tag in (("library/debian", "bookworm"), ("library/python", "3.12-slim-bookworm"),
                      ("library/python", "3.12-slim"), ("library/python", "3.12"), ("library/node", "20")):
        oci_registry.push_image(repo, tag, platforms=("linux/amd64",))
    return oci_registry


@pytest.fixture
def archive(debian):
    debian.publish("2024-01-01", "bookworm", {"curl": "7.88.1-10+deb12u4", "bash": "5.2.15-2+b2"})
    debian.publish("2024-01-01", "bookworm-security", {"curl": "7.88.1-10+deb12u5"})
    debian.publish("2025-01-01", "bookworm", {"curl": "7.88.1-10+deb12u8", "bash": "5.2.15-2+b7", "jq": "1.6-2.1"})
    debian.publish("2025-01-01", "bookworm-security", {"curl": "7.88.1-10+deb12u12"})
    return debian


def test_pin601_apt_version_the_suite_moved_past(tmp_path, transport, archive, hub):
    result = run_online(tmp_path, {"Dockerfile": APT_DOCKERFILE}, transport, debian=archive, registry=hub)
    assert online_hits(result) == [("PIN601", 3, "curl")]
    (f,) = [f for f in result.report.findings if f.rule == "PIN601"]
    assert "it serves 7.88.1-10+deb12u12 now" in f.message and f.index_url.endswith("/debian bookworm")
    assert result.report.unchecked == ()


def test_pin601_names_the_last_snapshot_day(tmp_path, transport, archive, hub):
    result = run_online(tmp_path, {"Dockerfile": APT_DOCKERFILE}, transport, debian=archive, snapshot=True,
                        registry=hub)
    (f,) = [f for f in result.report.findings if f.rule == "PIN601"]
    assert "last served it on 2024-12-31" in f.message


def test_static_scan_never_reports_online_rules(tmp_path):
    assert [h for h in hits(scan_files(tmp_path, {"Dockerfile": APT_DOCKERFILE})) if h[0].startswith("PIN6")] == []


def test_apt_suite_from_the_base_image_tag(tmp_path, transport, archive, hub):
    text = "FROM python:3.12-slim-bookworm\nRUN apt-get install -y curl=7.88.1-10+deb12u12\n"
    assert online_hits(run_online(tmp_path, {"Dockerfile": text}, transport, debian=archive, registry=hub)) == []


def test_apt_without_a_known_suite_is_unchecked(tmp_path, transport, archive, hub):
    text = "FROM python:3.12-slim\nRUN apt-get install -y curl=7.88.1-10+deb12u5\n"
    result = run_online(tmp_path, {"Dockerfile": text}, transport, debian=archive, registry=hub)
    assert online_hits(result) == []
    (u,) = result.report.unchecked
    assert (u.path, u.line, u.ecosystem, u.package) == ("Dockerfile", 2, "apt", "curl")
    assert "--debian-suite" in u.reason


def test_pip_deleted_missing_and_yanked(tmp_path, transport, pypi):
    pypi.add("requests", "2.28.1", yanked="CVE in proxy handling")
    pypi.add("requests", "2.31.0")
    pypi.add("flask", "3.0.2")
    pypi.add("six", "1.16.0")
    files = {"requirements.txt": "requests==2.28.1\nflask==3.0.3\nnot-there==1.0\nsix==1.16.0\nidna>=3\n"}
    result = run_online(tmp_path, files, transport, pypi=pypi)
    assert online_hits(result) == [("PIN602", 1, "requests"), ("PIN601", 2, "flask"), ("PIN601", 3, "not-there")]
    messages = {f.rule + str(f.location.line): f.message for f in result.report.findings}
    assert "yanked (CVE in proxy handling)" in messages["PIN6021"]
    assert "it serves 3.0.2 now" in messages["PIN6012"]
    assert "not on the index at all" in messages["PIN6013"]


def test_pip_on_a_dockerfile_command_line(tmp_path, transport, pypi, hub):
    pypi.add("flask", "3.0.2")
    text = "FROM python:3.12\nRUN pip install --no-cache-dir \\\n    flask==3.0.3\n"
    assert online_hits(run_online(tmp_path, {"Dockerfile": text}, transport, pypi=pypi, registry=hub)) == [
        ("PIN601", 3, "flask")]


def test_npm_unpublished_and_deprecated(tmp_path, transport, npm):
    npm.add("express", "4.18.2")
    npm.add("express", "4.19.0")
    npm.unpublish("express", "4.19.0")
    npm.add("@acme/left-pad", "1.3.0", deprecated="use String.prototype.padStart")
    npm.add("lodash", "4.17.21")
    manifest = json.dumps({"name": "app", "dependencies": {
        "express": "4.19.0", "@acme/left-pad": "1.3.0", "lodash": "4.17.21", "chalk": "^5"}}, indent=2)
    result = run_online(tmp_path, {"package.json": manifest + "\n"}, transport, npm=npm)
    assert online_hits(result) == [("PIN601", 4, "express"), ("PIN602", 5, "@acme/left-pad")]
    assert "it serves 4.18.2 now" in next(f.message for f in result.report.findings if f.rule == "PIN601")


def test_npm_command_line_in_a_dockerfile(tmp_path, transport, npm, hub):
    npm.add("typescript", "5.4.5", deprecated="old")
    text = "FROM node:20\nRUN npm install -g typescript@5.4.5\n"
    assert online_hits(run_online(tmp_path, {"Dockerfile": text}, transport, npm=npm, registry=hub)) == [
        ("PIN602", 2, "typescript")]


def test_images_moved_tag_missing_tag_and_current(tmp_path, transport, oci_registry):
    old = oci_registry.push_image("pin603/app", "1.0", salt="old")
    new = oci_registry.push_image("pin603/app", "1.0", salt="new")
    stable = oci_registry.push_image("pin603/stable", "2.0")
    host = oci_registry.host
    text = (f"FROM {host}/pin603/app:1.0@{old.digest}\n"
            f"FROM {host}/pin603/app:9.9\n"
            f"FROM {host}/pin603/stable:2.0@{stable.digest}\n"
            f"FROM {host}/pin603/stable:2.0@{stable.platforms['linux/arm64']}\n"
            f"FROM {host}/pin603/app:1.0@{new.digest} AS final\n")
    result = run_online(tmp_path, {"Dockerfile": text}, transport)
    assert online_hits(result) == [("PIN603", 1, f"{host}/pin603/app"), ("PIN601", 2, f"{host}/pin603/app")]
    assert new.digest in result.report.findings[0].message


def test_suppressed_like_any_rule(tmp_path, transport, pypi):
    pypi.add("flask", "3.0.2")
    files = {"requirements.txt": "flask==3.0.3  # pinaudit: ignore=PIN601\n"}
    assert online_hits(run_online(tmp_path, files, transport, pypi=pypi)) == []


def test_pin601_apk_version_the_branch_rebuilt(tmp_path, transport, alpine, hub):
    hub.push_image("library/alpine", "3.20", platforms=("linux/amd64",))
    alpine.publish("v3.20", "main", {"curl": "8.9.1-r1", "bash": "5.2.26-r0"})
    text = "FROM alpine:3.20\nRUN apk add --no-cache \\\n    curl=8.9.1-r0 \\\n    bash=5.2.26-r0 \\\n    jq\n"
    result = run_online(tmp_path, {"Dockerfile": text}, transport, registry=hub, alpine_mirror=alpine.mirror)
    assert online_hits(result) == [("PIN601", 3, "curl")]
    (f,) = [f for f in result.report.findings if f.rule == "PIN601"]
    assert "it serves 8.9.1-r1 now" in f.message and f.index_url.endswith("/alpine v3.20")
    assert result.report.unchecked == ()


def test_apk_without_a_mirror_is_unchecked(tmp_path, transport, hub):
    hub.push_image("library/alpine", "3.20", platforms=("linux/amd64",))
    result = run_online(tmp_path, {"Dockerfile": "FROM alpine:3.20\nRUN apk add curl=8.9.1-r0\n"}, transport,
                        registry=hub)
    assert [(u.line, u.ecosystem, u.package) for u in result.report.unchecked] == [(2, "apk", "curl")]
    assert "--alpine-mirror" in result.report.unchecked[0].reason


def test_stale_live_archive_is_warned_about(tmp_path, transport, debian):
    debian.publish("2024-01-01", "bookworm", {"curl": "7.88.1-10+deb12u8"}, valid_until="2024-01-08")
    warnings: list[str] = []
    from pinaudit.config import Config
    from pinaudit.online import scan_online
    from tests.helpers import lay_out
    from tests.indexes.online import isolated_options

    lay_out(tmp_path, {"install.sh": "#!/bin/sh\napt-get install -y curl=7.88.1-10+deb12u8\n"})
    opts = isolated_options(tmp_path, debian_mirror=debian.mirror(), debian_suite="bookworm")
    result = scan_online([tmp_path / "install.sh"], Config(root=tmp_path), options=opts, transport=transport,
                         cwd=tmp_path, warn=warnings.append)
    assert online_hits(result) == [] and result.report.unchecked == ()
    assert len(warnings) == 1 and "Valid-Until" in warnings[0]


def test_pip_current_is_the_newest_final_release(tmp_path, transport, pypi):
    pypi.add("flask", "3.0.2")
    pypi.add("flask", "3.1.0rc1")
    result = run_online(tmp_path, {"requirements.txt": "flask==3.0.3\n"}, transport, pypi=pypi)
    (f,) = [f for f in result.report.findings if f.rule == "PIN601"]
    assert "it serves 3.0.2 now" in f.message


def test_pip_local_version_is_not_judged_against_another_index(tmp_path, transport, pypi):
    pypi.add("torch", "2.1.0")
    result = run_online(tmp_path, {"requirements.txt": "torch==2.1.0+cpu\n"}, transport, pypi=pypi)
    assert online_hits(result) == []
    (u,) = result.report.unchecked
    assert u.line == 1 and "local version" in u.reason


def test_platform_picks_the_architecture_apt_is_checked_for(tmp_path, transport, hub):
    from tests.indexes.servers import DebianServer

    server = DebianServer(arch="arm64")
    try:
        server.publish("2025-01-01", "bookworm", {"curl": "7.88.1-10+deb12u8"})
        text = "FROM debian:bookworm\nRUN apt-get install -y curl=7.88.1-10+deb12u8\n"
        on_arm = run_online(tmp_path, {"Dockerfile": text}, transport, debian=server, registry=hub,
                            platform="linux/arm64")
        assert online_hits(on_arm) == [] and on_arm.report.unchecked == ()
        on_amd = run_online(tmp_path, {"Dockerfile": text}, transport, debian=server, registry=hub)
        assert online_hits(on_amd) == []
        (u,) = on_amd.report.unchecked
        assert "has no amd64 packages" in u.reason
    finally:
        server.close()
