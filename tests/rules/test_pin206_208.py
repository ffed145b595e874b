"""PIN206 (Python project range), PIN207 (Python lockfile drift), PIN208 (lockless project install)."""

from __future__ import annotations

import hashlib
import json
import sys

from tests.helpers import scan_files

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CODES = ("PIN001", "PIN201", "PIN203", "PIN204", "PIN206", "PIN207", "PIN208")

PYPROJECT = """[project]
name = "demo"
version = "0.1.0"
dependencies = [
    "requests>=2.31",
    "click==8.1.7",
]

[project.optional-dependencies]
socks = ["pysocks>=1.7"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff>=0.6"]
"""

UV_LOCK = """version = 1
requires-python = ">=3.11"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "requests"
version = "2.32.3"

[[package]]
name = "click"
version = "8.1.7"

[[package]]
name = "pysocks"
version = "1.7.1"

[[package]]
name = "pytest"
version = "8.3.2"

[[package]]
name = "ruff"
version = "0.6.9"
"""

POETRY = """[tool.poetry]
name = "app"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
django = "^4.2"
celery = { version = "~5.3", extras = ["redis"] }
gunicorn = "22.0.0"
internal = { git = "https://git.example.invalid/internal.git", branch = "main" }

[tool.poetry.group.dev.dependencies]
pytest = "*"
"""

POETRY_LOCK = """[[package]]
name = "django"
version = "4.2.16"

[[package]]
name = "celery"
version = "5.3.6"

[[package]]
name = "gunicorn"
version = "22.0.0"

[[package]]
name = "internal"
version = "1.0.0"

[[package]]
name = "pytest"
version = "8.3.2"
"""

PIPFILE = """[[source]]
url = "https://example.invalid/simple"
verify_ssl = true
name = "idx"

[packages]
flask = "*"
gunicorn = "==22.0.0"
rich = {version = ">=13", extras = ["jupyter"]}

[dev-packages]
pytest = ">=8"
"""

DOCKER = "FROM python:3.12-slim@sha256:" + "a" * 64 + "\nWORKDIR /app\nCOPY . .\n"


def _pipfile_lock(pipfile: str, versions: dict[str, str]) -> str:
    doc = tomllib.loads(pipfile)
    data = {"_meta": {"sources": doc["source"], "requires": doc.get("requires", {})},
            "default": doc.get("packages", {}), "develop": doc.get("dev-packages", {})}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    default = {k: {"version": f"=={v}"} for k, v in versions.items() if k != "pytest"}
    develop = {k: {"version": f"=={v}"} for k, v in versions.items() if k == "pytest"}
    return json.dumps({"_meta": {"hash": {"sha256": digest}}, "default": default, "develop": develop}, indent=4)


def _found(findings, path=None):
    return [(f.rule, f.location.path, f.location.span.line, f.package, f.severity.label) for f in findings
            if f.rule in CODES and (path is None or f.location.path == path)]


def test_uv_lock_in_sync_reports_only_info(tmp_path):
    found = _found(scan_files(tmp_path, {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK}))
    assert found == [
        ("PIN206", "pyproject.toml", 5, "requests", "info"),
        ("PIN206", "pyproject.toml", 10, "pysocks", "info"),
        ("PIN206", "pyproject.toml", 13, "pytest", "info"),
        ("PIN206", "pyproject.toml", 14, "ruff", "info"),
    ]


def test_dependency_added_but_not_locked_is_drift_at_its_line(tmp_path):
    added = PYPROJECT.replace('    "click==8.1.7",\n', '    "click==8.1.7",\n    "httpx>=0.27",\n')
    found = _found(scan_files(tmp_path, {"pyproject.toml": added, "uv.lock": UV_LOCK}))
    assert ("PIN207", "pyproject.toml", 7, "httpx", "error") in found
    assert [f for f in found if f[4] != "info"] == [("PIN207", "pyproject.toml", 7, "httpx", "error")]


def test_locked_outside_the_range_is_drift(tmp_path):
    raised = PYPROJECT.replace("click==8.1.7", "click==8.1.8").replace("ruff>=0.6", "ruff>=0.7")
    found = [f for f in _found(scan_files(tmp_path, {"pyproject.toml": raised, "uv.lock": UV_LOCK})) if f[4] != "info"]
    assert found == [("PIN207", "pyproject.toml", 6, "click", "error"),
                     ("PIN207", "pyproject.toml", 14, "ruff", "error")]


