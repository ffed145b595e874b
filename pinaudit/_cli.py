"""Command line: parse arguments, call one core function, render, return the exit code (README: "Using it").

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage, configuration or
unreadable input; 3 an index was needed and unreachable; 4 an internal error (a bug: the message
carries the version so it can be reported).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from pinaudit import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from pinaudit.app import ScanResult
    from pinaudit.baseline import Baseline
    from pinaudit.config import Config
    from pinaudit.model import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INDEX, EXIT_INTERNAL = 0, 1, 2, 3, 4
_SKIPPED_SHOWN = 3  # "not audited" notes printed without -v
SCAN_FORMATS = ("text", "json", "sarif", "github", "gitlab", "html")


class UsageError(Exception):
    """Bad arguments or configuration: exit 2 with the message."""


class _HelpFormatter(argparse.HelpFormatter):
    """argparse builds a formatter for every add_argument; the stock one imports shutil (and with
    it bz2, lzma, zlib: ~5 ms of a pre-commit run) only to read the terminal width."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:  # shutil.get_terminal_size's rules: $COLUMNS, then the terminal, then 80
            try:
                width = int(os.environ.get("COLUMNS", "0"))
            except ValueError:
                width = 0
            if width <= 0:
                try:
                    width = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
                except (AttributeError, ValueError, OSError):
                    width = 0
            width = (width or 80) - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pinaudit", formatter_class=_HelpFormatter,
        description="Find the unpinned installs that make Docker builds differ between hosts and days.",
    )
    p.add_argument("--version", action="version", version=f"pinaudit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("scan", help="static audit of files and directories (default: .)",
                       formatter_class=_HelpFormatter)
    s.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    s.add_argument("--format", action="append", choices=SCAN_FORMATS, dest="formats",
                   help="output format (repeatable, paired in order with --output)")
    s.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help="write the report to FILE instead of stdout (repeatable)")
    s.add_argument("--fail-on", choices=("info", "warning", "error"), default=None,
                   help="lowest severity that makes the exit code 1 (default: error)")
    s.add_argument("--select", action="append", default=None, metavar="CODES",
                   help="only these rules (codes or prefixes, comma-separated)")
    s.add_argument("--ignore", action="append", default=None, metavar="CODES", help="skip these rules")
    s.add_argument("--config", type=Path, default=None, metavar="FILE", help="configuration file")
    s.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                   help="hide the findings recorded in FILE; fail only on new ones")
    s.add_argument("--write-baseline", type=Path, default=None, metavar="FILE",
                   help="record today's findings in FILE")
    s.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE",
                   help="value for a Dockerfile ARG, as docker build takes it")
    s.add_argument("--context", type=Path, default=None, metavar="DIR",
                   help="build context for Dockerfiles (default: each Dockerfile's folder)")
    from pinaudit.discover import FORCEABLE_KINDS

    s.add_argument("--kind", choices=FORCEABLE_KINDS, default=None,
                   help="treat explicit files as this kind whatever their names")
    s.add_argument("--ignore-unknown", "-u", action="store_true",
                   help="skip explicit files whose kind cannot be told (instead of exit 2); for hooks")
    s.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="processes for large trees (default: CPU count)")
    s.add_argument("--warn-unused-ignores", action="store_true", default=None,
                   help="report pinaudit pragmas that suppress nothing")
    o = s.add_argument_group("index checks (--online)")
    o.add_argument("--online", action="store_true",
                   help="also ask the package indexes about exact pins (PIN601-PIN603); off by default")
    o.add_argument("--offline", action="store_true", help="answer index questions from the HTTP cache only")
    o.add_argument("--refresh", action="store_true", help="revalidate every cached index answer")
    o.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="read timeout of one index request (default 20; connect 5, 2 retries, 3x per URL in all)")
    _index_flags(o, "--pypi-index", "--npm-registry", "--debian-mirror", "--debian-security-mirror",
                 "--debian-snapshot", "--debian-suite", "--debian-keyring", "--alpine-mirror", "--alpine-branch",
                 "--image-registry")
    o.add_argument("--platform", default=None, metavar="OS/ARCH",
                   help="the build's platform: the architecture apt and apk sites are checked for (default "
                        "linux/amd64); an image digest of any platform in a tag's index counts as the tag's")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    s.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    s.add_argument("-v", "--verbose", action="store_true", help="also list what was skipped")

    _simulate_parser(sub)
    _fix_parser(sub)
    _lock_parsers(sub)

    c = sub.add_parser("cache", help="the HTTP cache of index answers: where and how big, or clear it",
                       formatter_class=_HelpFormatter)
    c.add_argument("action", choices=("info", "clear"))

    r = sub.add_parser("rules", help="list rules, or show one rule's documentation",
                       formatter_class=_HelpFormatter)
    r.add_argument("code", nargs="?")
    r.add_argument("--format", choices=("text", "json"), default="text")
    return p


