"""Property-based robustness tests for every parser and analyzer (issue 5).

Each property feeds generated text and mutations of real files (the shared corpus when present,
else the repository's fixtures and a few seeds below) and requires findings or a typed
diagnostic: no exception escapes, and no diagnostic is one of our own "internal error" catch-alls
(those exist so a bug cannot take a scan down, but a fuzzer hitting one has found the bug).

Example counts: modest by default so the file runs in well under a minute. For long runs set
``PINAUDIT_FUZZ_EXAMPLES=N`` (every property runs N examples) or ``HYPOTHESIS_PROFILE=fuzz``
(100,000 each)::

    PINAUDIT_FUZZ_EXAMPLES=100000 .venv/bin/pytest tests/test_fuzz.py -k dockerfile -p no:cacheprovider
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.discover import Target
from pinaudit.model import Diagnostic, FileResult, Pin
from pinaudit.parse.text import MappedText
from pinaudit.work import analyze_target
from tests.helpers import CORPUS

REPO = Path(__file__).resolve().parents[1]

_LONG = int(os.environ.get("PINAUDIT_FUZZ_EXAMPLES", "0")) or (
    100_000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 0
)
_INTERNAL = re.compile(r"internal (?:error|shell-analysis error)", re.I)

F = TypeVar("F", bound=Callable[..., Any])


def examples(default: int) -> Callable[[F], F]:
    """Hypothesis settings: ``default`` examples, or the long-run count from the environment."""
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    # deadline off: CI machines are shared; time is bounded by test_pathological, not here
    if _LONG:  # long runs explore afresh instead of replaying the example database
        return settings(max_examples=_LONG, deadline=None, suppress_health_check=quiet, database=None)
    return settings(max_examples=default, deadline=None, suppress_health_check=quiet)


# --------------------------------------------------------------------------------------------
# seeds: real files to mutate

_SEEDS: dict[str, list[str]] = {
    "dockerfile": [
        "# syntax=docker/dockerfile:1\nARG BASE=python:3.12\nFROM ${BASE} AS build\n"
        "RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt \\\n"
        "    && apt-get update && apt-get install -y curl=7.88.1-10 git\n"
        "COPY --from=build /app /app\nRUN <<EOF\nset -e\nnpm install -g yarn@1.22.22\nEOF\n"
        'ONBUILD RUN ["pip", "install", "flask"]\nCMD ["python", "-m", "app"]\n',
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n"
        "    Install-Module x\nSHELL [\"pwsh\", \"-c\"]\nRUN choco install git\n",
        "FROM alpine:3.20\nRUN apk add --no-cache curl~8 && curl -fsSL https://x.invalid/i.sh | sh\n"
        "ADD https://x.invalid/a.tgz /tmp/\nRUN sh -c 'gem install rails && go install x@latest'\n",
    ],
    "requirements": [
        "-r base.txt\n-c constraints.txt\nrequests==2.31.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"
        "flask>=2 ; python_version >= '3.8'\n-e git+https://x.invalid/r.git@" + "b" * 40 + "#egg=r\n"
        "./local\nDjango~=4.2  # pinaudit: ignore=PIN202\n${EXTRA}\n--index-url https://i.invalid/simple\n",
    ],
    "package.json": [
        json.dumps({"name": "x", "workspaces": ["packages/*"], "dependencies": {"a": "^1.0.0", "b": "1.2.3",
                    "c": "github:u/r#" + "c" * 40, "d": "npm:e@^2", "f": "file:../f", "g": "latest"},
                    "devDependencies": {"h": "~2"}, "overrides": {"i": "1.0.0"}, "packageManager": "pnpm@9.1.0"},
                   indent=2),
    ],
    "compose": [
        "version: '3.8'\nx-base: &base\n  image: nginx:1.27\nservices:\n  web:\n    <<: *base\n"
        "  db:\n    image: ${DB_IMAGE:-postgres}\n  app:\n    build: .\n    image: app\n    pull_policy: always\n",
    ],
    "workflow": [
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container: node:20\n    services:\n"
        "      redis:\n        image: redis\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: docker://alpine:3.20\n      - run: |\n          pip install requests\n"
        "          npm ci\n      - shell: pwsh\n        run: Install-Module x\n"
        "      - run: curl -sSL https://x.invalid/${{ matrix.os }}.sh | bash\n",
    ],
    "shell": [
        "#!/bin/bash\nset -euo pipefail\nfor p in curl git; do apt-get install -y \"$p\"; done\n"
        "if [ -n \"$CI\" ]; then sudo -E pip install -U pip; fi\nf() { npm i -g pnpm; }\nf\n"
        "cat <<'EOF' | sh\nyarn global add x\nEOF\nbash <(curl -s https://x.invalid/i.sh)\n"
        "eval \"$(wget -qO- https://x.invalid/e)\"\nxargs -a pkgs.txt apt-get install -y\n",
    ],
    "lockfile": [
        json.dumps({"lockfileVersion": 3, "packages": {"": {"dependencies": {"a": "^1.0.0"}},
                                                        "node_modules/a": {"version": "1.0.1"}}}),
        '# yarn lockfile v1\n\n"a@^1.0.0", a@^1.0.1:\n  version "1.0.1"\n  resolved "https://x.invalid/a"\n',
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n"
        "        version: 1.0.1\npackages:\n  a@1.0.1:\n    resolution: {integrity: sha512-x}\n",
    ],
}
_CORPUS_TYPES = {"dockerfile": "dockerfile", "requirements": "requirements", "package.json": "package_json",
                 "compose": "compose", "lockfile": "lockfile", "shell": "dockerfile"}


@functools.cache
def _corpus_paths(kind: str) -> tuple[Path, ...]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        fixtures = {"dockerfile": "Dockerfile", "requirements": "requirements*", "package.json": "package.json",
                    "compose": "docker-compose.yml"}
        pattern = fixtures.get(kind)
        return tuple(sorted((REPO / "fixtures").rglob(pattern))) if pattern else ()
    with manifest.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["file_type"] == _CORPUS_TYPES.get(kind)]
    return tuple(CORPUS / r["path_in_corpus"] for r in rows)


@functools.lru_cache(maxsize=512)
def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def real_texts(kind: str) -> st.SearchStrategy[str]:
    seeds = st.sampled_from(_SEEDS[kind])
    paths = _corpus_paths(kind)
    if not paths:
        return seeds
    return st.one_of(seeds, st.sampled_from(paths).map(_read))


_ODD_CHARS = "\\`\"'$#\n\r\t {}[]()<>|&;=:@,*~^!?%\x00\x0b\x0c\u00a0\u2028\ufeffé"


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """A real file after a few byte flips, line deletions/duplications/swaps, insertions, truncation."""
    text = draw(base)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete-line", "dup-line", "swap-lines", "truncate",
                                   "delete-span", "dup-span"]))
        n = len(text)
        if op == "flip" and n:
            i = draw(st.integers(0, n - 1))
            text = text[:i] + draw(st.sampled_from(_ODD_CHARS) | st.characters()) + text[i + 1 :]
        elif op == "insert":
            i = draw(st.integers(0, n))
            text = text[:i] + draw(st.text(_ODD_CHARS, max_size=8) | st.text(max_size=8)) + text[i:]
        elif op == "truncate" and n:
            text = text[: draw(st.integers(0, n))]
        elif op in ("delete-span", "dup-span") and n:
            i = draw(st.integers(0, n))
            j = min(n, i + draw(st.integers(0, 200)))
            text = text[:i] + text[j:] if op == "delete-span" else text[:j] + text[i:j] + text[j:]
        else:
            lines = text.splitlines(keepends=True)
            if not lines:
                continue
            i = draw(st.integers(0, len(lines) - 1))
            if op == "delete-line":
                del lines[i]
            elif op == "dup-line":
                lines.insert(i, lines[i] * draw(st.integers(1, 3)))
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    return text


def soup(tokens: list[str]) -> st.SearchStrategy[str]:
    """Generated text: grammar-flavoured tokens glued with spaces, newlines or nothing."""
    part = st.one_of(st.sampled_from(tokens), st.text(_ODD_CHARS, min_size=1, max_size=3), st.text(max_size=4))
    sep = st.sampled_from(["", " ", " ", "\n", " \\\n", "\t"])
    return st.lists(st.tuples(part, sep), max_size=60).map(lambda xs: "".join(a + b for a, b in xs))


_SHELL_WORDS = [
    "apt-get", "apt", "install", "update", "upgrade", "dist-upgrade", "-y", "--no-install-recommends", "-t",
    "bookworm", "curl", "curl=7.*", "pkg/bookworm", "./x.deb", "apk", "add", "--no-cache", "x~1", "yum", "dnf",
    "microdnf", "zypper", "pip", "pip3", "pip3.12", "python", "python3", "-m", "uv", "pipx", "-U", "--upgrade",
    "-r", "-c", "-e", ".", "requests", "requests==2.0", "'x>=1'", "x>=1", "--require-hashes", "npm", "i", "ci",
    "yarn", "pnpm", "npx", "corepack", "prepare", "-g", "express@^4", "@scope/p@1.0.0", "gem", "-v", "go",
    "get", "x@latest", "cargo", "--version", "curl", "-fsSL", "https://x.invalid/a.sh", "wget", "-O-", "-qO",
    "|", "||", "&&", ";", "&", "sh", "bash", "-c", "-lc", "su", "sudo", "-E", "env", "X=1", "exec", "xargs",
    "nohup", "eval", "source", "$(", ")", "`", "<(", ">(", "(", "{", "}", "if", "then", "else", "elif", "fi",
    "for", "in", "do", "done", "while", "until", "case", "esac", ";;", "function", "f()", "$X", "${X}",
    "${X:-a b}", "${X#*/}", "${X%%.*}", "${X/a/b}", "${#X}", "$@", "$*", "$1", "$$", "$'a\\nb'", '"', "'",
    "\\", "<<EOF", "<<-EOF", "<<'EOF'", "EOF", "<<<", ">", ">>", "2>&1", "<", ">=", "=", "#", "!", "[[", "]]",
    "[", "]", "test", "export", "local", "readonly", "declare", "set", "-e", "unset", "cd", "/tmp", "*", "?",
    "~", "{a,b}", "$((1+2))", "((", "))", "&>", "|&", "time", "coproc", "select", "trap",
    "conda", "mamba", "micromamba", "conda-lock", "create", "env", "--file", "-f", "-n", "-p", "--all",
    "numpy=1.2", "numpy==1.2=py_0", "'x>=1'", "c::x", "\"x[version='>=1']\"", "environment.yml",
]
_DOCKER_WORDS = [
    "FROM", "RUN", "ARG", "ENV", "COPY", "ADD", "ONBUILD", "CMD", "ENTRYPOINT", "WORKDIR", "USER", "SHELL",
    "HEALTHCHECK", "NONE", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "MAINTAINER", "from", "run", "AS", "as",
    "--platform=$BUILDPLATFORM", "--from=build", "--from=0", "--mount=type=cache,target=/root/.cache",
    "--mount=from=img,target=/x", "--checksum=sha256:" + "0" * 64, "--chown=1:1", "--link", "--network=none",
    "--interval=5s", "# escape=`", "# escape=\\", "# syntax=docker/dockerfile:1", "# check=skip=all",
    "# pinaudit: ignore=PIN101", "# pinaudit: ignore-file", "scratch", "ubuntu", "ubuntu:22.04",
    "alpine@sha256:" + "a" * 64, "${BASE}", "${BASE:-debian}", "$BASE", "build", "A=1", "A", "B=", '"a b"',
    '["pip", "install", "x"]', '["sh", "-c", "apt-get install y"]', "[", "]", '"', ",", "<<EOF", "<<-EOF",
    "<<'EOF'", "<<EOF1 <<EOF2", "EOF", "EOF1", "EOF2", "\\", "`", "requirements.txt", ".", "/app",
    "https://x.invalid/f.tgz", "#", *_SHELL_WORDS[:60],
]
_REQ_WORDS = [
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "--hash=sha256:" + "a" * 64, "--hash", "sha256:", "--require-hashes", "--pre",
    "--no-binary", ":all:", "--only-binary", "--trusted-host", "-Z", "requests", "Django", "a.b-c_d", "==",
    "===", ">=", "<=", "~=", "!=", "<", ">", "1", "1.0", "2.31.0", "1.*", "1.0.post1", "1!2.0", "1.0+local",
    "[", "]", "[security,socks]", ",", ";", "python_version", "'3.8'", "and", "or", "sys_platform", "==",
    "@", "https://x.invalid/p-1.0.tar.gz", "#sha256=" + "b" * 64, "#egg=x", "git+https://x.invalid/r.git",
    "@" + "c" * 40, "@main", "hg+", "svn+", "file:", "file:///x", "./pkg", "../p", "p.whl", "x-1.0-py3-none-any.whl",
    "${VAR}", "$VAR", "#", " #", "\\", "requirements.txt", "base.txt", "constraints.txt", "-r requirements.txt",
]
_JSON_WORDS = [
    "{", "}", "[", "]", ":", ",", '"', '"dependencies"', '"devDependencies"', '"optionalDependencies"',
    '"peerDependencies"', '"overrides"', '"resolutions"', '"pnpm"', '"workspaces"', '"packageManager"',
    '"name"', '"version"', '"a"', '"@s/b"', '"^1.0.0"', '"~1.2"', '"1.2.3"', '"latest"', '"*"', '""',
    '"npm:x@^1"', '"github:u/r"', '"git+https://x.invalid/r.git#' + "d" * 40 + '"', '"file:../x"',
    '"workspace:*"', '"link:x"', '">=1 <2"', '"1.x"', '"1 || 2"', "true", "false", "null", "1", "-1.5e3",
    '"\\u0000"', '"\\ud800"', '"\\"', "\\", "/*", "//", "\n",
]
_YAML_WORDS = [
    "services:", "image:", "build:", "pull_policy:", "always", "jobs:", "steps:", "run:", "uses:", "shell:",
    "container:", "runs-on:", "defaults:", "- ", "  ", "    ", "\n", ":", "&a", "*a", "<<:", "<< : *a", "{",
    "}", "[", "]", ",", "!!str", "!!map", "!!python/object:os.system", "!custom", "|", "|-", ">", ">-", "'",
    '"', "#", "---", "...", "%YAML 1.1", "? ", "nginx", "nginx:latest", "postgres:16@sha256:" + "e" * 64,
    "${IMAGE}", "${IMAGE:-x}", "${IMAGE:?err}", "$$", "${{ matrix.image }}", "docker://alpine", "pip install x",
    "apt-get install -y curl", "lockfileVersion:", "'9.0'", "5.4", "importers:", "dependencies:",
    "specifier:", "version:", "packages:", "~", "null", "1e3", "0x1F", "2024-01-01", "\t",
]


@contextmanager
def scratch() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="pinaudit-fuzz-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def check(result: FileResult) -> None:
    assert isinstance(result, FileResult)
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic)
        assert isinstance(d.message, str) and d.message.strip()
        assert not _INTERNAL.search(d.message), d.message
        assert d.location.span.line >= 1
    for s in result.sites:
        assert s.location.span.line >= 1 and s.location.span.column >= 1


def analyze_file(kind: str, name: str, text: str, extra: dict[str, str] | None = None) -> FileResult:
    """The analyzer itself (not analyze_target's safety net) on ``text`` written to a fresh folder."""
    from pinaudit.analyzers import get

    with scratch() as d:
        path = d / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        for rel, content in (extra or {}).items():
            (d / rel).write_text(content, encoding="utf-8", errors="surrogatepass")
        options = ScanOptions(cwd=d, repo_root=d)
        result = get(kind).analyze(SourceFile(path, name, text, kind), options)
        check(result)
        # and through the pipeline's reader, as a scan meets the bytes
        check(analyze_target(Target(path, kind, explicit=False), options))
        return result


def _clean(text: str) -> str:
    # lone surrogates cannot come out of a UTF-8 file; everything else can
    return text.encode("utf-8", errors="replace").decode("utf-8")


# --------------------------------------------------------------------------------------------
# Dockerfile


@examples(150)
@given(st.one_of(soup(_DOCKER_WORDS), mutated(real_texts("dockerfile"))).map(_clean))
def test_dockerfile_parser_raises_only_syntax_errors(text: str) -> None:
    from pinaudit.parse.dockerfile import DockerfileSyntaxError, parse

    try:
        ast = parse(text)
    except DockerfileSyntaxError as exc:
        assert exc.message.strip() and exc.line >= 1
        return
    for instr in ast.instructions:
        assert instr.start_line >= 1 and instr.end_line >= instr.start_line


@examples(100)
@given(soup(_DOCKER_WORDS).map(_clean))
def test_dockerfile_analyzer_generated(text: str) -> None:
    analyze_file("dockerfile", "Dockerfile", text, {"requirements.txt": "requests\n-r requirements.txt\n"})


@examples(100)
@given(mutated(real_texts("dockerfile")).map(_clean))
def test_dockerfile_analyzer_mutated(text: str) -> None:
    analyze_file("dockerfile", "Dockerfile", text)


# --------------------------------------------------------------------------------------------
# shell


@examples(150)
@given(st.one_of(soup(_SHELL_WORDS), mutated(real_texts("shell"))).map(_clean))
def test_shell_analyze_never_raises(text: str) -> None:
    from pinaudit.parse.shell import analyze

    result = analyze(MappedText.whole(text), {"KNOWN": "curl git", "EMPTY": "", "UNSET": None})
    for span, message in result.errors:
        assert message.strip() and not _INTERNAL.search(message), message
        assert span.line >= 1
    for cmd in result.commands:
        assert cmd.span.line >= 1


@examples(60)
@given(st.one_of(soup(_SHELL_WORDS), mutated(real_texts("shell"))).map(_clean))
def test_shell_script_analyzer(text: str) -> None:
    analyze_file("shell", "install.sh", "#!/bin/sh\n" + text)


# --------------------------------------------------------------------------------------------
# requirements


@examples(150)
@given(st.one_of(soup(_REQ_WORDS), mutated(real_texts("requirements"))).map(_clean))
def test_requirements_parser_never_raises(text: str) -> None:
    from pinaudit.parse.requirements import parse_requirements_text

    parse_requirements_text(text, env={"VAR": "x==1"})


@examples(100)
@given(st.one_of(soup(_REQ_WORDS), mutated(real_texts("requirements"))).map(_clean),
       st.sampled_from(["requirements.txt", "requirements.in", "requirements/dev.txt"]))
def test_requirements_analyzer(text: str, name: str) -> None:
    analyze_file("requirements", name, text, {"base.txt": "-r requirements.txt\nidna\n",
                                              "constraints.txt": "requests==2.0\n"})


_REQ_NAME = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,12}[A-Za-z0-9])?", fullmatch=True)
_REQ_VERSION = st.from_regex(r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,4}", fullmatch=True)


