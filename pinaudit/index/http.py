"""The HTTP transport every index client shares: one ``requests`` session per run.

Built from well-kept libraries rather than by hand (issue 10): ``requests`` for the protocol,
proxies (``HTTP(S)_PROXY``/``NO_PROXY``), ``REQUESTS_CA_BUNDLE`` and ``~/.netrc``; urllib3's
:class:`~urllib3.util.Retry` for bounded retries with exponential backoff and jitter on connection
errors, 429 (honouring ``Retry-After``) and 5xx; ``CacheControl`` with its file cache (what pip
uses) for an on-disk cache that revalidates with ETag/Last-Modified.

What we add on top, and why:

* a per-URL time budget (default 60 s in all): urllib3 bounds the *number* of retries, not their
  sum, and a CI gate must not sit for minutes on a dead mirror. A retry that could not finish
  inside the budget is not started; a ``Retry-After`` longer than the budget is not waited for.
* ``--offline``: answers come from the cache whatever their age; a miss is "index unavailable"
  (never a silent network request). ``--refresh``: every cached answer is revalidated.
* credentials are split off URLs before a request is made, so neither the cache keys nor any
  message ever holds them (:func:`mask_url` for everything shown).
* a size cap on the cache with least-recently-used eviction (a cache hit touches its file).
* a bounded thread pool with a per-host limit for concurrent fetches.
* a heuristic freshness for PyPI Simple API answers that carry no caching headers at all (no
  ``Cache-Control``, no ``Expires``): some mirrors and proxies send none, and CacheControl would
  then fetch every page again on every run. Such an answer is fresh for
  :data:`SIMPLE_API_FRESHNESS` (10 minutes, the ``max-age`` the public index itself sends for its
  Simple pages); after that, or with ``--refresh``, it is fetched again. Answers with any caching
  header of their own are never touched, nor is anything that is not a Simple API page.

Everything is created by the command function that needs it and passed in: no module-level
session, so tests hand a transport pointed at a loopback server (STYLE: "the transport is passed in").
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
from cachecontrol import CacheControlAdapter
from cachecontrol.caches.file_cache import FileCache
from cachecontrol.heuristics import BaseHeuristic
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from pinaudit.index.interface import IndexLookupError, IndexUnavailable
from pinaudit.index.settings import DEFAULT_CACHE_MAX_BYTES, HttpSettings, default_cache_dir

__all__ = [
    "DEFAULT_CACHE_MAX_BYTES",
    "HttpResponse",
    "HttpSettings",
    "Transport",
    "cache_info",
    "clear_cache",
    "default_cache_dir",
    "evict",
    "mask_url",
    "split_credentials",
]

T = TypeVar("T")
R = TypeVar("R")

SIMPLE_API_FRESHNESS = 600  # seconds; see the module docstring
SIMPLE_API_TYPES = frozenset({"application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.v1+html"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpResponse:
    url: str  # the final URL, credentials masked
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes
    from_cache: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()


@dataclass
class Stats:
    """What a run's transport did (for -v and the benchmark)."""

    requests: int = 0  # calls to get()
    network: int = 0  # answered by the network (200 with a body, or anything not from the cache)
    cached: int = 0  # answered by the cache (fresh, or revalidated with 304)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, attr: str) -> None:
        with self.lock:
            setattr(self, attr, getattr(self, attr) + 1)


# ---- credentials --------------------------------------------------------------------------------


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``https://u:p@host/x`` -> (``https://host/x``, (u, p)); URLs without userinfo unchanged."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, (unquote(user), unquote(password))


