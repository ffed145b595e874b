"""The shared transport: cache and revalidation, --offline and --refresh, credentials kept out of
the cache and messages, LRU eviction, and every fault kind ending in a typed failure with one clear
reason (or in a correct retry) within the time budget."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from pinaudit.index.http import HttpSettings, Transport, cache_info, clear_cache, evict, mask_url, split_credentials
from pinaudit.index.interface import IndexLookupError, IndexUnavailable, Project
from pinaudit.index.npm import NpmRegistry
from tests.indexes.servers import FaultServer, NpmServer, PypiServer, refused_url


def test_mask_and_split_credentials():
    assert mask_url("https://user:pw@host:8080/simple/") == "https://***@host:8080/simple/"
    assert mask_url("https://tok@host/x") == "https://***@host/x"
    assert mask_url("https://host/x") == "https://host/x"
    assert split_credentials("https://us%40er:p%3Aw@host/x") == ("https://host/x", ("us@er", "p:w"))


def test_second_fetch_comes_from_the_cache_refresh_revalidates(transport, npm: NpmServer, http_settings):
    npm.add("left-pad", "1.3.0")
    url = npm.url + "left-pad"
    first = transport.get(url)
    assert first.status == 200 and not first.from_cache
    again = transport.get(url)
    assert again.from_cache and again.content == first.content
    assert npm.hits("left-pad") == 1  # fresh (max-age=300): no request at all
    refreshed = transport.get(url, refresh=True)
    assert refreshed.content == first.content and npm.hits("left-pad") == 2
    assert npm.bodies() == 1  # the revalidation was a 304 without a body


def test_offline_answers_from_the_cache_and_a_miss_is_unavailable(npm: NpmServer, http_settings, isolated_env):
    npm.add("left-pad", "1.3.0")
    with Transport(http_settings) as online:
        NpmRegistry(npm.url, online).project("left-pad")
    npm.reset_log()
    with Transport(replace(http_settings, offline=True)) as offline:
        reg = NpmRegistry(npm.url, offline)
        assert isinstance(reg.project("left-pad"), Project)
        miss = reg.project("is-odd")
    assert isinstance(miss, IndexUnavailable) and "--offline" in miss.reason
    assert npm.log == []  # offline never touched the network


def test_credentials_never_reach_the_cache(npm: NpmServer, http_settings, isolated_env):
    npm.add("left-pad", "1.3.0")
    url = npm.url.replace("http://", "http://alice:TOPSECRET@") + "left-pad"
    with Transport(http_settings) as t:
        resp = t.get(url, headers={"Authorization": "Bearer TOPSECRET2"})
        assert "TOPSECRET" not in resp.url
    files = [p for p in Path(http_settings.cache_dir).rglob("*") if p.is_file()]
    assert files
    for p in files:
        assert b"TOPSECRET" not in p.read_bytes() and "TOPSECRET" not in str(p)


def test_lru_eviction_and_cache_info(npm: NpmServer, http_settings, isolated_env):
    for i in range(6):
        npm.add(f"p{i}", "1.0.0")
    with Transport(http_settings) as t:
        for i in range(6):
            t.get(npm.url + f"p{i}")
            time.sleep(0.01)
        t.get(npm.url + "p0")  # a hit makes p0 the most recent
    cache = Path(http_settings.cache_dir)
    info = cache_info(cache)
    assert info.entries == 6 and info.size > 0
    per_entry = info.size // 6
    evict(cache, per_entry * 2 + per_entry // 2)
    assert cache_info(cache).entries == 2
    with Transport(replace(http_settings, offline=True)) as t:
        assert t.get(npm.url + "p0").status == 200  # the recently used entry survived
        with pytest.raises(IndexLookupError):
            t.get(npm.url + "p1")
    assert clear_cache(cache).entries == 2 and cache_info(cache).entries == 0


def test_transport_close_applies_the_size_cap(npm: NpmServer, http_settings, isolated_env):
    npm.add("a", "1.0.0")
    with Transport(replace(http_settings, cache_max_bytes=1)) as t:
        t.get(npm.url + "a")
    assert cache_info(Path(http_settings.cache_dir)).entries == 0


# ---- faults ------------------------------------------------------------------------------------


def _fail(transport: Transport, url: str) -> IndexUnavailable:
    with pytest.raises(IndexLookupError) as info:
        transport.get(url)
    assert isinstance(info.value.failure, IndexUnavailable)
    return info.value.failure


def test_refused_connection(transport):
    t0 = time.monotonic()
    failure = _fail(transport, refused_url() + "x")
    assert failure.reason == "connection refused" and time.monotonic() - t0 < 5


def test_hang_past_the_read_timeout(http_settings, faults: FaultServer, isolated_env):
    s = replace(http_settings, read_timeout=0.4, url_budget=2.0)
    t0 = time.monotonic()
    with Transport(s) as transport:
        failure = _fail(transport, faults.base + "/hang")
    elapsed = time.monotonic() - t0
    assert "read timeout" in failure.reason
    assert elapsed < s.url_budget + s.read_timeout  # never more than the budget (plus one attempt's slack)


def test_500_then_success_is_retried(transport, faults: FaultServer):
    resp = transport.get(faults.base + "/500-then-ok")
    assert resp.status == 200 and faults.counts["500-then-ok"] == 2


def test_persistent_500(transport, faults: FaultServer):
    failure = _fail(transport, faults.base + "/500")
    assert failure.reason == "server error (HTTP 500) after retries"
    assert faults.counts["500"] == 1 + transport.settings.retries


def test_429_honours_retry_after(transport, faults: FaultServer):
    t0 = time.monotonic()
    resp = transport.get(faults.base + "/429-then-ok")
    assert resp.status == 200 and time.monotonic() - t0 >= 0.9


def test_429_beyond_the_budget_is_not_waited_for(transport, faults: FaultServer):
    t0 = time.monotonic()
    failure = _fail(transport, faults.base + "/429-long")
    assert failure.reason.startswith("rate limited (HTTP 429, Retry-After: 3600 s)")
    assert time.monotonic() - t0 < 3


def test_truncated_body(transport, faults: FaultServer):
    assert "truncated" in _fail(transport, faults.base + "/truncated").reason


def test_redirect_loop(transport, faults: FaultServer):
    assert "redirect" in _fail(transport, faults.base + "/loop").reason


@pytest.mark.parametrize(("path", "words"), [
    ("invalid-json", "invalid JSON"),
    ("html-error", "HTML page where JSON was expected"),
])
def test_bad_bodies_through_a_client(transport, faults: FaultServer, path, words):
    got = NpmRegistry(f"{faults.base}/npm/{path}", transport).project("x")
    assert isinstance(got, IndexUnavailable) and words in got.reason


def test_settings_defaults_are_the_spec():
    s = HttpSettings()
    assert (s.connect_timeout, s.read_timeout, s.retries, s.url_budget) == (5.0, 20.0, 2, 60.0)


def test_concurrent_fetches_respect_the_per_host_limit(npm: NpmServer, http_settings, isolated_env):
    for i in range(8):
        npm.add(f"p{i}", "1.0.0")
    npm.delay = 0.15
    settings = replace(http_settings, max_workers=8, per_host=3, cache_dir=None)
    with Transport(settings) as t:
        got = t.map(lambda i: t.get(npm.url + f"p{i}").status, list(range(8)))
    assert got == [200] * 8
    assert npm.max_inflight == 3  # bounded by host, and parallel (3 at once, not 1)


def test_a_simple_api_answer_without_cache_headers_is_fresh_for_ten_minutes(
        transport, pypi: PypiServer, npm: NpmServer, monkeypatch: pytest.MonkeyPatch):
    import cachecontrol.controller

    from pinaudit.index.http import SIMPLE_API_FRESHNESS
    from pinaudit.index.pypi import ACCEPT

    pypi.bare = npm.bare = True  # no ETag, no Cache-Control: what some mirrors and proxies send
    pypi.add("flask", "2.2.2")
    npm.add("left-pad", "1.3.0")
    page = pypi.url + "flask/"
    first = transport.get(page, accept=ACCEPT)
    # the server sent neither; the heuristic's freshness is what the cache stored
    assert first.status == 200 and "etag" not in first.headers
    assert first.header("cache-control") == f"max-age={SIMPLE_API_FRESHNESS}"
    assert transport.get(page, accept=ACCEPT).from_cache and pypi.hits("/simple/flask/") == 1
    # --refresh: fetched again (no validator to revalidate with)
    assert not transport.get(page, accept=ACCEPT, refresh=True).from_cache and pypi.hits("/simple/flask/") == 2
    # past the window: fetched again
    later = time.time() + SIMPLE_API_FRESHNESS + 5
    monkeypatch.setattr(cachecontrol.controller.time, "time", lambda: later)
    assert not transport.get(page, accept=ACCEPT).from_cache and pypi.hits("/simple/flask/") == 3
    monkeypatch.undo()
    # not a Simple API page (a packument): no heuristic, fetched every time
    transport.get(npm.url + "left-pad")
    transport.get(npm.url + "left-pad")
    assert npm.hits("left-pad") == 2


def test_an_answer_with_its_own_cache_headers_keeps_them(transport, pypi: PypiServer):
    from pinaudit.index.pypi import ACCEPT

    pypi.cache_control = "max-age=0, must-revalidate"
    pypi.add("flask", "2.2.2")
    page = pypi.url + "flask/"
    transport.get(page, accept=ACCEPT)
    again = transport.get(page, accept=ACCEPT)
    assert pypi.hits("/simple/flask/") == 2 and pypi.bodies() == 1 and again.from_cache  # revalidated: 304