@examples(300)
@given(_REQ_NAME, st.none() | _REQ_VERSION)
def test_simple_requirement_fast_path_agrees_with_packaging(name: str, version: str | None) -> None:
    """`name` / `name==1.2` skip packaging (startup and speed); the verdict must be packaging's."""
    from packaging.requirements import Requirement

    from pinaudit.installers.pip import classify
    from pinaudit.parse.requirements import parse_requirement

    text = name if version is None else f"{name}=={version}"
    req = Requirement(text)
    specs = list(req.specifier)
    c, r = classify(text), parse_requirement(text)
    assert c.package == r.name == req.name
    if version is None:
        assert not specs and c.pin == r.pin == Pin.UNPINNED and c.by_name
    else:
        assert c.pin == r.pin == Pin.EXACT and c.version == r.version == specs[0].version


# --------------------------------------------------------------------------------------------
# package.json and lockfiles

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["^1.0.0", "1.2.3", "latest", "*", "npm:x@1", "workspace:^", "file:.", "git+ssh://x#a"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["dependencies", "devDependencies", "optionalDependencies", "overrides",
                                       "resolutions", "pnpm", "workspaces", "packageManager", "name", "a",
                                       "@s/b", ""]) | st.text(max_size=6), inner, max_size=5),
    max_leaves=25,
)


