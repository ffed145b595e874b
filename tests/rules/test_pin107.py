"""PIN107: partial OS-package pins (warning)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, scan_files

CATCHES = [
    (
        "FROM debian:12\nRUN apt-get install -y \\\n    python3-yaml=6.0* \\\n    wget=1.21.3*\n",
        [("PIN107", 3, "python3-yaml"), ("PIN107", 4, "wget")],
    ),
    ("FROM alpine:3.20\nRUN apk add curl~8.9\n", [("PIN107", 2, "curl")]),
]
CLEAN = [
    "FROM debian:12\nRUN apt-get install -y wget=1.21.3-1+b2\n",
    "FROM alpine:3.20\nRUN apk add curl=8.9.1-r1\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    assert dockerfile(tmp_path, text, "PIN107") == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert dockerfile(tmp_path, text, "PIN107") == []


def test_template_placeholder_in_env_is_no_glob(tmp_path):
    # issue 15: a Dockerfile template's `{{ ... }}` is filled in by its engine; the `[` inside it
    # is no apt version pattern: the value is unknown here (PIN101 info), never PIN107
    text = (
        "FROM debian:12\n"
        "ENV JENKINS_VERSION {{ .[env.variant].version }}\n"
        "ENV OTHER={{.other}}\n"
        "ARG THIRD=\"{% if x %}1.*{% endif %}\"\n"
        "RUN apt-get install -y jenkins=\"$JENKINS_VERSION\" other=$OTHER third=$THIRD glob=1.*\n"
    )
    found = scan_files(tmp_path, {"Dockerfile": text})
    assert [(f.rule, f.location.span.line, f.location.span.column, f.package, f.severity.name)
            for f in found if f.rule != "PIN402"] == [
        ("PIN101", 5, 24, "jenkins", "INFO"), ("PIN101", 5, 51, "other", "INFO"), ("PIN101", 5, 64, "third", "INFO"),
        ("PIN107", 5, 77, "glob", "WARNING"),
    ]


def test_env_with_spaced_template_pairs_is_rejected_not_globbed(tmp_path):
    # `ENV V={{ x }}` is three words to BuildKit, two without `=`: docker build rejects the file
    found = scan_files(tmp_path, {"Dockerfile": "FROM debian:12\nENV V={{ x }}\nRUN apt-get install -y a=$V\n"})
    assert [(f.rule, f.location.span.line) for f in found if f.rule != "PIN402"] == [("PIN001", 2)]