# The index locations every command that asks an index takes (SPEC section 7): one table, so a
# flag means the same thing with the same metavar and help wherever it is accepted.
_INDEX_FLAGS: dict[str, tuple[str, str]] = {
    "--pypi-index": ("URL", "PyPI-compatible Simple API root"),
    "--npm-registry": ("URL", "npm registry"),
    "--debian-mirror": ("URL", "Debian archive (default: this host's apt sources)"),
    "--debian-security-mirror": ("URL", "Debian security archive (default: the mirror, or this host's apt sources)"),
    "--debian-snapshot": ("URL", "snapshot service (archive/<archive>/<YYYYMMDDTHHMMSSZ>/ layout) for past dates"),
    "--debian-suite": ("SUITE", "suite for apt sites whose base image names none"),
    "--debian-keyring": ("FILE", "verify Release signatures with it"),
    "--alpine-mirror": ("URL", "Alpine mirror root (default: this host's /etc/apk/repositories); apk keeps no "
                               "history, so only 'now' is answered"),
    "--alpine-branch": ("BRANCH", "Alpine branch (v3.20) for apk sites whose base image names none"),
    "--image-registry": ("URL", "registry (or mirror) for images without a registry host"),
    "--ubuntu-snapshot": ("URL", "Ubuntu's snapshot service, for --apt-strategy snapshot on Ubuntu stages"),
}


def _index_flags(group: Any, *names: str) -> None:
    """Add the index location options ``names`` (from :data:`_INDEX_FLAGS`) to ``group``."""
    for name in names:
        metavar, text = _INDEX_FLAGS[name]
        group.add_argument(name, default=None, metavar=metavar, help=text)


def _simulate_parser(sub: Any) -> None:
    """``pinaudit simulate``: its options here, its work in pinaudit/simulation/cli.py."""
    m = sub.add_parser("simulate", help="cached-versus-fresh build simulation against the package indexes",
                       formatter_class=_HelpFormatter)
    m.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="Dockerfiles, directories, compose files (default: .)")
    h = m.add_argument_group("hosts")
    h.add_argument("--cached-at", metavar="DATE", help="when the cached host built its layers: YYYY-MM-DD "
                   "(00:00 UTC), RFC 3339, or an age such as 90d, 6m")
    h.add_argument("--fresh-at", metavar="DATE", default=None, help="when the fresh host builds (default: now)")
    h.add_argument("--host", action="append", default=[], metavar="NAME=DATE",
                   help="a named host and its build date (repeatable): --host laptop=2024-03-01 --host ci=now")
    h.add_argument("--cache-from-git", action="store_true",
                   help="the cached host's date per layer from git history, as Docker's layer cache invalidates")
    m.add_argument("--ecosystem", default=None, metavar="LIST", help="only these ecosystems: apt,pip,npm")
    m.add_argument("--resolver", choices=("uv", "pip-tools"), default="uv", help="the Python resolver (default uv)")
    m.add_argument("--python-version", default=None, metavar="X.Y",
                   help="Python version where the base image implies none (default: this interpreter's)")
    m.add_argument("--format", choices=("text", "json", "html"), default="text")
    m.add_argument("--output", "-o", default=None, metavar="FILE", help="write the report to FILE")
    m.add_argument("--config", type=Path, default=None, metavar="FILE", help="configuration file")
    m.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    m.add_argument("--context", type=Path, default=None, metavar="DIR", help="build context for Dockerfiles")
    m.add_argument("--jobs", "-j", type=int, default=4, metavar="N", help="resolutions at once (default 4)")
    o = m.add_argument_group("indexes (as for scan --online)")
    o.add_argument("--offline", action="store_true", help="answer from the caches only")
    o.add_argument("--refresh", action="store_true", help="revalidate every cached index answer")
    o.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
    _index_flags(o, "--pypi-index", "--npm-registry", "--debian-mirror", "--debian-security-mirror",
                 "--debian-snapshot", "--debian-suite", "--debian-keyring", "--alpine-mirror", "--alpine-branch")
    o.add_argument("--platform", default="linux/amd64", metavar="OS/ARCH", help="target platform (linux/amd64)")
    m.add_argument("--no-progress", action="store_true", help="no progress bar")
    m.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")


