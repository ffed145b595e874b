"""PIN501 for Go: moving queries and no version are unpinned; -insecure voids a version."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, scan_files

M = "example.com/x"


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (f"RUN go install {M}@latest\n", [("PIN501", 2, M)]),
        (f"RUN go install {M}@upgrade\n", [("PIN501", 2, M)]),
        (f"RUN go get {M}@patch\n", [("PIN501", 2, M)]),
        (f"RUN go install {M}@develop\n", [("PIN501", 2, M)]),  # a branch
        (f"RUN go install {M}@v1\n", [("PIN501", 2, M)]),  # a query for the newest v1
        (f"RUN go install {M}\n", [("PIN501", 2, M)]),
        # -insecure: plain HTTP and no checksum database, whatever the version says
        (f"RUN go get -insecure {M}@v1.2.3\n", [("PIN501", 2, M)]),
        (f"RUN GOFLAGS=-insecure go install {M}@v1.2.3\n", [("PIN501", 2, M)]),
        (f'ENV GOFLAGS="-mod=mod -insecure"\nRUN go install {M}@v1.2.3\n', [("PIN501", 3, M)]),
        (f"ENV GOINSECURE=example.com GONOSUMDB=example.com\nRUN go install {M}/cmd/y@v1.2.3\n",
         [("PIN501", 3, f"{M}/cmd/y")]),
        (f"RUN GOINSECURE='*.com' GOSUMDB=off go install {M}@v1.2.3\n", [("PIN501", 2, M)]),
    ],
)
def test_go_catches(tmp_path, run, expected):
    assert dockerfile(tmp_path, "FROM golang:1.22\n" + run, "PIN501") == expected


@pytest.mark.parametrize(
    "run",
    [
        f"RUN go install {M}@v1.2.3\n",
        f"RUN go install {M}@v0.0.0-20240101120000-abcdef123456\n",
        # GOINSECURE alone allows plain HTTP; the checksum database still checks the bytes
        f"RUN GOINSECURE=example.com go install {M}@v1.2.3\n",
        # the insecure modules are others
        f"RUN GOFLAGS=-mod=mod GOINSECURE=corp.internal GONOSUMDB=corp.internal go install {M}@v1.2.3\n",
    ],
)
def test_go_catches_not(tmp_path, run):
    assert dockerfile(tmp_path, "FROM golang:1.22\n" + run, "PIN501") == []


def test_go_insecure_message_says_the_version_guarantees_nothing(tmp_path):
    [f] = [f for f in scan_files(tmp_path, {"Dockerfile": f"FROM golang:1.22\nRUN go get -insecure {M}@v1.2.3\n"})
           if f.rule == "PIN501"]
    assert "-insecure" in f.message and "@v1.2.3 names a version but guarantees nothing" in f.message
