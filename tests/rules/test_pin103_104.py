"""PIN103 (apk add unpinned) and PIN104 (apk upgrade)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile

CATCHES = [
    ("FROM alpine:3.20\nRUN apk add --no-cache curl\n", [("PIN103", 2, "curl")]),
    ("FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.5-r0\n", [("PIN103", 2, "gcc")]),
    ("FROM alpine:3.20\nRUN apk add -t .deps \\\n    make\n", [("PIN103", 3, "make")]),
    ("FROM alpine:3.20\nRUN apk upgrade --no-cache\n", [("PIN104", 2, None)]),
    # a package list in a variable with a version from the base image's ENV (nginx's images):
    # the known item is judged, the unknown one named (info) — not one info about the variable
    ('FROM nginx:1.27-alpine\nRUN pkgs=" \\\n    nginx=${NGINX_VERSION}-r${PKG_RELEASE} \\\n    curl \\\n  " \\\n'
     '  && apk add --no-cache $pkgs\n',
     [("PIN103", 6, "curl"), ("PIN103", 6, "nginx")]),
]
CLEAN = [
    "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r1\n",
    "FROM alpine:3.20\nRUN apk del curl\n",
    "FROM alpine:3.20\nRUN apk update\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    found = dockerfile(tmp_path, text)
    assert [h for h in found if h[0] in ("PIN103", "PIN104")] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN103", "PIN104")] == []
