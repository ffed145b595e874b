"""Where processes start to pay off: time `pinaudit scan` serially and with the default jobs over
trees of growing size, to choose the file count below which the scan stays serial.

A tree of N files is N corpus files (a fixed random sample, same for every run) copied under a
temporary folder with their kinds kept by name. Run it on an idle machine: the answer is a ratio
of two wall-clock times, and any other load skews the parallel side first.

    python benchmarks/bench_parallel.py [--sizes 32,64,128,256,512,1024,2048] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path(os.environ.get("PINAUDIT_CORPUS", ROOT.parent / "shared" / "corpus")) / "files"


def build_tree(files: Sequence[Path], corpus: Path, dest: Path) -> None:
    for f in files:
        target = dest / f.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


def timed(cmd: Sequence[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--sizes", default="32,64,128,256,512,1024,2048")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the parallel side's --jobs")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"bench_parallel: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    every = sorted(p for p in args.corpus.rglob("*") if p.is_file())
    random.Random(0).shuffle(every)
    # the threshold is lowered inside the measured process so the parallel side really is parallel
    exe = [sys.executable, "-c", "import sys, pinaudit.app as a; a.PARALLEL_MIN_FILES = 1; "
           "from pinaudit._cli import main; sys.exit(main(sys.argv[1:]))", "scan", "--format", "json"]
    print(f"{'files':>6} {'serial s':>9} {'jobs=' + str(args.jobs) + ' s':>9} {'ratio':>6}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="pinaudit-bench-par-") as tmp:
            build_tree(every[:size], args.corpus, Path(tmp))
            serial = timed([*exe, "--jobs", "1", tmp], args.repeat)
            parallel = timed([*exe, "--jobs", str(args.jobs), tmp], args.repeat)
            print(f"{size:>6} {serial:>9.2f} {parallel:>9.2f} {parallel / serial:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
