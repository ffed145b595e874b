#!/usr/bin/env python3
"""``pinaudit simulate`` on a 50-line requirements file at two dates, against two plain
``uv pip compile --exclude-newer`` runs on the same file (issue 11).

  uv x2      two ``uv pip compile --exclude-newer T --no-config`` runs (one per date), cold uv cache
  simulate   ``pinaudit simulate FILE --cached-at A --fresh-at B`` as a command, cold caches (HTTP and
             resolver): the scan, both resolutions (run concurrently), the drift and its release
             dates, the rendering
  warm       the same simulate again with the caches of the cold run

Targets: simulate cold <= 1.5 x (uv x2); warm <= 1 s.

By default the index is the tests' loopback PyPI (tests/indexes/servers.py), filled with 50
projects of 4 releases each and a few dependencies, so the numbers are deterministic. ``--live``
uses the PyPI the installed pip reports as its default (network, not deterministic).

Usage: python benchmarks/bench_simulate.py [--live] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

LIVE_PROJECTS = [
    "requests", "urllib3", "certifi", "idna", "charset-normalizer", "flask", "werkzeug", "jinja2", "markupsafe",
    "itsdangerous", "click", "blinker", "django", "asgiref", "sqlparse", "celery", "kombu", "amqp", "vine",
    "billiard", "redis", "gunicorn", "packaging", "pyyaml", "six", "python-dateutil", "pytz", "tzdata",
    "attrs", "pydantic", "typing-extensions", "annotated-types", "fastapi", "starlette", "anyio", "sniffio",
    "httpx", "httpcore", "h11", "uvicorn", "sqlalchemy", "greenlet", "alembic", "mako", "boto3", "botocore",
    "s3transfer", "jmespath", "rich", "pygments",
]
LIVE_DATES = ("2024-01-01", "2025-06-01")
LOOP_DATES = ("2023-01-01", "2024-06-01")


def fill(pypi: object) -> list[str]:
    """50 projects, 4 releases each over 2022-2024; every fifth depends on the next one."""
    names = [f"pkg{i:02d}" for i in range(50)]
    for i, name in enumerate(names):
        for j, (version, day) in enumerate((("1.0.0", "2022-03-01"), ("1.1.0", "2022-11-01"),
                                            ("2.0.0", "2023-09-01"), ("2.1.0", "2024-04-01"))):
            requires = [f"{names[i + 1]}>=1"] if i % 5 == 0 and i + 1 < len(names) else []
            pypi.add(name, version, uploaded=f"{day}T{10 + j}:00:00Z", requires=requires)  # type: ignore[attr-defined]
    return names


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    t = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        sys.exit(f"{argv[:4]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, proc.returncode


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
        names, dates = LIVE_PROJECTS, LIVE_DATES
    else:
        from tests.indexes.servers import PypiServer

        server = PypiServer()
        names, dates = fill(server), LOOP_DATES
        index = server.url
    uv = find_uv()
    results: dict[str, list[float]] = {"uv x2": [], "simulate": [], "warm": []}
    # pinaudit with its bytecode compiled, as pip install leaves it: PYTHONDONTWRITEBYTECODE would
    # make every run compile pinaudit's sources again, so the runs get a private bytecode folder
    # (PYTHONPYCACHEPREFIX: every module's bytecode, the libraries' too), filled by a warm-up run
    pycache = tempfile.TemporaryDirectory(prefix="pinaudit-bench-pyc-")
    compiled = {"PYTHONPYCACHEPREFIX": pycache.name}
    warmed = False
    try:
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="pinaudit-bench-") as tmp:
                root = Path(tmp)
                req = root / "requirements.txt"
                req.write_text("".join(f"{n}\n" for n in names))
                env = isolated_env({"XDG_CACHE_HOME": str(root / "cache"), "NO_PROXY": "127.0.0.1,localhost",
                                    **compiled})
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                total = 0.0
                for i, day in enumerate(dates):
                    elapsed, _ = timed([uv, "pip", "compile", "--no-config", "--no-header", "--no-annotate",
                                        "--exclude-newer", f"{day}T00:00:00Z", "--index-url", index,
                                        "--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu",
                                        "--cache-dir", str(root / f"uv-cache-{i}"), str(req)], env, root)
                    total += elapsed
                results["uv x2"].append(total)
                sim = [sys.executable, "-m", "pinaudit", "simulate", "requirements.txt", "--cached-at", dates[0],
                       "--fresh-at", dates[1], "--pypi-index", index, "--python-version", "3.11", "--no-progress",
                       "-q"]
                if not warmed:  # fills the bytecode folder; its own cache folder, thrown away
                    timed(sim, {**env, "XDG_CACHE_HOME": str(root / "warm-up")}, root)
                    shutil.rmtree(root / "warm-up")
                    warmed = True
                elapsed, code = timed(sim, env, root)
                assert code == 1, "the two dates must differ"
                results["simulate"].append(elapsed)
                results["warm"].append(timed(sim, env, root)[0])
    finally:
        if server is not None:
            server.close()
        pycache.cleanup()
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; runs: "
          + "; ".join(f"{k} " + " ".join(f"{x:.2f}" for x in v) for k, v in results.items()))
    where = "live index" if args.live else "loopback index"
    print(f"{len(names)}-line requirements file, dates {dates[0]} and {dates[1]}, {where}, median of {args.repeat}:")
    for k, v in med.items():
        print(f"  {k:<9} {v:6.2f} s")
    print(f"  simulate / (uv x2) = {med['simulate'] / med['uv x2']:.2f} (target <= 1.5); warm {med['warm']:.2f} s "
          "(target <= 1 s)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