def test_library_without_lock_is_info_but_an_installed_project_is_an_error(tmp_path):
    lib = _found(scan_files(tmp_path / "lib", {"pyproject.toml": PYPROJECT}))
    assert {(r, line, sev) for r, _p, line, _pkg, sev in lib} == {
        ("PIN206", 5, "info"), ("PIN206", 10, "info"), ("PIN206", 13, "info"), ("PIN206", 14, "info")}
    files = {"pyproject.toml": PYPROJECT, "Dockerfile": DOCKER + "RUN pip install .\n"}
    app = _found(scan_files(tmp_path / "app", files), "pyproject.toml")
    # pip installs the core dependencies only: an extra not named and the dependency groups are not installed
    assert app == [
        ("PIN206", "pyproject.toml", 5, "requests", "error"),
        ("PIN206", "pyproject.toml", 10, "pysocks", "info"),
        ("PIN206", "pyproject.toml", 13, "pytest", "info"),
        ("PIN206", "pyproject.toml", 14, "ruff", "info"),
    ]
    files = {"pyproject.toml": PYPROJECT, "Dockerfile": DOCKER + 'RUN pip install -e ".[socks]"\n'}
    app = _found(scan_files(tmp_path / "extra", files), "pyproject.toml")
    assert [(line, sev) for _r, _p, line, _pkg, sev in app] == [(5, "error"), (10, "error"), (13, "info"), (14, "info")]
    files = {"pyproject.toml": PYPROJECT, "Dockerfile": DOCKER + "RUN uv sync\n"}  # uv sync: the dev group too
    app = _found(scan_files(tmp_path / "uv", files), "pyproject.toml")
    assert [(line, sev) for _r, _p, line, _pkg, sev in app] == [(5, "error"), (10, "error"), (13, "error"),
                                                                (14, "error")]


def test_installed_by_a_script_too(tmp_path):
    files = {"pyproject.toml": PYPROJECT, "scripts/setup.sh": "#!/bin/sh\nset -e\npip install -e .\n"}
    found = _found(scan_files(tmp_path, files), "pyproject.toml")
    assert ("PIN206", "pyproject.toml", 5, "requests", "error") in found


def test_poetry_in_sync_and_drift(tmp_path):
    found = _found(scan_files(tmp_path / "ok", {"pyproject.toml": POETRY, "poetry.lock": POETRY_LOCK}))
    assert found == [
        ("PIN206", "pyproject.toml", 7, "django", "info"),
        ("PIN206", "pyproject.toml", 8, "celery", "info"),
        ("PIN206", "pyproject.toml", 10, "internal", "info"),
        ("PIN206", "pyproject.toml", 13, "pytest", "info"),
    ]
    drift = POETRY.replace('django = "^4.2"', 'django = "^5.1"')
    drift = drift.replace('pytest = "*"', 'pytest = "*"\nhttpx = "^0.27"')
    found = _found(scan_files(tmp_path / "drift", {"pyproject.toml": drift, "poetry.lock": POETRY_LOCK}))
    assert [f for f in found if f[4] != "info"] == [
        ("PIN207", "pyproject.toml", 7, "django", "error"),
        ("PIN207", "pyproject.toml", 14, "httpx", "error"),
    ]


def test_poetry_git_branch_without_lock_installed(tmp_path):
    files = {"pyproject.toml": POETRY, "Dockerfile": DOCKER + "RUN poetry install\n"}
    found = _found(scan_files(tmp_path, files))
    assert ("PIN208", "Dockerfile", 4, None, "error") in found
    assert ("PIN206", "pyproject.toml", 10, "internal", "error") in found
    assert ("PIN206", "pyproject.toml", 9, "gunicorn", "error") not in found  # exact


def test_pipfile_in_sync_drift_and_hash(tmp_path):
    versions = {"flask": "3.0.3", "gunicorn": "22.0.0", "rich": "13.7.1", "pytest": "8.3.2"}
    files = {"Pipfile": PIPFILE, "Pipfile.lock": _pipfile_lock(PIPFILE, versions)}
    assert _found(scan_files(tmp_path / "ok", files)) == [
        ("PIN206", "Pipfile", 7, "flask", "info"),
        ("PIN206", "Pipfile", 9, "rich", "info"),
        ("PIN206", "Pipfile", 12, "pytest", "info"),
    ]
    added = PIPFILE.replace('gunicorn = "==22.0.0"\n', 'gunicorn = "==22.0.0"\nrequests = "*"\n')
    files = {"Pipfile": added, "Pipfile.lock": _pipfile_lock(PIPFILE, versions)}
    found = [f for f in _found(scan_files(tmp_path / "drift", files)) if f[4] != "info"]
    assert found == [("PIN207", "Pipfile", 1, None, "error"), ("PIN207", "Pipfile", 9, "requests", "error")]