@examples(100)
@given(st.one_of(soup(_JSON_WORDS), mutated(real_texts("package.json")),
                 _json_values.map(lambda v: json.dumps(v, indent=1))).map(_clean))
def test_package_json_analyzer(text: str) -> None:
    analyze_file("package.json", "package.json", text)


_lockfile_texts = st.one_of(
    mutated(real_texts("lockfile")), soup(_YAML_WORDS), soup(_JSON_WORDS),
    _json_values.map(lambda v: json.dumps({"lockfileVersion": 3, "packages": v})),
).map(_clean)


@examples(100)
@given(_lockfile_texts, st.sampled_from(["package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
                                         "pnpm-lock.yaml"]))
def test_lockfile_reader_never_raises(text: str, name: str) -> None:
    from pinaudit.parse.lockfiles import read_lockfile

    with scratch() as d:
        path = d / name
        path.write_text(text, encoding="utf-8")
        lock = read_lockfile(path)
        assert lock.error is None or lock.error.strip()
        lock.lookup("a", "^1.0.0")
        lock.lookup("a", "^1.0.0", "packages/x")
        lock.all_versions("a")


@examples(60)
@given(_lockfile_texts, st.sampled_from(["package-lock.json", "yarn.lock", "pnpm-lock.yaml"]),
       mutated(real_texts("package.json")).map(_clean))
