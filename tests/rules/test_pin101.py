"""PIN101: apt install without an exact version."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, scan_files

CATCHES = [
    ("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n", [("PIN101", 2, "curl")]),
    ("FROM debian:12\nRUN apt-get install -y curl=* git=?*\n", [("PIN101", 2, "curl"), ("PIN101", 2, "git")]),
    # exec-form sh -c whose string is continued onto the next line: the package's own line
    ('FROM debian:12\nRUN ["sh", "-c", "apt-get update && \\\n  apt-get install -y curl"]\n', [("PIN101", 3, "curl")]),
    # a loop over a written list: each package where it is written, not at $pkg
    ("FROM debian:12\nRUN for pkg in curl git wget=1.21-1; do \\\n  apt-get install -y $pkg; done\n",
     [("PIN101", 2, "curl"), ("PIN101", 2, "git")]),
    # the package token's own physical line inside a continued RUN
    (
        "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y \\\n    curl \\\n    git\n",
        [("PIN101", 4, "curl"), ("PIN101", 5, "git")],
    ),
    ("FROM ubuntu:22.04\nRUN apt install -y --no-install-recommends wget\n", [("PIN101", 2, "wget")]),
    ("FROM debian:12\nRUN aptitude install -y vim\n", [("PIN101", 2, "vim")]),
    ("FROM debian:12\nRUN apt-get -t bookworm-backports install -y golang\n", [("PIN101", 2, "golang")]),
    ("FROM debian:12\nRUN apt-get install -y golang/bookworm-backports\n", [("PIN101", 2, "golang")]),
    ("FROM debian:12\nRUN sudo -E apt-get install -y jq\n", [("PIN101", 2, "jq")]),
    ("FROM debian:12\nRUN sh -c 'apt-get install -y make'\n", [("PIN101", 2, "make")]),
    ("FROM debian:12\nRUN set -eux; \\\n    if true; then apt-get install -y patch; fi\n", [("PIN101", 3, "patch")]),
    # a heredoc body is a script: the finding is at the body's line
    (
        "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOF\nset -e\napt-get install -y zip\nEOF\n",
        [("PIN101", 5, "zip")],
    ),
    ("FROM debian:12\nONBUILD RUN apt-get install -y unzip\n", [("PIN101", 2, "unzip")]),
    (
        "FROM debian:12\nRUN PKGS='curl tar' && apt-get install -y $PKGS\n",
        [("PIN101", 2, "curl"), ("PIN101", 2, "tar")],
    ),
    ('FROM debian:12\nRUN ["apt-get", "install", "-y", "curl"]\n', [("PIN101", 2, "curl")]),
    # several heredocs: each body goes to the command whose operator names it (bash runs A, cat
    # stores B), also with the operator before the command word
    (
        "FROM debian:12\nRUN <<A bash && <<B cat > /b\napt-get install -y curl\nA\napt-get install -y wget\nB\n",
        [("PIN101", 3, "curl")],
    ),
    # `ENV P=curl Q=$P` gives Q the P from before the instruction (BuildKit expands it as a whole)
    ("FROM debian:12\nENV P=wget\nENV P=curl Q=$P\nRUN apt-get install -y $Q\n", [("PIN101", 4, "wget")]),
    # a Windows stage runs RUN through cmd: its simple commands are still audited
    (
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN apt-get install -y curl && echo ok\n",
        [("PIN101", 2, "curl")],
    ),
    (
        'FROM debian:12\nSHELL ["pwsh", "-Command"]\nRUN echo hi; apt-get install -y curl\n'
        'RUN ["apt-get", "install", "-y", "wget"]\n',
        [("PIN101", 3, "curl"), ("PIN101", 4, "wget")],
    ),
]

CLEAN = [
    "FROM debian:12\nRUN apt-get install -y curl=7.88.1-10+deb12u8\n",
    "FROM debian:12\nRUN apt-get install -y git=1:2.39.2-1.1\n",
    "FROM ubuntu:22.04\nRUN apt-get install -y ./htmltool_0.13.1-2.jammy_amd64.deb\n",
    "FROM debian:12\nRUN echo 'apt-get install -y curl'\n",
    "FROM debian:12\nRUN <<F1 cat > /f1 && <<F2 cat > /f2\napt-get install -y curl\nF1\napt-get install -y wget\nF2\n",
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo "apt-get install -y curl" > C:\\x.txt\n',
    "FROM debian:12\nRUN apt-get update && apt-get remove -y curl && apt-get clean\n",
    "FROM debian:12\n# apt-get install -y curl\nRUN true\n",
    "FROM debian:12\nCMD apt-get install -y curl\n",
    "FROM debian:12\nRUN apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confnew "
    "tzdata=2024a-0+deb12u1\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    assert dockerfile(tmp_path, text, "PIN101") == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert dockerfile(tmp_path, text, "PIN101") == []


def test_a_path_a_variable_completes_is_a_local_file(tmp_path):
    # `./$FILE` is a package file whatever the variable holds: no package named '.' to judge
    text = "FROM debian:12\nARG F\nRUN apt-get install -y ./$F /tmp/${F}.deb curl\n"
    assert dockerfile(tmp_path, text, "PIN101") == [("PIN101", 3, "curl")]


def test_a_backquoted_comment_in_an_install_list_is_no_word(tmp_path):
    # `# note` in backquotes expands to nothing: each package is judged alone, no syntax error
    text = "FROM debian:12\nRUN apt-get install -y \\\n  libxslt1-dev `# for lxml` \\\n  curl `# fetch`\n"
    found = [(f.rule, f.location.span.line, f.package) for f in scan_files(tmp_path, {"Dockerfile": text})]
    assert [h for h in found if h[0] != "PIN402"] == [("PIN101", 3, "libxslt1-dev"), ("PIN101", 4, "curl")]


def test_unknown_variable_is_info_not_error(tmp_path):
    from tests.helpers import scan_files

    found = scan_files(tmp_path, {"Dockerfile": "FROM debian:12\nARG EXTRA\nRUN apt-get install -y $EXTRA\n"})
    assert [(f.rule, f.severity.label) for f in found if f.rule == "PIN101"] == [("PIN101", "info")]


def test_brace_expansion_follows_the_stage_shell(tmp_path):
    # issue 15: under SHELL bash `lib{ssl,ffi}-dev` is two packages, each judged at the word;
    # under /bin/sh (dash) it is one word, judged as written
    text = (
        "FROM debian:12\n"
        "RUN apt-get install -y lib{ssl,ffi}-dev\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN apt-get install -y lib{ssl,ffi}-dev lib{yaml,xml}-dev=1.0 'q{r,s}'\n"
        'RUN ["bash", "-lc", "apt-get install -y x{1..2}"]\n'
    )
    found = [(f.rule, f.location.span.line, f.location.span.column, f.package)
             for f in scan_files(tmp_path, {"Dockerfile": text}) if f.rule != "PIN402"]
    assert found == [
        ("PIN101", 2, 24, "lib{ssl,ffi}-dev"),
        ("PIN101", 4, 24, "libffi-dev"), ("PIN101", 4, 24, "libssl-dev"), ("PIN101", 4, 64, "q{r,s}"),
        ("PIN101", 5, 41, "x1"), ("PIN101", 5, 41, "x2"),
    ]


def test_brace_expansion_follows_the_script_shebang(tmp_path):
    files = {
        "a.sh": "#!/usr/bin/env bash\napt-get install -y lib{ssl,ffi}-dev\n",
        "b.sh": "#!/bin/sh\napt-get install -y lib{ssl,ffi}-dev\n",
    }
    found = [(f.location.path, f.rule, f.location.span.line, f.location.span.column, f.package)
             for f in scan_files(tmp_path, files)]
    assert found == [
        ("a.sh", "PIN101", 2, 20, "libffi-dev"), ("a.sh", "PIN101", 2, 20, "libssl-dev"),
        ("b.sh", "PIN101", 2, 20, "lib{ssl,ffi}-dev"),
    ]


def test_brace_expansion_in_a_heredoc_follows_its_shebang(tmp_path):
    text = ("FROM debian:12\nRUN <<EOF\n#!/bin/bash\napt-get install -y q{r,s}\nEOF\n"
            "RUN <<EOF\n#!/bin/sh\napt-get install -y q{r,s}\nEOF\n")
    found = [(f.rule, f.location.span.line, f.location.span.column, f.package)
             for f in scan_files(tmp_path, {"Dockerfile": text}) if f.rule != "PIN402"]
    assert found == [("PIN101", 4, 20, "qr"), ("PIN101", 4, 20, "qs"), ("PIN101", 8, 20, "q{r,s}")]
