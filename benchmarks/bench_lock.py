#!/usr/bin/env python3
"""``pinaudit lock`` of a 50-line requirements.in with hashes, cold and warm, against
``pip-compile --generate-hashes`` and ``uv pip compile --generate-hashes`` on the same file in the
same run (issue 12).

  uv           ``uv pip compile --generate-hashes --no-config``, cold uv cache, then warm
  pip-compile  ``python -m piptools compile --generate-hashes``, cold pip cache, then warm
  lock         ``pinaudit lock requirements.in`` as a command, cold caches, then warm (the
               lock revalidates the index's project pages on every run: a lock is of the index
               as it is now)

By default the index is the tests' loopback PyPI (tests/indexes/servers.py) filled with 50
projects of 4 releases each, so the numbers are deterministic. ``--live`` uses the PyPI the
installed pip reports as its default (network, not deterministic).

Usage: python benchmarks/bench_lock.py [--live] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_simulate import LIVE_PROJECTS, fill  # noqa: E402


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"{argv[:4]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="the real PyPI (pip's default index) instead of loopback")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median shown)")
    args = parser.parse_args()

    from pinaudit.resolve._pip import isolated_env
    from pinaudit.resolve.uv import find_uv

    server = None
    if args.live:
        from pinaudit.index.sources import pip_default_index

        index = pip_default_index()
        if not index:
            sys.exit("pip reports no default index")
        names = LIVE_PROJECTS
    else:
        from tests.indexes.servers import PypiServer

        server = PypiServer()
        names = fill(server)
        index = server.url
    uv = find_uv()
    keys = ("uv cold", "uv warm", "pip-compile cold", "pip-compile warm", "lock cold", "lock warm")
    results: dict[str, list[float]] = {k: [] for k in keys}
    try:
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="pinaudit-bench-") as tmp:
                root = Path(tmp)
                (root / "requirements.in").write_text("".join(f"{n}\n" for n in names))
                env = isolated_env({"XDG_CACHE_HOME": str(root / "cache"), "NO_PROXY": "127.0.0.1,localhost"})
                uv_argv = [uv, "pip", "compile", "--no-config", "--generate-hashes", "--index-url", index,
                           "--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu",
                           "--cache-dir", str(root / "uv-cache"), "-o", "uv.txt", "requirements.in"]
                results["uv cold"].append(timed(uv_argv, env, root))
                results["uv warm"].append(timed(uv_argv, env, root))
                pc = [sys.executable, "-m", "piptools", "compile", "--generate-hashes", "--index-url", index,
                      "--cache-dir", str(root / "pc-cache"), "-o", "pc.txt", "requirements.in"]
                pc_env = {**env, "PIP_CACHE_DIR": str(root / "pip-cache")}
                results["pip-compile cold"].append(timed(pc, pc_env, root))
                results["pip-compile warm"].append(timed(pc, pc_env, root))
                lock = [sys.executable, "-m", "pinaudit", "lock", "requirements.in", "--pypi-index", index,
                        "--python-version", "3.11", "-q"]
                results["lock cold"].append(timed(lock, env, root))
                results["lock warm"].append(timed(lock, env, root))
    finally:
        if server is not None:
            server.close()
    med = {k: statistics.median(v) for k, v in results.items()}
    where = "live index" if args.live else "loopback index"
    print(f"{len(names)}-line requirements.in with hashes, {where}, median of {args.repeat}:")
    for k in keys:
        print(f"  {k:<17} {med[k]:6.2f} s")
    print(f"  lock / uv: cold {med['lock cold'] / med['uv cold']:.2f}, warm {med['lock warm'] / med['uv warm']:.2f}; "
          f"lock / pip-compile: cold {med['lock cold'] / med['pip-compile cold']:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