def test_package_json_with_fuzzed_lockfile(lock_text: str, lock_name: str, manifest: str) -> None:
    analyze_file("package.json", "package.json", manifest, {lock_name: lock_text})


@examples(300)
@given(st.one_of(st.text(max_size=30), st.sampled_from(_JSON_WORDS), soup(_JSON_WORDS)),
       st.one_of(st.text(max_size=12), st.sampled_from(["1.0.0", "1.2.3-rc.1", "v2", "x"])))
def test_npm_spec_helpers_never_raise(spec: str, version: str) -> None:
    from pinaudit.parse.lockfiles import classify_npm_spec, satisfies

    got = classify_npm_spec(spec)
    assert isinstance(got.pin, Pin)
    satisfies(version, spec)


# --------------------------------------------------------------------------------------------
# compose and workflows

_yaml_docs = _json_values.map(lambda v: json.dumps(v))  # JSON is YAML: structured documents too


@examples(100)
@given(st.one_of(soup(_YAML_WORDS), mutated(real_texts("compose")), _yaml_docs).map(_clean))
def test_compose_analyzer(text: str) -> None:
    analyze_file("compose", "docker-compose.yml", text, {".env": "DB_IMAGE=postgres:16\nX\n=\n"})


@examples(100)
@given(st.one_of(soup(_YAML_WORDS), mutated(real_texts("workflow")), _yaml_docs).map(_clean))
def test_workflow_analyzer(text: str) -> None:
    analyze_file("workflow", ".github/workflows/ci.yml", text)



