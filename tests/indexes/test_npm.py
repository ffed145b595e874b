"""The npm registry client against a loopback registry: full packuments, scoped names, dist-tags,
deprecation, integrity, unpublished versions, tokens, and the as-of view."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pinaudit.index.interface import IndexUnavailable, PackageNotFound, Project
from pinaudit.index.npm import NpmRegistry, packument_url
from tests.indexes.servers import NpmServer


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def filled(npm: NpmServer) -> NpmServer:
    npm.add("express", "4.18.2", published="2022-10-08T00:00:00Z", dependencies={"accepts": "~1.3.8"})
    npm.add("express", "4.19.0", published="2024-03-20T00:00:00Z")
    npm.add("express", "5.0.0-beta.1", published="2024-03-25T00:00:00Z", tag="next")
    npm.add("@acme/left-pad", "1.3.0", published="2020-01-01T00:00:00Z", deprecated="use String.padStart")
    return npm


def test_packument(transport, filled):
    proj = NpmRegistry(filled.url, transport).project("express")
    assert isinstance(proj, Project) and proj.ecosystem == "npm"
    assert proj.versions == ("4.18.2", "4.19.0", "5.0.0-beta.1")
    assert proj.tags["latest"] == "4.19.0" and proj.tags["next"] == "5.0.0-beta.1"
    r = proj.release("4.18.2")
    assert r.uploaded == utc("2022-10-08T00:00:00")
    assert [(d.name, d.spec) for d in r.dependencies] == [("accepts", "~1.3.8")]
    assert r.files[0].hashes["integrity"].startswith("sha512-")


def test_scoped_package_and_deprecation(transport, filled):
    assert packument_url("http://r/", "@acme/left-pad") == "http://r/@acme%2Fleft-pad"
    proj = NpmRegistry(filled.url, transport).project("@acme/left-pad")
    assert isinstance(proj, Project)
    assert proj.release("1.3.0").deprecated == "use String.padStart"


def test_unpublished_version_is_gone(transport, filled):
    filled.unpublish("express", "4.19.0")
    proj = NpmRegistry(filled.url, transport).project("express")
    assert proj.versions == ("4.18.2", "5.0.0-beta.1") and proj.tags["latest"] == "4.18.2"


def test_not_found(transport, filled):
    got = NpmRegistry(filled.url, transport).project("nope")
    assert isinstance(got, PackageNotFound) and not got.unreachable


def test_as_of_rewrites_latest(transport, filled):
    past = NpmRegistry(filled.url, transport).as_of(utc("2023-01-01T00:00:00")).project("express")
    assert isinstance(past, Project) and past.versions == ("4.18.2",) and past.tags == {"latest": "4.18.2"}


def test_token_is_sent_and_required(transport, filled):
    filled.token = "npm_SECRET"
    refused = NpmRegistry(filled.url, transport).project("express")
    assert isinstance(refused, IndexUnavailable) and "401" in refused.reason
    ok = NpmRegistry(filled.url, transport, token="npm_SECRET").project("express")
    assert isinstance(ok, Project)
    assert "npm_SECRET" not in repr(ok)