def mask_url(url: str) -> str:
    """The URL as it may be shown: userinfo replaced by ``***`` (a token alone, or user:password)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    hostport = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"***@{hostport}", parts.path, parts.query, parts.fragment))


def host_of(url: str) -> str:
    try:
        return urlsplit(url).netloc.rpartition("@")[2].lower()
    except ValueError:
        return ""


# ---- retries within a time budget ---------------------------------------------------------------


_BUDGET = threading.local()  # .deadline (monotonic) and .attempt (worst case of one more attempt)


class _BudgetRetry(Retry):
    """urllib3's Retry that does not start an attempt the per-URL budget cannot pay for.

    urllib3 calls :meth:`increment` before every retry: for a failed connection or read it then
    raises MaxRetryError (requests turns it into ConnectionError); for a status retry with
    ``raise_on_status=False`` it returns the last response, so a 429 whose ``Retry-After`` is
    beyond the budget comes back as the 429 itself and the caller can say so.
    """

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> _BudgetRetry:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline: float | None = getattr(_BUDGET, "deadline", None)
        if deadline is None:
            return new
        wait = new.get_backoff_time()
        if response is not None:
            after = self.get_retry_after(response)
            if after is not None:
                wait = after
        attempt: float = getattr(_BUDGET, "attempt", 0.0)
        if time.monotonic() + wait + attempt > deadline:
            raise MaxRetryError(_pool, url or "", error or ResponseError(f"retry budget spent (waiting {wait:.0f} s)"))
        return new


def _retry(settings: HttpSettings) -> Retry:
    kwargs: dict[str, Any] = {
        "total": settings.retries, "connect": settings.retries, "read": settings.retries,
        "status": settings.retries, "other": 0, "redirect": False,
        "backoff_factor": settings.backoff, "backoff_max": 10.0,
        "status_forcelist": RETRY_STATUSES, "allowed_methods": frozenset({"GET", "HEAD"}),
        "respect_retry_after_header": True, "raise_on_status": False, "raise_on_redirect": False,
    }
    try:
        return _BudgetRetry(backoff_jitter=settings.backoff / 2, **kwargs)
    except TypeError:  # urllib3 1.26 has no jitter
        return _BudgetRetry(**kwargs)


# ---- the cache ----------------------------------------------------------------------------------


class _LruFileCache(FileCache):
    """CacheControl's file cache; a hit touches the file, so eviction can go least-recently-used."""

    def get(self, key: str) -> bytes | None:
        data = super().get(key)
        if data is not None:
            with contextlib.suppress(OSError):
                os.utime(self._fn(key))
        return data


def _cache_files(directory: Path) -> list[tuple[float, int, Path]]:
    out: list[tuple[float, int, Path]] = []
    if not directory.is_dir():
        return out
    for root, _dirs, files in os.walk(directory):
        for name in files:
            p = Path(root) / name
            if name.endswith(".lock"):
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            out.append((st.st_mtime, st.st_size, p))
    return out


def evict(directory: Path, max_bytes: int) -> int:
    """Delete least-recently-used entries until the cache holds at most ``max_bytes``; returns the
    number of bytes freed."""
    files = sorted(_cache_files(directory))
    total = sum(size for _, size, _ in files)
    freed = 0
    for _mtime, size, path in files:
        if total - freed <= max_bytes:
            break
        try:
            path.unlink()
            freed += size
        except OSError:
            continue
    return freed


@dataclass(frozen=True)
class CacheInfo:
    directory: Path
    entries: int
    size: int  # bytes
    max_bytes: int


def cache_info(directory: Path, max_bytes: int = DEFAULT_CACHE_MAX_BYTES) -> CacheInfo:
    files = _cache_files(directory)
    return CacheInfo(directory, len(files), sum(s for _, s, _ in files), max_bytes)


def clear_cache(directory: Path) -> CacheInfo:
    """Remove every cache entry; returns what was there."""
    import shutil

    info = cache_info(directory)
    if directory.is_dir():
        shutil.rmtree(directory, ignore_errors=True)
    return info


