"""What a one-file scan imports (issue 5: a pre-commit hook pays for every module it loads).

Not a timed test: it pins down *which* heavy modules stay out of a fresh interpreter scanning one
file of each kind, so a stray ``import typing`` or ``@dataclass`` cannot quietly add back the
milliseconds the startup work removed. ``benchmarks/bench_scan.py`` measures the time itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Each costs a one-file run 3-10 ms on the reference VM, or pulls in modules that do.
FORBIDDEN = (
    "typing",  # NamedTuples come from pinaudit._record; typing only under TYPE_CHECKING
    "dataclasses",  # and with it inspect, ast, dis, tokenize
    "inspect",
    "ast",
    "tomllib",  # no configuration file: no TOML parser
    "threading",  # parsers are per thread through _thread._local
    "concurrent.futures",  # --jobs pool only for large trees
    "multiprocessing",
    "rich",  # progress bar only on a terminal
    "tree_sitter_bash",  # the grammar's package __init__ (importlib.resources, tempfile, ...)
    "pinaudit.output.sarif",
    "pinaudit.output.json",
    "pinaudit.baseline",
    "difflib",
    "jinja2",  # --format html only
    "markupsafe",
    "pinaudit.output.html",
    "pinaudit.sources",
    # issue 10: the index layer and its HTTP stack load only for `scan --online`
    "pinaudit.index",
    "pinaudit.online",
    "pinaudit.rules._online",
    "requests",
    "urllib3",
    "cachecontrol",
    "platformdirs",
    "http.client",
    "ssl",
    # issue 11: resolvers and the simulation load only for `simulate`
    "pinaudit.resolve",
    "pinaudit.simulation",
    "pinaudit.output.simulation",
    "uv",
    "piptools",
    "nodesemver",
    # issue 13: fix's writer (edits, rewrites, the atomic writer) loads only for `fix`
    "pinaudit.writer",
    # issue 12: lock and verify load only for their commands
    "pinaudit.lock",
)

# Per kind: a Dockerfile's exec form is read without the json module.
ALSO_FORBIDDEN = {"Dockerfile": ("json",)}

FILES = {
    "Dockerfile": (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y curl\n"
        "RUN pip install requests flask==3.0.3\n"
        'CMD ["python", "app.py"]\n'
    ),
    "requirements.txt": "requests\nflask==3.0.3\n",
    "package.json": '{"name": "x", "dependencies": {"express": "^4.18.0"}}\n',
    "compose.yaml": "services:\n  web:\n    image: nginx:latest\n",
    "install.sh": "#!/bin/sh\npip install requests\n",
    ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: npm install -g yarn\n",
}

PROBE = """
import sys
from pinaudit._cli import main
try:
    main(["scan", "--no-progress", sys.argv[1]])
except SystemExit:
    pass
loaded = sorted(sys.modules)  # before anything below imports more
sys.stdout.flush()
sys.stderr.write("\\n" + " ".join(loaded) + "\\n")
"""


@pytest.mark.parametrize("name", sorted(FILES))
def test_one_file_scan_keeps_heavy_modules_out(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FILES[name])
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, name], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "PIN" in proc.stdout, proc.stdout + proc.stderr  # it did scan and find something
    loaded = set(proc.stderr.strip().splitlines()[-1].split())
    assert sorted(m for m in (*FORBIDDEN, *ALSO_FORBIDDEN.get(name, ())) if m in loaded) == []
