"""The HTML report as text (issue 14): the data round-trips, scanned text stays text, the page
fetches nothing, the source lines are read by the core. The browser side is in test_html_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.model import Action, Category, Ecosystem, Finding, InstallSite, Location, Pin, Report, Severity, Span
from pinaudit.output import html
from pinaudit.output.json import V1_FIELDS, finding_dict
from pinaudit.sources import MAX_SPAN_LINES, read_lines
from tests.helpers import REPO, lay_out
from tests.html_fixtures import PAYLOADS, decode, hostile_report, large_report, page_data

DEMO = REPO / "fixtures" / "demo"


@pytest.fixture
def demo_html(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(REPO)
    out = tmp_path / "report.html"
    assert main(["scan", "fixtures/demo", "--format", "html", "-o", str(out), "-q"]) == 1
    return out.read_text(encoding="utf-8")


def _v1(f: Finding) -> dict[str, object]:
    d = finding_dict(f)
    return {k: d[k] for k in V1_FIELDS if k in d}


def _finding(path: str, span: Span, *, package: str | None = "curl", spec: str | None = "curl",
             message: str = "apt package 'curl' is installed without a version",
             rule: str = "PIN101", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, severity, Category.UNPINNED, Ecosystem.APT, package, spec, Location(path, span), message)


# --- the embedded data ---------------------------------------------------------------------------


def test_demo_data_decodes_to_exactly_the_findings_json(demo_html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pinaudit.app import scan
    from pinaudit.config import Config

    monkeypatch.chdir(REPO)
    report = scan([Path("fixtures/demo")], Config(root=REPO), cwd=REPO).report
    assert decode(page_data(demo_html)) == [_v1(f) for f in sorted(report.findings, key=Finding.sort_key)]


def test_round_trip_of_the_hard_cases() -> None:
    lines = {
        "a/Dockerfile": {
            1: "RUN apt-get install curl wget",
            2: "RUN pip install 'emoji-😀-pkg' \\",  # an astral character: columns count code points
            3: "    zeta",
            10: "END",
        },
        "b/package.json": {1: '{"dependencies": {"x": "^1"}}'},
    }
    findings = [
        _finding("a/Dockerfile", Span(1, 21, 1, 25)),  # spec = the text under the span
        _finding("a/Dockerfile", Span(1, 26, 1, 30), package="wget", spec="wget",
                 message="apt package 'wget' is installed without a version"),
        _finding("a/Dockerfile", Span(2, 18, 2, 31), package="emoji-😀-pkg", spec="'emoji-😀-pkg'",
                 message="pip package 'emoji-😀-pkg' is not pinned: ''emoji-😀-pkg''"),
        _finding("a/Dockerfile", Span(2, 5, 10, 4), package=None, spec=None, message="heredoc"),  # multi-line
        _finding("a/Dockerfile", Span(3, 5, 3, 9), package="zeta", spec="ZETA", message="'ZETA' ≠ 'zeta' {1} \x01"),
        _finding("b/package.json", Span(1, 19, 1, 22), package="x", spec="^1", message="'x' is '^1' and 'x' again"),
        _finding("b/package.json", Span.point(1), package=None, spec=None, message="no lockfile", rule="PIN306"),
        _finding("c/gone.txt", Span(4, 1, 4, 8), package="pkg", spec="pkg>=1", message="'pkg>=1' drifts"),
    ]
    findings.sort(key=Finding.sort_key)
    data = html.scan_data(findings, lines, {})
    assert decode(json.loads(html.script_json(data))) == [_v1(f) for f in findings]


def test_common_kinds_and_strings_get_the_small_numbers() -> None:
    report, sources = large_report(500)
    data = html.scan_data(report.findings, sources, {})
    counts: dict[int, int] = {}
    for file in data["files"]:
        for k in file[4][::6]:
            counts[k] = counts.get(k, 0) + 1
    assert [counts[i] for i in range(len(counts))] == sorted(counts.values(), reverse=True)
    assert len(data["kinds"]) < 600  # one kind per rule and sentence, not per finding


def test_script_json_cannot_close_the_script_or_break_a_line() -> None:
    value = {"s": "</script><!--<script>&\u2028\u2029 'x' \"y\"", "n": [1, None]}
    text = str(html.script_json(value))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == value


def test_a_5000_finding_report_stays_small() -> None:
    report, sources = large_report(5000)
    page = html.render(report, sources=sources)
    assert len(page.encode()) < 1_500_000  # the budget is 3 MB; the corpus's 46,899 findings take 2.8
    assert len(decode(page_data(page))) == 5000


# --- safety ------------------------------------------------------------------------------------


def _outside_data(page: str) -> str:
    return re.sub(r'<script type="application/json" id="data-scan">.*?</script>', "", page, flags=re.S)


def test_hostile_strings_are_escaped_everywhere() -> None:
    report, sources = hostile_report()
    page = html.render(report, sources=sources)
    markup = _outside_data(page)
    for p in PAYLOADS:
        if any(c in p for c in "<>&\""):
            assert p not in page  # neither in the markup nor raw in the JSON block
    assert "{{ 7*7 }}" in markup  # text is not a template either
    assert "<img" not in markup and "<svg onload" not in markup
    assert markup.count("<script") == 1  # ours; the data block was cut out above
    assert page.count("</script>") == 2  # the data block's end and ours: nothing closes one early
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in markup  # shown as text (noscript, summary)
    assert decode(page_data(page)) == [_v1(f) for f in report.findings]


def test_no_template_marks_scanned_content_safe() -> None:
    templates = Path(html.__file__).parent / "templates"
    for t in templates.glob("*.j2"):
        text = re.sub(r"\{#.*?#\}", "", t.read_text(), flags=re.S)  # comments may say "no |safe"
        assert "|safe" not in text.replace(" ", ""), t.name
        assert "autoescape" not in text, t.name
    scripts = sorted(templates.glob("*.js"))
    assert {p.name for p in scripts} >= {"core.js", "boot.js", "scan.js", "simulate.js", "verify.js"}
    for p in scripts:
        js = p.read_text()
        assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js, p.name
        assert "document.write" not in js and "eval(" not in js and "new Function" not in js, p.name
        # inside <script>, "<!--" and "<script" switch the HTML parser into states where "</script>"
        # no longer ends the element
        assert "<!--" not in js and "<script" not in js.lower() and "</script" not in js.lower(), p.name
    for p in templates.glob("*.css"):
        assert "</style" not in p.read_text().lower(), p.name


def test_csp_allows_exactly_the_inline_style_and_script(demo_html: str) -> None:
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', demo_html)
    assert csp is not None
    policy = dict(d.strip().split(" ", 1) for d in unescape(csp.group(1)).split(";"))
    assert policy["default-src"] == "'none'"
    styles = re.findall(r"<style>(.*?)</style>", demo_html, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", demo_html, re.S)
    assert len(styles) == 1 and len(scripts) == 1

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy["style-src"] == sha(styles[0])
    assert policy["script-src"] == sha(scripts[0])
    assert "unsafe-inline" not in csp.group(1) and "unsafe-eval" not in csp.group(1)
    assert " style=" not in demo_html  # inline style attributes would need 'unsafe-inline'
    assert not re.search(r"\son[a-z]+=", _outside_data(demo_html))  # no inline event handlers


def test_the_page_references_nothing_outside_itself(demo_html: str) -> None:
    markup = _outside_data(demo_html)
    assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source|base|form)\b", markup)
    assert not re.search(r"\ssrc=", markup)
    assert all(h.startswith("#") for h in re.findall(r'\shref="([^"]*)"', markup))
    css = re.search(r"<style>(.*?)</style>", demo_html, re.S)
    assert css is not None and "url(" not in css.group(1) and "@import" not in css.group(1)
    assert "@font-face" not in css.group(1)
    js = re.search(r"<script>(.*?)</script>", demo_html, re.S)
    assert js is not None
    for call in ("fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "sendBeacon", "import("):
        assert call not in js.group(1)


# --- content -----------------------------------------------------------------------------------


def test_demo_page_shows_summary_docs_and_a_noscript_fallback(demo_html: str) -> None:
    assert "<title>pinaudit scan report</title>" in demo_html
    assert 'id="rule-PIN101"' in demo_html and "What it does" in demo_html
    for code in ("PIN101", "PIN203", "PIN303", "PIN402"):
        assert demo_html.count(f'id="rule-{code}"') == 1  # each rule's documentation once
    noscript = re.search(r"<noscript>(.*?)</noscript>", demo_html, re.S)
    assert noscript is not None
    rows = noscript.group(1).count('<tr class="frow">')
    assert rows == 27  # all of them: fewer than NOSCRIPT_FINDINGS
    assert "<mark>gettext</mark>" in noscript.group(1)  # the token, highlighted from its span
    first_sev = re.search(r'<span class="sev sev-(\w+)">', noscript.group(1))
    assert first_sev is not None and first_sev.group(1) == "error"  # errors first, as the script sorts


def test_noscript_shows_only_the_first_findings() -> None:
    report, sources = large_report(1000)
    page = html.render(report, sources=sources)
    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.S)
    assert noscript is not None
    assert noscript.group(1).count('<tr class="frow">') == html.NOSCRIPT_FINDINGS
    assert "first 100 of 1,000 findings" in noscript.group(1)


def test_render_is_deterministic_and_ends_with_a_newline() -> None:
    report, sources = large_report(300)
    assert html.render(report, sources=sources) == html.render(report, sources=sources)
    assert html.render(report, sources=sources).endswith("</html>\n")


def test_an_empty_report_renders() -> None:
    page = html.render(Report((), files=0, install_sites=0))
    assert "No findings" in page and page_data(page)["files"] == []


def test_pinning_scores_leave_local_installs_out() -> None:
    def site(eco: Ecosystem, pin: Pin) -> InstallSite:
        return InstallSite(eco, Action.INSTALL, "p", "p", pin, Location("f", Span.point(1)), "x")

    sites = [site(Ecosystem.PIP, p) for p in (Pin.EXACT, Pin.IMMUTABLE, Pin.UNPINNED, Pin.LOCAL, Pin.LOCAL)]
    sites += [site(Ecosystem.APT, Pin.PARTIAL), site(Ecosystem.APT, Pin.UNKNOWN)]
    sites += [site(Ecosystem.GO, Pin.LOCAL)]
    scores = {s.ecosystem: s for s in html.pinning_scores(sites)}
    assert (scores["pip"].pinned, scores["pip"].scored, scores["pip"].sites) == (2, 3, 5)
    assert scores["pip"].score == pytest.approx(2 / 3)
    assert scores["apt"].score == 0.0
    assert scores["go"].score is None  # nothing but local installs: no score at all
    assert [s.ecosystem for s in html.pinning_scores(sites)] == ["pip", "apt", "go"]


def test_rule_markdown_is_escaped() -> None:
    out = str(html.markdown("Text with `<b>code</b>` and <i>tags</i>.\n\n## Example\n```sh\necho '</pre><x>'\n```"))
    assert "<code>&lt;b&gt;code&lt;/b&gt;</code>" in out
    assert "&lt;i&gt;tags&lt;/i&gt;" in out
    assert "<h5>Example</h5>" in out
    assert '<pre data-lang="sh"><code>echo &#39;&lt;/pre&gt;&lt;x&gt;&#39;</code></pre>' in out


# --- source lines, read by the core ------------------------------------------------------------


def test_read_lines_reads_only_the_lines_spans_cover(tmp_path: Path) -> None:
    lay_out(tmp_path, {"a.txt": "".join(f"line {i}\n" for i in range(1, 101))})
    findings = [_finding("a.txt", Span(3, 1, 3, 2)), _finding("a.txt", Span(10, 1, 12, 2)),
                _finding("a.txt", Span(20, 1, 90, 1)), _finding("missing.txt", Span(1, 1, 1, 2))]
    got = read_lines(findings, cwd=tmp_path)
    half = MAX_SPAN_LINES // 2
    expected = [3, 10, 11, 12, *range(20, 20 + half), *range(91 - half, 91)]
    assert sorted(got["a.txt"]) == expected
    assert got["a.txt"][11] == "line 11"
    assert "missing.txt" not in got


def test_read_lines_splits_lines_as_the_parsers_do(tmp_path: Path) -> None:
    (tmp_path / "crlf").write_bytes(b"\xef\xbb\xbf" + "one\r\ntwo\rthree\u2028still three\nfour".encode())
    (tmp_path / "binary").write_bytes(b"a\0b\n")
    (tmp_path / "latin1").write_bytes(b"caf\xe9\n")
    findings = [_finding(name, Span(n, 1, n, 2)) for name in ("crlf", "binary", "latin1") for n in (1, 2, 3, 4)]
    got = read_lines(findings, cwd=tmp_path)
    assert got == {"crlf": {1: "one", 2: "two", 3: "three\u2028still three", 4: "four"}}


def test_cli_writes_html_to_stdout_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    lay_out(tmp_path, {"Dockerfile": "FROM debian:12\nRUN apt-get install -y curl\n"})
    assert main(["scan", "--format", "html", "-q"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>")
    assert decode(page_data(out))[-1]["package"] == "curl"
    assert "<mark>curl</mark>" in out


def test_the_wheel_ships_the_templates(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    wheel = Path(next(builders.WheelBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])))
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = Path(html.__file__).parent / "templates"
    shipped = {f"pinaudit/output/templates/{p.name}" for p in templates.iterdir() if p.is_file()}
    assert shipped and shipped <= names
