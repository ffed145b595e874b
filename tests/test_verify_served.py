"""``verify`` of a ``pinaudit.lock`` asks the indexes about the lock itself (is each exact locked
version still served, with the hash or integrity recorded?), apart from what a fresh build would
now get: end to end against the loopback PyPI, npm registry and Debian archive with its snapshot
service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import lay_out
from tests.indexes.history import fill_debian, fill_npm, fill_pypi
from tests.indexes.servers import DebianServer, NpmServer, PypiServer, refused_url
from tests.test_lock import run

DOCKERFILE = """\
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y curl
RUN pip install flask==2.2.2
RUN npm install -g left@1.1.0
"""


@pytest.fixture
def locked(tmp_path: Path, pypi: PypiServer, npm: NpmServer, debian: DebianServer, isolated_env: Path,
           capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    fill_pypi(pypi)
    fill_npm(npm)
    fill_debian(debian)
    lay_out(tmp_path, {"Dockerfile": DOCKERFILE})
    ix = ["--pypi-index", pypi.url, "--npm-registry", npm.url, "--debian-mirror", debian.mirror("debian"),
          "--debian-security-mirror", debian.mirror("debian-security"), "--debian-snapshot", debian.snapshot,
          "--ecosystem", "pip,npm,apt"]
    code, _out, err = run(tmp_path, ["lock", *ix], capsys, monkeypatch)
    assert code == 0, err
    return ix


def _differences(out: str) -> list[tuple[str, str, str | None, str]]:
    doc = json.loads(out)
    return [(d["package"], d["kind"], d["fresh"], d["detail"]) for lock in doc["locks"] for d in lock["differences"]]


def test_unchanged_indexes_verify_clean(tmp_path: Path, locked: list[str], capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _err = run(tmp_path, ["verify", *locked], capsys, monkeypatch)
    assert code == 0, out
    assert "pinaudit.lock: a fresh build installs exactly the lock" in out


def test_a_file_replaced_under_the_same_version_is_named(
        tmp_path: Path, locked: list[str], pypi: PypiServer, npm: NpmServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the same version with other bytes: a fresh resolution gets the same versions, only the
    # index check can see it
    pypi.remove("click", "8.1.7")
    pypi.add("click", "8.1.7", uploaded="2023-08-17T17:29:10Z", requires=("MarkupSafe>=2.0",))
    npm.packages["util"]["versions"]["2.0.0"]["dist"]["integrity"] = "sha512-tampered=="
    code, out, _err = run(tmp_path, ["verify", *locked, "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    assert _differences(out) == [
        ("click", "hash changed", "8.1.7", "1 locked file hash no longer on the index (pip, line 3)"),
        ("util", "hash changed", "2.0.0", "1 locked integrity no longer on the index (npm, line 4)"),
    ]


def test_a_withdrawn_version_is_not_served_not_merely_older(
        tmp_path: Path, locked: list[str], pypi: PypiServer, npm: NpmServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pypi.remove("itsdangerous", "2.2.0")  # a fresh build now gets 2.1.2: said once, as not served
    npm.unpublish("left", "1.1.0")  # the exact pin cannot be installed any more
    code, out, _err = run(tmp_path, ["verify", *locked, "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    got = _differences(out)
    assert ("itsdangerous", "not served", None, "this version is no longer served (pip, line 3)") in got
    assert ("left", "not served", None, "this version is no longer served (npm, line 4)") in got
    assert not [d for d in got if d[0] == "itsdangerous" and d[1] != "not served"]


def test_a_floating_site_getting_a_newer_version_is_another_kind(
        tmp_path: Path, locked: list[str], debian: DebianServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timedelta, timezone

    an_hour_ago = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    debian.publish(an_hour_ago, "bookworm", {"curl": "7.88.1-10+deb12u9", "ca-certificates": "20230311"})
    code, out, _err = run(tmp_path, ["verify", *locked, "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    # still served at the snapshot it was locked at: only the fresh half differs
    assert _differences(out) == [("curl", "newer", "7.88.1-10+deb12u9",
                                  "a newer version a fresh build would get (apt, line 2)")]


def test_an_unreachable_index_is_exit_3(tmp_path: Path, locked: list[str], capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    down = [*locked[:1], refused_url() + "simple/", *locked[2:], "--timeout", "1"]
    code, out, _err = run(tmp_path, ["verify", *down], capsys, monkeypatch)
    assert code == 3, out
    assert "pinaudit.lock: could not look: pip, line 3: " in out


def test_apk_lock_records_versions_checksums_and_the_index_state(
        tmp_path: Path, alpine: Any, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema

    from tests.helpers import REPO
    from tests.test_lock import _toml

    alpine.publish("v3.20", "main", {"curl": "8.9.1-r1", "bash": "5.2.26-r0"}, built="2024-06-01T00:00:00Z")
    lay_out(tmp_path, {"Dockerfile": "FROM alpine:3.20.3\nRUN apk add --no-cache curl bash\n"})
    ix = ["--alpine-mirror", alpine.mirror, "--ecosystem", "apk"]
    code, _out, err = run(tmp_path, ["lock", *ix], capsys, monkeypatch)
    assert code == 0, err
    first = (tmp_path / "pinaudit.lock").read_text()
    doc = _toml(first)
    jsonschema.Draft202012Validator(json.loads((REPO / "docs" / "pinaudit-lock.schema.json").read_text()),
                                    format_checker=jsonschema.FormatChecker()).validate(doc)
    assert doc["at"] == "2024-06-01T00:00:00Z"
    install = doc["install"][0]  # type: ignore[index]
    assert (install["ecosystem"], install["suite"], install["state"]) == ("apk", "v3.20", "2024-06-01T00:00:00Z")
    assert [(p["name"], p["version"]) for p in install["packages"]] == [("bash", "5.2.26-r0"), ("curl", "8.9.1-r1")]
    assert all(p["hashes"][0].startswith("Q1") for p in install["packages"])
    code, _out, _err = run(tmp_path, ["lock", *ix], capsys, monkeypatch)
    assert code == 0 and (tmp_path / "pinaudit.lock").read_text() == first
    code, out, _err = run(tmp_path, ["verify", *ix], capsys, monkeypatch)
    assert code == 0, out
    # the branch rebuilds curl: the locked version is gone from the index
    alpine.publish("v3.20", "main", {"curl": "8.9.1-r2", "bash": "5.2.26-r0"}, built="2024-07-01T00:00:00Z")
    code, out, _err = run(tmp_path, ["verify", *ix, "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    assert _differences(out) == [("curl", "not served", None, "this version is no longer served (apk, line 2)")]
    # a past instant cannot be locked for Alpine: said, nothing written
    code, _out, err = run(tmp_path, ["lock", *ix, "--at", "2024-01-01"], capsys, monkeypatch)
    assert code == 3 and "no snapshot source exists for Alpine" in err
    assert (tmp_path / "pinaudit.lock").read_text() == first
