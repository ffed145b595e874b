"""The PyPI Simple API client against a loopback index: JSON (PEP 691/700), HTML fallback (PEP 503),
yanked releases, hashes, PEP 658 metadata, and the as-of view."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from pinaudit.index.interface import AsOf, IndexUnavailable, NoTimeTravel, PackageNotFound, Project
from pinaudit.index.pypi import SimpleIndex
from tests.indexes.servers import PypiServer, build_wheel


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def filled(pypi: PypiServer) -> PypiServer:
    pypi.add("requests", "2.28.1", uploaded="2022-06-29T15:00:00", requires=["urllib3<1.27,>=1.21.1",
                                                                             "certifi>=2017.4.17"])
    pypi.add("requests", "2.28.2", uploaded="2023-01-12T16:00:00", sdist=True)
    pypi.add("requests", "2.31.0", uploaded="2023-05-22T15:00:00", yanked="broken on py3.7")
    pypi.add("Zope.Interface", "6.0", uploaded="2023-03-01T00:00:00")
    return pypi


def test_json_releases_times_hashes_and_yanked(transport, filled):
    index = SimpleIndex(filled.url, transport)
    proj = index.project("Requests")
    assert isinstance(proj, Project)
    assert proj.versions == ("2.28.1", "2.28.2", "2.31.0")
    assert proj.time_travel
    r = proj.release("2.28.1")
    assert r is not None and r.uploaded == utc("2022-06-29T15:00:00") and r.yanked is None
    _, data, _ = build_wheel("requests", "2.28.1", ["urllib3<1.27,>=1.21.1", "certifi>=2017.4.17"])
    assert r.files[0].hashes["sha256"] == hashlib.sha256(data).hexdigest()
    assert r.files[0].url.startswith(filled.base + "/files/")
    assert proj.release("2.31.0").yanked == "broken on py3.7"
    assert len(proj.release("2.28.2").files) == 2  # wheel and sdist


def test_name_is_normalised(transport, filled):
    proj = SimpleIndex(filled.url, transport).project("zope_interface")
    assert isinstance(proj, Project) and proj.versions == ("6.0",)


def test_missing_project_is_not_found(transport, filled):
    got = SimpleIndex(filled.url, transport).project("nope")
    assert isinstance(got, PackageNotFound) and not got.unreachable and "nope" in got.reason


def test_pep658_dependencies(transport, filled):
    deps = SimpleIndex(filled.url, transport).dependencies("requests", "2.28.1")
    assert [d.name for d in deps] == ["urllib3", "certifi"]
    assert deps[0].spec == "urllib3<1.27,>=1.21.1"


def test_as_of_hides_later_uploads(transport, filled):
    index = SimpleIndex(filled.url, transport)
    past = index.as_of(utc("2023-01-01T00:00:00"))
    assert isinstance(past, AsOf)
    proj = past.project("requests")
    assert isinstance(proj, Project) and proj.versions == ("2.28.1",)


def test_html_fallback_has_no_time_travel(transport):
    server = PypiServer(json=False)
    try:
        server.add("flask", "3.0.3", yanked="bad")
        server.add("flask", "3.0.2")
        index = SimpleIndex(server.url, transport)
        proj = index.project("flask")
        assert isinstance(proj, Project)
        assert set(proj.versions) == {"3.0.2", "3.0.3"} and not proj.time_travel
        assert proj.release("3.0.3").yanked == "bad" and proj.release("3.0.2").yanked is None
        assert proj.release("3.0.2").files[0].hashes["sha256"]
        assert [d.name for d in index.dependencies("flask", "3.0.2")] == []
        past = index.as_of(utc("2030-01-01T00:00:00")).project("flask")
        assert isinstance(past, NoTimeTravel) and "no upload times" in past.reason
    finally:
        server.close()


def test_json_without_upload_times_cannot_travel(transport):
    server = PypiServer(upload_times=False)
    try:
        server.add("six", "1.16.0")
        past = SimpleIndex(server.url, transport).as_of(utc("2030-01-01T00:00:00")).project("six")
        assert isinstance(past, NoTimeTravel)
    finally:
        server.close()


def test_no_metadata_file_is_a_failure_value(transport):
    server = PypiServer(metadata=False)
    try:
        server.add("six", "1.16.0")
        got = SimpleIndex(server.url, transport).dependencies("six", "1.16.0")
        assert isinstance(got, IndexUnavailable) and "PEP 658" in got.reason
    finally:
        server.close()


def test_credentials_in_the_index_url_are_used_and_never_shown(transport, filled):
    filled.auth = ("alice", "s3cret")
    url = filled.url.replace("http://", "http://alice:s3cret@")
    index = SimpleIndex(url, transport)
    assert "s3cret" not in index.url and "***@" in index.url
    proj = index.project("requests")
    assert isinstance(proj, Project) and "s3cret" not in proj.index
    assert all("s3cret" not in f.url for r in proj.releases for f in r.files)
    bad = SimpleIndex(filled.url, transport).project("six")  # no credentials: 401
    assert isinstance(bad, IndexUnavailable) and "401" in bad.reason


def test_netrc_credentials(transport, filled, isolated_env):
    filled.auth = ("bob", "pw")
    netrc = isolated_env / ".netrc"
    netrc.write_text("machine 127.0.0.1 login bob password pw\n")
    netrc.chmod(0o600)
    assert isinstance(SimpleIndex(filled.url, transport).project("requests"), Project)
