"""Is a requirements file a compiler's input, judged through the compiled file beside it?

``requirements.in`` next to ``requirements.txt`` is pip-tools' and uv's layout: the input keeps
ranges on purpose, the compiled file is what gets installed, and only the compiled file is
judged. Hand-kept inputs are not always named ``*.in``: ``base_requirements.txt`` compiled into
``requirements.txt`` is the same layout. The compiled file says so itself: it pins every entry
exactly, and either annotates them ``# via -r base_requirements.txt`` (pip-compile's and uv's
annotations) or pins every name the input has.
"""

from __future__ import annotations

import re
from pathlib import Path

from pinaudit.model import Pin
from pinaudit.parse.requirements import ParsedFile, normalize_name, parse_requirements_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.analyzers.build_context import BuildContext

_PINNED = (Pin.EXACT, Pin.IMMUTABLE)
# the compiled file's own name: where a build installs from (never itself an input)
_COMPILED_NAME = re.compile(r"[^/]*requirements[^/]*\.txt", re.I)
_MAX_SIBLINGS = 32  # a folder of many requirement files: read this many at most
_MAX_BYTES = 1 << 20


def compiled_sibling(path: Path, parsed: ParsedFile, files: BuildContext) -> Path | None:
    """The compiled file that pins ``path``'s entries, or None when ``path`` is judged itself.

    A ``*.in`` is an input whenever its ``.txt`` sibling exists. Any other file is one when a
    requirements file in the same folder is fully pinned (every entry exact, no include) and
    names it in a ``via -r`` annotation or pins all of its names; a file already fully pinned is
    judged as it is (its hashes still matter).
    """
    if path.suffix == ".in":
        compiled = path.with_suffix(".txt")
        return compiled if files.is_file(compiled) else None
    siblings = _siblings(path)
    if not siblings:
        return None
    names = {normalize_name(e.requirement.name) for e in parsed.entries if e.requirement.name}
    if not names or all(e.requirement.pin in _PINNED for e in parsed.entries):
        return None
    via = re.compile(rf"(?:^|[\s#])-r\s+(?:\S*/)?{re.escape(path.name)}\s*$", re.M)
    for sibling in siblings:
        try:
            content = files.read_text(sibling, max_bytes=_MAX_BYTES)
        except (OSError, ValueError):
            continue
        pinned = _fully_pinned(parse_requirements_text(content, {}))
        if pinned is not None and (via.search(content) or names <= pinned):
            return sibling
    return None


def _siblings(path: Path) -> list[Path]:
    try:
        found = sorted(p for p in path.parent.iterdir() if _COMPILED_NAME.fullmatch(p.name) and p.name != path.name)
    except OSError:
        return []
    return [p for p in found[:_MAX_SIBLINGS] if p.is_file()]


def _fully_pinned(parsed: ParsedFile) -> set[str] | None:
    """The names a compiled file pins, or None when it is not one (a range, an include, a URL)."""
    if not parsed.entries or parsed.includes:
        return None
    names: set[str] = set()
    for e in parsed.entries:
        if e.requirement.pin not in _PINNED or not e.requirement.name:
            return None
        names.add(normalize_name(e.requirement.name))
    return names
