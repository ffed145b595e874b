"""The Alpine repository client against a loopback mirror serving real APKINDEX.tar.gz files."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pinaudit.index.alpine import (
    AlpineRepository,
    apk_version_key,
    branch_from_image_tag,
    mirror_from_repositories,
    parse_apkindex,
)
from pinaudit.index.interface import IndexUnavailable, NoTimeTravel, PackageNotFound, Project
from tests.indexes.servers import build_apkindex


def test_apkindex_format_round_trip():
    data = build_apkindex({"curl": "8.9.1-r1", "bash": "5.2.26-r0"}, datetime(2024, 6, 1, tzinfo=timezone.utc))
    records = parse_apkindex(data)
    assert records["curl"][0]["V"] == "8.9.1-r1" and records["bash"][0]["t"] == "1717200000"
    with pytest.raises(ValueError):
        parse_apkindex(b"not gzip")


def test_branch_serves_one_version_across_repositories(alpine, transport):
    alpine.publish("v3.20", "main", {"curl": "8.9.1-r1", "bash": "5.2.26-r0"})
    alpine.publish("v3.20", "community", {"jq": "1.7.1-r0"})
    repo = AlpineRepository(alpine.mirror, "v3.20", transport)
    curl = repo.project("curl")
    assert isinstance(curl, Project) and curl.versions == ("8.9.1-r1",) and curl.tags["candidate"] == "8.9.1-r1"
    assert curl.releases[0].uploaded == datetime(2024, 6, 1, tzinfo=timezone.utc)
    assert curl.releases[0].dependencies[0].name == "so:libc.musl-x86_64.so.1"
    assert repo.project("jq").releases[0].origin == "community"
    assert isinstance(repo.project("nope"), PackageNotFound)
    assert isinstance(repo.as_of(datetime(2024, 1, 1, tzinfo=timezone.utc)).project("curl"), NoTimeTravel)


def test_missing_branch(alpine, transport):
    got = AlpineRepository(alpine.mirror, "v9.9", transport).project("curl")
    assert isinstance(got, IndexUnavailable) and "no branch 'v9.9'" in got.reason


@pytest.mark.parametrize(("a", "b"), [
    ("8.9.1-r0", "8.9.1-r1"), ("8.9.1-r9", "8.10.0-r0"), ("1.2_rc1-r0", "1.2-r0"), ("1.2-r0", "1.2_p1-r0"),
    ("1.2a-r0", "1.2b-r0"), ("2.0_alpha1-r0", "2.0_beta1-r0"),
])
def test_apk_version_order(a, b):
    assert apk_version_key(a) < apk_version_key(b)


@pytest.mark.parametrize(("name", "tag", "branch"), [
    ("alpine", "3.20", "v3.20"), ("alpine", "3.20.3", "v3.20"), ("alpine", "edge", "edge"),
    ("python", "3.12-alpine3.20", "v3.20"), ("python", "3.12-alpine", None), ("alpine", "latest", None),
])
def test_branch_from_image_tag(name, tag, branch):
    assert branch_from_image_tag(name, tag) == branch


def test_mirror_from_etc_apk_repositories():
    lines = ["# comment", "https://m.invalid/alpine/v3.20/main", "@edge https://e.invalid/alpine/edge/testing"]
    assert mirror_from_repositories(lines) == "https://m.invalid/alpine"
    assert mirror_from_repositories(["/media/cdrom/apks"]) is None


def test_a_branch_without_main_is_a_failure(alpine, transport):
    alpine.publish("v3.20", "community", {"jq": "1.7.1-r0"})
    got = AlpineRepository(alpine.mirror, "v3.20", transport).project("curl")
    assert isinstance(got, IndexUnavailable) and "no main repository" in got.reason