class _SimpleApiFreshness(BaseHeuristic):
    """Fresh for :data:`SIMPLE_API_FRESHNESS` when a Simple API answer says nothing itself."""

    def update_headers(self, response: Any) -> dict[str, str]:
        headers = response.headers
        if response.status != 200 or "cache-control" in headers or "expires" in headers:
            return {}
        if (headers.get("content-type") or "").split(";", 1)[0].strip().lower() not in SIMPLE_API_TYPES:
            return {}
        out = {"Cache-Control": f"max-age={SIMPLE_API_FRESHNESS}"}
        if "date" not in headers:
            out["Date"] = formatdate(usegmt=True)
        return out

    def warning(self, response: Any) -> str | None:
        return None


class _Adapter(CacheControlAdapter):
    """CacheControl's adapter; offline it answers from the cache whatever the entry's age."""

    offline = False

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Mapping[str, str] | None = None,
             cacheable_methods: Any = None) -> requests.Response:
        if self.offline:
            assert request.url is not None
            data = self.cache.get(self.controller.cache_url(request.url))
            cached = self.controller.serializer.loads(request, data) if data is not None else None
            if cached is None:
                raise _OfflineMiss(request.url)
            return self.build_response(request, cached, from_cache=True)
        return super().send(request, stream, timeout, verify, cert, proxies, cacheable_methods)


class _OfflineMiss(requests.exceptions.RequestException):
    pass


# ---- the transport ------------------------------------------------------------------------------


def build_session(settings: HttpSettings) -> requests.Session:
    """One session per run: retries, the cache (when a directory is given), proxies and CA from the
    environment as requests reads them, pip's ``cert`` when configured."""
    session = requests.Session()
    session.headers["User-Agent"] = settings.user_agent
    session.max_redirects = 10
    if settings.ca_bundle:
        session.verify = settings.ca_bundle
    pool = max(settings.max_workers, settings.per_host)
    adapter: HTTPAdapter
    if settings.cache_dir is not None:
        cached = _Adapter(cache=_LruFileCache(str(settings.cache_dir)), heuristic=_SimpleApiFreshness(),
                          max_retries=_retry(settings), pool_connections=pool, pool_maxsize=pool)
        cached.offline = settings.offline
        adapter = cached
    else:
        adapter = HTTPAdapter(max_retries=_retry(settings), pool_connections=pool, pool_maxsize=pool)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Transport:
    """GET with timeouts, retries, cache, budget and credentials handled; failures raise
    :class:`~pinaudit.index.interface.IndexLookupError` carrying an :class:`IndexUnavailable`."""

    def __init__(self, settings: HttpSettings | None = None, session: requests.Session | None = None) -> None:
        self.settings = settings or HttpSettings()
        self.session = session or build_session(self.settings)
        self.stats = Stats()
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()
        if self.settings.cache_dir is not None:
            evict(self.settings.cache_dir, self.settings.cache_max_bytes)

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = host_of(url)
        with self._hosts_lock:
            sem = self._hosts.get(host)
            if sem is None:
                sem = self._hosts[host] = threading.BoundedSemaphore(self.settings.per_host)
            return sem

    def get(self, url: str, *, accept: str | None = None, headers: Mapping[str, str] | None = None,
            auth: tuple[str, str] | None = None, refresh: bool | None = None,
            verify: str | None = None) -> HttpResponse:
        """One GET. Any HTTP status comes back as a response except what retries could not cure
        (5xx, 429 after the budget), which raises IndexLookupError like a network failure does.
        ``verify``: a CA bundle for this request (pip's ``cert`` for pip's index)."""
        clean, url_auth = split_credentials(url)
        shown = mask_url(url)
        self.stats.count("requests")
        hdrs: dict[str, str] = dict(headers or {})
        if accept:
            hdrs["Accept"] = accept
        if self.settings.refresh if refresh is None else refresh:
            hdrs["Cache-Control"] = "max-age=0"  # CacheControl: revalidate (ETag/Last-Modified)
        s = self.settings
        with self._host_slot(clean):
            _BUDGET.deadline = time.monotonic() + s.url_budget
            _BUDGET.attempt = s.connect_timeout + s.read_timeout
            try:
                extra: dict[str, Any] = {"verify": verify} if verify else {}
                resp = self.session.get(clean, headers=hdrs, auth=auth or url_auth,
                                        timeout=(s.connect_timeout, s.read_timeout), allow_redirects=True, **extra)
                content = resp.content
            except requests.RequestException as exc:
                self.stats.count("failures")
                raise IndexLookupError(IndexUnavailable(shown, describe_exception(exc, s))) from None
            finally:
                _BUDGET.deadline = None
        from_cache = bool(getattr(resp, "from_cache", False))
        self.stats.count("cached" if from_cache else "network")
        out = HttpResponse(mask_url(resp.url or clean), resp.status_code,
                           MappingProxyType({k.lower(): v for k, v in resp.headers.items()}), content, from_cache)
        if resp.status_code == 429 or resp.status_code >= 500:
            self.stats.count("failures")
            raise IndexLookupError(IndexUnavailable(shown, describe_status(out)))
        return out

    def map(self, fn: Callable[[T], R], items: Sequence[T], *,
            progress: Callable[[T], None] | None = None) -> list[R]:
        """``fn`` over ``items`` on a bounded pool (per-host limits are taken in :meth:`get`);
        results in input order."""
        if len(items) <= 1 or self.settings.max_workers <= 1:
            out = []
            for item in items:
                out.append(fn(item))
                if progress:
                    progress(item)
            return out

        def run(item: T) -> R:
            result = fn(item)
            if progress:
                progress(item)
            return result

        with ThreadPoolExecutor(max_workers=self.settings.max_workers, thread_name_prefix="pinaudit-http") as pool:
            return list(pool.map(run, items))


