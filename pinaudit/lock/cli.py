"""``pinaudit lock`` and ``pinaudit verify`` at the edge: arguments -> options, one call to the core,
writes and exit codes (decided here, once, from the values the core returns).

lock: 0 wrote or confirmed every lock; 3 a resolution failed (then nothing is written); 2 usage.
verify: 0 a fresh build installs exactly the locks; 1 differences (a table); 3 could not look
(3 outranks 1). Scan findings and ``--fail-on`` apply to neither.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

EXIT_CLEAN, EXIT_DRIFT, EXIT_USAGE, EXIT_INDEX = 0, 1, 2, 3
ECOSYSTEMS = ("pip", "npm", "apt", "apk", "image")

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.lock.core import Verified

__all__ = ["run_lock", "run_verify"]


def _ecosystems(args: argparse.Namespace, usage_error: type[Exception]) -> frozenset[str] | None:
    from pinaudit.model import parse_ecosystems

    try:
        return parse_ecosystems(args.ecosystem, ECOSYSTEMS)
    except ValueError as exc:
        raise usage_error(str(exc)) from None


def _options(args: argparse.Namespace, usage_error: type[Exception], cwd: Path, *, verify: bool) -> Any:
    from pinaudit.config import ConfigError, load_config
    from pinaudit.index.select import HostConfig, OnlineOptions, choose_index
    from pinaudit.lock.core import LockOptions
    from pinaudit.model import Action, Ecosystem, InstallSite, Location, Pin, Span
    from pinaudit.online import http_settings
    from pinaudit.resolve._pip import PipSettings

    for name in ("pypi_index", "npm_registry", "debian_mirror", "debian_security_mirror", "debian_snapshot",
                 "image_registry", "alpine_mirror"):
        value = getattr(args, name)
        if value and not value.startswith(("http://", "https://")):
            raise usage_error(f"--{name.replace('_', '-')} {value!r}: expected an http(s) URL")
    if args.timeout is not None and args.timeout <= 0:
        raise usage_error("--timeout must be a positive number of seconds")
    if args.python_version and not _is_xy(args.python_version):
        raise usage_error(f"--python-version {args.python_version!r}: expected X.Y")
    for p in args.platform:
        if not p.startswith("linux/"):
            raise usage_error(f"--platform {p!r}: expected linux/ARCH (container images are Linux)")
    from pinaudit.config import parse_build_args

    try:
        build_args = parse_build_args(args.build_arg)
        config = load_config(cwd, args.config).merged(build_args=build_args)
    except (ConfigError, ValueError) as exc:
        raise usage_error(str(exc)) from exc
    if args.context is not None and not args.context.is_dir():
        raise usage_error(f"--context {args.context}: not a directory")
    # a lock (and a fresh build) must see the index as it is now: the resolver's cached project pages
    # are revalidated, never taken as they are (--offline aside)
    refresh = not args.offline
    settings = http_settings(timeout=args.timeout or config.timeout, offline=args.offline, refresh=refresh,
                             cache_max_mb=config.cache_max_mb)
    online = OnlineOptions.from_args(config, args, platform=args.platform[0] if args.platform else None, http=settings)
    # a container build never sees the host's pip configuration: the lock must not pick up a host's
    # extra indexes, find-links or constraints (container=True)
    site = InstallSite(Ecosystem.PIP, Action.INSTALL, "pip", "pip==0", Pin.EXACT, Location("-", Span.point(1)),
                       "pip", version="0")
    choice = choose_index(site, online, HostConfig(online), container=True)
    index = choice.url if choice is not None else None
    pip = PipSettings(cache_dir=settings.cache_dir.parent / "resolvers" if settings.cache_dir else None,
                      offline=args.offline, refresh=refresh, timeout=settings.read_timeout, retries=settings.retries)
    flags: list[str] = []
    notes: list[str] = []
    at = None
    if not verify:
        if not args.at and not args.cooldown:  # the configuration's, when the command line names none
            args.at, args.cooldown = config.lock_at, config.cooldown
        at, flags, notes = _instant(args, usage_error)
        if args.resolver != "uv":
            flags += ["--resolver", args.resolver]
    for name, value in sorted((build_args or {}).items()):  # the reproducing command repeats them
        flags += ["--build-arg", f"{name}={value}"]
    if args.context is not None:
        flags += ["--context", args.context.as_posix()]
    if args.python_version:
        flags += ["--python-version", args.python_version]
    for p in args.platform:
        flags += ["--platform", p]
    from pinaudit.lock.dockerlock import DockerLockOptions

    backend = getattr(args, "resolver", "uv")
    source = (f"--at {args.at}" if args.at else f"--cooldown {args.cooldown}") if at is not None else ""
    docker = DockerLockOptions(online, pip, datetime.now(timezone.utc).replace(microsecond=0), at, source, None,
                               backend, args.python_version, args.platform[0] if args.platform else "linux/amd64",
                               config=config, context=args.context.resolve() if args.context else None)
    return LockOptions(index, choice.extra_urls if choice else (), at, tuple(flags), tuple(notes),
                       backend, args.python_version, tuple(args.platform), pip), settings, docker


def _is_xy(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def _instant(args: argparse.Namespace, usage_error: type[Exception]) -> tuple[datetime | None, list[str], list[str]]:
    """One instant for every ecosystem: --at as given, or --cooldown's cutoff rounded down to its
    day (so that locking twice on one day gives the same file). Never the wall clock otherwise."""
    from pinaudit.resolve.dates import format_instant, parse_instant

    if args.at and args.cooldown:
        raise usage_error("--at and --cooldown both set the instant; use one")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    if args.at:
        try:
            return parse_instant(args.at, now=now), ["--at", args.at], []
        except ValueError as exc:
            raise usage_error(f"--at: {exc}") from None
    if args.cooldown:
        text = args.cooldown.strip()
        if not text[:-1].isdigit() or text[-1:].lower() not in ("d", "w"):
            raise usage_error(f"--cooldown {args.cooldown!r}: expected an age in days or weeks (7d, 2w)")
        days = int(text[:-1]) * (7 if text[-1].lower() == "w" else 1)
        cutoff = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0)
        return cutoff, ["--cooldown", text], [f"versions uploaded before {format_instant(cutoff)} (--cooldown {text})"]
    return None, [], []


def run_lock(args: argparse.Namespace, usage_error: type[Exception]) -> int:
    from pinaudit.lock.core import lock
    from pinaudit.lock.safewrite import UnsafeWrite, check_writable, write_text_safely
    from pinaudit.lock.targets import dockerfiles_beside, find_targets, platforms_from_dockerfiles
    from pinaudit.resolve.interface import Unresolved

    cwd = Path.cwd()
    ecosystems = _ecosystems(args, usage_error)
    options, http, docker = _options(args, usage_error, cwd, verify=False)
    docker = replace(docker, ecosystems=ecosystems)
    targets, dockerfiles, problems = find_targets(args.paths or [Path(".")], cwd)
    if problems:
        raise usage_error("; ".join(problems))
    left_out: list[str] = []
    if ecosystems is not None and "pip" not in ecosystems:
        left_out += [f"{_rel(t.input, cwd)}: pip (left out by --ecosystem)" for t in targets]
        targets = []
    from pinaudit.lock.project import project_tool

    # a project managed by uv, Poetry or PDM is locked by its own tool, not compiled
    projects = [(t.input, tool) for t in targets if t.input.name == "pyproject.toml"
                for tool in [project_tool(t.input)] if tool is not None]
    targets = [t for t in targets if t.input not in {p for p, _tool in projects}]
    if not targets and not dockerfiles and not projects:
        _say(args, "nothing to lock (no requirements.in, pyproject.toml or Dockerfile named)")
        _print_left_out(args, left_out)
        return EXIT_CLEAN
    sources = list(dict.fromkeys([*dockerfiles, *dockerfiles_beside([t.output for t in targets])]))
    found = platforms_from_dockerfiles(sources, cwd, docker.config, docker.context)
    planned = lock(targets, found, options)
    failures = [(_rel(p.target.input, cwd), p.outcome) for p in planned if isinstance(p.outcome, Unresolved)]
    docker_texts: list[tuple[Path, Path, str]] = []
    docker = replace(docker, overrides={p.target.output.resolve(): p.outcome for p in planned
                                        if isinstance(p.outcome, str)})
    from pinaudit.index.http import Transport
    from pinaudit.lock.dockerlock import lock_dockerfile
    from pinaudit.lock.locktoml import render_lockfile

    # A requirements file a Dockerfile COPYs must exist for the scan to follow the COPY: the ones
    # this run creates are put in place first (the overrides give their text), and taken away
    # again if anything fails, so that a failure still leaves the tree as it was.
    created: list[Path] = []
    if dockerfiles and not failures:
        fresh = [p for p in planned if isinstance(p.outcome, str) and not os.path.lexists(p.target.output)]
        try:
            for p in fresh:
                check_writable(p.target.output, root=p.target.root)
        except UnsafeWrite as exc:
            raise usage_error(str(exc)) from None
        for p in fresh:
            assert isinstance(p.outcome, str)
            write_text_safely(p.target.output, p.outcome, root=p.target.root)
            created.append(p.target.output)
    with Transport(http) as transport:
        for d in dockerfiles:
            got = lock_dockerfile(d, cwd, docker, transport)
            if isinstance(got, Unresolved):
                failures.append((_rel(d, cwd), got))
                continue
            left_out += list(got.left_out)
            out = lockfile_for(d)
            command = " ".join(["pinaudit lock", d.name, *options.flags])
            docker_texts.append((out, _root_of(d, args.paths, cwd), render_lockfile(got, dockerfile=d.name,
                                                                                      command=command)))
    if not failures:  # the project's tool writes its lockfile itself, and only when it resolved
        from pinaudit.lock.project import lock_project

        for path, tool in projects:
            done = lock_project(path, tool, options)
            if isinstance(done.outcome, Unresolved):
                failures.append((f"{_rel(path, cwd)} ({tool} lock)", done.outcome))
            else:
                _say(args, f"locked {_rel(path, cwd)} with its own tool: {done.outcome} wrote "
                           f"{_rel(done.lockfile, cwd)}")
    if failures:  # nothing is written when any resolution failed
        for where, why in failures:
            assert isinstance(why, Unresolved)
            print(f"pinaudit: {where}: could not lock: {why.reason}", file=sys.stderr)
        for path in created:
            with contextlib.suppress(OSError):
                path.unlink()
        print("pinaudit: nothing written", file=sys.stderr)
        return EXIT_INDEX
    try:  # every target checked before the first write: a refusal leaves nothing half done
        for out, root, _text in docker_texts:
            check_writable(out, root=root)
        for p in planned:
            check_writable(p.target.output, root=p.target.root)
    except UnsafeWrite as exc:
        raise usage_error(str(exc)) from None
    for out, root, text in docker_texts:
        try:
            written = write_text_safely(out, text, root=root)
        except UnsafeWrite as exc:
            raise usage_error(str(exc)) from None
        _say(args, f"{'wrote' if written else 'unchanged'} {_rel(out, cwd)}")
    for p in planned:
        assert isinstance(p.outcome, str)
        try:
            written = write_text_safely(p.target.output, p.outcome, root=p.target.root)
        except UnsafeWrite as exc:
            raise usage_error(str(exc)) from None
        what = "wrote" if written or p.target.output in created else "unchanged"
        _say(args, f"{what} {_rel(p.target.output, cwd)} (Python {p.platform.python_version}, {p.platform.platform}; "
                   f"from {p.platform.origin})")
    _print_left_out(args, left_out)
    return EXIT_CLEAN


def run_verify(args: argparse.Namespace, usage_error: type[Exception],
               write_file: Callable[[Path, Iterable[str]], None]) -> int:
    from pinaudit.index.http import Transport
    from pinaudit.lock.core import hashed_files, verify
    from pinaudit.lock.targets import _walk, dockerfiles_beside, platforms_from_dockerfiles

    cwd = Path.cwd()
    ecosystems = _ecosystems(args, usage_error)
    options, http, docker = _options(args, usage_error, cwd, verify=True)
    docker = replace(docker, ecosystems=ecosystems)
    candidates: list[Path] = []
    dockerfiles: list[Path] = []
    for given in args.paths or [Path(".")]:
        path = (cwd / given).absolute()
        if not path.exists():
            raise usage_error(f"{given}: no such file or directory")
        files = _walk(path) if path.is_dir() else [path]
        candidates += [f for f in files if f.suffix == ".txt"]
        dockerfiles += [f for f in files if f.name.lower().startswith("dockerfile") or f.name.endswith(".dockerfile")]
    locks = hashed_files(sorted(dict.fromkeys(candidates)))
    left_out = [f"{_rel(c, cwd)}: not a lock (no --hash on every entry; pinaudit lock writes one)"
                for c in sorted(dict.fromkeys(candidates)) if c not in locks
                and ("requirements" in c.name or c.with_suffix(".in").is_file())]
    left_out += [f"{_rel(d, cwd)}: no {lockfile_for(d).name} beside it (pinaudit lock writes one)"
                for d in dockerfiles if not lockfile_for(d).is_file()]
    if ecosystems is not None and "pip" not in ecosystems:
        left_out += [f"{_rel(p, cwd)}: pip (left out by --ecosystem)" for p in locks]
        locks = []
    if args.image:
        results = _verify_image(args, usage_error, cwd, locks + [lockfile_for(d) for d in dockerfiles
                                                                 if lockfile_for(d).is_file()], ecosystems)
        return _report(args, results, cwd, [], write_file)
    sources = list(dict.fromkeys([*dockerfiles, *dockerfiles_beside(locks)]))
    found = platforms_from_dockerfiles(sources, cwd, docker.config, docker.context) if locks else {}
    from pinaudit.lock.dockerverify import verify_lockfile

    with Transport(http) as transport:
        results = verify(locks, found, options, transport)
        results += [verify_lockfile(lockfile_for(d), cwd, docker, transport) for d in dockerfiles
                    if lockfile_for(d).is_file()]
    return _report(args, results, cwd, left_out, write_file)


def _verify_image(args: argparse.Namespace, usage_error: type[Exception], cwd: Path, locks: list[Path],
                  ecosystems: frozenset[str] | None) -> list[Verified]:
    from pinaudit.lock.image import ImageError, read_image
    from pinaudit.lock.imageverify import verify_image

    image = (cwd / args.image).absolute()
    if not image.is_file():
        raise usage_error(f"--image {args.image}: no such file")
    if not locks:
        raise usage_error("--image: no lock to compare with (a hashed requirements file or pinaudit.lock)")
    try:
        contents = read_image(image)
    except ImageError as exc:
        raise usage_error(f"--image: {exc}") from None
    return verify_image(image, contents, locks, ecosystems)


def _report(args: argparse.Namespace, results: list[Verified], cwd: Path, left_out: list[str],
            write_file: Callable[[Path, Iterable[str]], None]) -> int:
    from pinaudit.lock.report import summary

    text = _render_verify(args.format, results, cwd, left_out)
    if args.output and args.output != "-":
        write_file(Path(args.output), [text])
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if not args.quiet and (args.format != "text" or args.output):
        print(f"pinaudit: {summary(results)}", file=sys.stderr)
    if any(v.unresolved is not None and v.unresolved.unreachable for v in results):
        return EXIT_INDEX
    if any(v.status in ("drift", "stale") for v in results):
        return EXIT_DRIFT
    if any(v.unresolved is not None for v in results):
        return EXIT_INDEX  # could not look: a fresh build's answer is unknown
    return EXIT_CLEAN


def _render_verify(fmt: str, results: list[Verified], cwd: Path, left_out: list[str]) -> str:
    """The report in ``fmt`` (text, json, html); the HTML renderer, and Jinja2, load only for html."""
    if fmt == "html":
        from pinaudit.output.html_verify import render_verify

        return render_verify(results, cwd, left_out)
    from pinaudit.lock.report import render_json, render_text

    return render_json(results, cwd, left_out) if fmt == "json" else render_text(results, cwd, left_out)


def lockfile_for(dockerfile: Path) -> Path:
    """``Dockerfile`` -> ``pinaudit.lock`` beside it; ``Dockerfile.dev`` -> ``Dockerfile.dev.pinaudit.lock``."""
    if dockerfile.name == "Dockerfile":
        return dockerfile.with_name("pinaudit.lock")
    return dockerfile.with_name(dockerfile.name + ".pinaudit.lock")


def _root_of(path: Path, given: list[Path], cwd: Path) -> Path:
    for g in given or [Path(".")]:
        p = (cwd / g).absolute()
        if p.is_dir() and (p == path.parent or p in path.parents):
            return p
    return path.parent


def _rel(p: Path, cwd: Path) -> str:
    return os.path.relpath(p, cwd).replace(os.sep, "/")


def _left_out(dockerfiles: list[Path], cwd: Path, why: str) -> list[str]:
    return [f"{_rel(d, cwd)}: {why}" for d in dockerfiles]


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(f"pinaudit: {text}", file=sys.stderr)


def _print_left_out(args: argparse.Namespace, left_out: list[str]) -> None:
    if left_out and not args.quiet:
        print("pinaudit: not locked:", file=sys.stderr)
        for x in left_out:
            print(f"  {x}", file=sys.stderr)
