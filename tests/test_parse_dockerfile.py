"""Unit tests for the BuildKit-equivalent Dockerfile front-end, with exact physical positions."""

from __future__ import annotations

import pytest

from pinaudit.model import Span
from pinaudit.parse.dockerfile import (
    DockerfileSyntaxError,
    Instruction,
    expand,
    expand_words,
    parse,
    parse_key_values,
)


def one(text: str) -> Instruction:
    (instr,) = parse(text).instructions
    return instr


def token_span(instr: Instruction, token: str) -> Span:
    k = instr.args.text.index(token)
    return instr.args.span(k, k + len(token))


# --- continuations and comments -------------------------------------------------------------


def test_continuation_keeps_whitespace_and_maps_tokens_to_physical_lines() -> None:
    src = (
        "FROM debian:12\n"
        "RUN apt-get update && \\\n"
        "    # a comment inside the instruction\n"
        "\n"
        "    apt-get install -y \\  \n"
        "\tcurl=7.88.1-10 wget\n"
    )
    ast = parse(src)
    run = ast.instructions[1]
    assert run.keyword == "RUN"
    assert (run.start_line, run.end_line) == (2, 6)
    assert run.args.text == "apt-get update &&     apt-get install -y \tcurl=7.88.1-10 wget"
    assert run.original == "RUN apt-get update &&     apt-get install -y \tcurl=7.88.1-10 wget"
    assert token_span(run, "curl=7.88.1-10")[:4] == (6, 2, 6, 16)
    assert token_span(run, "wget")[:4] == (6, 17, 6, 21)
    assert token_span(run, "install")[:4] == (5, 13, 5, 20)
    assert run.args.span(0, 7)[:4] == (2, 5, 2, 12)
    assert ast.warnings and ast.warnings[0][1].startswith("empty continuation line")


def test_escaped_escape_is_not_a_continuation() -> None:
    ast = parse("RUN echo a\\\\\nRUN b\n")
    assert [i.values for i in ast.instructions] == [("echo a\\\\",), ("b",)]


def test_comments_before_instruction_are_recorded_and_directives_are_not() -> None:
    ast = parse("# syntax=docker/dockerfile:1\n# pinaudit: ignore=PIN401\nFROM alpine\n#\n# other\nRUN x\n")
    assert ast.directives == {"syntax": "docker/dockerfile:1"}
    assert ast.instructions[0].comments == ((2, "pinaudit: ignore=PIN401"),)
    assert ast.instructions[1].comments == ((5, "other"),)


def test_crlf_and_bom() -> None:
    ast = parse("\ufeffFROM alpine\r\nRUN a \\\r\n  b\r\n")
    run = ast.instructions[1]
    # offsets count the characters of the text given, a BOM left in it too (read_source removes
    # it, so in a scan the BOM never shifts a line-1 column)
    assert ast.instructions[0].keyword_span == Span(1, 2, 1, 6, 1, 5)
    assert run.args.text == "a   b"
    assert token_span(run, "b")[:4] == (3, 3, 3, 4)


def test_keywords_are_case_insensitive_and_from_as() -> None:
    instr = one("from --platform=$BUILDPLATFORM golang:1.22 as Build\n")
    assert instr.keyword == "FROM" and instr.raw_keyword == "from"
    assert instr.values == ("golang:1.22", "as", "Build")
    assert instr.flags[0].name == "platform" and instr.flags[0].value == "$BUILDPLATFORM"
    assert instr.flags[0].span[:4] == (1, 6, 1, 31)


# --- directives -----------------------------------------------------------------------------


def test_escape_directive_backtick() -> None:
    ast = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n  && echo done\n")
    assert ast.escape == "`"
    run = ast.instructions[1]
    assert run.args.text == "dir C:\\   && echo done"
    assert token_span(run, "echo")[:4] == (4, 6, 4, 10)


