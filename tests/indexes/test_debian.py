"""The Debian archive client against a loopback archive published at two dates, with -updates and
-security suites, by-hash Packages files, a snapshot service, backports and Valid-Until."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pinaudit.index.debian import DebianArchive, compare_versions
from pinaudit.index.interface import IndexUnavailable, NoTimeTravel, PackageNotFound, Project
from tests.indexes.servers import DebianServer


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def archive(debian: DebianServer) -> DebianServer:
    # 2024-01-01: the point release serves u4; 2025-01-01: u8 in the suite, u12 in -security
    debian.publish("2024-01-01", "bookworm", {"curl": "7.88.1-10+deb12u4", "bash": "5.2.15-2+b2"})
    debian.publish("2024-01-01", "bookworm-updates", {})
    debian.publish("2024-01-01", "bookworm-security", {"curl": "7.88.1-10+deb12u5"})
    debian.publish("2025-01-01", "bookworm", {"curl": "7.88.1-10+deb12u8", "bash": "5.2.15-2+b7"})
    debian.publish("2025-01-01", "bookworm-security", {"curl": "7.88.1-10+deb12u12"})
    return debian


def make(debian: DebianServer, transport, **kw) -> DebianArchive:
    return DebianArchive(debian.mirror("debian"), "bookworm", transport,
                         security_mirror=debian.mirror("debian-security"), **kw)


def test_candidate_today_is_the_highest_across_suite_and_security(archive, transport):
    proj = make(archive, transport).project("curl")
    assert isinstance(proj, Project) and proj.ecosystem == "apt"
    assert sorted((r.origin, r.version) for r in proj.releases) == [
        ("bookworm", "7.88.1-10+deb12u8"), ("bookworm-security", "7.88.1-10+deb12u12")]
    assert proj.tags["candidate"] == "7.88.1-10+deb12u12"
    assert proj.release("7.88.1-10+deb12u5") is None  # the old pin: gone
    assert proj.release("7.88.1-10+deb12u8").files[0].filename.startswith("curl_7.88.1")


def test_packages_are_fetched_by_hash(archive, transport):
    make(archive, transport).project("bash")
    assert archive.hits("/by-hash/SHA256/") >= 2 and archive.hits("Packages.xz") == 0


def test_gz_and_plain_paths_without_by_hash(transport):
    server = DebianServer(by_hash=False, inrelease=False)
    try:
        server.publish("2024-01-01", "bookworm", {"jq": "1.6-2.1"})
        proj = DebianArchive(server.mirror(), "bookworm", transport).project("jq")
        assert isinstance(proj, Project) and proj.tags["candidate"] == "1.6-2.1"
        assert server.hits("/Release") >= 1 and server.hits("Packages.xz") == 1
    finally:
        server.close()


def test_missing_package_and_missing_suite(archive, transport):
    assert isinstance(make(archive, transport).project("nope"), PackageNotFound)
    got = DebianArchive(archive.mirror(), "trixie", transport).project("curl")
    assert isinstance(got, IndexUnavailable) and "no suite 'trixie'" in got.reason


def test_snapshot_gives_the_state_on_a_past_date(archive, transport):
    past = make(archive, transport, snapshot=archive.snapshot).as_of(utc("2024-06-01T00:00:00"))
    proj = past.project("curl")
    assert isinstance(proj, Project) and proj.tags["candidate"] == "7.88.1-10+deb12u5"
    assert "/archive/debian/20240601T000000Z" in proj.index
    assert archive.hits("/archive/debian/20240101T000000Z/") >= 1  # redirected to the canonical stamp


def test_without_snapshot_no_time_travel(archive, transport):
    got = make(archive, transport).as_of(utc("2024-06-01T00:00:00")).project("curl")
    assert isinstance(got, NoTimeTravel) and "--debian-snapshot" in got.reason


def test_last_served_date_by_bisection(archive, transport):
    index = make(archive, transport, snapshot=archive.snapshot)
    when = index.last_served("curl", "7.88.1-10+deb12u5", since=utc("2023-06-01T00:00:00"),
                             until=utc("2025-06-01T00:00:00"))
    assert when == utc("2024-12-31T00:00:00")


def test_backports_lose_to_the_suite_unless_targeted(debian, transport):
    debian.publish("2024-01-01", "bookworm", {"git": "1:2.39.2-1.1"})
    debian.publish("2024-01-01", "bookworm-backports", {"git": "1:2.43.0-1~bpo12+1"}, backports=True)
    plain = DebianArchive(debian.mirror(), "bookworm", transport, extra_suites=["bookworm-backports"])
    assert plain.project("git").tags["candidate"] == "1:2.39.2-1.1"
    targeted = DebianArchive(debian.mirror(), "bookworm", transport, target="bookworm-backports")
    assert targeted.project("git").tags["candidate"] == "1:2.43.0-1~bpo12+1"


def test_valid_until_warns_live_and_is_ignored_for_snapshots(debian, transport):
    debian.publish("2024-01-01", "bookworm", {"jq": "1.6-2.1"}, valid_until="2024-01-08")
    live = DebianArchive(debian.mirror(), "bookworm", transport).project("jq")
    assert any("Valid-Until" in w for w in live.warnings)
    snap = DebianArchive(debian.mirror(), "bookworm", transport, snapshot=debian.snapshot).as_of(
        utc("2024-02-01T00:00:00")).project("jq")
    assert isinstance(snap, Project) and snap.warnings == ()


def test_hash_mismatch_is_a_failure(archive, transport, monkeypatch):
    real = archive._files

    def corrupt(*args):
        files = dict(real(*args))
        for k in files:
            if "/by-hash/" in k:
                files[k] = b"garbage"
        return files

    monkeypatch.setattr(archive, "_files", corrupt)
    got = make(archive, transport).project("curl")
    assert isinstance(got, IndexUnavailable) and "SHA256" in got.reason


def test_version_order():
    assert compare_versions("7.88.1-10+deb12u5", "7.88.1-10+deb12u12") < 0
    assert compare_versions("1:2.0", "3.0") > 0


@pytest.fixture(scope="module")
def gpg_key(tmp_path_factory):
    """A throwaway signing key and its public keyring (gpg is part of Debian's base system)."""
    import shutil
    import subprocess

    if not shutil.which("gpg") or not shutil.which("gpgv"):
        pytest.skip("gpg/gpgv not installed")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Archive <a@example.invalid>",
                    "ed25519", "sign", "never"], env=env, check=True, capture_output=True)
    keyring = home / "archive.gpg"
    subprocess.run(["gpg", "--batch", "--output", str(keyring), "--export"], env=env, check=True, capture_output=True)

    def sign(text: str) -> str:
        out = subprocess.run(["gpg", "--batch", "--clearsign"], input=text, env=env, check=True,
                             capture_output=True, text=True)
        return out.stdout

    return keyring, sign


