"""PIN401 (image without tag / latest) and PIN402 (tag without digest)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile

DIGEST = "sha256:" + "0123456789abcdef" * 4

CATCHES = [
    ("FROM python\n", [("PIN401", 1, "python")]),
    ("FROM python:latest AS base\n", [("PIN401", 1, "python")]),
    ("FROM python:3.12\n", [("PIN402", 1, "python")]),
    ("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n", [("PIN402", 1, "golang")]),
    ("ARG BASE=ubuntu\nFROM ${BASE}\n", [("PIN401", 2, "ubuntu")]),
    ("ARG TAG=3.20\nFROM alpine:${TAG}\n", [("PIN402", 2, "alpine")]),
    (f"FROM alpine:3.20@{DIGEST}\nCOPY --from=nginx /etc/nginx /etc/nginx\n", [("PIN401", 2, "nginx")]),
    (f"FROM alpine@{DIGEST}\nRUN --mount=type=bind,from=busybox:1.36,target=/bb true\n", [("PIN402", 2, "busybox")]),
    ("FROM localhost:5000/app\n", [("PIN401", 1, "localhost:5000/app")]),
]
CLEAN = [
    f"FROM python:3.12@{DIGEST}\n",
    f"FROM python@{DIGEST} AS Build\nFROM build\nCOPY --from=BUILD /x /x\nCOPY --from=0 /y /y\n",
    "FROM scratch\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN401", "PIN402")] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN401", "PIN402")] == []


def test_unresolvable_arg_is_info(tmp_path):
    from tests.helpers import scan_files

    found = scan_files(tmp_path, {"Dockerfile": "ARG BASE\nFROM ${BASE}\n"})
    assert [(f.rule, f.severity.label) for f in found] == [("PIN401", "info")]


def test_build_arg_overrides_default(tmp_path):
    from tests.helpers import scan_files

    found = scan_files(
        tmp_path, {"Dockerfile": "ARG BASE=ubuntu\nFROM ${BASE}\n"}, build_args={"BASE": f"ubuntu@{DIGEST}"}
    )
    assert found == []


def test_variable_not_declared_before_from_is_unknown_not_a_bare_name(tmp_path):
    # docker build sees an undeclared $NOPE as empty: 'ubuntu:' is not what the author meant, so
    # the site is "cannot be judged" (info), never "no tag"
    from tests.helpers import scan_files

    text = "ARG V\nFROM ubuntu:$NOPE\nFROM ${REG}/ubuntu:22.04\nFROM debian:$V\n"
    found = [(f.rule, f.location.span.line, f.severity.label) for f in scan_files(tmp_path, {"Dockerfile": text})]
    assert found == [("PIN401", 2, "info"), ("PIN401", 3, "info"), ("PIN401", 4, "info")]
    messages = [f.message for f in scan_files(tmp_path, {"Dockerfile": text})]
    assert "$NOPE is not declared by an ARG before the first FROM" in messages[0]


def test_mount_from_image_is_reported_at_the_image(tmp_path):
    from tests.helpers import scan_files

    text = f"FROM alpine@{DIGEST}\nRUN --mount=type=bind,from=busybox:1.36,target=/bb true\n"
    (f,) = scan_files(tmp_path, {"Dockerfile": text})
    assert (f.rule, f.location.span.line, f.location.span.column, f.location.span.end_column) == ("PIN402", 2, 28, 40)


def test_from_default_in_the_reference_is_what_docker_builds(tmp_path):
    # `ARG PY` has no value: docker build leaves it unset and ${PY:-3.12} gives python:3.12
    # (judged like `ARG PY=3.12`); an undeclared ${NV:-20} gives node:20-alpine
    from tests.helpers import scan_files

    text = "ARG PY\nFROM python:${PY:-3.12}\nFROM node:${NV:-20}-alpine\nFROM x:${PY}\n"
    found = [(f.rule, f.location.span.line, f.package, f.severity.label)
             for f in scan_files(tmp_path, {"Dockerfile": text})]
    assert found == [("PIN402", 2, "python", "warning"), ("PIN402", 3, "node", "warning"),
                     ("PIN401", 4, "x:${PY}", "info")]
