"""PIN001: files and RUNs that cannot be parsed are reported, never silently clean."""

from __future__ import annotations

from pinaudit.model import Severity
from tests.helpers import scan_files


def test_binary_file(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(b"FROM x\0\x01\x02")
    from pinaudit.app import scan
    from pinaudit.config import Config

    found = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report.findings
    assert [(f.rule, f.location.span.line) for f in found] == [("PIN001", 1)]
    assert "binary" in found[0].message


def test_non_utf8_file(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(b"FROM debian:12\nRUN echo \xff\xfe\n")
    from pinaudit.app import scan
    from pinaudit.config import Config

    found = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report.findings
    assert [(f.rule, f.location.span.line) for f in found] == [("PIN001", 2)]
    assert "UTF-8" in found[0].message


def test_oversized_file(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n" + "# padding\n" * 600_000)
    from pinaudit.app import scan
    from pinaudit.config import Config

    found = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report.findings
    assert [f.rule for f in found] == ["PIN001"] and "5 MiB" in found[0].message


def test_bad_run_is_warning_and_rest_is_audited(tmp_path):
    found = scan_files(tmp_path, {"Dockerfile": "FROM debian:12\nRUN if then fi (((\nRUN apt-get install -y curl\n"})
    rules = [(f.rule, f.location.span.line, f.severity) for f in found]
    assert ("PIN101", 3, Severity.ERROR) in rules
    assert any(r == "PIN001" and sev is Severity.WARNING for r, _l, sev in rules)


def test_empty_file_is_not_a_crash(tmp_path):
    found = scan_files(tmp_path, {"Dockerfile": ""})
    assert all(f.rule == "PIN001" for f in found)


def test_heredoc_after_a_redirect_is_not_a_syntax_error(tmp_path):
    # `cat > file <<EOS` is the usual way to write a file in a Dockerfile; tree-sitter-bash cannot
    # parse a here-string after a file redirect, so the body's placeholder is a `<` redirect
    text = (
        "FROM debian:12\n"
        "RUN cat > /etc/app.conf <<EOS\nkey=value\nEOS\n"
        "RUN bash 2>/dev/null <<'EOF'\npip install bar\nEOF\n"
        "RUN cat <<EOS > /x && python3 - 2>&1 <<PY\nx\nEOS\nimport os\nPY\n"
    )
    found = [(f.rule, f.location.span.line) for f in scan_files(tmp_path, {"Dockerfile": text})]
    assert [h for h in found if h[0] != "PIN402"] == [("PIN201", 6)]


# ---- issue 15: valid POSIX loop headers; errors placed where the grammar gave up ---------------

POSIX_FORMS = [
    "for V\n  in curl git\ndo apt-get install -y $V\ndone\n",
    "for V # the packages\n\n  in curl git\ndo apt-get install -y $V\ndone\n",
    "for V in curl git # the packages\n\n# more\ndo apt-get install -y $V\ndone\n",
    "case x\nin x) apt-get install -y curl git;; esac\n",
    "case x in # note\n\n  x)\n    apt-get install -y curl git\n    ;;\nesac\n",
    "if true\nthen\n  apt-get install -y curl git\nfi\n",
    "while false\ndo :\ndone\napt-get install -y curl git\n",
    "until true\ndo :\ndone\napt-get install -y curl git\n",
    "true &&\n\n  apt-get install -y curl git\n",
    "f()\n{\n  apt-get install -y curl git\n}\nf\n",
    # valid bash the grammar rejects, mended character for character before parsing
    "poetry@build --version | grep $(poetry version --short)\napt-get install -y curl git\n",
    "x=$((10#$a + 16#ff))\napt-get install -y curl git\n",
    "if [ \"$a\" '<' \"$b\" ]; then\n  apt-get install -y curl git\nfi\n",
    "if [ \"$a\" \">\" \"$b\" ]; then apt-get install -y curl git; fi\n",
    "apt-get install -y `# the list` curl `# for fetching` git `# vcs`\n",
    "here=$(dirname $(readlink -f ${(%):-%N}))\napt-get install -y curl git\n",
]


def test_valid_posix_layouts_are_no_syntax_error(tmp_path):
    for i, text in enumerate(POSIX_FORMS):
        found = scan_files(tmp_path / str(i), {"install.sh": "#!/bin/sh\n" + text})
        line = 1 + next(n for n, row in enumerate(text.splitlines(), 1) if "curl" in row)
        assert [(f.rule, f.location.span.line, f.package) for f in found] == [
            ("PIN101", line, "curl"), ("PIN101", line, "git")
        ], text


def test_empty_for_list_and_for_name_do_parse(tmp_path):
    # POSIX: `for V in; do` loops over nothing, `for V do` over "$@"; neither is a syntax error
    text = "#!/bin/sh\nfor V in\ndo :\ndone\nfor V do\n  :\ndone\napt-get install -y curl\n"
    found = scan_files(tmp_path, {"install.sh": text})
    assert [(f.rule, f.location.span.line) for f in found] == [("PIN101", 8)]


def test_loop_header_over_lines_in_a_run(tmp_path):
    # a heredoc RUN keeps its newlines: the header spans physical lines 3-4
    text = "FROM debian:12\nRUN <<EOF\nfor p\n    in curl git\ndo apt-get install -y $p; done\nEOF\n"
    found = scan_files(tmp_path, {"Dockerfile": text})
    assert [(f.rule, f.location.span.line, f.location.span.column, f.package) for f in found if f.rule != "PIN402"] == [
        ("PIN101", 4, 8, "curl"), ("PIN101", 4, 13, "git")
    ]


def _pin001(found) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    return [(f.rule, f.location.span.line, f.location.span.column, f.message) for f in found if f.rule == "PIN001"]


def test_script_syntax_error_is_placed_where_the_grammar_gave_up(tmp_path):
    # error recovery wraps lines 2..end in one ERROR node; the fault is the `))` on line 40
    body = "".join(f"echo line{n}\n" for n in range(3, 39))
    text = f"#!/usr/bin/env bash\nset -e\nif true; then\n{body}  echo \"$(( 1 + ))\"\nfi\n"
    found = scan_files(tmp_path, {"run.sh": text})
    assert _pin001(found) == [("PIN001", 40, 17, "syntax error near '))'")]


def test_error_after_an_abandoned_header_names_the_unexpected_token(tmp_path):
    text = "#!/bin/sh\nfor V in a b\n  in c; do :; done\n"
    assert _pin001(scan_files(tmp_path, {"x.sh": text})) == [("PIN001", 3, 3, "syntax error near 'in'")]


def test_unclosed_construct_is_named_where_it_opens(tmp_path):
    # a template line `{{ clean }}` opens a brace group the text never closes
    text = "#!/bin/sh\nset -ex\napt-get update\n{{ clean }}\n"
    assert _pin001(scan_files(tmp_path, {"x.sh": text})) == [("PIN001", 4, 1, "syntax error near '{{ clean }}'")]


def test_run_syntax_error_is_placed_on_its_physical_line(tmp_path):
    text = (
        "FROM debian:12\n"
        "RUN set -ex; \\\n"
        "\tapt-get update; \\\n"
        "\tapt-get install -y curl=7.88.1-10; \\\n"
        "\t{{ apt_get_dist_clean }}\n"
    )
    assert _pin001(scan_files(tmp_path, {"Dockerfile": text})) == [
        ("PIN001", 5, 2, "shell syntax error in RUN: syntax error near '{{ apt_get_dist_clean }}'; the rest of the "
         "RUN was still audited")
    ]


def test_run_starting_with_a_test_command_is_shell_form(tmp_path):
    # BuildKit runs a RUN whose arguments do not decode as a JSON array as shell form
    text = "FROM debian:12\nRUN [ -f /etc/x ] && apt-get install -y curl\nRUN [ 1 -eq 1 ] || \\\n  pip install flask\n"
    found = [(f.rule, f.location.span.line, f.location.span.column, f.package)
             for f in scan_files(tmp_path, {"Dockerfile": text})]
    assert [h for h in found if h[0] != "PIN402"] == [("PIN101", 2, 41, "curl"), ("PIN201", 4, 15, "flask")]
