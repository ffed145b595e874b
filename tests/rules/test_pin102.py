"""PIN102: apt-get upgrade / dist-upgrade / full-upgrade."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile

CATCHES = [
    ("FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n", [("PIN102", 2, None)]),
    ("FROM debian:12\nRUN apt-get -y dist-upgrade\n", [("PIN102", 2, None)]),
    ("FROM debian:12\nRUN apt full-upgrade -y\n", [("PIN102", 2, None)]),
    ("FROM debian:12\nRUN apt-get update \\\n && apt-get -qq upgrade\n", [("PIN102", 3, None)]),
]
CLEAN = [
    "FROM debian:12\nRUN apt-get update\n",
    "FROM debian:12\nRUN echo apt-get upgrade\n",
    "FROM debian:12\n# pinaudit: ignore=PIN102\nRUN apt-get update && apt-get upgrade -y\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    assert dockerfile(tmp_path, text, "PIN102") == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert dockerfile(tmp_path, text, "PIN102") == []


def test_message_names_the_trade_off(tmp_path):
    from tests.helpers import scan_files

    (f,) = [
        f
        for f in scan_files(tmp_path, {"Dockerfile": "FROM debian:12\nRUN apt-get upgrade -y\n"})
        if f.rule == "PIN102"
    ]
    assert "security" in f.message and "base image" in f.message and "ignore=PIN102" in f.message
