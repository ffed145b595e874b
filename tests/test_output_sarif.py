"""SARIF output: valid against the OASIS schema, every rule described, fingerprints line-free."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pinaudit.app import scan
from pinaudit.config import Config
from pinaudit.model import Category, Ecosystem, Finding, Location, Report, Severity, Span
from pinaudit.output import sarif
from tests.helpers import SHARED

SCHEMAS = SHARED / "schemas"


def finding(
    rule: str = "PIN101",
    package: str | None = "curl",
    line: int = 2,
    column: int = 31,
    path: str = "Dockerfile",
    severity: Severity = Severity.ERROR,
    spec: str | None = None,
    category: Category = Category.UNPINNED,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        category=category,
        ecosystem=Ecosystem.APT,
        package=package,
        spec=spec if spec is not None else package,
        location=Location(path, Span(line, column, line, column + len(package or "x"))),
        message=f"apt package '{package}' is installed without a version",
    )


def sample() -> Report:
    return Report(
        findings=(
            finding(),
            finding(package="git", column=36),
            finding("PIN402", "python", 1, 6, severity=Severity.WARNING, category=Category.MUTABLE_IMAGE),
            finding("PIN204", None, 5, 1, "sub dir/requirements.txt", Severity.INFO, ".", Category.LOCAL_INSTALL),
        ),
        files=2,
        install_sites=6,
        skipped=("scripts/x.sh: not UTF-8",),
    )


def load(text: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(text)
    return doc


@pytest.fixture(scope="module")
def validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema_file = SCHEMAS / "sarif-2.1.0.json"
    if not schema_file.is_file():
        pytest.skip(f"SARIF schema not found at {schema_file}")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema declares draft-04
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_valid_against_oasis_schema(validator: Any) -> None:
    doc = load(sarif.render(sample()))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_empty_report_is_valid(validator: Any) -> None:
    doc = load(sarif.render(Report(findings=(), files=0, install_sites=0)))
    assert not list(validator.iter_errors(doc))
    assert doc["runs"][0]["results"] == []


def test_every_rule_used_is_described_with_help() -> None:
    doc = load(sarif.render(sample()))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == ["PIN101", "PIN204", "PIN402"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    pin101 = rules[0]
    assert pin101["name"] == "AptInstallUnpinned"
    assert "## Why is this bad?" in pin101["help"]["markdown"]
    assert "Why is this bad?" in pin101["help"]["text"] and "##" not in pin101["help"]["text"]
    assert pin101["defaultConfiguration"]["level"] == "error"
    assert pin101["fullDescription"]["text"]
    assert "unpinned" in pin101["properties"]["tags"]
    assert run["tool"]["driver"]["name"] == "pinaudit"


def test_levels_locations_and_properties() -> None:
    run = load(sarif.render(sample()))["runs"][0]
    by_rule = {(r["ruleId"], r["properties"].get("package")): r for r in run["results"]}
    assert by_rule["PIN101", "curl"]["level"] == "error"
    assert by_rule["PIN402", "python"]["level"] == "warning"
    info = by_rule["PIN204", None]
    assert info["level"] == "note"
    loc = info["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "sub%20dir/requirements.txt", "uriBaseId": "%SRCROOT%"}
    curl = by_rule["PIN101", "curl"]
    region = curl["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 31, "endLine": 2, "endColumn": 35}
    assert curl["properties"] == {
        "category": "unpinned",
        "severity": "error",
        "ecosystem": "apt",
        "package": "curl",
        "spec": "curl",
    }
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no machine paths by default
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("scripts/x.sh")


def test_srcroot_uri(tmp_path: Path) -> None:
    run = load(sarif.render(sample(), srcroot=tmp_path))["runs"][0]
    uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert uri.startswith("file://") and uri.endswith("/")


def fingerprints(report: Report) -> dict[tuple[str, str | None, int], str]:
    run = load(sarif.render(report))["runs"][0]
    return {
        (r["ruleId"], r["properties"].get("package"), r["locations"][0]["physicalLocation"]["region"]["startLine"]): r[
            "partialFingerprints"
        ][sarif.FINGERPRINT_KEY]
        for r in run["results"]
    }


def test_fingerprint_stable_when_finding_moves() -> None:
    before = Report(findings=(finding(line=2),), files=1, install_sites=1)
    moved = Report(
        findings=(finding(line=9)._replace(location=Location("Dockerfile", Span(9, 5, 9, 9))),),
        files=1,
        install_sites=1,
    )
    assert list(fingerprints(before).values()) == list(fingerprints(moved).values())


def test_fingerprint_distinguishes_duplicates_and_packages() -> None:
    report = Report(
        findings=(finding(line=2), finding(line=7), finding(package="git", line=2)),
        files=1,
        install_sites=3,
    )
    fps = fingerprints(report)
    assert len(set(fps.values())) == 3
    # the first curl keeps its fingerprint when a second one is added below it
    single = fingerprints(Report(findings=(finding(line=2),), files=1, install_sites=1))
    assert fps["PIN101", "curl", 2] == single["PIN101", "curl", 2]


def test_unknown_rule_still_valid(validator: Any) -> None:
    report = Report(findings=(finding(rule="PIN999"),), files=1, install_sites=1)
    doc = load(sarif.render(report, rules={}))
    assert not list(validator.iter_errors(doc))
    assert doc["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "PIN999"


def test_deterministic() -> None:
    assert sarif.render(sample()) == sarif.render(sample())


def test_streamed_log_is_the_plain_indented_document() -> None:
    """render_chunks streams results but must produce exactly json.dumps(log, indent=2)."""
    import json as _json

    from pinaudit.output.sarif import render_chunks

    for rep in (sample(), sample()._replace(findings=())):
        text = "".join(render_chunks(rep))
        assert text == _json.dumps(_json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_scanned_regions_carry_char_offsets(tmp_path: Path, validator: Any) -> None:
    """Issue 9: every region has charOffset/charLength (characters of the file as read, a BOM not
    counted) beside its line and column; a site's region is its package token."""
    from tests.helpers import lay_out

    lay_out(tmp_path, {"package.json": '{\n  "dependencies": {"express": "^4"}\n}\n'})
    (tmp_path / "Dockerfile").write_bytes(b"\xef\xbb\xbfFROM python:3.11\r\nRUN apt-get install -y \"curl\"\r\n")
    report = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report
    doc = load(sarif.render(report))
    assert not list(validator.iter_errors(doc))
    texts = {"Dockerfile": (tmp_path / "Dockerfile").read_bytes().decode("utf-8-sig"),
             "package.json": (tmp_path / "package.json").read_text()}
    seen = set()
    for result in doc["runs"][0]["results"]:
        loc = result["locations"][0]["physicalLocation"]
        region = loc["region"]
        text = texts[loc["artifactLocation"]["uri"]]
        token = text[region["charOffset"] : region["charOffset"] + region["charLength"]]
        seen.add((result["ruleId"], token))
    assert ("PIN101", "curl") in seen and ("PIN402", "python:3.11") in seen
    # PIN306 is about the whole file: its region is the file's first character, at line 1
    assert ("PIN303", "express") in seen and ("PIN306", "{") in seen