# --------------------------------------------------------------------------------------------
# conda environment files and the conda-lock file beside them

_CONDA_WORDS = [
    *_YAML_WORDS, "channels:", "- pip:", "pip:", "numpy", "numpy=1.2=py_0", "python=3.11", "conda-forge::x",
    "x[version='>=1']", "x 1.2 b_0", "package:", "manager: pip", "manager: conda", "name: numpy", "version: 1.2",
    "metadata:", "sources: [environment.yml]", "-r req.txt", "--hash=sha256:" + "a" * 64, "{{ x }}",
]
_CONDA_SEED = ("name: x\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy\n  - pip:\n"
               "    - requests==2.0\n    - -r req.txt\n")
_LOCK_SEED = ("version: 1\nmetadata: {sources: [environment.yml]}\npackage:\n- name: numpy\n  version: 1.2.0\n"
              "  manager: conda\n- name: requests\n  version: '2.0'\n  manager: pip\n")


@examples(100)
@given(st.one_of(soup(_CONDA_WORDS), mutated(st.just(_CONDA_SEED)), _yaml_docs).map(_clean),
       st.one_of(soup(_CONDA_WORDS), mutated(st.just(_LOCK_SEED)), _yaml_docs).map(_clean))
def test_conda_environment_analyzer(text: str, lock: str) -> None:
    analyze_file("conda-env", "environment.yml", text, {"conda-lock.yml": lock, "req.txt": "x\n-r req.txt\n"})


