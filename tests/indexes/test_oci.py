"""The OCI registry client against Debian's real docker-registry on a loopback port: tag to index
digest, --platform, a moved tag, a missing tag, basic auth from ~/.docker/config.json, the
anonymous bearer-token flow, and Docker Hub images without a configured registry."""

from __future__ import annotations

import base64
import json

import pytest

from pinaudit.images import parse_image, registry_host
from pinaudit.index.interface import IndexUnavailable, PackageNotFound, Project
from pinaudit.index.oci import ImageRegistry, ResolvedImage
from pinaudit.index.sources import DockerConfig, read_docker_config
from tests.indexes.registry import Registry, TokenFront


def test_registry_host_rule():
    assert registry_host("python") is None and registry_host("bitnami/redis") is None
    assert registry_host("docker.io/library/python") is None
    assert registry_host("ghcr.io/org/app") == "ghcr.io"
    assert registry_host("localhost:5000/app") == "localhost:5000"
    assert registry_host("localhost/app") == "localhost"


def test_tag_resolves_to_the_index_digest_and_platform_manifest(oci_registry: Registry, transport):
    pushed = oci_registry.push_image("acme/app", "1.0")
    reg = ImageRegistry(transport)
    got = reg.resolve(pushed.reference)
    assert isinstance(got, ResolvedImage) and got.digest == pushed.digest
    arm = reg.resolve(pushed.reference, platform="linux/arm64")
    assert isinstance(arm, ResolvedImage) and arm.digest == pushed.platforms["linux/arm64"]
    none = reg.resolve(pushed.reference, platform="linux/s390x")
    assert isinstance(none, PackageNotFound)


def test_pin_gives_the_index_digest_and_the_platforms_manifest_from_one_request(oci_registry: Registry, transport):
    multi = oci_registry.push_image("acme/pin", "1.0", salt="pin")
    reg = ImageRegistry(transport, platform="linux/arm64")  # pin() ignores the client's default
    got = reg.pin(multi.reference, "linux/amd64")
    assert isinstance(got, ResolvedImage)
    assert (got.digest, got.platform_digest) == (multi.digest, multi.platforms["linux/amd64"])
    # a reference pinned by digest is looked up by that digest, even after the tag moved
    oci_registry.push_image("acme/pin", "1.0", salt="pin-moved")
    pinned = reg.pin(f"{multi.reference}@{multi.digest}", "linux/arm64")
    assert isinstance(pinned, ResolvedImage)
    assert (pinned.digest, pinned.platform_digest) == (multi.digest, multi.platforms["linux/arm64"])
    # a single-platform image: its manifest is both
    single = oci_registry.push_image("acme/pin-single", "1.0", platforms=("linux/amd64",), index=False)
    one = reg.pin(single.reference, "linux/amd64")
    assert isinstance(one, ResolvedImage) and one.digest == one.platform_digest == single.platforms["linux/amd64"]
    assert isinstance(reg.pin(multi.reference, "linux/s390x"), PackageNotFound)
    gone = reg.pin(f"{multi.reference}@sha256:{'0' * 64}", "linux/amd64")
    assert isinstance(gone, PackageNotFound) and "no manifest sha256:000" in gone.reason


def test_moved_and_missing_tags(oci_registry: Registry, transport):
    first = oci_registry.push_image("acme/moving", "3.12", salt="a")
    second = oci_registry.push_image("acme/moving", "3.12", salt="b")
    assert first.digest != second.digest
    from dataclasses import replace

    from pinaudit.index.http import Transport

    with Transport(replace(transport.settings, cache_dir=None)) as t:
        now = ImageRegistry(t).resolve(first.reference)
    assert isinstance(now, ResolvedImage) and now.digest == second.digest
    missing = ImageRegistry(transport).resolve(f"{oci_registry.host}/acme/moving:9.9")
    assert isinstance(missing, PackageNotFound) and "9.9" in missing.reason
    tags = ImageRegistry(transport).project(f"{oci_registry.host}/acme/moving")
    assert isinstance(tags, Project) and tags.versions == ("3.12",)


def test_basic_auth_from_docker_config(tmp_path, transport, isolated_env):
    pytest.importorskip("crypt", reason="bcrypt htpasswd needs the crypt module")
    reg = Registry(tmp_path, htpasswd=("ci", "hunter2"))
    try:
        pushed = reg.push_image("private/app", "1", platforms=("linux/amd64",))
        anonymous = ImageRegistry(transport).resolve(pushed.reference)
        assert isinstance(anonymous, IndexUnavailable) and "credentials" in anonymous.reason
        cfg = isolated_env / ".docker" / "config.json"
        cfg.parent.mkdir()
        cfg.write_text(json.dumps({"auths": {reg.host: {"auth": base64.b64encode(b"ci:hunter2").decode()}}}))
        got = ImageRegistry(transport, docker=read_docker_config(cfg)).resolve(pushed.reference)
        assert isinstance(got, ResolvedImage) and got.digest == pushed.digest
        assert "hunter2" not in repr(got)
    finally:
        reg.close()


def test_anonymous_bearer_token_flow(oci_registry: Registry, transport):
    pushed = oci_registry.push_image("acme/tokened", "2.0")
    front = TokenFront(oci_registry)
    try:
        reg = ImageRegistry(transport)
        ref = pushed.reference.replace(oci_registry.host, f"127.0.0.1:{front.port}")
        got = reg.resolve(ref)
        assert isinstance(got, ResolvedImage) and got.digest == pushed.digest
        assert front.token_requests == 1
        again = reg.resolve(ref)  # the token is reused
        assert isinstance(again, ResolvedImage) and front.token_requests == 1
    finally:
        front.close()


def test_hub_images_need_a_configured_registry(oci_registry: Registry, transport):
    got = ImageRegistry(transport).resolve("python:3.12")
    assert isinstance(got, IndexUnavailable) and "image-registry" in got.reason
    pushed = oci_registry.push_image("library/python", "3.12")
    mirror = ImageRegistry(transport, docker=DockerConfig(mirrors=(oci_registry.base,)))
    via_mirror = mirror.resolve(parse_image("python:3.12"))
    assert isinstance(via_mirror, ResolvedImage) and via_mirror.digest == pushed.digest
    explicit = ImageRegistry(transport, hub_registry=oci_registry.base).resolve("docker.io/library/python:3.12")
    assert isinstance(explicit, ResolvedImage) and explicit.digest == pushed.digest
