"""PIN501 (gem/go/cargo unpinned) and PIN502 (download-then-run)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, scan_files

CATCHES = [
    ("FROM ruby:3.3\nRUN gem install bundler\n", [("PIN501", 2, "bundler")]),
    ("FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n", [("PIN501", 2, "golang.org/x/tools/gopls")]),
    ("FROM rust:1.80\nRUN cargo install ripgrep\n", [("PIN501", 2, "ripgrep")]),
    ("FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh\n", [("PIN502", 2)]),
    ("FROM debian:12\nRUN wget -qO- https://example.com/i.sh \\\n  | bash -s -- --yes\n", [("PIN502", 2)]),
    ("FROM debian:12\nRUN bash <(curl -s https://example.com/i.sh)\n", [("PIN502", 2)]),
    ("FROM debian:12\nADD https://example.com/tool.tar.gz /opt/\n", [("PIN502", 2)]),
    ("FROM debian:12\nRUN curl -o /tmp/i.sh https://example.com/i.sh\nRUN sh /tmp/i.sh\n", [("PIN502", 3)]),
    # stdout redirected to a file is a download to that file (curl, and wget -O -)
    ("FROM debian:12\nRUN curl -L https://example.com/x.sh > x.sh && bash x.sh\n", [("PIN502", 2)]),
    ("FROM debian:12\nRUN wget -O- https://example.com/x.sh >/tmp/x.sh\nRUN sh /tmp/x.sh\n", [("PIN502", 3)]),
]
CLEAN = [
    "FROM ruby:3.3\nRUN gem install bundler -v 2.5.22\n",
    "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.16.2\n",
    "FROM golang:1.24\nCOPY go.mod go.sum ./\nRUN go install tool\n",  # go.mod's tool directives
    "FROM rust:1.80\nRUN cargo install ripgrep --version 14.1.1 --locked\n",
    "FROM debian:12\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
    "https://example.com/tool.tar.gz /opt/\n",
    "FROM debian:12\nRUN curl -o /tmp/i.sh https://example.com/i.sh \\\n"
    " && echo '24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d  /tmp/i.sh' | sha256sum -c - \\\n"
    " && sh /tmp/i.sh\n",
    "FROM debian:12\nRUN curl -fsSL -o /usr/local/bin/tool https://example.com/tool\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    found = [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN501", "PIN502")]
    assert len(found) == len(expected)
    assert [h[: len(e)] for h, e in zip(found, expected, strict=True)] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN501", "PIN502")] == []


def test_download_from_an_unknown_url_then_run_is_tracked(tmp_path):
    # a URL built from a variable we cannot know (a build argument, a template's ENV) is still
    # fetched without a checksum; the file runs later: PIN502 where it runs, as a piped one is
    text = (
        "FROM debian:12\n"
        "ARG C\n"
        'RUN wget -O /usr/local/bin/dind "https://example.com/raw/${C}/dind"; \\\n'
        "    sh -n /usr/local/bin/dind\n"
        'RUN curl -fsSL "https://example.com/${C}/i.sh" | sh\n'
    )
    found = [(f.rule, f.location.span.line, f.location.span.column) for f in scan_files(tmp_path, {"Dockerfile": text})
             if f.rule == "PIN502"]
    assert found == [("PIN502", 4, 11), ("PIN502", 5, 17)]