_PIXI_WORDS = [
    "[dependencies]", "[pypi-dependencies]", "[feature.test.dependencies]", "[target.linux-64.dependencies]",
    "[feature.x]", "[workspace]", "dependencies = ", "{", "}", "=", "\"", "'", "\n", " ", "python", "numpy",
    '"3.11.*"', '">=1.26"', '"*"', '"==1.2=py_0"', "{ version = \"1.2\", build = \"py_0\" }", "{ path = \".\" }",
    '{ git = "https://x.invalid/y", rev = "abc" }', "[", "]", ",", "#", "1", "true", "[[x]]", '"a.b"',
]
_PIXI_SEED = ('[workspace]\nchannels = ["conda-forge"]\n\n[dependencies]\npython = "3.11.*"\nnumpy = ">=1"\n\n'
              '[pypi-dependencies]\nrequests = "*"\n\n[feature.lint]\ndependencies = { ruff = "*" }\n')


@examples(100)
@given(st.one_of(soup(_PIXI_WORDS), mutated(st.just(_PIXI_SEED))).map(_clean),
       st.one_of(soup(_CONDA_WORDS), mutated(st.just(_LOCK_SEED.replace("package:", "packages:")))).map(_clean))
def test_pixi_manifest_analyzer(text: str, lock: str) -> None:
    analyze_file("pixi", "pixi.toml", text, {"pixi.lock": lock})


