"""``fix --apt-strategy snapshot``: make a Dockerfile's apt installs come from a dated archive.

Exact apt pins rot within days (the archive keeps one version per suite), so instead each stage
that runs ``apt-get update`` gets, just before its first one, a sources list for the snapshot
service at one instant — the suite, ``-updates`` and ``-security`` alike, with
``check-valid-until=no`` (a snapshot's Release files expire) — and the pins are resolved at that
same instant. Ubuntu's snapshot service has its own layout — one dated archive for every pocket,
``<service>/ubuntu/<YYYYMMDDTHHMMSSZ>`` serving ``noble``, ``noble-updates`` and ``noble-security``
with the usual components — so an Ubuntu stage (its suite named by the image tag: ``ubuntu:24.04``,
``ubuntu:jammy``) gets those lines from the Ubuntu service the user configured. Plain ``deb`` lines
at the dated URL work with every apt (no need for apt's own ``--snapshot``/``Snapshot:`` support,
which apt 2.7 has and focal's or jammy's apt gets only with updates), and keep the service's host
the user's choice. The trade-off is the user's to know: security updates stop at that date until it
is moved, which is one command (``fix --apt-strategy snapshot --at now``): the line pinaudit
wrote is recognised by its marker comment and rewritten with the new instant.

Pure: the Dockerfile's text in, edits out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pinaudit.edits import Edit
from pinaudit.parse.lines import LineIndex, SourceText

__all__ = ["MARKER", "snapshot_edits", "sources_line"]

MARKER = "# pinaudit: apt snapshot (security updates stop at this date; move it: pinaudit fix --apt-strategy " \
         "snapshot --at now)"
_MARK = "pinaudit: apt snapshot"
_UPDATE = re.compile(r"\bapt(?:-get)?\s+(?:-\S+\s+)*update\b")


def sources_line(snapshot: str, stamp: str, suite: str, *, ubuntu: bool = False) -> str:
    """The RUN line that points apt at the snapshot archive (``ubuntu``: Ubuntu's layout)."""
    base = snapshot.rstrip("/")
    if ubuntu:
        archive, security, components, shipped = f"{base}/ubuntu/{stamp}", f"{base}/ubuntu/{stamp}", \
            "main restricted universe multiverse", "ubuntu.sources"
    else:
        archive, security, components, shipped = f"{base}/archive/debian/{stamp}", \
            f"{base}/archive/debian-security/{stamp}", "main", "debian.sources"
    entries = [f"deb [check-valid-until=no] {archive} {suite} {components}",
               f"deb [check-valid-until=no] {archive} {suite}-updates {components}",
               f"deb [check-valid-until=no] {security} {suite}-security {components}"]
    quoted = " ".join(f"'{e}'" for e in entries)
    return (f"RUN printf '%s\\n' {quoted} > /etc/apt/sources.list "
            f"&& rm -f /etc/apt/sources.list.d/{shipped}")


def snapshot_edits(path: str, source: SourceText, snapshot: str | None, stamp: str,
                   suite_of: Callable[[str | None], str | None],
                   ubuntu_snapshot: str | None = None) -> tuple[list[Edit], list[str]]:
    """Edits that put the snapshot sources before each stage's first ``apt-get update`` (or
    move the instant of the ones already there), and the stages left with their reason.
    ``suite_of(base image reference)`` names the Debian or Ubuntu suite of a stage; ``snapshot``
    and ``ubuntu_snapshot`` are the two services (either may be missing: its stages are left)."""
    from pinaudit.parse.dockerfile import DockerfileSyntaxError, parse
    from pinaudit.site_context import UBUNTU_CODENAMES

    text = source.text
    try:
        ast = parse(text)
    except DockerfileSyntaxError as exc:
        return [], [f"{path}: not parsed ({exc})"]
    index = LineIndex(text)
    nl = source.newline
    edits: list[Edit] = []
    left: list[str] = []
    stage_base: str | None = None
    names: dict[str, str | None] = {}
    done = False  # this stage has its snapshot line (written before, or now)
    for instr in ast.instructions:
        if instr.keyword == "FROM":
            words = instr.args.text.split()
            ref = words[0] if words else None
            stage_base = names.get(ref.lower(), ref) if ref else None
            if len(words) >= 3 and words[1].lower() == "as":
                names[words[2].lower()] = stage_base
            done = False
            continue
        if instr.keyword != "RUN" or done:
            continue
        ours = any(_MARK in c for _line, c in instr.comments)
        if not ours and not _UPDATE.search(instr.args.text):
            continue
        suite = suite_of(stage_base)
        if suite is None:
            left.append(f"{path}:{instr.start_line}: the stage's Debian or Ubuntu suite is unknown (its base image "
                        "names none): pass --debian-suite")
            done = True
            continue
        ubuntu = suite in UBUNTU_CODENAMES
        service = ubuntu_snapshot if ubuntu else snapshot
        if service is None:
            left.append(f"{path}:{instr.start_line}: {'an Ubuntu' if ubuntu else 'a Debian'} stage ({suite}) and no "
                        f"snapshot service for it: pass --{'ubuntu' if ubuntu else 'debian'}-snapshot URL")
            done = True
            continue
        line = sources_line(service, stamp, suite, ubuntu=ubuntu)
        if ours:  # move the instant: rewrite the line pinaudit wrote, whole
            a, b = index.line_start(instr.start_line), index.line_start(instr.end_line + 1)
            old = text[a:b]
            body = old.rstrip("\r\n")
            if body != line:
                edits.append(Edit(path, a, a + len(body), line))
        else:
            first = min([instr.start_line, *(n for n, _c in instr.comments)])
            at = index.line_start(first)
            edits.append(Edit(path, at, at, f"{MARKER}{nl}{line}{nl}"))
        done = True
    return edits, left
