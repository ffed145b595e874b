"""Shell scripts and GitHub workflows: installs in run: steps at their physical lines, images."""

from __future__ import annotations

from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, script, workflow
from pinaudit.model import FileResult

DIGEST = "sha256:" + "b" * 64


def run_wf(tmp_path: Path, text: str) -> FileResult:
    d = tmp_path / ".github" / "workflows"
    d.mkdir(parents=True, exist_ok=True)
    p = d / "ci.yml"
    p.write_text(text)
    return workflow.analyze(SourceFile(p, ".github/workflows/ci.yml", text, "workflow"), ScanOptions(cwd=tmp_path))


def run_sh(tmp_path: Path, text: str) -> FileResult:
    p = tmp_path / "setup.sh"
    p.write_text(text)
    return script.analyze(SourceFile(p, "setup.sh", text, "shell"), ScanOptions(cwd=tmp_path))


def rows(r: FileResult) -> list[tuple[str, str, str | None, str, str, int]]:
    return [(s.ecosystem.value, s.action.value, s.package, s.pin.value, s.lock.value, s.location.line) for s in r.sites]


IMAGES = f"""on: push
jobs:
  a:
    runs-on: ubuntu-latest
    container: node:18
    services:
      redis:
        image: redis
      pg:
        image: postgres@{DIGEST}
    steps:
      - uses: actions/checkout@v4
      - uses: docker://alpine:3.19
      - uses: docker://alpine
  b:
    runs-on: ubuntu-latest
    container:
      image: "python:${{{{ matrix.py }}}}"
    steps: []
"""


def test_workflow_images(tmp_path: Path) -> None:
    r = run_wf(tmp_path, IMAGES)
    img = [x for x in rows(r) if x[0] == "image"]
    assert img == [
        ("image", "install", "node", "exact", "n/a", 5),
        ("image", "install", "redis", "unpinned", "n/a", 8),
        ("image", "install", "postgres", "immutable", "n/a", 10),
        ("image", "install", "alpine", "exact", "n/a", 13),
        ("image", "install", "alpine", "unpinned", "n/a", 14),
        ("image", "install", "python", "unknown", "n/a", 18),
    ]
    step = next(s for s in r.sites if s.location.line == 13)
    assert step.location.span.column == len("      - uses: docker://") + 1
    assert all(s.installer == "workflow" for s in r.sites)


def test_workflow_malformed(tmp_path: Path) -> None:
    r = run_wf(tmp_path, "jobs:\n  a: [\n")
    assert r.diagnostics and r.sites == ()


RUNS = """on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: pip install requests
      - run: |
          apt-get update

          apt-get install -y curl
          pip install "flask==${{ matrix.v }}"
      - run: >
          npm install
          -g typescript
      - shell: pwsh
        run: choco install foo
      - run: echo "pip install notreal"
  win:
    runs-on: windows-latest
    steps:
      - run: pip install requests
"""


def test_workflow_runs(tmp_path: Path) -> None:
    r = run_wf(tmp_path, RUNS)
    got = [(s.ecosystem.value, s.package, s.pin.value, s.location.line, s.location.span.column) for s in r.sites]
    assert got == [
        ("pip", "requests", "unpinned", 6, 26),
        ("apt", "curl", "unpinned", 10, 30),
        ("pip", "flask", "unknown", 11, 24),  # the token without its opening quote
        ("npm", "typescript", "unpinned", 14, 14),
    ]
    assert "matrix.v" in (r.sites[2].spec or "")
    assert len(r.skipped) == 2  # the pwsh step and the Windows job


def test_script(tmp_path: Path) -> None:
    text = "#!/usr/bin/env bash\nset -e\n# pinaudit: ignore=PIN101\napt-get install -y jq=1.6-2 git\nnpm ci\n"
    r = run_sh(tmp_path, text)
    assert [(s.package, s.pin.value, s.location.line) for s in r.sites] == [
        ("jq", "exact", 4),
        ("git", "unpinned", 4),
        (None, "immutable", 5),  # npm ci: pinned by its lockfile, a site no rule flags
    ]
    assert [(s.codes, s.first_line) for s in r.suppressions] == [(frozenset({"PIN101"}), 4)]


def test_non_shell_script_skipped(tmp_path: Path) -> None:
    r = run_sh(tmp_path, "#!/usr/bin/env python3\nimport os\n")
    assert r.sites == () and r.skipped


def test_multiline_plain_and_quoted_run_map_each_word_to_its_line(tmp_path):
    text = (
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pip install\n          flask\n"
        '      - run: "apt-get install -y\n          curl"\n'
    )
    result = run_wf(tmp_path, text)
    assert [(s.package, s.location.span.line, s.location.span.column) for s in result.sites] == [
        ("flask", 7, 11),
        ("curl", 9, 11),
    ]


WORKING_DIRS = """on: push
env:
  TOOL_VERSION: "1.2.3"
  FROM_EXPR: ${{ github.sha }}
jobs:
  a:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: app
    steps:
      - run: pip install -r req.txt
      - run: pip install -r requirements.txt
        working-directory: .
      - run: pip install tool==$TOOL_VERSION other==${{ env.TOOL_VERSION }} third==$FROM_EXPR
"""


def test_workflow_run_steps_start_in_the_checkout_and_know_static_env(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "req.txt").write_text("flask\n")
    (tmp_path / "requirements.txt").write_text("requests\n")
    r = run_wf(tmp_path, WORKING_DIRS)
    found = sorted((s.location.path, s.location.line, s.package, s.pin.value) for s in r.sites)
    assert found == [
        (".github/workflows/ci.yml", 12, None, "local"),  # -r req.txt, followed into app/
        (".github/workflows/ci.yml", 13, None, "local"),  # -r requirements.txt at the root
        (".github/workflows/ci.yml", 15, "other", "exact"),  # ${{ env.X }} of a plain string
        (".github/workflows/ci.yml", 15, "third", "unknown"),  # env built from ${{ }}: the runner's
        (".github/workflows/ci.yml", 15, "tool", "exact"),  # $X of a plain workflow env string
        ("app/req.txt", 1, "flask", "unpinned"),
        ("requirements.txt", 1, "requests", "unpinned"),
    ]


def test_workflow_run_steps_expand_braces_under_bash_only(tmp_path: Path) -> None:
    # a run step's default shell on a Linux runner is bash: `lib{ssl,ffi}-dev` is two packages;
    # `shell: sh` keeps the word (issue 15)
    text = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: sudo apt-get install -y lib{ssl,ffi}-dev\n"
        "      - run: sudo apt-get install -y lib{ssl,ffi}-dev\n        shell: sh\n"
    )
    r = run_wf(tmp_path, text)
    assert [(s.package, s.location.line, s.location.span.column) for s in r.sites] == [
        ("libssl-dev", 6, 38), ("libffi-dev", 6, 38), ("lib{ssl,ffi}-dev", 7, 38),
    ]
