#!/usr/bin/env python3
"""The index layer's HTTP cache on 200 npm packuments, cold then warm (issue 10).

Starts the tests' loopback npm registry (tests/indexes/servers.py: real HTTP/1.1 with ETags,
``Cache-Control: max-age=300`` like the public registry), fills it with 200 packages of 20 versions
each, then fetches every packument through :class:`pinaudit.index.npm.NpmRegistry` on one
:class:`pinaudit.index.http.Transport` with a fresh on-disk cache:

  cold      empty cache: every packument is downloaded (200 bodies)
  warm      same cache, new transport (a second run): answers fresh in the cache, no request at all
  refresh   same cache with --refresh: every answer revalidated with If-None-Match -> 304, no body
  offline   same cache with --offline: no network at all

For each it prints wall time, requests that reached the server, and requests that returned a body
(status 200 with bytes: the number the warm runs must keep at 0).

Usage: python benchmarks/bench_index.py [--packages 200] [--versions 20] [--workers 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pinaudit.index.http import HttpSettings, Transport  # noqa: E402
from pinaudit.index.interface import Project  # noqa: E402
from pinaudit.index.npm import NpmRegistry  # noqa: E402
from tests.indexes.servers import NpmServer  # noqa: E402


def run(label: str, server: NpmServer, settings: HttpSettings, names: list[str]) -> dict[str, float]:
    server.reset_log()
    t0 = time.perf_counter()
    with Transport(settings) as transport:
        registry = NpmRegistry(server.url, transport)
        projects = transport.map(registry.project, names)
        stats = transport.stats
    wall = time.perf_counter() - t0
    ok = sum(isinstance(p, Project) for p in projects)
    row = {"wall_s": wall, "ok": ok, "requests": len(server.log), "bodies": server.bodies(),
           "from_cache": stats.cached}
    print(f"{label:<8} {wall * 1000:8.1f} ms   answered {ok:>4}   server requests {row['requests']:>4}   "
          f"bodies {row['bodies']:>4}   transport cache hits {stats.cached:>4}")
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    server = NpmServer()
    try:
        names = [f"@bench/pkg-{i:03d}" if i % 10 == 0 else f"pkg-{i:03d}" for i in range(args.packages)]
        for name in names:
            for v in range(args.versions):
                server.add(name, f"1.{v}.0", published=f"2024-01-{1 + v % 28:02d}T00:00:00Z",
                           dependencies={"dep-a": "^1.0.0", "dep-b": "~2.3.0"})
        with tempfile.TemporaryDirectory(prefix="pinaudit-bench-") as tmp:
            settings = HttpSettings(cache_dir=Path(tmp) / "cache", max_workers=args.workers)
            print(f"{args.packages} packuments x {args.versions} versions, {args.workers} workers, "
                  f"cache in a fresh temporary directory")
            cold = run("cold", server, settings, names)
            warm = run("warm", server, settings, names)
            refresh = run("refresh", server, replace(settings, refresh=True), names)
            offline = run("offline", server, replace(settings, offline=True), names)
    finally:
        server.close()
    ok = cold["bodies"] == args.packages and warm["bodies"] == 0 and refresh["bodies"] == 0 and \
        offline["requests"] == 0
    print("warm runs downloaded no body again" if ok else "UNEXPECTED: a warm run downloaded bodies")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