def describe_status(resp: HttpResponse) -> str:
    if resp.status == 429:
        after = resp.header("retry-after")
        wait = f", Retry-After: {after} s" if after else ""
        return f"rate limited (HTTP 429{wait}) after the retries the time budget allows"
    return f"server error (HTTP {resp.status}) after retries"


def describe_exception(exc: BaseException, settings: HttpSettings) -> str:
    """One clear clause for a requests failure (never a traceback)."""
    if isinstance(exc, _OfflineMiss):
        return "not in the cache and --offline forbids the network"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too many redirects (a redirect loop?)"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {_root_reason(exc)}"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection timed out (after {settings.connect_timeout:g} s)"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within the read timeout ({settings.read_timeout:g} s)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return "the response was cut short (truncated body)"
    if isinstance(exc, requests.exceptions.ProxyError):
        return f"proxy error: {_root_reason(exc)}"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
                  | requests.exceptions.InvalidSchema):
        return f"invalid URL ({exc.__class__.__name__})"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _root_reason(exc)
    return f"{type(exc).__name__}: {_root_reason(exc)}"


def _root_reason(exc: BaseException) -> str:
    reason: object = exc
    for _ in range(6):
        args = getattr(reason, "args", ())
        inner = getattr(reason, "reason", None)
        if inner is None and args and isinstance(args[0], BaseException):
            inner = args[0]
        if inner is None or inner is reason:
            break
        reason = inner
    text = str(reason)
    low = text.lower()
    if "refused" in low:
        return "connection refused"
    if "read timed out" in low or "readtimeout" in low:
        return "no answer within the read timeout"
    if "timed out" in low:
        return "connection timed out"
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "host name could not be resolved"
    if "incompleteread" in low or "connection broken" in low or "prematurely" in low:
        return "the response was cut short (truncated body)"
    if "retry budget" in low:
        return "gave up: the per-URL time budget was spent"
    # urllib3 messages quote the connection object; keep the reason only
    if ":" in text and "object at 0x" in text:
        text = text.rsplit(":", 1)[1].strip()
    return text[:200]


def gather(transport: Transport, fns: Iterable[Callable[[], R]]) -> list[R]:
    """Run thunks concurrently on the transport's pool."""
    items = list(fns)
    return transport.map(lambda f: f(), items)
