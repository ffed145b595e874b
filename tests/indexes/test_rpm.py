"""The rpm-md repository client against loopback repositories (repomd.xml + gzip'd primary.xml),
and rpm's version order."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pinaudit.index.interface import IndexUnavailable, NoTimeTravel, PackageNotFound, Project
from pinaudit.index.rpm import RpmRepositories, evr_key, parse_repomd, rpm_vercmp


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("1.0", "1.0.1", -1), ("1.10", "1.9", 1), ("1.001", "1.1", 0), ("1.0a", "1.0", 1), ("1.a", "1.1", -1),
    ("1.0~rc1", "1.0", -1), ("1.0~rc1", "1.0~rc2", -1), ("1.0^git1", "1.0", 1), ("1.0^git1", "1.0.1", -1),
    ("2.0", "2_0", 0), ("26.el9", "3.el9", 1), ("el9_4", "el9", 1),
])
def test_rpm_vercmp_follows_rpm(a: str, b: str, expected: int) -> None:
    assert rpm_vercmp(a, b) == expected and rpm_vercmp(b, a) == -expected


def test_epoch_version_release_order() -> None:
    got = sorted(["7.76.1-26.el9", "1:7.0-1", "7.76.1-3.el9", "7.76.1-26.el9_3.2"], key=evr_key)
    assert got == ["7.76.1-3.el9", "7.76.1-26.el9", "7.76.1-26.el9_3.2", "1:7.0-1"]


def test_repositories_give_the_newest_build_for_the_architecture(rpm, transport) -> None:
    rpm.publish("BaseOS", [("curl", "x86_64", "0", "7.76.1", "26.el9"), ("curl", "x86_64", "0", "7.76.1", "29.el9_4"),
                           ("curl", "aarch64", "0", "7.76.1", "31.el9"), ("tzdata", "noarch", "0", "2024a", "1.el9")])
    rpm.publish("AppStream", [("tzdata", "noarch", "0", "2024a", "10.el9")])
    repos = RpmRepositories([rpm.url("BaseOS"), rpm.url("AppStream")], transport)
    curl = repos.project("curl")
    assert isinstance(curl, Project) and curl.tags["candidate"] == "7.76.1-29.el9_4"
    assert [r.version for r in curl.releases] == ["7.76.1-26.el9", "7.76.1-29.el9_4"]
    tz = repos.project("tzdata")
    assert isinstance(tz, Project) and tz.tags["candidate"] == "2024a-10.el9"
    assert isinstance(repos.project("nosuch"), PackageNotFound)
    arm = RpmRepositories([rpm.url("BaseOS")], transport, arch="aarch64").project("curl")
    assert isinstance(arm, Project) and arm.tags["candidate"] == "7.76.1-31.el9"
    assert isinstance(repos.as_of(datetime(2024, 1, 1, tzinfo=timezone.utc)).project("curl"), NoTimeTravel)


def test_a_missing_or_broken_repository_is_unavailable_not_empty(rpm, transport) -> None:
    missing = RpmRepositories([rpm.url("nothing-here")], transport).project("curl")
    assert isinstance(missing, IndexUnavailable) and missing.unreachable
    with pytest.raises(ValueError, match="names no primary"):
        parse_repomd(b'<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="other"/></repomd>')
    with pytest.raises(ValueError, match="not XML"):
        parse_repomd(b"<html>")