def test_signature_checked_only_with_a_keyring(debian, transport, gpg_key):
    keyring, sign = gpg_key
    debian.signer = sign
    debian.publish("2024-01-01", "bookworm", {"jq": "1.6-2.1"})
    ok = DebianArchive(debian.mirror(), "bookworm", transport, keyring=str(keyring)).project("jq")
    assert isinstance(ok, Project)
    debian.signer = lambda text: sign(text).replace("jq", "jx", 0).replace("Suite: bookworm", "Suite: bookwurm")
    debian._built.clear()
    from dataclasses import replace

    from pinaudit.index.http import Transport

    with Transport(replace(transport.settings, cache_dir=None)) as fresh:
        bad = DebianArchive(debian.mirror(), "bookworm", fresh, keyring=str(keyring)).project("jq")
        assert isinstance(bad, IndexUnavailable) and "signature does not verify" in bad.reason
        unchecked = DebianArchive(debian.mirror(), "bookworm", fresh).project("jq")
        assert isinstance(unchecked, Project)  # no keyring configured: not checked


def test_a_listed_packages_file_that_cannot_be_fetched_is_a_failure(archive, transport, monkeypatch):
    real = archive._files

    def without_packages(*args):
        return {k: v for k, v in real(*args).items() if "Packages" not in k and "/by-hash/" not in k}

    monkeypatch.setattr(archive, "_files", without_packages)
    got = make(archive, transport).project("curl")
    assert isinstance(got, IndexUnavailable) and "cannot be fetched" in got.reason
