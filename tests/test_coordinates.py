"""Issue 9: one coordinate system, spans of package tokens and specs, edits as values.

* Edits at every site's recorded spec span, for every file kind (CRLF, a BOM, tabs, heredocs,
  continuation lines, exec form, ``sh -c`` strings), change exactly those characters.
* Generated inputs per file kind: every site's token, spec and origin spans are the characters
  as written and agree with the line index (tests/coords.py). A few examples by default;
  ``HYPOTHESIS_PROFILE=fuzz`` runs 10,000 per kind (``PINAUDIT_FUZZ_EXAMPLES=N``: N).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinaudit.analyzers import ScanOptions
from pinaudit.discover import Target
from pinaudit.edits import Edit, apply_edits
from pinaudit.model import FileResult, InstallSite
from pinaudit.parse.lines import LineIndex, SourceText
from pinaudit.work import analyze_target
from tests.coords import check_site

_EXAMPLES = int(os.environ.get("PINAUDIT_FUZZ_EXAMPLES", "0")) or (
    10_000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 40
)
_SETTINGS = settings(max_examples=_EXAMPLES, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.filter_too_much])


def _analyze(root: Path, name: str, data: bytes, kind: str) -> tuple[str, FileResult]:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    options = ScanOptions(cwd=root, repo_root=root)
    return SourceText.decode(data).text, analyze_target(Target(path, kind, explicit=False), options)


def _spans_ok(text: str, result: FileResult) -> list[InstallSite]:
    index = LineIndex(text)
    for site in result.sites:
        problems = check_site(text, site, index)
        assert not problems, (text, site, problems)
    for d in result.diagnostics:
        assert d.location.span.start >= 0 or d.location.path != result.path, d
    return list(result.sites)


# --------------------------------------------------------------------------------------------
# edits at the recorded spec spans, per file kind

_CASES: dict[str, tuple[str, str, bytes, dict[str, str]]] = {
    # name: (kind, file name, bytes, {package: spec text as written in the file})
    "dockerfile-crlf-bom-tabs": ("dockerfile", "Dockerfile", (
        "\ufeffFROM python:3.11\r\n"
        "RUN\tapt-get install -y \\\r\n"
        "\t\"curl=7.8*\" \\\r\n"
        "    wget\r\n"
        "RUN [\"pip\", \"install\", \"flask==2.0\"]\r\n"
        "RUN sh -c 'npm i -g express@^4'\r\n"
        "RUN <<EOF\r\n"
        "pip install 'requests[socks]>=2; python_version<\"3.13\"' tqdm\r\n"
        "EOF\r\n").encode("utf-8"),
        {"python": ":3.11", "curl": "=7.8*", "wget": "", "flask": "==2.0", "express": "@^4",
         "requests": ">=2", "tqdm": ""}),
    "dockerfile-continued-token": ("dockerfile", "Dockerfile", (
        b"FROM debian:12\nRUN apt-get install -y cu\\\nrl=7.8 jq\n"), {"debian": ":12", "curl": "=7.8", "jq": ""}),
    "requirements": ("requirements", "requirements.txt", (
        "# a comment with a \u2028 line separator\nrequests[socks] >= 2 ; python_version < \"3.13\"\n"
        "flask\\\n==2.0\r\nnumpy\n").encode(), {"requests": ">= 2", "flask": "==2.0", "numpy": ""}),
    "package.json": ("package.json", "package.json", (
        b'{\r\n  "dependencies": {"express": "^4", "@a/b": "1.2.3"}\r\n}\r\n'),
        {"express": "^4", "@a/b": "1.2.3"}),
    "compose": ("compose", "compose.yaml", (
        b"services:\n  web:\n    image: \"nginx:1.25\"\n  db:\n    image: postgres\n"),
        {"nginx": ":1.25", "postgres": ""}),
    "workflow": ("workflow", ".github/workflows/ci.yml", (
        b"on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
        b"      - run: |\n          pip install \"black==24.1\" \\\n            ruff\n"),
        {"black": "==24.1", "ruff": ""}),
    "shell": ("shell", "install.sh", (
        b"#!/bin/sh\r\napt-get install -y 'curl=7.8*'\r\n\tpip install \"numpy==1.2\"\r\n"),
        {"curl": "=7.8*", "numpy": "==1.2"}),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_edits_at_spec_spans_change_only_those_characters(case: str, tmp_path: Path) -> None:
    kind, name, data, expected = _CASES[case]
    text, result = _analyze(tmp_path, name, data, kind)
    sites = _spans_ok(text, result)
    seen = {}
    for site in sites:
        assert site.spec_span is not None
        seen[site.package] = text[site.spec_span.start : site.spec_span.end].replace("\\\n", "")
    for package, spec in expected.items():
        assert seen.get(package) == spec, (package, seen)
    edits = [Edit(name, s.spec_span.start, s.spec_span.end, "«V»") for s in sites if s.spec_span is not None]
    out = apply_edits(text, edits)
    # every character outside the edited ranges is unchanged, in order
    pos = 0
    rebuilt = []
    for e in sorted(set(edits), key=lambda e: e.start):
        rebuilt.append(text[pos : e.start])
        rebuilt.append("«V»")
        pos = e.end
    rebuilt.append(text[pos:])
    assert out == "".join(rebuilt)
    assert out.count("«V»") == len(set(edits))
    # and a writer gives the bytes back with the file's BOM and line endings
    source = SourceText.decode(data)
    assert source.encode(text) == data
    assert source.encode(out).startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------------------------
# generated inputs

_NL = st.sampled_from(["\n", "\r\n"])
_QUOTE = st.sampled_from(["", "", "'", '"'])
_ODD = st.sampled_from(["", "\u2028", "\x85", "\v", "\f", "\u2029", "é", "\t"])
_ODD_DATA = st.sampled_from(["", "\u2028", "\x85", "\u2029", "é"])  # what YAML and JSON strings accept


def _quoted(q: str, s: str) -> str:
    return f"{q}{s}{q}"


_APT = st.tuples(st.sampled_from(["curl", "jq", "lib-x1.2", "g++"]), st.sampled_from(["", "=7.8*", "=1.0-1"]))
_PIP = st.tuples(st.sampled_from(["requests", "numpy", "Foo_Bar", "a.b"]),
                 st.sampled_from(["", "[socks]", "[a,b]"]),
                 st.sampled_from(["", "==1.2", ">=2", ">=2,<3", "~=1.4"]),
                 st.sampled_from(["", "; python_version<'3.13'"]))
_NPM = st.tuples(st.sampled_from(["express", "@a/b", "left-pad"]), st.sampled_from(["", "@^4", "@1.2.3", "@latest"]))


def _word_list(draw: st.DrawFn, sep_choices: list[str]) -> tuple[str, str, str]:
    apt = " ".join(_quoted(draw(_QUOTE), a + b) for a, b in draw(st.lists(_APT, min_size=1, max_size=3)))
    pip = " ".join(_quoted(draw(st.sampled_from(["", "'"])), a + b + c + d)
                   for a, b, c, d in draw(st.lists(_PIP, min_size=1, max_size=3)))
    npm = " ".join(_quoted(draw(_QUOTE), a + b) for a, b in draw(st.lists(_NPM, min_size=1, max_size=2)))
    sep = draw(st.sampled_from(sep_choices))
    return apt.replace(" ", sep), pip, npm


@st.composite
def dockerfiles(draw: st.DrawFn) -> bytes:
    nl = draw(_NL)
    apt, pip, npm = _word_list(draw, [" ", "\t", " \\" + nl + "  ", " \\" + nl + "\t"])
    tag = draw(st.sampled_from(["", ":3.11", "@sha256:" + "a" * 64, ":3.11-slim"]))
    lines = [f"FROM python{tag}", f"# {draw(_ODD)} comment", f"ARG V=1.2.3{draw(_ODD)}",
             f"RUN{draw(st.sampled_from([' ', chr(9)]))}apt-get install -y {apt}"]
    form = draw(st.sampled_from(["shell", "heredoc", "exec", "shc"]))
    if form == "shell":
        lines.append(f"RUN pip install {pip} && npm i {npm}")
    elif form == "heredoc":
        lines += ["RUN <<EOF", f"pip install {pip}", f"npm i {npm}", "EOF"]
    elif form == "exec":
        lines.append('RUN ["npm", "i", "' + npm.replace('"', "").replace("'", "") + '"]')
    else:
        lines.append(f"RUN sh -c \"npm i {npm.replace(chr(34), '')}\"")
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + nl.join(lines) + nl).encode("utf-8")


@st.composite
def requirements(draw: st.DrawFn) -> bytes:
    nl = draw(_NL)
    out = []
    for a, b, c, d in draw(st.lists(_PIP, min_size=1, max_size=5)):
        pad = draw(st.sampled_from(["", " ", "\t"]))
        out.append(f"# note {draw(_ODD)} here")
        cont = draw(st.sampled_from(["", "\\" + nl]))
        out.append(f"{pad}{a}{b}{cont}{c}{d}")
    return ("\ufeff" * draw(st.booleans()) + nl.join(out) + nl).encode()


@st.composite
def package_jsons(draw: st.DrawFn) -> bytes:
    nl = draw(_NL)
    items = draw(st.lists(_NPM, min_size=1, max_size=4, unique_by=lambda t: t[0]))
    ws = draw(st.sampled_from([" ", nl + "  ", "\t"]))
    deps = ("," + ws).join(f'"{n}":{ws}"{v.lstrip("@") or "*"}"' for n, v in items)
    return ("{" + nl + f'  "name": "x{draw(_ODD_DATA)}",' + nl + '  "dependencies": {' + ws + deps + ws + "}" + nl + "}"
            + nl).encode()


@st.composite
def composes(draw: st.DrawFn) -> bytes:
    nl = draw(_NL)
    q = draw(st.sampled_from(["", "'", '"']))
    tag = draw(st.sampled_from(["", ":1.25", "@sha256:" + "b" * 64, ":${TAG:-1}", ":1.25@sha256:" + "c" * 64]))
    name = draw(st.from_regex(r"(localhost:5000/|ghcr\.io/)?[a-z][a-z0-9]{0,6}(/[a-z0-9]{1,5})?", fullmatch=True))
    pad = draw(st.sampled_from(["", "  "]))
    return nl.join(["services:", "  web:", f"    image: {pad}{q}{name}{tag}{q}", f"    # {draw(_ODD_DATA)}",
                    ""]).encode()


@st.composite
def workflows(draw: st.DrawFn) -> bytes:
    nl = draw(_NL)
    apt, pip, npm = _word_list(draw, [" ", " \\" + nl + "            "])
    style = draw(st.sampled_from(["|", ">"]))
    return nl.join(["on: push", "jobs:", "  b:", "    runs-on: ubuntu-latest", "    steps:",
                    f"      - run: {style}", f"          apt-get install -y {apt}", "",
                    f"          pip install {pip} ${{{{ inputs.x }}}}", f"          npm i {npm}", ""]).encode()


@st.composite
def scripts(draw: st.DrawFn) -> bytes:
    nl = draw(_NL)
    apt, pip, npm = _word_list(draw, [" ", " \\" + nl + "  ", "\t"])
    return nl.join(["#!/bin/sh", f"# {draw(_ODD)}", "P=\"tqdm click\"", f"apt-get install -y {apt}",
                    f"pip install {pip} $P", f"\tnpm i {npm}", ""]).encode()


_KINDS = {
    "dockerfile": ("Dockerfile", dockerfiles()),
    "requirements": ("requirements.txt", requirements()),
    "package.json": ("package.json", package_jsons()),
    "compose": ("compose.yaml", composes()),
    "workflow": (".github/workflows/ci.yml", workflows()),
    "shell": ("install.sh", scripts()),
}

RAN: dict[str, int] = {}


@pytest.mark.parametrize("kind", sorted(_KINDS))
def test_generated_sites_are_their_tokens_as_written(kind: str) -> None:
    name, strategy = _KINDS[kind]
    root = Path(tempfile.mkdtemp(prefix="pinaudit-coords-"))
    RAN[kind] = 0
    try:
        @_SETTINGS
        @given(strategy)
        def run(data: bytes) -> None:
            RAN[kind] += 1
            text, result = _analyze(root, name, data, kind)
            _spans_ok(text, result)
            assert result.sites, text

        run()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n{kind}: {RAN[kind]} generated inputs")


def test_a_value_from_an_arg_carries_its_origin(tmp_path: Path) -> None:
    data = b'FROM python:3.11\r\nARG NUMPY=1.2.3\r\nENV V="2.0"\r\nRUN pip install "numpy==$NUMPY" flask==${V} tqdm\r\n'
    text, result = _analyze(tmp_path, "Dockerfile", data, "dockerfile")
    sites = {s.package: s for s in _spans_ok(text, result)}
    origin = sites["numpy"].origin
    assert origin is not None and text[origin.start : origin.end] == "1.2.3" and origin.line == 2
    origin = sites["flask"].origin
    assert origin is not None and text[origin.start : origin.end] == "2.0" and origin.line == 3
    assert sites["tqdm"].origin is None
    spec = sites["numpy"].spec_span
    assert spec is not None and text[spec.start : spec.end] == "==$NUMPY"


def test_words_of_a_shell_variable_point_at_their_assignment(tmp_path: Path) -> None:
    data = b'#!/bin/sh\nP="tqdm click"\npip install $P\n'
    text, result = _analyze(tmp_path, "install.sh", data, "shell")
    sites = {s.package: s for s in _spans_ok(text, result)}
    for name in ("tqdm", "click"):
        origin = sites[name].origin
        assert origin is not None and text[origin.start : origin.end] == name and origin.line == 2


def test_script_defaults_and_partial_words_carry_their_origin(tmp_path: Path) -> None:
    data = (b'#!/bin/sh\n: "${TOOL:=black}"\nSPEC=">=1.26"\nV=4\n'
            b'pip install "$TOOL" "numpy$SPEC" "flask==${V}" "ruff${UNSET}"\n')
    text, result = _analyze(tmp_path, "install.sh", data, "shell")
    sites = {s.package: s for s in _spans_ok(text, result)}
    for name, value, line in (("black", "black", 2), ("numpy", ">=1.26", 3), ("flask", "4", 4)):
        origin = sites[name].origin
        assert origin is not None and text[origin.start : origin.end] == value and origin.line == line, name
    rest = [s for name, s in sites.items() if name not in ("black", "numpy", "flask")]
    assert len(rest) == 1 and rest[0].origin is None  # ruff${UNSET}: no value, no origin


def test_workflow_env_values_are_origins_at_every_level(tmp_path: Path) -> None:
    data = (b'on: push\nenv:\n  A: requests\njobs:\n  j:\n    runs-on: ubuntu-latest\n    env:\n      B: "black"\n'
            b'    steps:\n      - run: pip install "$A" ${B} "${{ env.A }}" "$C" "$D"\n        env:\n'
            b'          C: ruff\n          D: ${{ inputs.d }}\n')
    text, result = _analyze(tmp_path, ".github/workflows/ci.yml", data, "workflow")
    got = {(s.package, s.location.span.column): s.origin for s in _spans_ok(text, result)}
    values = {k: text[o.start : o.end] if o else None for k, o in got.items()}
    assert sorted(values.values(), key=str) == sorted(["requests", "black", "requests", "ruff", None], key=str)
