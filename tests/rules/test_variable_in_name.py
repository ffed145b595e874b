"""A variable only in the package *name* leaves the install unpinned whatever its value (the
ecosystem's unpinned rule, error); "cannot be judged" (info) stays where the variable could carry
the version (installers/_common.variable_only_in_name)."""

from __future__ import annotations

import pytest

from tests.helpers import scan_files

HEAD = "FROM debian:12\nARG V\nARG PKG\n"


def _found(tmp_path, text):
    return [(f.rule, f.location.span.line, f.package, f.severity.name.lower())
            for f in scan_files(tmp_path, {"Dockerfile": HEAD + text}) if f.rule != "PIN402"]


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN apt-get install -y postgresql-${V}\n", [("PIN101", 4, "postgresql-${V}", "error")]),
        ("RUN apt-get install -y openjdk-${V}-jdk\n", [("PIN101", 4, "openjdk-${V}-jdk", "error")]),
        ("RUN apt-get install -y linux-headers-$(uname -r)\n", [("PIN101", 4, "linux-headers-$(uname -r)", "error")]),
        ('RUN pip install "psycopg-${V}"\n', [("PIN201", 4, "psycopg-${V}", "error")]),
        ('RUN pip install "requests[${V}]"\n', [("PIN201", 4, "requests[${V}]", "error")]),
        ('RUN npm i "@x/${PKG}"\n', [("PIN301", 4, "@x/${PKG}", "error")]),
        ('RUN npm i "@${PKG}/cli"\n', [("PIN301", 4, "@${PKG}/cli", "error")]),
        ("RUN apk add py3-${PKG}\n", [("PIN103", 4, "py3-${PKG}", "error")]),
        ("RUN go install github.com/x/${PKG}\n", [("PIN501", 4, "github.com/x/${PKG}", "error")]),
        ("RUN gem install rails-${V}\n", [("PIN501", 4, "rails-${V}", "error")]),
    ],
)
def test_a_variable_in_the_name_only_is_unpinned(tmp_path, run, expected):
    assert _found(tmp_path, run) == expected


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        # the variable could carry the version: still "cannot be judged"
        ("RUN apt-get install -y curl=$V\n", [("PIN101", 4, "curl", "info")]),
        ("RUN apt-get install -y $PKG\n", [("PIN101", 4, "$PKG", "info")]),
        # straight after a letter at the end: `torch${TORCH_SPEC}` is written for TORCH_SPEC='==2.1'
        ('RUN pip install "psycopg${V}"\n', [("PIN201", 4, "psycopg${V}", "info")]),
        ("RUN apt-get install -y pkg${V}\n", [("PIN101", 4, "pkg${V}", "info")]),
        # a version written after the variable: not "without a version"
        ("RUN apt-get install -y postgresql-${PKG}=13.2-1\n", [("PIN101", 4, "postgresql-${PKG}=13.2-1", "info")]),
        ('RUN pip install "django-${PKG}==4.2.1"\n', [("PIN201", 4, "django-${PKG}==4.2.1", "info")]),
        ('RUN npm i "@x/y@${V}"\n', [("PIN301", 4, "@x/y", "info")]),
        ("RUN go install github.com/x/${PKG}@v1.2.3\n", [("PIN501", 4, "github.com/x/${PKG}@v1.2.3", "info")]),
        # yum writes versions after a hyphen: nginx-${V} may be nginx-1.24.0
        ("RUN yum install -y nginx-${V}\n", [("PIN105", 4, "nginx", "info")]),
        # another option gives the version
        ("RUN gem install rails-${V} -v 7.1.3\n", [("PIN501", 4, "rails-${V}", "info")]),
        # a file, not a name: no name or version is read from it
        ("RUN apk add --allow-untrusted /tmp/pkgs/nginx-module-${V}-${PKG}*.apk\n",
         [("PIN103", 4, "/tmp/pkgs/nginx-module-${V}-${PKG}*.apk", "info")]),
        # one command substitution, whose output may well carry the version (`pnpm@9.1.0`)
        ("RUN npm i -g \"$(node -p 'require(\"./package.json\").packageManager')\"\n",
         [("PIN301", 4, "$(node -p require(./package.json).packageManager)", "info")]),
        # a known value is judged as such
        ("ENV PG=16\nRUN apt-get install -y postgresql-${PG}=16.2-1\n", []),
    ],
)
def test_a_variable_that_could_carry_the_version_cannot_be_judged(tmp_path, run, expected):
    assert _found(tmp_path, run) == expected
