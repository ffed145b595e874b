"""The two core functions: :func:`lock` (inputs -> compiled texts, nothing written) and
:func:`verify` (locks -> differences). Nothing here prints, writes or decides an exit code:
failures are :class:`~pinaudit.resolve.interface.Unresolved` values, and the command line turns
them into exit 3 once (STYLE.md, the dynamic half).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pinaudit.lock.compile import CompileRequest, compile_requirements
from pinaudit.lock.reqfile import StaleEntry, parse_lock, read_inputs, render_lock, stale_entries
from pinaudit.lock.served import Difference
from pinaudit.lock.targets import Platform, Target
from pinaudit.resolve.interface import Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.index.http import Transport
    from pinaudit.resolve._pip import PipSettings

__all__ = ["Difference", "LockOptions", "Planned", "Verified", "lock", "platform_for", "verify"]


@dataclass(frozen=True)
class LockOptions:
    index_url: str | None
    extra_index_urls: tuple[str, ...] = ()
    at: datetime | None = None
    flags: tuple[str, ...] = ()  # what the reproducing command repeats: --at, --cooldown, --resolver...
    notes: tuple[str, ...] = ()  # header notes (the cooldown's instant)
    backend: str = "uv"
    python_version: str | None = None  # --python-version: overrides the Dockerfile's
    platforms: tuple[str, ...] = ()  # --platform: overrides the Dockerfile's
    pip: PipSettings | None = None


@dataclass(frozen=True)
class Planned:
    """One lock as it would be written: the text, or why it could not be compiled."""

    target: Target
    platform: Platform
    outcome: str | Unresolved  # the file's text


def platform_for(target: Target, found: Mapping[Path, list[Platform]], options: LockOptions) -> Platform:
    """The Python version and platform a target is locked for: the options, else the Dockerfile that
    installs it, else this interpreter on linux/amd64."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    seen = found.get(target.output, []) + found.get(target.input, [])
    versions = sorted({p.python_version for p in seen}, key=lambda v: tuple(int(x) for x in v.split(".")))
    python = options.python_version or (versions[0] if versions else here)
    found_platforms = sorted({p.platform for p in seen})
    platform = ",".join(options.platforms or found_platforms or ["linux/amd64"])
    musl = any(p.musl for p in seen) and not options.platforms
    if options.python_version:
        origin = "--python-version"
    elif seen:
        origin = ", ".join(p.origin for p in seen)
    else:
        origin = "this interpreter (no Dockerfile installs it)"
    return Platform(python, platform, musl, origin)


def _command(target: Target, options: LockOptions) -> str:
    import os

    rel = os.path.relpath(target.input, target.output.parent)
    return " ".join(["pinaudit lock", rel.replace(os.sep, "/"), *options.flags])


def lock(targets: Sequence[Target], found: Mapping[Path, list[Platform]], options: LockOptions) -> list[Planned]:
    from pinaudit.resolve._pip import PipSettings

    out: list[Planned] = []
    settings = options.pip or PipSettings()
    for t in targets:
        plat = platform_for(t, found, options)
        try:
            inputs = read_inputs(t.input)
        except (OSError, ValueError) as exc:
            out.append(Planned(t, plat, Unresolved(f"the input could not be read: {exc}")))
            continue
        req = CompileRequest(t.input, plat.python_version, tuple(plat.platform.split(",")), plat.musl,
                             options.index_url, options.extra_index_urls, options.at, options.backend)
        got = compile_requirements(req, settings)
        if isinstance(got, Unresolved):
            out.append(Planned(t, plat, got))
            continue
        shown = plat.platform + ("/musl" if plat.musl else "")
        text = render_lock(got.body, backend=options.backend, python_version=plat.python_version, platform=shown,
                           command=_command(t, options), inputs=inputs, notes=options.notes)
        out.append(Planned(t, plat, text))
    return out


# ---- verify ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verified:
    path: Path  # the lock
    input: Path | None
    differences: tuple[Difference, ...] = ()
    stale: tuple[StaleEntry, ...] = ()
    unresolved: Unresolved | None = None
    notes: tuple[str, ...] = field(default=())
    against: str = "a fresh build"  # or "the image IMAGE.tar" (verify --image)

    @property
    def status(self) -> str:
        if self.unresolved is not None and self.unresolved.unreachable:
            return "unresolved"
        if self.stale:
            return "stale"
        if self.differences:
            return "drift"
        if self.unresolved is not None:
            return "unresolved"
        return "ok"