def test_uv_git_source_follows_the_vcs_policy(tmp_path):
    text = ('[project]\nname = "x"\ndependencies = ["acme", "tool"]\n\n[tool.uv.sources]\n'
            'acme = { git = "https://git.example.invalid/acme", branch = "main" }\n'
            'tool = { git = "https://git.example.invalid/tool", rev = "' + "0123456789abcdef" * 2 + '01234567" }\n')
    found = _found(scan_files(tmp_path, {"pyproject.toml": text, "Dockerfile": DOCKER + "RUN uv sync\n"}),
                   "pyproject.toml")
    assert found == [("PIN206", "pyproject.toml", 6, "acme", "error")]
    # pip never reads [tool.uv.sources]: it installs both names from the index, without a version
    found = _found(scan_files(tmp_path / "pip", {"pyproject.toml": text, "Dockerfile": DOCKER + "RUN pip install .\n"}),
                   "pyproject.toml")
    assert [(line, pkg, sev) for _r, _p, line, pkg, sev in found] == [(3, "acme", "error"), (3, "tool", "error"),
                                                                      (6, "acme", "info")]


def test_malformed_toml_is_pin001_with_its_position(tmp_path):
    found = _found(scan_files(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["a>=1"\n'}))
    assert [(r, line) for r, _p, line, _pkg, _s in found] == [("PIN001", 4)]


def test_project_install_commands(tmp_path):
    run = ("RUN uv sync && uv sync --locked && poetry install && pdm install && pdm install --frozen-lockfile\n"
           "RUN pipenv install && pipenv install --deploy && pipenv sync && UV_FROZEN=1 uv sync\n")
    findings = scan_files(tmp_path, {"Dockerfile": DOCKER + run})
    cols = [(f.rule, f.location.span.line, f.location.span.column) for f in findings if f.rule == "PIN208"]
    # uv sync, poetry install (no poetry.lock in the context), pdm install; pipenv install
    assert cols == [("PIN208", 4, 8), ("PIN208", 4, 43), ("PIN208", 4, 58), ("PIN208", 5, 12)]


def test_add_commands_judge_their_packages(tmp_path):
    run = ("RUN uv add requests && poetry add flask@^3 django@4.2.1 && pdm add 'httpx>=0.27'"
           " && pipenv install rich==13.7.1\n")
    found = [(r, pkg, sev) for r, _p, _line, pkg, sev in _found(scan_files(tmp_path, {"Dockerfile": DOCKER + run}))]
    assert ("PIN201", "requests", "error") in found
    assert ("PIN201", "flask", "error") in found
    assert ("PIN201", "httpx", "error") in found
    assert not any(r == "PIN201" and pkg in ("django", "rich") for r, pkg, _s in found)


def test_poetry_lock_in_the_same_build_is_lockless(tmp_path):
    files = {"pyproject.toml": POETRY, "poetry.lock": POETRY_LOCK,
             "Dockerfile": DOCKER + "RUN poetry install --no-root\nRUN poetry lock && poetry install\n"}
    found = [(r, line) for r, p, line, _pkg, _s in _found(scan_files(tmp_path, files), "Dockerfile") if r == "PIN208"]
    assert found == [("PIN208", 5)]


UV_LOCK_WITH_METADATA = UV_LOCK.replace('source = { editable = "." }\n', '''source = { editable = "." }

[package.metadata]
requires-dist = [
    { name = "requests", specifier = ">=2.30" },
    { name = "click", specifier = "==8.1.7" },
    { name = "pysocks", marker = "extra == 'socks'", specifier = ">=1.7" },
]

[package.metadata.requires-dev]
dev = [{ name = "pytest", specifier = ">=8" }]
lint = [{ name = "ruff", specifier = ">=0.6" }]
''')


def test_uv_lock_resolved_for_another_specifier_is_drift(tmp_path):
    # requests>=2.31 is still satisfied by 2.32.3, but uv.lock recorded '>=2.30': `uv sync --locked` fails
    found = _found(scan_files(tmp_path, {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK_WITH_METADATA}))
    assert [f for f in found if f[4] != "info"] == [("PIN207", "pyproject.toml", 5, "requests", "error")]
    same = PYPROJECT.replace("requests>=2.31", "requests >= 2.30")  # the same set, spelled differently
    found = _found(scan_files(tmp_path / "same", {"pyproject.toml": same, "uv.lock": UV_LOCK_WITH_METADATA}))
    assert [f for f in found if f[4] != "info"] == []


def test_uv_workspace_member_is_locked_by_the_root(tmp_path):
    root = '[project]\nname = "ws"\nversion = "0"\n\n[tool.uv.workspace]\nmembers = ["backend"]\n'
    member = '[project]\nname = "app"\nversion = "0"\ndependencies = ["requests>=2.31"]\n'
    files = {"pyproject.toml": root, "uv.lock": UV_LOCK, "backend/pyproject.toml": member,
             "backend/Dockerfile": DOCKER + "RUN uv sync --frozen\n"}
    assert _found(scan_files(tmp_path, files)) == [("PIN206", "backend/pyproject.toml", 4, "requests", "info")]


def test_pylock_beside_a_pipfile_is_the_pipfiles(tmp_path):
    pylock = 'lock-version = "1.0"\ncreated-by = "pipenv"\n\n[[packages]]\nname = "flask"\nversion = "3.0.3"\n'
    found = _found(scan_files(tmp_path, {"pyproject.toml": PYPROJECT, "Pipfile": PIPFILE, "pylock.toml": pylock}),
                   "pyproject.toml")
    assert {f[0] for f in found} == {"PIN206"} and {f[4] for f in found} == {"info"}


def test_every_new_site_span_is_its_token_as_written(tmp_path):
    """Issue 9's coordinate property for the project files and the project-tool commands."""
    from pinaudit.app import scan
    from pinaudit.config import Config
    from pinaudit.parse.lines import LineIndex
    from tests.coords import check_site
    from tests.helpers import lay_out

    run = ("RUN uv sync && poetry install --no-root && pdm install && pipenv install\n"
           "RUN uv add requests 'httpx>=0.27' && poetry add flask@^3 && pip install -e '.[socks]'\n")
    files = {"pyproject.toml": PYPROJECT.replace("[dependency-groups]", POETRY.split("[tool.poetry]")[1]
                                                 .replace("name = \"app\"\nversion = \"0.1.0\"\n", "")
                                                 + "\n[dependency-groups]"),
             "Pipfile": PIPFILE, "uv.lock": UV_LOCK, "Dockerfile": DOCKER + run}
    lay_out(tmp_path, files)
    sites = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report.sites
    assert {s.location.path for s in sites} >= {"pyproject.toml", "Pipfile", "Dockerfile"}
    bad = []
    for s in sites:
        text = (tmp_path / s.location.path).read_text()
        bad += [f"{s.location.path}:{s.location.line} {s.package}: {p}" for p in check_site(text, s, LineIndex(text))]
    assert bad == [], "\n".join(bad)


def test_a_requirements_file_written_by_an_export_is_the_lockfile_not_a_missing_file(tmp_path):
    # `uv export -o r.txt && pip install -r r.txt`: r.txt is the lock's pins with hashes, not a file
    # the build context lacks (no PIN205); the export itself re-locks a stale uv.lock unless --frozen
    lock = {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK}
    run = "COPY pyproject.toml uv.lock ./\nRUN uv export {flag}-o r.txt && uv pip install --system -r r.txt\n"
    codes = (*CODES, "PIN205")

    def found(root, flag):
        files = {**lock, "Dockerfile": DOCKER + run.format(flag=flag)}
        return [(f.rule, f.location.span.line) for f in scan_files(root, files)
                if f.rule in codes and f.location.path == "Dockerfile"]

    assert found(tmp_path / "frozen", "--frozen ") == []
    assert found(tmp_path / "stale", "") == [("PIN208", 5)]
    # poetry export and a redirect; without the export the same install cannot be audited
    files = {**lock, "Dockerfile": DOCKER + "RUN poetry export -f requirements.txt > r.txt && pip install -r r.txt\n"}
    assert [f.rule for f in scan_files(tmp_path / "poetry", files) if f.rule == "PIN205"] == []
    files = {**lock, "Dockerfile": DOCKER + "RUN pip install -r r.txt\n"}
    assert [(f.rule, f.location.span.line) for f in scan_files(tmp_path / "none", files)
            if f.rule == "PIN205"] == [("PIN205", 4)]


def test_pip_installing_a_locked_project_gets_its_ranges_not_its_lock(tmp_path):
    # pip reads pyproject.toml's ranges and never uv.lock: the lock pins nothing for this install
    files = {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK, "Dockerfile": DOCKER + "RUN pip install .\n"}
    findings = [f for f in scan_files(tmp_path / "pip", files) if f.rule == "PIN206"]
    assert [(f.location.span.line, f.severity.label) for f in findings] == [
        (5, "error"), (10, "info"), (13, "info"), (14, "info")]
    assert "by pip, which resolves it afresh without reading uv.lock" in findings[0].message
    # a tool that installs the lock: the same ranges are pinned by it
    files["Dockerfile"] = DOCKER + "RUN uv sync --locked\n"
    assert {f.severity.label for f in scan_files(tmp_path / "uv", files) if f.rule == "PIN206"} == {"info"}
