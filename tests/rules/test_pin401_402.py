"""PIN401 (image without tag / latest) and PIN402 (tag without digest)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, scan_files

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


BAKE_HCL = 'target "app" {\n  # the sources and a pinned alpine\n  contexts = {\n    src = "../src"\n' \
           '    "alpine" = "docker-image://alpine@' + DIGEST + '"\n  }\n}\n'
BAKE_JSON = '{"target": {"app": {"contexts": {"src": "../src", "alpine": "target:base"}}}}\n'
WORKFLOW = ("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: docker buildx build --build-context deps=./deps --build-context=tools=./t .\n")


def _images(tmp_path, text, **files):
    return [(f.rule, f.location.span.line, f.package, f.severity.name.lower())
            for f in scan_files(tmp_path, {"Dockerfile": f"FROM alpine:3.20@{DIGEST}\n" + text, **files})
            if f.rule == "PIN401" and f.location.path.endswith("Dockerfile")]


@pytest.mark.parametrize("bake", [{"docker-bake.hcl": BAKE_HCL}, {"docker-bake.json": BAKE_JSON}])
def test_copy_from_a_bake_context_is_not_an_image(tmp_path, bake):
    text = "COPY --from=src /s /s\nCOPY --from=alpine /bin/sh /sh\nCOPY --from=nginx /etc/nginx /etc/nginx\n"
    assert _images(tmp_path, text, **bake) == [("PIN401", 4, "nginx", "error")]


def test_copy_from_a_build_context_flag_in_a_workflow_or_script_is_not_an_image(tmp_path):
    text = ("COPY --from=deps /d /d\nRUN --mount=from=tools,target=/t true\nCOPY --from=web /w /w\n"
            "COPY --from=golang /go /go\n")
    files = {".github/workflows/b.yml": WORKFLOW, "build.sh": "docker buildx build --build-context web=../web .\n"}
    assert _images(tmp_path, text, **files) == [("PIN401", 5, "golang", "error")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no file names it, and it reads like a stage or context name: cannot be judged
        ("COPY --from=builder /a /a\n", [("PIN401", 2, "builder", "info")]),
        ("RUN --mount=from=frontend-build,target=/f true\n", [("PIN401", 2, "frontend-build", "info")]),
        # it reads as an image: an official image, an organisation, a registry
        ("COPY --from=composer /usr/bin/composer /usr/bin/\n", [("PIN401", 2, "composer", "error")]),
        ("COPY --from=myorg/tool /x /x\n", [("PIN401", 2, "myorg/tool", "error")]),
        ("COPY --from=ghcr.io/astral-sh/uv /uv /uv\n", [("PIN401", 2, "ghcr.io/astral-sh/uv", "error")]),
        ("COPY --from=tool:latest /x /x\n", [("PIN401", 2, "tool", "error")]),
        # FROM keeps its verdict: an untagged FROM is an image
        ("FROM builder\n", [("PIN401", 2, "builder", "error")]),
    ],
)
def test_an_unknown_from_name_that_reads_like_a_context(tmp_path, text, expected):
    assert _images(tmp_path, text) == expected