def hashed_files(paths: Sequence[Path]) -> list[Path]:
    """Requirements files that are locks (every entry pinned with ``--hash``)."""
    out: list[Path] = []
    for p in paths:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if "--hash" in text and parse_lock(text).hashed:
            out.append(p)
    return out


def verify(locks: Sequence[Path], found: Mapping[Path, list[Platform]], options: LockOptions,
           transport: Transport) -> list[Verified]:
    """Each hashed requirements file against its input (stale?) and a fresh build (drift?)."""
    from pinaudit.resolve._pip import PipSettings

    settings = options.pip or PipSettings()
    out: list[Verified] = []
    for path in locks:
        text = path.read_text(encoding="utf-8-sig")
        locked = parse_lock(text)
        source = _input_of(path, locked.input_name)
        notes: list[str] = []
        if source is not None:
            try:
                current = read_inputs(source)
            except (OSError, ValueError) as exc:
                out.append(Verified(path, source, unresolved=Unresolved(f"{source.name} could not be read: {exc}")))
                continue
            stale = stale_entries(locked, current)
            if stale:  # said without resolving anything: the lock no longer describes its input
                out.append(Verified(path, source, stale=tuple(stale)))
                continue
        diffs: list[Difference] = []
        served = _check_index(locked, options, transport)
        if isinstance(served, Unresolved):
            out.append(Verified(path, source, unresolved=served))
            continue
        diffs += served
        if source is not None:
            target = Target(source, path, path.parent)
            plat = platform_for(target, found, options)
            if locked.python_version and not options.python_version and target.output not in found:
                plat = Platform(locked.python_version, plat.platform, plat.musl, "the lock's header")
            req = CompileRequest(source, plat.python_version, tuple(plat.platform.split(",")), plat.musl,
                                 options.index_url, options.extra_index_urls, None, "uv")
            got = compile_requirements(req, settings)
            if isinstance(got, Unresolved):
                out.append(Verified(path, source, tuple(diffs), unresolved=got))
                continue
            diffs += _compare(locked, parse_lock(got.body), {d.package for d in diffs})
        else:
            notes.append("no input beside it: every entry is pinned, only what the index serves is checked")
        out.append(Verified(path, source, tuple(sorted(diffs, key=lambda d: d.package)), notes=tuple(notes)))
    return out


def _input_of(lock_path: Path, named: str | None) -> Path | None:
    if named:
        cand = (lock_path.parent / named)
        if cand.is_file():
            return cand
    cand = lock_path.with_suffix(".in")
    return cand if cand.is_file() else None


def _compare(locked: object, fresh: object, already: set[str]) -> list[Difference]:
    from packaging.version import InvalidVersion, Version

    from pinaudit.lock.reqfile import LockedFile

    assert isinstance(locked, LockedFile) and isinstance(fresh, LockedFile)
    a = {p.name: p.version for p in locked.pins}
    b = {p.name: p.version for p in fresh.pins}
    out: list[Difference] = []
    for name in sorted(set(a) | set(b)):
        if name in already or a.get(name) == b.get(name):
            continue
        va, vb = a.get(name), b.get(name)
        if va is None:
            out.append(Difference(name, None, vb, "added", "a fresh build installs it, the lock does not"))
        elif vb is None:
            out.append(Difference(name, va, None, "removed", "a fresh build no longer installs it"))
        else:
            try:
                newer = Version(vb) > Version(va)
            except InvalidVersion:
                newer = True
            out.append(Difference(name, va, vb, "newer" if newer else "older",
                                  "a newer version a fresh build would get" if newer else
                                  "a fresh build would get an older version"))
    return out


def _check_index(locked: object, options: LockOptions, transport: Transport) -> list[Difference] | Unresolved:
    """Every locked version still served, and every locked hash still one of its files'."""
    from pinaudit.lock.reqfile import LockedFile
    from pinaudit.lock.served import pip_served

    assert isinstance(locked, LockedFile)
    if options.index_url is None:
        return Unresolved("no Python package index known: pass --pypi-index URL")
    return pip_served(options.index_url, [(p.name, p.version, p.hashes) for p in locked.pins], transport)