def _fix_parser(sub: Any) -> None:
    """``pinaudit fix``: its options here, its work in pinaudit/writer/cli.py."""
    f = sub.add_parser("fix", help="rewrite unpinned installs in place with exact versions (--dry-run: diff)",
                       formatter_class=_HelpFormatter)
    f.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: .)")
    f.add_argument("--dry-run", action="store_true", help="print a unified diff and write nothing")
    f.add_argument("--at", default=None, metavar="DATE",
                   help="versions as a fresh build at DATE would get them (default: now)")
    f.add_argument("--cooldown", default=None, metavar="AGE",
                   help="only versions released at least AGE ago (7d, 2w): one instant for every ecosystem")
    f.add_argument("--ecosystem", default=None, metavar="LIST", help="only these ecosystems: apt,pip,npm,image")
    f.add_argument("--select", action="append", default=None, metavar="CODES", help="only these rules' sites")
    f.add_argument("--ignore", action="append", default=None, metavar="CODES", help="skip these rules' sites")
    f.add_argument("--generate-hashes", action="store_true",
                   help="requirements files: add every pinned release's --hash lines (pip-compile's layout)")
    f.add_argument("--apt-strategy", choices=("pin", "snapshot"), default="pin",
                   help="pin apt versions (default), or install from a dated snapshot archive")
    f.add_argument("--resolver", choices=("uv", "pip-tools"), default="uv", help="the Python resolver (default uv)")
    f.add_argument("--python-version", default=None, metavar="X.Y",
                   help="Python version where the base image implies none (default: this interpreter's)")
    f.add_argument("--config", type=Path, default=None, metavar="FILE", help="configuration file")
    f.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    f.add_argument("--context", type=Path, default=None, metavar="DIR", help="build context for Dockerfiles")
    f.add_argument("--jobs", "-j", type=int, default=4, metavar="N", help="resolutions at once (default 4)")
    o = f.add_argument_group("indexes (as for scan --online)")
    o.add_argument("--offline", action="store_true", help="answer from the caches only")
    o.add_argument("--refresh", action="store_true", help="revalidate every cached index answer")
    o.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
    _index_flags(o, "--pypi-index", "--npm-registry", "--debian-mirror", "--debian-security-mirror",
                 "--debian-snapshot", "--image-registry", "--ubuntu-snapshot")
    o.add_argument("--rpm-repo", action="append", default=[], metavar="URL",
                   help="an rpm-md repository (repodata/repomd.xml) for yum/dnf/zypper versions; repeatable")
    _index_flags(o, "--debian-suite", "--debian-keyring", "--alpine-mirror", "--alpine-branch")
    o.add_argument("--platform", default=None, metavar="OS/ARCH",
                   help="one platform's image digest instead of the multi-arch index's (and apt's architecture)")
    f.add_argument("-q", "--quiet", action="store_true", help="no summary line")


