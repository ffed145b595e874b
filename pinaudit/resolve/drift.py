"""How far two versions of one package are apart, by the ecosystem's own version rules.

``major``/``minor``/``patch`` name the first release component that differs: PEP 440 release
segments for pip (``packaging``), semver for npm (``node-semver``), the epoch and the upstream
version's numeric components for Debian (``debian-inspector``; a change of the Debian revision
alone, ``-10+deb12u4`` to ``-10+deb12u5``, is a patch). A difference only in a pre-release,
post-release or local label is a patch too. ``added``/``removed``: one host gets the package and
the other does not; ``same``: equal versions (``1.0`` and ``1.0.0`` are equal for pip).
"""

from __future__ import annotations

import re

__all__ = ["CHANGES", "change_kind", "newer"]

CHANGES = ("major", "minor", "patch", "added", "removed", "same")
_ORDER = {"major": 0, "minor": 1, "patch": 2}


def change_kind(ecosystem: str, old: str | None, new: str | None) -> str:
    """The change from ``old`` (one host) to ``new`` (another); None means the host does not get it."""
    if old is None and new is None:
        return "same"
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old == new:
        return "same"
    if ecosystem == "pip":
        return _pip(old, new)
    if ecosystem == "npm":
        return _npm(old, new)
    if ecosystem in ("apt", "apk"):
        return _debian(old, new)
    return _positional(_numbers(old), _numbers(new))


def _positional(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else 0
        y = b[i] if i < len(b) else 0
        if x != y:
            return "major" if i == 0 else "minor" if i == 1 else "patch"
    return "patch"


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text.split("-", 1)[0])[:4])


def _pip(old: str, new: str) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        a, b = Version(old), Version(new)
    except InvalidVersion:
        return _positional(_numbers(old), _numbers(new))
    if a == b:
        return "same"
    if a.epoch != b.epoch:
        return "major"
    return _positional(a.release, b.release)


def _npm(old: str, new: str) -> str:
    import nodesemver

    try:
        a = nodesemver.make_semver(old, loose=True)
        b = nodesemver.make_semver(new, loose=True)
    except (ValueError, TypeError):
        return _positional(_numbers(old), _numbers(new))
    return _positional((a.major, a.minor, a.patch), (b.major, b.minor, b.patch))


def _debian(old: str, new: str) -> str:
    from debian_inspector.version import Version

    try:
        a, b = Version.from_string(old), Version.from_string(new)
    except ValueError:
        return _positional(_numbers(old), _numbers(new))
    if a == b:
        return "same"
    if a.epoch != b.epoch:
        return "major"
    return _positional(_numbers(a.upstream), _numbers(b.upstream))


def newer(ecosystem: str, old: str, new: str) -> bool | None:
    """Is ``new`` a higher version than ``old``? None when they cannot be compared."""
    try:
        if ecosystem == "pip":
            from packaging.version import Version

            return Version(new) > Version(old)
        if ecosystem == "npm":
            import nodesemver

            return bool(nodesemver.gt(new, old, loose=True))
        if ecosystem == "apt":
            from pinaudit.index.debian import compare_versions

            return compare_versions(new, old) > 0
    except Exception:  # an unparsable version: no order claimed
        return None
    return None


def rank(kind: str) -> int:
    """For sorting and the summary: major first."""
    return _ORDER.get(kind, 3)
