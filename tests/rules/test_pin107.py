"""PIN107: partial OS-package pins (warning)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile

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
