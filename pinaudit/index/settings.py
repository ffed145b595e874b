"""The HTTP transport's settings, apart from the transport: building them (and finding the cache
folder) must not import ``requests``, so a run whose answers all come from a cache starts faster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_CACHE_MAX_BYTES", "HttpSettings", "default_cache_dir"]

DEFAULT_CACHE_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class HttpSettings:
    """SPEC §7's HTTP defaults; ``--timeout`` and the configuration change them."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retries: int = 2
    url_budget: float = 60.0  # all attempts, waits and backoff of one URL together
    backoff: float = 0.5  # urllib3 backoff_factor: 0, 1, 2 ... x this (plus jitter)
    cache_dir: Path | None = None  # None: no on-disk cache (tests, --no-cache)
    cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES
    offline: bool = False
    refresh: bool = False
    max_workers: int = 8
    per_host: int = 4
    ca_bundle: str | None = None  # pip's `cert`; else requests' own (REQUESTS_CA_BUNDLE, certifi)
    user_agent: str = "pinaudit"


def default_cache_dir() -> Path:
    """The user cache directory (platformdirs: ~/.cache/pinaudit/http on Linux, ...)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("pinaudit", appauthor=False)) / "http"
