"""The command line through main([...]): exit codes (SPEC §2), formats, the rules command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pinaudit._cli import main
from tests.helpers import REPO, lay_out

UNPINNED = "FROM debian:12@sha256:" + "a" * 64 + "\nRUN apt-get update && apt-get install -y curl\n"
PINNED = "FROM debian:12@sha256:" + "a" * 64 + "\nRUN apt-get install -y curl=7.88.1-10+deb12u8\n"
V1_KEYS = frozenset({"rule", "severity", "category", "ecosystem", "package", "spec", "path", "line", "column",
                     "end_line", "end_column", "message", "fix", "index"})


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scan_text_output_and_exit_1(project, capsys):
    lay_out(project, {"Dockerfile": UNPINNED})
    assert main(["scan"]) == 1
    out, err = capsys.readouterr()
    assert out == "Dockerfile:2:42: PIN101 apt package 'curl' is installed without a version\n"
    assert err.startswith("pinaudit: 1 finding (1 error) in 1 file")


def test_clean_exit_0(project, capsys):
    lay_out(project, {"Dockerfile": PINNED})
    assert main(["scan", "."]) == 0
    assert capsys.readouterr().out == ""


def test_json_contract(project, capsys):
    lay_out(project, {"docker/Dockerfile": UNPINNED})
    assert main(["scan", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "pinaudit/findings/v1"
    assert doc["tool"]["name"] == "pinaudit"
    (f,) = doc["findings"]
    # the site's typed context comes in new keys only: the v1 keys are exactly as before
    coordinates = ("offset", "end_offset", "spec_offset", "spec_end_offset", "origin", "edits")
    context = {k: f.pop(k) for k in list(f) if k not in V1_KEYS and k not in coordinates}
    assert context == {
        "source": "command",
        "stage": {"index": 0, "name": None},
        "layer": 1,
        "base_image": {"registry": None, "repository": "debian", "tag": "12", "digest": "sha256:" + "a" * 64,
                       "platform": None},
        "base_python": None,
        "base_suite": "bookworm",
    }
    assert f == {
        "rule": "PIN101",
        "severity": "error",
        "category": "unpinned",
        "ecosystem": "apt",
        "package": "curl",
        "spec": "curl",
        "path": "docker/Dockerfile",
        "line": 2,
        "column": 42,
        "end_line": 2,
        "end_column": 46,
        "message": "apt package 'curl' is installed without a version",
        "fix": None,
        # issue 9's additions: offsets into the file as read, the spec's insertion point
        "offset": 128,
        "end_offset": 132,
        "spec_offset": 132,
        "spec_end_offset": 132,
    }
    assert doc["summary"] == {
        "files": 1,
        "install_sites": 2,
        "findings": 1,
        "by_severity": {"error": 1, "warning": 0, "info": 0},
    }


def test_fail_on_threshold(project):
    lay_out(project, {"Dockerfile": "FROM python:3.12\n"})  # PIN402 warning only
    assert main(["scan", "-q"]) == 0
    assert main(["scan", "-q", "--fail-on", "warning"]) == 1


def test_select_and_ignore(project, capsys):
    lay_out(project, {"Dockerfile": "FROM python\nRUN apt-get install -y curl\n"})
    assert main(["scan", "-q", "--select", "PIN4"]) == 1
    assert [ln.split()[1] for ln in capsys.readouterr().out.splitlines()] == ["PIN401"]
    assert main(["scan", "-q", "--ignore", "PIN101,PIN401"]) == 0


def test_unknown_rule_code_is_usage_error(project, capsys):
    assert main(["scan", "--select", "XYZ9"]) == 2
    assert "unknown rule" in capsys.readouterr().err


def test_missing_explicit_path_exit_2(project, capsys):
    assert main(["scan", "nope/Dockerfile"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_usage_exit_2(project):
    assert main(["scan", "--format", "yaml"]) == 2
    assert main([]) == 2


def test_symlink_loop_is_not_a_crash(project):
    lay_out(project, {"a/Dockerfile": PINNED})
    os.symlink(project / "a", project / "a" / "loop")
    os.symlink("self", project / "self")
    assert main(["scan", "-q", "."]) == 0


def test_explicit_unreadable_symlink_loop_exit_2(project, capsys):
    os.symlink("x", project / "y")
    os.symlink("y", project / "x")
    assert main(["scan", "x"]) == 2


def test_output_file_and_several_formats(project, capsys):
    lay_out(project, {"Dockerfile": UNPINNED})
    assert main(["scan", "-q", "--format", "json", "--output", "r.json", "--format", "text"]) == 1
    assert json.loads((project / "r.json").read_text())["summary"]["findings"] == 1
    assert capsys.readouterr().out.startswith("Dockerfile:2:42: PIN101")


def test_build_arg(project):
    lay_out(project, {"Dockerfile": "ARG BASE=python\nFROM ${BASE}\n"})
    assert main(["scan", "-q"]) == 1
    assert main(["scan", "-q", "--build-arg", "BASE=python@sha256:" + "b" * 64]) == 0


def test_kind_forces_explicit_file(project, capsys):
    lay_out(project, {"deps.list": "requests\n"})
    assert main(["scan", "--kind", "requirements", "deps.list"]) == 1
    assert "PIN202" in capsys.readouterr().out


def test_rules_list_and_doc(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "PIN101" in out and "PIN502" in out
    assert main(["rules", "pin101"]) == 0
    doc = capsys.readouterr().out
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in doc
    assert main(["rules", "PIN999"]) == 2


def test_rules_json(capsys):
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data


def test_no_color_in_pipes(project):
    lay_out(project, {"Dockerfile": UNPINNED})
    proc = subprocess.run(
        [sys.executable, "-m", "pinaudit", "scan", "--color", "always"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": ""},
    )
    assert "\x1b[" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "pinaudit", "scan"], cwd=project, capture_output=True, text=True)
    assert "\x1b[" not in proc.stdout and proc.returncode == 1


def test_demo_project_scans(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["scan", "fixtures/demo"]) == 1
    out = capsys.readouterr().out
    rules = {line.split()[1] for line in out.splitlines()}
    # the demo shows every family the README promises
    assert {"PIN101", "PIN102", "PIN201", "PIN202", "PIN302", "PIN401", "PIN402", "PIN502"} <= rules


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_is_honoured(project):
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    lay_out(project, {".gitignore": "build/\n", "build/Dockerfile": UNPINNED, "Dockerfile": PINNED})
    assert main(["scan", "-q"]) == 0


def test_python_m_entry_point(project):
    proc = subprocess.run([sys.executable, "-m", "pinaudit", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("pinaudit ")


def test_paths_relative_to_cwd(project, capsys, monkeypatch):
    lay_out(project, {"svc/api/Dockerfile": UNPINNED})
    monkeypatch.chdir(project / "svc")
    assert main(["scan", "api"]) == 1
    assert capsys.readouterr().out.startswith("api/Dockerfile:2:")
    assert Path("api/Dockerfile").exists()


def test_baseline_hides_old_findings_and_fails_on_new(project, capsys):
    lay_out(project, {"Dockerfile": UNPINNED})
    # writing the baseline is the job: exit 0, no findings printed (issue 15)
    assert main(["scan", "--write-baseline", "base.json"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == "pinaudit: wrote 1 finding to baseline base.json\n"
    assert main(["scan", "-q", "--baseline", "base.json"]) == 0
    # an edit above the finding moves it: still hidden (fingerprints have no line numbers)
    lay_out(project, {"Dockerfile": "# comment\n" + UNPINNED})
    assert main(["scan", "-q", "--baseline", "base.json"]) == 0
    # a new unpinned package fails the gate, and only it is shown
    lay_out(project, {"Dockerfile": "# comment\n" + UNPINNED + "RUN apt-get install -y wget\n"})
    capsys.readouterr()
    assert main(["scan", "-q", "--baseline", "base.json"]) == 1
    assert capsys.readouterr().out == "Dockerfile:4:24: PIN101 apt package 'wget' is installed without a version\n"


def test_baseline_written_at_the_root_works_from_a_subfolder(project, monkeypatch, capsys):
    lay_out(project, {"docker/Dockerfile": UNPINNED})
    assert main(["scan", "-q", "--write-baseline", ".pinaudit-baseline.json"]) == 0
    monkeypatch.chdir(project / "docker")
    assert main(["scan", "-q", "--baseline", "../.pinaudit-baseline.json", "."]) == 0
    assert main(["scan", "-q", "--baseline", "../.pinaudit-baseline.json", "Dockerfile"]) == 0
    capsys.readouterr()
    lay_out(project, {"docker/Dockerfile": UNPINNED + "RUN apt-get install -y wget\n"})
    assert main(["scan", "-q", "--baseline", "../.pinaudit-baseline.json"]) == 1
    assert "'wget'" in capsys.readouterr().out


def test_rewriting_baseline_keeps_accepted_findings(project):
    lay_out(project, {"Dockerfile": UNPINNED})
    main(["scan", "-q", "--write-baseline", "base.json"])
    main(["scan", "-q", "--baseline", "base.json", "--write-baseline", "base2.json"])
    assert json.loads((project / "base.json").read_text()) == json.loads((project / "base2.json").read_text())


def test_pragma_and_config_ignore_silence_only_what_they_name(project, capsys):
    lay_out(
        project,
        {
            "Dockerfile": "FROM python\n# pinaudit: ignore=PIN101\n"
            "RUN apt-get install -y curl && pip install requests\n",
            ".pinaudit.toml": 'ignore = ["PIN401"]\n',
        },
    )
    assert main(["scan", "-q"]) == 1
    assert [ln.split()[1] for ln in capsys.readouterr().out.splitlines()] == ["PIN201"]


def test_warn_unused_ignores(project, capsys):
    lay_out(project, {"Dockerfile": "FROM python@sha256:" + "c" * 64 + "\n# pinaudit: ignore=PIN101\nRUN true\n"})
    assert main(["scan", "--warn-unused-ignores"]) == 1
    assert "Dockerfile:2:1: unused pinaudit pragma (ignore=PIN101)" in capsys.readouterr().err


def test_sarif_and_github_formats(project, capsys):
    lay_out(project, {"Dockerfile": UNPINNED})
    assert main(["scan", "-q", "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["PIN101"]
    assert main(["scan", "-q", "--format", "github"]) == 1
    assert capsys.readouterr().out.startswith("::error file=Dockerfile,line=2,")


def test_lockfile_alone_audits_its_package_json(project, capsys):
    lay_out(
        project,
        {
            "package.json": '{"dependencies": {"left-pad": "^1.3.0"}}\n',
            "package-lock.json": '{"lockfileVersion": 3, "packages": {"": {}}}\n',
        },
    )
    assert main(["scan", "package-lock.json"]) == 1
    assert "PIN304" in capsys.readouterr().out


def test_explicit_file_of_unknown_kind(project, capsys):
    lay_out(project, {"notes": "hello\n", "ci/build-image": "FROM alpine\n"})
    assert main(["scan", "notes"]) == 2
    assert "--kind" in capsys.readouterr().err
    assert main(["scan", "-q", "ci/build-image"]) == 1  # sniffed: a FROM line makes it a Dockerfile


@pytest.mark.parametrize(
    ("text", "dockerfile"),
    [
        ("# syntax=docker/dockerfile:1\n\nARG BASE=alpine\nFROM $BASE\nRUN apk add curl\n", True),
        ("\ufeff  from alpine\nRUN apk add curl\n", True),
        ("MIT License\n\nFrom time to time the authors may publish revised versions.\n", False),
        ("Release notes\nFROM alpine is now the base\n", False),
    ],
)
def test_sniffing_wants_from_or_arg_as_the_first_instruction(project, capsys, text, dockerfile):
    lay_out(project, {"ci/thing": text})
    assert main(["scan", "-q", "ci/thing"]) == (1 if dockerfile else 2)


def test_dockerfile_names_with_source_suffixes_are_read_by_content(project, capsys):
    # pinaudit's own parse/dockerfile.py was audited as a Dockerfile (a PIN401 per import line);
    # Dockerfile.php in the corpus is the PHP image's real Dockerfile
    lay_out(project, {
        "pkg/dockerfile.py": '"""Parse Dockerfiles."""\nfrom __future__ import annotations\nimport re\n',
        "lib/dockerfile.go": "package dockerfile\n\nimport \"strings\"\n",
        "docker/Dockerfile.php": "# PHP runtime\nFROM php:8.3-fpm\nRUN apt-get install -y git\n",
    })
    assert main(["scan", "-q", "--select", "PIN1,PIN4"]) == 1
    out = capsys.readouterr().out
    assert {line.split(":")[0] for line in out.splitlines()} == {"docker/Dockerfile.php"}


def test_ignore_unknown_skips_what_cannot_be_told(project, capsys):
    # a pre-commit hook passes every extensionless file of a commit: the shell scripts are ours
    lay_out(project, {"LICENSE": "From time to time...\n", "Makefile": "all:\n\tpip install x\n",
                      "bin/setup": "#!/bin/sh\npip install httpie\n"})
    assert main(["scan", "--ignore-unknown", "LICENSE", "Makefile", "bin/setup"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("bin/setup:2:13: PIN201 pip package 'httpie'")
    assert "1 file" in captured.err
    assert main(["scan", "-u", "LICENSE"]) == 0
    assert main(["scan", "LICENSE"]) == 2


def test_windows_stage_is_skipped_and_said(project, capsys):
    lay_out(project, {"Dockerfile": "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN choco install git\n"})
    assert main(["scan", "-v"]) == 0
    err = capsys.readouterr().err
    assert "Dockerfile:2: RUN uses SHELL cmd; not audited" in err


def test_extensionless_shell_script_found_by_shebang(project, capsys):
    lay_out(project, {"bin/bootstrap": "#!/usr/bin/env bash\npip install httpie\n", "bin/notes": "pip install x\n"})
    assert main(["scan", "-q"]) == 1
    assert capsys.readouterr().out.startswith("bin/bootstrap:2:13: PIN201 pip package 'httpie'")


def test_findings_do_not_depend_on_the_current_directory(project, monkeypatch, capsys):
    lay_out(
        project,
        {"app/requirements/prod.txt": "-r ../base.txt\ncelery\n", "app/base.txt": "django>=4\n", "elsewhere/.keep": ""},
    )
    monkeypatch.chdir(project / "elsewhere")
    assert main(["scan", "-q", "--format", "json", str(project / "app")]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    # base.txt reached as requirements/../base.txt and scanned itself is one file, audited once
    assert sorted((Path(f["path"]).name, f["line"], f["rule"]) for f in found) == [
        ("base.txt", 1, "PIN202"),
        ("prod.txt", 2, "PIN202"),
    ]


def test_readme_demo_output_is_what_the_demo_prints(monkeypatch, capsys):
    # the README's "What it reports" block is a real run, shortened with "..." only
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ pinaudit scan fixtures/demo\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(root)
    assert main(["scan", "--no-progress", "fixtures/demo"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    shown = [line for line in block.splitlines() if line.startswith("fixtures/")]
    assert shown
    for line in shown:
        assert any(actual.startswith(line.removesuffix(" ...")) for actual in lines), line
    assert block.rstrip().splitlines()[-1] == err.strip().splitlines()[-1]


def test_info_is_hidden_from_text_unless_asked(project, capsys):
    lay_out(project, {
        "package.json": '{"dependencies": {"express": "^4.18.2"}}\n',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {"": {"dependencies": {"express": "^4.18.2"}},'
                             ' "node_modules/express": {"version": "4.18.2"}}}\n',
        "Dockerfile": UNPINNED,
    })
    assert main(["scan"]) == 1
    out, err = capsys.readouterr()
    assert "PIN303" not in out and "PIN101" in out
    assert "1 info not shown (-v or --fail-on info shows them)" in err
    for flags in (["-v"], ["--fail-on", "info"]):
        main(["scan", *flags])
        out, err = capsys.readouterr()
        assert "PIN303" in out and "not shown" not in err
    main(["scan", "--format", "json"])
    assert '"PIN303"' in capsys.readouterr().out  # machine formats keep everything
