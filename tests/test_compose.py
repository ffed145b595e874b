"""Compose files: image pulls, interpolation, build-only services, anchors, legacy v1."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinaudit.analyzers import ScanOptions, SourceFile, compose
from pinaudit.model import FileResult

DIGEST = "sha256:" + "a" * 64


def run(tmp_path: Path, text: str, dotenv: str | None = None) -> FileResult:
    p = tmp_path / "docker-compose.yml"
    p.write_text(text)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    return compose.analyze(SourceFile(p, "docker-compose.yml", text, "compose"), ScanOptions(cwd=tmp_path))


def rows(r: FileResult) -> list[tuple[str, str, str | None, str, str, int]]:
    return [(s.ecosystem.value, s.action.value, s.package, s.pin.value, s.lock.value, s.location.line) for s in r.sites]


def test_images(tmp_path: Path) -> None:
    text = f"""services:
  a:
    image: redis
  b:
    image: "redis:latest"
  c:
    image: postgres:16.2
  d:
    image: ghcr.io/o/app:1.0@{DIGEST}
  e:
    build: .
  f:
    build: ./f
    image: myorg/f:dev
  g:
    build: ./g
    image: myorg/g
    pull_policy: always
  h:
    image: localhost:5000/x
"""
    assert rows(run(tmp_path, text)) == [
        ("image", "install", "redis", "unpinned", "n/a", 3),
        ("image", "install", "redis", "unpinned", "n/a", 5),
        ("image", "install", "postgres", "exact", "n/a", 7),
        ("image", "install", "ghcr.io/o/app", "immutable", "n/a", 9),
        ("image", "install", "myorg/g", "unpinned", "n/a", 17),
        ("image", "install", "localhost:5000/x", "unpinned", "n/a", 20),
    ]
    r = run(tmp_path, text)
    assert (r.sites[1].location.span.column, r.sites[2].location.span.column) == (13, 12)
    assert r.sites[0].installer == "compose"


def test_interpolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_SHELL_TAG", "from-shell")  # ignored: a CI gate must not depend on a runner's env
    monkeypatch.setenv("PA_UNSET", "from-shell-too")
    monkeypatch.delenv("PA_UNSET", raising=False)
    monkeypatch.delenv("PA_FILE_TAG", raising=False)
    text = """services:
  a: {image: "redis:${PA_UNSET:-7.2}"}
  b: {image: "redis:${PA_UNSET-7.2}"}
  c: {image: "redis:${PA_UNSET}"}
  d: {image: "redis:${PA_FILE_TAG}"}
  e: {image: "redis:$PA_SHELL_TAG"}
  f: {image: "redis:${PA_FILE_TAG:-x}$${NOT_A_VAR}"}
  g: {image: "${PA_UNSET:-${PA_FILE_TAG}}"}
"""
    r = run(tmp_path, text, dotenv="# comment\nexport PA_FILE_TAG='1.0'\nPA_SHELL_TAG=from-file\n")
    assert [(s.spec, s.pin.value) for s in r.sites] == [
        ("redis:7.2", "exact"),
        ("redis:7.2", "exact"),
        ("redis:${PA_UNSET}", "unknown"),
        ("redis:1.0", "exact"),
        ("redis:from-file", "exact"),  # the scanning shell's environment is not the deploy's: .env only
        ("redis:1.0${NOT_A_VAR}", "exact"),
        ("1.0", "unpinned"),
    ]
    assert "PA_UNSET" in r.sites[2].detail


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    text = """x-base: &base
  image: node:20
  restart: always
services:
  web:
    <<: *base
  worker:
    <<: *base
    image: node
"""
    assert [(s.spec, s.pin.value, s.location.line) for s in run(tmp_path, text).sites] == [
        ("node:20", "exact", 2),
        ("node", "unpinned", 9),
    ]


def test_legacy_v1(tmp_path: Path) -> None:
    text = "web:\n  image: nginx\n  links: [db]\ndb:\n  image: mysql:5.7\nbuilt:\n  build: .\n"
    assert rows(run(tmp_path, text)) == [
        ("image", "install", "nginx", "unpinned", "n/a", 2),
        ("image", "install", "mysql", "exact", "n/a", 5),
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [("services:\n  a:\n    image: [unclosed\n", 4), ("services: {a: {image: x}\n", 2), ("- just\n- a list\n", 1)],
)
def test_malformed(tmp_path: Path, text: str, line: int) -> None:
    r = run(tmp_path, text)
    assert r.sites == () and [d.location.line for d in r.diagnostics] == [line]


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append("services:\n  s:\n    <<: [" + ", ".join(["*a9"] * 10) + "]\n    image: redis")
    r = run(tmp_path, "\n".join(lines) + "\n")  # must return promptly, whatever it finds
    assert r is not None


def test_pragmas_and_empty(tmp_path: Path) -> None:
    r = run(tmp_path, "services:\n  a:\n    # pinaudit: ignore=PIN401\n    image: redis\n")
    assert [(s.codes, s.first_line) for s in r.suppressions] == [(frozenset({"PIN401"}), 4)]
    assert run(tmp_path, "").sites == ()


def test_block_scalar_image_is_reported_on_its_text_line(tmp_path: Path) -> None:
    """SPEC §6: the line of the token itself, not of the ``>-``/``|`` indicator before it."""
    text = (
        "services:\n  a:\n    image: >-\n\n      redis\n"
        "  b:\n    image: |\n      nginx:latest\n  c:\n    image:\n      node\n"
    )
    r = run(tmp_path, text)
    got = {s.package: (s.location.line, s.location.span.column) for s in r.sites}
    assert got == {"redis": (5, 7), "nginx": (8, 7), "node": (11, 7)}