# pyproject.toml, Pipfile and their lockfiles (issue 16)

_PYPROJECT_SEEDS = [
    '[project]\nname = "demo"\ndependencies = [\n  "requests>=2.31",  # c\n'
    '  \'flask[async]==3.0.0 ; python_version >= "3.9"\',\n]\n'
    '[project.optional-dependencies]\nx = ["a"]\n[dependency-groups]\ndev = ["pytest>=8", {include-group = "x"}]\n'
    '[tool.poetry.dependencies]\npython = "^3.10"\ndjango = {version = "^4.2", extras = ["argon2"]}\n'
    '"my.pkg" = [{version = "1.2.3", python = "<3.12"}, {git = "https://x.invalid/r", tag = "v1"}]\n'
    '[tool.uv.sources]\nfoo = { git = "https://x.invalid/foo", branch = "main" }\nbar = { workspace = true }\n'
    'multi = """\nline "\\"" ""\n"""\n',
]
_PY_LOCKS = {
    "uv.lock": 'version = 1\n[[package]]\nname = "demo"\nversion = "0"\nsource = { editable = "." }\n'
               '[package.metadata]\nrequires-dist = [{ name = "requests", specifier = ">=2.30" }]\n'
               '[[package]]\nname = "requests"\nversion = "2.32.3"\n',
    "poetry.lock": '[[package]]\nname = "django"\nversion = "4.2.16"\n',
    "pdm.lock": '[metadata]\ngroups = ["default"]\n[[package]]\nname = "requests"\nversion = "x"\n',
    "pylock.toml": '[[packages]]\nname = "requests"\n',
}
_PIPFILE_SEEDS = [
    '[[source]]\nurl = "https://x.invalid/simple"\nname = "x"\n[packages]\nflask = "*"\ngunicorn = "==22.0.0"\n'
    'rich = {version = ">=13", extras = ["jupyter"]}\nr = {git = "https://x.invalid/r", ref = "main"}\n'
    '[dev-packages]\npytest = ">=8"\n[requires]\npython_version = "3.12"\n',
]


@examples(100)
@given(mutated(st.sampled_from(_PYPROJECT_SEEDS)).map(_clean), st.sampled_from(sorted(_PY_LOCKS)),
       mutated(st.sampled_from(sorted(_PY_LOCKS.values()))).map(_clean))
def test_pyproject_analyzer_with_fuzzed_lockfile(text: str, lock_name: str, lock_text: str) -> None:
    analyze_file("pyproject.toml", "pyproject.toml", text, {lock_name: lock_text})


@examples(60)
@given(mutated(st.sampled_from(_PIPFILE_SEEDS)).map(_clean),
       st.one_of(st.just('{"_meta": {"hash": {"sha256": "x"}}, "default": {"flask": {"version": "==3.0.3"}}}'),
                 st.text(max_size=40)))
def test_pipfile_analyzer_with_fuzzed_lockfile(text: str, lock_text: str) -> None:
    analyze_file("Pipfile", "Pipfile", text, {"Pipfile.lock": lock_text})
