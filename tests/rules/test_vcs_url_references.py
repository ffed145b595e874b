"""SPEC §5 "VCS and URL references": one policy on pip and npm command lines, requirements files and
package.json. A full commit id or a hash is immutable (no finding); a tag, a short commit id or a
versioned file name pins the name but not the bytes (pip: PIN203 warning; npm: judged like
``@1.2.3``); a branch, no ref or an unversioned URL is unpinned (PIN201/PIN202/PIN301/PIN303)."""

from __future__ import annotations

from tests.helpers import scan_files

SHA = "0123456789abcdef0123456789abcdef01234567"
HASH = "a" * 64
PIP_REFS = [
    "git+https://example.com/acme/tool.git@main",  # unpinned: a branch
    "git+https://example.com/acme/lib.git@v1.2.0",  # name-pinned: a tag
    f"git+https://example.com/acme/core.git@{SHA}",  # immutable: a full commit id
    "https://example.com/w/acme-2.1.0.zip",  # name-pinned: a versioned file name
    "https://example.com/acme/x/archive/main.zip",  # unpinned: no version, no hash
    f"https://example.com/w/b-1.0.tar.gz#sha256={HASH}",  # immutable: a hash
    "git+https://example.com/acme/short.git@3f78685",  # name-pinned: a short commit id
]


def _found(findings, *codes):
    return [(f.rule, f.location.span.line, f.package) for f in findings if f.rule in codes]


def _messages(findings, *codes):
    return {f.package: f.message for f in findings if f.rule in codes}


def test_pip_command_line(tmp_path):
    text = "FROM python:3.12\nRUN pip install \\\n" + " \\\n".join(f"    '{r}'" for r in PIP_REFS) + "\n"
    findings = scan_files(tmp_path, {"Dockerfile": text})
    assert _found(findings, "PIN201", "PIN203") == [
        ("PIN201", 3, "tool"),
        ("PIN203", 4, "lib"),
        ("PIN203", 6, "acme"),
        ("PIN201", 7, "x"),
        ("PIN203", 9, "short"),
    ]
    said = _messages(findings, "PIN201", "PIN203")
    assert "unpinned" in said["tool"] and "unpinned" in said["x"]
    assert "pins the name but not the bytes" in said["lib"] and "pins the name but not the bytes" in said["acme"]


def test_requirements_file_judged_like_the_command_line(tmp_path):
    findings = scan_files(tmp_path, {"requirements.txt": "\n".join(PIP_REFS) + "\n"})
    assert _found(findings, "PIN202", "PIN203") == [
        ("PIN202", 1, "tool"),
        ("PIN203", 2, "lib"),
        ("PIN203", 4, "acme"),
        ("PIN202", 5, "x"),
        ("PIN203", 7, "short"),
    ]
    said = _messages(findings, "PIN202", "PIN203")
    assert "looks like a branch: unpinned" in said["tool"]
    assert "tag v1.2.0 pins the name but not the bytes" in said["lib"]


def test_requirements_file_in_hash_mode_refuses_a_reference_without_a_hash(tmp_path):
    text = f"requests==2.32.3 --hash=sha256:{HASH}\ncore @ git+https://example.com/acme/core.git@{SHA}\n"
    found = [(f.rule, f.location.span.line, f.package, f.severity.label)
             for f in scan_files(tmp_path, {"requirements.txt": text}) if f.rule == "PIN203"]
    assert found == [("PIN203", 2, "core", "error")]  # pip cannot hash a VCS checkout


def test_npm_command_line(tmp_path):
    text = (
        "FROM node:20\nRUN npm install github:acme/widget \\\n"
        "    acme/gadget#v1.2.0 \\\n"
        f"    git+https://example.com/acme/tool.git#{SHA} \\\n"
        "    'git+https://example.com/acme/lib.git#semver:^5.0' \\\n"
        "    https://example.com/widget/-/widget-2.0.1.tgz \\\n"
        "    https://example.com/raw.tgz \\\n"
        "    git+https://example.com/acme/dev.git#develop \\\n"
        "    git@0.1.5\n"  # the registry package `git`, exact: no reference, no finding
    )
    findings = scan_files(tmp_path, {"Dockerfile": text})
    assert _found(findings, "PIN301", "PIN305") == [
        ("PIN301", 2, "github:acme/widget"),
        ("PIN301", 5, "git+https://example.com/acme/lib.git#semver:^5.0"),
        ("PIN301", 7, "https://example.com/raw.tgz"),
        ("PIN301", 8, "git+https://example.com/acme/dev.git#develop"),
    ]
    said = _messages(findings, "PIN301")
    assert "no ref: unpinned" in said["github:acme/widget"]
    assert "range over the repository's tags: unpinned" in said["git+https://example.com/acme/lib.git#semver:^5.0"]


def test_npm_global_tag_is_exact_and_says_so(tmp_path):
    findings = scan_files(tmp_path, {"Dockerfile": "FROM node:20\nRUN npm install -g acme/gadget#v1.2.0\n"})
    assert _found(findings, "PIN301", "PIN305") == [("PIN305", 2, "acme/gadget#v1.2.0")]
    assert "pins the name but not the bytes" in findings[-1].message


PACKAGE_JSON = f"""{{
  "name": "app",
  "dependencies": {{
    "widget": "github:acme/widget",
    "gadget": "acme/gadget#v1.2.0",
    "tool": "git+https://example.com/acme/tool.git#{SHA}",
    "lib": "git+https://example.com/acme/lib.git#semver:^5.0",
    "tar": "https://example.com/tar/-/tar-2.0.1.tgz",
    "raw": "https://example.com/raw.tgz",
    "short": "acme/short#4f9c2e1"
  }}
}}
"""


def test_package_json(tmp_path):
    findings = scan_files(tmp_path, {"package.json": PACKAGE_JSON})
    assert _found(findings, "PIN303", "PIN306") == [
        ("PIN306", 1, None),
        ("PIN303", 4, "widget"),
        ("PIN303", 7, "lib"),
        ("PIN303", 9, "raw"),
    ]
    said = _messages(findings, "PIN303")
    assert "no ref: unpinned" in said["widget"]
    assert "a URL without a version or hash: unpinned" in said["raw"]
