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