def test_conda_findings_are_valid_sarif_and_json(tmp_path: Path, validator: Any) -> None:
    """Issue 16: the conda ecosystem in both machine formats, regions at the package token."""
    from pinaudit.output import json as json_output
    from tests.helpers import lay_out

    text = "dependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - requests\n"
    lay_out(tmp_path, {"environment.yml": text})
    report = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report
    doc = load(sarif.render(report))
    assert not list(validator.iter_errors(doc))
    seen = set()
    for result in doc["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        token = text[region["charOffset"] : region["charOffset"] + region["charLength"]]
        seen.add((result["ruleId"], result["properties"].get("ecosystem"), token, region["startLine"]))
    assert seen == {("PIN702", "conda", "python=3.11", 2), ("PIN701", "conda", "numpy", 3),
                    ("PIN202", "pip", "requests", 5)}
    rows = json.loads(json_output.render(report))["findings"]
    assert [(r["rule"], r["ecosystem"], r["package"], r["line"]) for r in rows] == [
        ("PIN702", "conda", "python", 2), ("PIN701", "conda", "numpy", 3), ("PIN202", "pip", "requests", 5)]
    assert rows[0]["source"] == "conda-env"
    assert rows[0]["conda"] == {"name": "python", "version": "3.11", "build": None, "channel": None}
