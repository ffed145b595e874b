"""The result cache of ``simulate`` (pinaudit.resolve.results) against a loopback PyPI: a warm second
run at past instants asks the index nothing; "now" is always resolved; ``--refresh`` and an
expired entry resolve again; ``--offline`` takes an expired entry; the key follows every input."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.resolve.interface import Package, PipRequest, Resolution
from pinaudit.resolve.results import MARGIN, TTL, ResultCache
from tests.helpers import lay_out
from tests.indexes.history import fill_pypi
from tests.indexes.servers import PypiServer

FILES = {"requirements.txt": "requests\n-r more.txt\n", "more.txt": "flask==2.2.2\n"}


@pytest.fixture
def pypi() -> Iterator[PypiServer]:
    server = fill_pypi(PypiServer())
    server.cache_control = "max-age=0, must-revalidate"  # every HTTP cache revalidates: requests show
    yield server
    server.close()


def run(root: Path, pypi: PypiServer, capsys: pytest.CaptureFixture[str], *extra: str,
        fresh: str = "2024-06-01") -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    pypi.reset_log()
    code = main(["simulate", str(root / "requirements.txt"), "--cached-at", "2023-01-01", "--fresh-at", fresh,
                 "--pypi-index", pypi.url, "--python-version", "3.11", "--no-progress", "-q", "--format", "json",
                 *extra])
    doc = json.loads(capsys.readouterr().out)
    doc.pop("generated", None)
    for host in doc.get("hosts", []):
        if host["name"] == "fresh" and fresh == "now":
            host.pop("at", None)
    return code, doc


def results_dir(home: Path) -> Path:
    return home / ".cache" / "pinaudit" / "results"


def test_a_warm_second_run_at_past_instants_asks_the_index_nothing(
        tmp_path: Path, pypi: PypiServer, isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lay_out(tmp_path, FILES)
    code, cold = run(tmp_path, pypi, capsys)
    assert code == 1 and pypi.hits("/simple/") > 0
    code, warm = run(tmp_path, pypi, capsys)
    assert code == 1 and warm == cold  # the same answer, release dates included
    assert pypi.log == []  # neither the resolver nor a release-date lookup asked


def test_refresh_resolves_again_and_rewrites_the_entries(
        tmp_path: Path, pypi: PypiServer, isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lay_out(tmp_path, FILES)
    _code, cold = run(tmp_path, pypi, capsys)
    _code, refreshed = run(tmp_path, pypi, capsys, "--refresh")
    assert refreshed == cold and pypi.hits("/simple/") > 0
    _code, warm = run(tmp_path, pypi, capsys)
    assert warm == cold and pypi.log == []


def test_now_is_resolved_every_time(
        tmp_path: Path, pypi: PypiServer, isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lay_out(tmp_path, FILES)
    _code, cold = run(tmp_path, pypi, capsys, fresh="now")
    entries = list((results_dir(isolated_env) / "resolutions").rglob("*.json"))
    assert len(entries) == 1  # the past instant only
    _code, warm = run(tmp_path, pypi, capsys, fresh="now")
    assert warm == cold and pypi.hits("/simple/") > 0  # uv asked the index again (for "now")


def test_an_expired_entry_is_resolved_again_and_offline_takes_it(
        tmp_path: Path, pypi: PypiServer, isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lay_out(tmp_path, FILES)
    _code, cold = run(tmp_path, pypi, capsys)
    stale = time.time() - TTL.total_seconds() - 60
    entries = list(results_dir(isolated_env).rglob("*.json"))
    assert {p.parent.parent.name for p in entries} == {"resolutions", "released"}
    for path in entries:
        doc = json.loads(path.read_text())
        doc["created"] = stale
        for entry in doc.get("versions", {}).values():
            entry[0] = stale
        path.write_text(json.dumps(doc))
    before = {p: p.read_text() for p in entries}
    _code, offline = run(tmp_path, pypi, capsys, "--offline")
    assert offline == cold and pypi.log == []  # --offline: whatever the entry's age
    assert {p: p.read_text() for p in entries} == before
    _code, expired = run(tmp_path, pypi, capsys)
    assert expired == cold and pypi.hits("/simple/") > 0


AT = datetime(2023, 1, 1, tzinfo=timezone.utc)
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def test_the_key_follows_every_input_and_opaque_inputs_are_never_cached(tmp_path: Path) -> None:
    lay_out(tmp_path, FILES)
    cache = ResultCache(tmp_path / "results", now=NOW)
    req = PipRequest(files=(str(tmp_path / "requirements.txt"),), index_url="http://127.0.0.1:1/simple/",
                     python_version="3.11", at=AT)
    key = cache.key("uv==1", req)
    assert key is not None and key == cache.key("uv==1", req)
    others = [cache.key("uv==2", req), cache.key("uv==1", PipRequest(**{**req.__dict__, "python_version": "3.12"})),
              cache.key("uv==1", PipRequest(**{**req.__dict__, "platform": "linux/arm64"})),
              cache.key("uv==1", PipRequest(**{**req.__dict__, "extra_index_urls": ("http://127.0.0.1:2/",)})),
              cache.key("uv==1", PipRequest(**{**req.__dict__, "at": AT + timedelta(seconds=1)})),
              cache.key("uv==1", PipRequest(**{**req.__dict__, "no_deps": True}))]
    assert None not in others and len({key, *others}) == len(others) + 1
    (tmp_path / "more.txt").write_text("flask==2.3.0\n")  # an included file changes: a new key
    assert cache.key("uv==1", req) not in (None, key)
    # "now", the last hour, and inputs whose meaning is not in their text: never cached
    for changed in ({"at": None}, {"at": NOW - MARGIN / 2}, {"requirements": ("./local-dir",)},
                    {"requirements": ("pkg @ https://127.0.0.1/pkg-1.0.whl",)},
                    {"requirements": ("-e git+https://127.0.0.1/x.git#egg=x",)},
                    {"requirements": ("pkg==${VERSION}",)}):
        assert cache.key("uv==1", PipRequest(**{**req.__dict__, **changed})) is None, changed
    (tmp_path / "more.txt").write_text("--find-links ./wheels\nflask\n")
    assert cache.key("uv==1", req) is None
    (tmp_path / "more.txt").unlink()
    assert cache.key("uv==1", req) is None


def test_entries_round_trip_expire_and_survive_a_damaged_file(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, now=NOW)
    res = Resolution((Package("flask", "2.2.2"), Package("werkzeug", "2.2.2")), ("a note",))
    cache.put("k" * 64, res)
    assert cache.get("k" * 64) == res and cache.hits == 1
    assert ResultCache(tmp_path, now=NOW, refresh=True).get("k" * 64) is None
    assert ResultCache(tmp_path, now=NOW, ttl=timedelta(0)).get("k" * 64) is None
    assert ResultCache(tmp_path, now=NOW, ttl=timedelta(0), offline=True).get("k" * 64) == res
    when = datetime(2022, 8, 8, tzinfo=timezone.utc)
    cache.put_released("http://127.0.0.1:1/simple/", "werkzeug", "2.2.2", when)
    cache.put_released("http://127.0.0.1:1/simple/", "gone", "1.0", None)
    cache.flush()
    again = ResultCache(tmp_path, now=NOW)
    assert again.released("http://127.0.0.1:1/simple/", "werkzeug", "2.2.2") == (True, when)
    assert again.released("http://127.0.0.1:1/simple/", "gone", "1.0") == (True, None)
    assert again.released("http://127.0.0.1:1/simple/", "werkzeug", "3.0.0") == (False, None)
    assert again.released("http://127.0.0.1:2/simple/", "werkzeug", "2.2.2") == (False, None)
    for path in tmp_path.rglob("*.json"):
        path.write_text("{not json")
    assert ResultCache(tmp_path, now=NOW).get("k" * 64) is None
    assert ResultCache(tmp_path, now=NOW).released("http://127.0.0.1:1/simple/", "werkzeug", "2.2.2") == (False, None)