def _lock_parsers(sub: Any) -> None:
    """``pinaudit lock`` and ``pinaudit verify``: options here, their work in pinaudit/lock/cli.py."""
    for name, text in (("lock", "compile requirements inputs into hashed locks for the platform that installs them"),
                       ("verify", "check that a fresh build still installs exactly what the locks say")):
        m = sub.add_parser(name, help=text, formatter_class=_HelpFormatter)
        m.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="requirements.in / pyproject.toml / requirements files, directories (default: .)")
        m.add_argument("--ecosystem", default=None, metavar="LIST", help="only these ecosystems: pip,npm,apt,image")
        m.add_argument("--python-version", default=None, metavar="X.Y",
                       help="override the Python version the installing Dockerfile's base image implies")
        m.add_argument("--platform", action="append", default=[], metavar="OS/ARCH",
                       help="target platform (default linux/amd64); several: one universal lock")
        _index_flags(m, "--pypi-index", "--npm-registry", "--debian-mirror", "--debian-security-mirror",
                     "--debian-snapshot", "--debian-suite", "--alpine-mirror", "--alpine-branch", "--image-registry")
        m.add_argument("--config", type=Path, default=None, metavar="FILE", help="configuration file")
        m.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE",
                       help="a Dockerfile ARG's value, as docker build takes it (over the configuration's)")
        m.add_argument("--context", type=Path, default=None, metavar="DIR", help="build context for Dockerfiles")
        m.add_argument("--offline", action="store_true", help="answer from the caches only")
        m.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
        m.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
        if name == "lock":
            m.add_argument("--resolver", choices=("uv", "pip-tools"), default="uv",
                           help="uv pip compile (default) or pip-tools' pip-compile")
            m.add_argument("--at", default=None, metavar="DATE",
                           help="lock as of DATE: YYYY-MM-DD (00:00 UTC), RFC 3339")
            m.add_argument("--cooldown", default=None, metavar="AGE",
                           help="lock only versions older than AGE (7d, 2w); the cutoff is that day's 00:00 UTC")
        else:
            m.add_argument("--format", choices=("text", "json", "html"), default="text")
            m.add_argument("--output", "-o", default=None, metavar="FILE", help="write the report to FILE")
            m.add_argument("--image", default=None, metavar="IMAGE.tar",
                           help="compare what a saved image (docker save, OCI layout) holds with the locks")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help/--version
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    # A scan builds tens of thousands of small immutable values (sites, spans, words) and frees
    # almost none until it ends; CPython's default cyclic collector (a pass every 700 allocations)
    # kept re-walking them: about a fifth of a corpus scan's CPU time. Collections are made rarer,
    # not disabled: the values hold no cycles, and garbage with cycles is still collected.
    import gc

    gc.set_threshold(100_000, 50, 100)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "simulate":
            from pinaudit.simulation.cli import run_simulate

            return run_simulate(args, UsageError, _write_atomic)
        if args.command == "fix":
            from pinaudit.writer.cli import run_fix

            return run_fix(args, UsageError)
        if args.command == "lock":
            from pinaudit.lock.cli import run_lock

            return run_lock(args, UsageError)
        if args.command == "verify":
            from pinaudit.lock.cli import run_verify

            return run_verify(args, UsageError, _write_atomic)
        if args.command == "cache":
            return _cache(args)
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"pinaudit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("pinaudit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:  # the one place a bug becomes exit 4 instead of a traceback
        import traceback

        print(f"pinaudit {__version__}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("PINAUDIT_DEBUG"):
            traceback.print_exc()
        else:
            print("please report this with the input that caused it (PINAUDIT_DEBUG=1 shows the traceback)",
                  file=sys.stderr)
        return EXIT_INTERNAL


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def _build_args(values: list[str]) -> dict[str, str] | None:
    from pinaudit.config import parse_build_args

    try:
        return parse_build_args(values)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _scan(args: argparse.Namespace) -> int:
    from pinaudit.app import scan
    from pinaudit.config import ConfigError, load_config
    from pinaudit.model import Severity
    from pinaudit.output import chunked_renderer
    from pinaudit.output.text import hidden_info, summary
    from pinaudit.output.text import render as render_text
    from pinaudit.work import InputError

    cwd = Path.cwd()
    formats: list[str] = args.formats or ["text"]
    outputs: list[str] = args.outputs or []
    if len(outputs) > len(formats):
        if len(formats) == 1 and not args.formats:
            formats = ["text"] * len(outputs)
        else:
            raise UsageError("more --output than --format options; pair each --output with a --format")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    try:
        config = load_config(cwd, args.config).merged(
            select=_codes(args.select), ignore=_codes(args.ignore), fail_on=args.fail_on,
            build_args=_build_args(args.build_arg), warn_unused_ignores=args.warn_unused_ignores,
        )
        from pinaudit.rules import all_rules

        known = set(all_rules())
        for code in (*config.select, *config.ignore):
            if not any(k.startswith(code) for k in known):
                raise UsageError(f"unknown rule code or prefix {code!r} (see 'pinaudit rules')")
        baseline = _load_baseline(args.baseline, cwd) if args.baseline else None
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from exc

    progress = None
    if not args.no_progress and not args.quiet and sys.stderr.isatty():
        from pinaudit._progress import RichProgress

        progress = RichProgress()
    scan_kwargs: dict[str, Any] = {
        "cwd": cwd, "force_kind": args.kind, "ignore_unknown": args.ignore_unknown,
        "context": args.context.resolve() if args.context else None,
        "baseline": baseline, "jobs": args.jobs or (os.cpu_count() or 1), "progress": progress,
    }
    try:
        result = _scan_online(args, config, scan_kwargs) if args.online else scan(args.paths, config, **scan_kwargs)
    except InputError as exc:
        raise UsageError(str(exc)) from exc
    report = result.report

    if args.write_baseline:
        # recording today's findings is the job asked for: say what was written, not every finding
        from pinaudit.baseline import write_baseline

        write_baseline(result.before_baseline, args.write_baseline, cwd=cwd)
        if not args.quiet:
            n = len(result.before_baseline)
            print(f"pinaudit: wrote {n} finding{'s' if n != 1 else ''} to baseline {args.write_baseline}",
                  file=sys.stderr)
        return EXIT_INDEX if report.unchecked else EXIT_CLEAN

    color = args.color == "always" or (
        args.color == "auto" and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    )
    # infos are hidden from text unless asked for (-v, or --fail-on info, which makes them count)
    hide_info = not args.verbose and config.fail_on > Severity.INFO
    hidden = hidden_info(report) if hide_info and "text" in formats else 0
    for i, fmt in enumerate(formats):
        chunks: Iterable[str] = (
            (render_text(report, color=color and i >= len(outputs), hide_info=hide_info),) if fmt == "text"
            else (_render_html(report, cwd),) if fmt == "html"
            else chunked_renderer(fmt)(report)
        )  # fmt: skip
        if i < len(outputs) and outputs[i] != "-":
            _write_atomic(Path(outputs[i]), chunks)
        else:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()

    if not args.quiet:
        for s in result.unused_suppressions:
            codes = ",".join(sorted(s.codes)) or "all"
            print(f"{s.path}:{s.comment_line}:1: unused pinaudit pragma (ignore={codes})", file=sys.stderr)
        if args.verbose:
            for note in report.skipped:
                print(f"pinaudit: skipped {note}", file=sys.stderr)
        elif report.skipped:
            # each note says its own cause; a long list is cut, never summarised with a guessed one
            for note in report.skipped[:_SKIPPED_SHOWN]:
                print(f"pinaudit: not audited: {note}", file=sys.stderr)
            if len(report.skipped) > _SKIPPED_SHOWN:
                print(f"pinaudit: {len(report.skipped) - _SKIPPED_SHOWN} more parts not audited; -v lists them",
                      file=sys.stderr)
        print(summary(report, hidden=hidden), file=sys.stderr)
    if report.unchecked:  # even with -q: exit 3 must say why
        from pinaudit.online import describe_unchecked

        for line in describe_unchecked(report.unchecked):
            print(line, file=sys.stderr)

    fail = any(f.severity >= config.fail_on for f in report.findings)
    if args.warn_unused_ignores and result.unused_suppressions:
        fail = True
    if report.unchecked:
        return EXIT_INDEX  # never "clean" when it could not look; 3 outranks 1
    return EXIT_FINDINGS if fail else EXIT_CLEAN


def _render_html(report: Report, cwd: Path) -> str:
    # jinja2 and the templates only when HTML is asked for; the excerpts' lines are read here,
    # at the edge, so the formatter stays a pure function
    from pinaudit.output.html import render
    from pinaudit.sources import read_lines

    return render(report, sources=read_lines(report.findings, cwd=cwd))


def _scan_online(args: argparse.Namespace, config: Config, scan_kwargs: dict[str, Any]) -> ScanResult:
    # imported only here: a static scan loads none of the index code (tests/test_startup_imports.py)
    from pinaudit.online import OnlineOptions, http_settings, scan_online

    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    for name in ("pypi_index", "npm_registry", "debian_mirror", "debian_security_mirror", "debian_snapshot",
                 "image_registry", "alpine_mirror"):
        value = getattr(args, name) or getattr(config, name)
        if value and not value.startswith(("http://", "https://")):
            raise UsageError(f"--{name.replace('_', '-')} {value!r}: expected an http(s) URL")
    keyring = args.debian_keyring or config.debian_keyring
    if keyring and not Path(keyring).is_file():
        raise UsageError(f"--debian-keyring {keyring!r}: no such file")
    options = OnlineOptions.from_args(
        config, args, platform=args.platform,
        http=http_settings(timeout=args.timeout or config.timeout, offline=args.offline, refresh=args.refresh,
                           cache_max_mb=config.cache_max_mb),
    )
    index_progress = None
    if scan_kwargs.get("progress") is not None:
        from pinaudit._progress import RichProgress

        index_progress = RichProgress(threshold=1, description="checking indexes", delay=1.0)
    def warn(message: str) -> None:
        if not args.quiet:
            print(f"pinaudit: warning: {message}", file=sys.stderr)

    return scan_online(args.paths, config, options=options, index_progress=index_progress, warn=warn,
                       **scan_kwargs)


def _cache(args: argparse.Namespace) -> int:
    from pinaudit.config import ConfigError, load_config
    from pinaudit.index.http import DEFAULT_CACHE_MAX_BYTES, cache_info, clear_cache, default_cache_dir

    try:
        cap_mb = load_config(Path.cwd()).cache_max_mb
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    where = default_cache_dir()
    if args.action == "clear":
        info = clear_cache(where)
        _emit(sys.stdout, f"removed {info.entries} entries ({_size(info.size)}) from {where}\n")
        results = clear_cache(where.parent / "results")  # simulate's resolutions at past instants
        if results.entries:
            _emit(sys.stdout, f"removed {results.entries} entries ({_size(results.size)}) from {results.directory}\n")
        return EXIT_CLEAN
    info = cache_info(where, cap_mb * 1024 * 1024 if cap_mb is not None else DEFAULT_CACHE_MAX_BYTES)
    _emit(sys.stdout, f"location: {where}\nentries: {info.entries}\nsize: {_size(info.size)} "
                      f"(cap {_size(info.max_bytes)}, least recently used entries evicted beyond it)\n")
    return EXIT_CLEAN


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def _load_baseline(path: Path, cwd: Path) -> Baseline:
    # imported only when asked for: hashlib and friends would cost every pre-commit run otherwise
    from pinaudit.baseline import BaselineError, load_baseline

    try:
        return load_baseline(path, cwd=cwd)
    except BaselineError as exc:
        raise UsageError(str(exc)) from exc


def _emit(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()


def _write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write through a temp file and rename, so a reader never sees half a report."""
    from pinaudit.writer.atomic import write_atomic

    write_atomic(path, chunks)


def _rules(args: argparse.Namespace) -> int:
    from pinaudit.rules import all_rules, get_rule

    rules = all_rules()
    if args.code:
        r = get_rule(args.code)
        if r is None:
            raise UsageError(f"unknown rule {args.code!r} (see 'pinaudit rules')")
        if args.format == "json":
            from pinaudit.output.rules_json import render

            _emit(sys.stdout, render([r]))
            return EXIT_CLEAN
        _emit(sys.stdout, f"{r.code} {r.name} [{r.severity.label}, {r.category.value}]\n\n{r.doc}\n")
        return EXIT_CLEAN
    if args.format == "json":
        from pinaudit.output.rules_json import render

        _emit(sys.stdout, render(rules))
        return EXIT_CLEAN
    lines = [f"{r.code}  {r.severity.label:<7}  {r.name:<30}  {r.summary}" for r in rules.values()]
    _emit(sys.stdout, "\n".join(lines) + "\n")
    return EXIT_CLEAN