def test_directives_only_at_top_and_once() -> None:
    assert parse("FROM a\n# escape=`\nRUN x \\\n y\n").escape == "\\"
    assert parse("# foo=bar\n# escape=`\nFROM a\n").escape == "\\"
    assert parse("# ESCAPE = `\nFROM a\n").escape == "`"
    with pytest.raises(DockerfileSyntaxError, match="only one escape"):
        parse("# escape=`\n# escape=\\\nFROM a\n")
    with pytest.raises(DockerfileSyntaxError, match="invalid escape token"):
        parse("# escape=x\nFROM a\n")
    assert parse("# check=skip=all\n# escape=`\nFROM a\n").directives == {"check": "skip=all", "escape": "`"}


# --- heredocs -------------------------------------------------------------------------------


def test_heredoc_body_positions() -> None:
    src = "FROM alpine\nRUN <<EOF\napk add curl\n  pip install requests\nEOF\nRUN done\n"
    ast = parse(src)
    run = ast.instructions[1]
    assert (run.start_line, run.end_line) == (2, 5)
    (doc,) = run.heredocs
    assert doc.name == "EOF" and doc.expand and not doc.chomp
    assert doc.body.text == "apk add curl\n  pip install requests\n"
    k = doc.body.text.index("requests")
    assert doc.body.span(k, k + 8)[:4] == (4, 15, 4, 23)
    k = doc.body.text.index("curl")
    assert doc.body.span(k, k + 4)[:4] == (3, 9, 3, 13)
    assert run.original == "RUN <<EOF\napk add curl\n  pip install requests\nEOF\n"
    assert ast.instructions[2].start_line == 6


def test_heredoc_chomp_quoted_and_multiple() -> None:
    src = "COPY <<-'A' <<\"B\" /dst/\n\t\tx $HOME\n\tA\ny\nB\n"
    instr = one(src)
    a, b = instr.heredocs
    assert (a.name, a.chomp, a.expand) == ("A", True, False)
    assert a.content == "\t\tx $HOME\n"
    assert a.body.text == "x $HOME\n"
    assert a.body.span(0, 1)[:4] == (2, 3, 2, 4)
    assert (b.name, b.chomp, b.expand, b.body.text) == ("B", False, False, "y\n")
    assert instr.end_line == 5


def test_heredocs_only_for_run_copy_add_and_not_exec_form() -> None:
    assert parse("CMD <<EOF\nRUN x\n").instructions[1].keyword == "RUN"
    assert parse('RUN ["<<EOF"]\nRUN x\n').instructions[0].heredocs == ()
    ob = parse("ONBUILD RUN <<EOF\necho hi\nEOF\n").instructions[0]
    assert ob.onbuild is not None and ob.onbuild.heredocs[0].body.text == "echo hi\n"


def test_heredoc_crlf_body_drops_cr_but_content_keeps_it() -> None:
    doc = one("RUN <<EOF\r\necho hi\r\nEOF\r\n").heredocs[0]
    assert doc.content == "echo hi\r\n" and doc.body.text == "echo hi\n"


def test_unterminated_heredoc_is_an_error() -> None:
    with pytest.raises(DockerfileSyntaxError, match="unterminated heredoc") as e:
        parse("FROM a\nRUN <<EOF\necho\n")
    assert e.value.line == 2


# --- exec form, flags, ONBUILD ----------------------------------------------------------------


def test_exec_form_and_fallback() -> None:
    instr = one('RUN ["pip", "install", "requests==2.31.0"]\n')
    assert instr.json_args is not None
    assert [v for v, _ in instr.json_args] == ["pip", "install", "requests==2.31.0"]
    assert instr.json_args[2][1][:4] == (1, 25, 1, 41)
    assert one('RUN ["pip" "install"]\n').json_args is None  # not JSON: shell form
    assert one("RUN [ not json\n").values == ("[ not json",)
    with pytest.raises(DockerfileSyntaxError, match="strings only"):
        parse("CMD [1, 2]\n")


