"""Requirements files: catches / catches-not tables over the sites the analyzer emits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers import requirements as req
from pinaudit.analyzers import requirements_walk as walk
from pinaudit.model import Action, FileResult, Pin
from pinaudit.parse.requirements import classify_requirement, parse_requirement

H1 = "sha256:" + "a" * 64
H2 = "sha256:" + "b" * 64
SHA = "0123456789abcdef0123456789abcdef01234567"


def run(tmp_path: Path, text: str, name: str = "requirements.txt", **kw: object) -> FileResult:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    opts = ScanOptions(cwd=tmp_path, repo_root=kw.pop("repo_root", None))  # type: ignore[arg-type]
    if kw:
        return walk.analyze_file(p, name, opts, **kw)  # type: ignore[arg-type]
    return req.analyze(SourceFile(p, name, text, "requirements"), opts)


def rows(r: FileResult) -> list[tuple[str, str, str | None, str, int]]:
    return [(s.location.path, s.action.value, s.package, s.pin.value, s.location.line) for s in r.sites]


@pytest.mark.parametrize(
    ("line", "pin", "package"),
    [
        ("requests", Pin.UNPINNED, "requests"),
        ("requests>=2", Pin.UNPINNED, "requests"),
        ("requests ~= 2.31", Pin.UNPINNED, "requests"),
        ("requests==2.*", Pin.UNPINNED, "requests"),
        ("requests!=2.0", Pin.UNPINNED, "requests"),
        ("requests==2.31.0", Pin.EXACT, "requests"),
        ("requests===2.31.0", Pin.EXACT, "requests"),
        ("requests[socks]==2.31.0 ; python_version >= '3.8'", Pin.EXACT, "requests"),
        ("Foo_Bar.baz==1.0", Pin.EXACT, "Foo_Bar.baz"),
        ("torch==2.1.0+cpu", Pin.EXACT, "torch"),
        ("pkg @ https://example.com/pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64, Pin.IMMUTABLE, "pkg"),
        # SPEC §5 "VCS and URL references": a versioned file name pins the name, a commit id the bytes
        ("pkg @ https://example.com/pkg-1.0.tar.gz", Pin.EXACT, "pkg"),
        ("https://example.com/pkg-1.0.tar.gz#egg=pkg", Pin.EXACT, "pkg"),
        ("pkg @ https://example.com/archive/main.tar.gz", Pin.UNPINNED, "pkg"),
        (f"git+https://example.com/o/r.git@{SHA}#egg=r", Pin.IMMUTABLE, "r"),
        ("git+https://example.com/o/r.git@main#egg=r", Pin.UNPINNED, "r"),
        ("git+https://example.com/o/r.git#egg=r", Pin.UNPINNED, "r"),
        (f"r @ git+ssh://git@example.com/o/r.git@{SHA}", Pin.IMMUTABLE, "r"),
        ("git+https://example.com/o/r.git@v1.2.0", Pin.EXACT, "r"),
        ("./local/pkg", Pin.LOCAL, "./local/pkg"),
        ("dist/pkg-1.0-py3-none-any.whl", Pin.LOCAL, "pkg"),
        (".", Pin.LOCAL, "."),
        ("file:///srv/pkg", Pin.LOCAL, "file:///srv/pkg"),
        ("pkg==${PINAUDIT_TEST_UNSET_VAR}", Pin.UNKNOWN, "pkg"),
    ],
)
def test_entry_pins(tmp_path: Path, line: str, pin: Pin, package: str) -> None:
    r = run(tmp_path, f"# header\n{line}\n")
    assert [(s.package, s.pin, s.location.line) for s in r.sites] == [(package, pin, 2)]
    assert not r.diagnostics


def test_env_var_is_unknown_whatever_the_runner_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pip expands it from the build's environment; the verdict must not change with the runner's
    monkeypatch.setenv("PINAUDIT_TEST_VER", "1.2.3")
    r = run(tmp_path, "pkg==${PINAUDIT_TEST_VER}\n")
    assert [(s.pin, s.version) for s in r.sites] == [(Pin.UNKNOWN, None)]


def test_classify_requirement_public() -> None:
    assert classify_requirement("requests==2.31.0") == ("requests", Pin.EXACT, "2.31.0", "")
    name, pin, version, _ = classify_requirement("requests>=2")
    assert (name, pin, version) == ("requests", Pin.UNPINNED, None)
    assert classify_requirement("not a req !!")[1] is Pin.UNKNOWN


def test_continuations_hashes_and_hash_mode(tmp_path: Path) -> None:
    text = f"django==4.2.1 \\\n    --hash={H1} \\\n    --hash={H2}\nflask==2.0.1\n"
    r = run(tmp_path, text)
    got = [(s.package, s.pin, s.hashed, s.hash_required, s.location.line) for s in r.sites]
    assert got == [("django", Pin.EXACT, True, True, 1), ("flask", Pin.EXACT, False, True, 4)]
    assert "hash-checking mode" in r.sites[1].detail


def test_require_hashes_option(tmp_path: Path) -> None:
    r = run(tmp_path, "--require-hashes\nflask==2.0.1\n")
    assert [(s.hashed, s.hash_required) for s in r.sites] == [(False, True)]


def test_no_hash_mode(tmp_path: Path) -> None:
    r = run(tmp_path, "flask==2.0.1\n")
    assert [(s.hashed, s.hash_required) for s in r.sites] == [(False, False)]


def test_comments_options_and_name_span(tmp_path: Path) -> None:
    text = (
        "-i https://example.com/simple\n--extra-index-url https://example.com/b\n-f ./wheels\n--pre\n"
        "--trusted-host example.com\n--no-binary :all:\n--only-binary=numpy\n--prefer-binary\n"
        "--use-feature=truststore\n#comment\n  requests==1.0   # trailing comment\n"
        "numpy==1.0 --config-settings=--build-option=x\n"
    )
    r = run(tmp_path, text)
    assert not r.diagnostics
    assert [(s.package, s.location.line, s.location.span.column) for s in r.sites] == [
        ("requests", 11, 3),
        ("numpy", 12, 1),
    ]


def test_global_options_on_requirement_line_ignored(tmp_path: Path) -> None:
    r = run(tmp_path, "python3-saml==1.16.0 --no-binary lxml,xmlsec\nfoo --pre -r other.txt\n")
    assert not r.diagnostics
    assert [(s.package, s.pin) for s in r.sites] == [("python3-saml", Pin.EXACT), ("foo", Pin.UNPINNED)]


def test_hash_in_comment_does_not_count(tmp_path: Path) -> None:
    r = run(tmp_path, "requests==1.0 # --hash=sha256:abc\n")
    assert [(s.hashed, s.hash_required) for s in r.sites] == [(False, False)]


def test_editable(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        f"-e .\n-e ./sub[dev]\n--editable git+https://example.com/o/r.git@{SHA}#egg=r\n-e git+https://example.com/o/r.git#egg=r2\n",
    )
    assert [(s.package, s.pin, s.location.line) for s in r.sites] == [
        (".", Pin.LOCAL, 1),
        ("./sub[dev]", Pin.LOCAL, 2),
        ("r", Pin.IMMUTABLE, 3),
        ("r2", Pin.UNPINNED, 4),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "requests==1.0 --hash",
        "requests==1.0 --hash=md5:abc",
        "--no-such-option",
        "-r",
        "foo==1.0 ==2",
        "tensorflow=>1.2",
    ],
)
def test_rejected_lines_diagnosed(tmp_path: Path, line: str) -> None:
    r = run(tmp_path, f"six==1.16.0\n{line}\nwheel==0.42\n")
    assert [d.location.line for d in r.diagnostics] == [2]
    assert ("six", 1) in [(s.package, s.location.line) for s in r.sites]
    assert ("wheel", 3) in [(s.package, s.location.line) for s in r.sites]


def test_includes_followed_at_their_own_lines(tmp_path: Path) -> None:
    (tmp_path / "req").mkdir()
    (tmp_path / "req" / "base.txt").write_text("# base\nflask>=2\n")
    r = run(tmp_path, "-r req/base.txt\nsix==1.16.0\n")
    assert rows(r) == [
        ("requirements.txt", "install", "six", "exact", 2),
        ("req/base.txt", "install", "flask", "unpinned", 2),
    ]
    assert r.related == ("req/base.txt",)


def test_missing_include_gives_requirements_site(tmp_path: Path) -> None:
    r = run(tmp_path, "six==1.16.0\n-r nowhere.txt\n")
    miss = [s for s in r.sites if s.action is Action.REQUIREMENTS]
    assert [(s.package, s.pin, s.spec, s.location.line) for s in miss] == [(None, Pin.UNKNOWN, "nowhere.txt", 2)]


def test_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("-r requirements.txt\nsix\n")
    r = run(tmp_path, "-r a.txt\nflask==2.0\n")
    assert any("cycle" in d.message for d in r.diagnostics)
    assert sorted(s.package or "" for s in r.sites) == ["flask", "six"]


def test_self_include(tmp_path: Path) -> None:
    r = run(tmp_path, "-r requirements.txt\n")
    assert any("cycle" in d.message for d in r.diagnostics)


def test_include_escaping_repo(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.txt").write_text("evil\n")
    r = run(repo, "-r ../outside.txt\n", repo_root=repo)
    assert any("outside the repository" in d.message for d in r.diagnostics)
    assert not r.sites


def test_deep_include_chain_bounded(tmp_path: Path) -> None:
    for i in range(150):
        (tmp_path / f"r{i}.txt").write_text(f"-r r{i + 1}.txt\npkg{i}==1.0\n")
    (tmp_path / "r150.txt").write_text("last==1.0\n")
    r = run(tmp_path, "-r r0.txt\n")
    assert any("deeper" in d.message for d in r.diagnostics)


def test_constraints_pin_entries(tmp_path: Path) -> None:
    (tmp_path / "constraints.txt").write_text("Flask_Login==0.6.3\nsix>=1\n")
    (tmp_path / "base.txt").write_text("flask-login\n")
    r = run(tmp_path, "-c constraints.txt\n-r base.txt\nsix\n")
    got = {s.package: (s.pin, s.version) for s in r.sites}
    assert got == {"flask-login": (Pin.EXACT, "0.6.3"), "six": (Pin.UNPINNED, None)}
    assert "constraints" in next(s for s in r.sites if s.package == "flask-login").detail


def test_read_constraints(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("A_b==1.0\nc>=2\n-c more.txt\n")
    (tmp_path / "more.txt").write_text("d===3\n")
    assert walk.read_constraints(tmp_path / "c.txt") == {"a-b": "1.0", "d": "3"}
    assert walk.read_constraints(tmp_path / "nope.txt") is None


def test_in_file_with_compiled_sibling(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==2.0.1\n")
    r = run(tmp_path, "flask\n", name="requirements.in")
    assert r.sites == ()
    r2 = run(tmp_path, "flask\n", name="requirements.in", installed_directly=True)
    assert [(s.package, s.pin) for s in r2.sites] == [("flask", Pin.UNPINNED)]


def test_in_file_without_sibling(tmp_path: Path) -> None:
    r = run(tmp_path, "flask\n", name="dev.in")
    assert [(s.package, s.pin) for s in r.sites] == [("flask", Pin.UNPINNED)]


def test_pragmas(tmp_path: Path) -> None:
    text = "# pinaudit: ignore-file\nflask  # pinaudit: ignore=PIN202,pin203\n# pinaudit: ignore\n\nsix\n"
    r = run(tmp_path, text)
    assert r.ignore_file
    got = [(s.codes, s.first_line, s.last_line, s.comment_line) for s in r.suppressions]
    assert got == [(frozenset({"PIN202", "PIN203"}), 2, 2, 2), (frozenset(), 5, 5, 3)]


def test_via_recorded(tmp_path: Path) -> None:
    from pinaudit.model import Location, Span

    via = Location("Dockerfile", Span.point(3))
    r = run(tmp_path, "flask\n", via=via)
    assert r.sites[0].via == via


def test_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "requirements.txt"
    p.write_bytes(b"\xff\xfe\x00bad")
    r = walk.analyze_file(p, "requirements.txt", ScanOptions(cwd=tmp_path))
    assert r.diagnostics and not r.sites


def test_parse_requirement_never_raises() -> None:
    for junk in ["", "@", "[", "a @", "-", "==" * 50, "\x00", "a;;;", "x @ git+"]:
        parse_requirement(junk, env=dict(os.environ))


@pytest.mark.slow
def test_corpus_no_exception() -> None:
    """Every requirements / package.json / compose file of the shared corpus analyses cleanly."""
    import csv

    from pinaudit.analyzers import get
    from tests.helpers import CORPUS as corpus

    manifest = corpus / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("shared corpus absent")
    kinds = {"requirements": "requirements", "package_json": "package.json", "compose": "compose"}
    seen = 0
    with manifest.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            kind = kinds.get(row["file_type"])
            if kind is None:
                continue
            path = corpus / row["path_in_corpus"]
            repo_root = corpus / "files" / row["path_in_corpus"].split("/")[1]
            text = path.read_text(encoding="utf-8")
            result = get(kind).analyze(
                SourceFile(path, row["path_in_corpus"], text, kind), ScanOptions(cwd=corpus, repo_root=repo_root)
            )
            assert result.path == row["path_in_corpus"]
            seen += 1
    assert seen > 2500


def test_stray_words_dropped_like_pip(tmp_path: Path) -> None:
    r = run(tmp_path, "google - auth\n")
    assert [(s.package, s.pin) for s in r.sites] == [("google", Pin.UNPINNED)]
    assert [d.location.line for d in r.diagnostics] == [1]


def test_direct_url_with_a_variable_is_judged_by_its_hash_fragment(tmp_path: Path) -> None:
    sha = "a" * 64
    r = run(tmp_path, f"https://f.example/pkg-${{VER}}.tar.gz\nhttps://f.example/pkg-${{VER}}.tar.gz#sha256={sha}\n"
                      "git+https://x.example/r.git@${REF}\n")
    assert [(s.package, s.pin) for s in r.sites] == [
        ("https://f.example/pkg-${VER}.tar.gz", Pin.UNPINNED),  # no hash: unpinned whatever VER is
        (f"https://f.example/pkg-${{VER}}.tar.gz#sha256={sha}", Pin.IMMUTABLE),  # pip checks the bytes
        ("git+https://x.example/r.git@${REF}", Pin.UNKNOWN),  # the ref decides
    ]


def test_backslash_in_a_marker_string_prints_no_warning() -> None:
    # packaging reads marker strings with ast.literal_eval: "\8" would print a SyntaxWarning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_requirement('x>=1; python_version == "3\\8"').pin is Pin.UNPINNED