def test_flags_with_spans_and_quotes() -> None:
    src = 'COPY --from=builder --chmod=755 --link "--x=a b" /src /dst\n'
    instr = one(src)
    assert [(f.name, f.value) for f in instr.flags] == [("from", "builder"), ("chmod", "755"), ("link", None)]
    assert instr.flags[0].span[:4] == (1, 6, 1, 20)
    assert instr.args.text == '"--x=a b" /src /dst'
    add = one("ADD --checksum=sha256:abc https://x/y.tgz /y.tgz\n")
    assert add.flags[0].name == "checksum" and add.values == ("https://x/y.tgz", "/y.tgz")
    run = one("RUN --mount=type=cache,target=/root/.cache/pip \\\n    --network=none pip install x\n")
    assert [f.name for f in run.flags] == ["mount", "network"]
    assert run.flags[1].span[:4] == (2, 5, 2, 19)
    assert run.args.text == "pip install x"
    assert run.args.span(0, 3)[:4] == (2, 20, 2, 23)


def test_onbuild_trigger() -> None:
    instr = one("ONBUILD RUN pip install flask\n")
    assert instr.keyword == "ONBUILD"
    assert instr.onbuild is not None
    assert instr.onbuild.keyword == "RUN"
    assert instr.onbuild.args.text == "pip install flask"
    assert token_span(instr.onbuild, "flask")[:4] == (1, 25, 1, 30)


# --- rejects ----------------------------------------------------------------------------------


def test_rejects() -> None:
    with pytest.raises(DockerfileSyntaxError, match="no instructions"):
        parse("# only a comment\n\n")
    with pytest.raises(DockerfileSyntaxError, match="requires at least one argument"):
        parse("FROM a\nRUN\n")
    assert parse("FROM a\nRUN\n", strict=False).instructions[1].values == ()
    with pytest.raises(DockerfileSyntaxError, match="must have two arguments"):
        parse("FROM a\nENV onlyname\n")
    with pytest.raises(DockerfileSyntaxError, match="can't find ="):
        parse("LABEL a=b c\n")
    ast = parse("FROM a\nFOO bar\n")  # BuildKit's parser keeps unknown instructions
    assert ast.instructions[1].keyword == "FOO"
    assert any("unknown instruction" in w for _, w in ast.warnings)


# --- ENV / ARG / LABEL and expansion --------------------------------------------------------------


def test_parse_key_values() -> None:
    ast = parse('ARG BASE=python:3.12 VERSION\nENV A=1 B="x y"\nENV LEGACY some value\nLABEL "k"=v\n')
    arg, env, legacy, label = ast.instructions
    assert [(k, v) for k, v, _ in parse_key_values(arg)] == [("BASE", "python:3.12"), ("VERSION", None)]
    assert parse_key_values(arg)[0][2][:4] == (1, 5, 1, 21)
    assert [(k, v) for k, v, _ in parse_key_values(env)] == [("A", "1"), ("B", '"x y"')]
    assert [(k, v) for k, v, _ in parse_key_values(legacy)] == [("LEGACY", "some value")]
    assert [(k, v) for k, v, _ in parse_key_values(label)] == [('"k"', "v")]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("$A", "1"),
        ("${A}x", "1x"),
        ("${NOPE}", ""),
        ("${NOPE:-d}", "d"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${A:+x}", "x"),
        ("${EMPTY:+x}", ""),
        ("${NOPE+x}", ""),
        ("${U+x}", "x"),  # declared, value unknown: still decided
        ("$U", None),
        ("${U:-d}", None),
        ("${NOPE:?boom}", None),
        ("'$A'", "$A"),
        ('"$A b"', "1 b"),
        ("a\\ b", "a b"),
        ('"\\$A"', "$A"),
        ("${P#*/}", "b/c"),
        ("${P##*/}", "c"),
        ("${P%/*}", "a/b"),
        ("${P%%/*}", "a"),
        ("${P/b/X}", "a/X/c"),
        ("${A:-$U}", "1"),
        ("'unterminated", None),
    ],
)
def test_expand(word: str, expected: str | None) -> None:
    env = {"A": "1", "EMPTY": "", "U": None, "P": "a/b/c"}
    assert expand(word, env) == expected


def test_expand_backtick_escape_and_words() -> None:
    assert expand("C:\\dir `$A", {"A": "1"}, "`") == "C:\\dir $A"
    assert expand_words('a "b c" $X', {"X": "d e"}) == ["a", "b c", "d", "e"]
    assert expand_words("$U", {"U": None}) is None
