"""Shell scripts (``*.sh``, ``*.bash``, sh/bash shebangs) -> install sites.

A provisioning script run by a Dockerfile or a CI job installs exactly like a RUN line does, so it
goes through the same shell analyzer and the same installer modules; only the wording differs
(``in_dockerfile=False``: "in a script"). :func:`shell_sites` is shared with the workflow analyzer
for ``run:`` steps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.model import Action, Diagnostic, FileResult, InstallSite, Location, Severity, Span
from pinaudit.parse.text import MappedText
from pinaudit.pragmas import line_suppressions

KIND = "shell"
_SHEBANG = re.compile(r"^#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*)?(?P<prog>[A-Za-z0-9_.+-]+)")
SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "mksh", "busybox", "zsh"})


def shell_sites(
    src: MappedText,
    display: str,
    base_dir: Path,
    env: Mapping[str, str | None] | None = None,
    options: ScanOptions | None = None,
) -> tuple[list[InstallSite], list[Diagnostic]]:
    """Install sites of a piece of shell text whose characters map into the file ``display``.

    Raises NotImplementedError while the shell analyzer or the installer dispatch is a stub
    (callers report the text as skipped rather than clean).
    """
    from pinaudit.installers import sites
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import analyze as shell_analyze

    def constraints(p: str) -> Mapping[str, str] | None:
        from pinaudit.analyzers.requirements import read_constraints

        return read_constraints(base_dir / p)

    result = shell_analyze(src, env)
    ctx = InstallContext(path=display, in_dockerfile=False, read_constraints=constraints)
    out: list[InstallSite] = []
    diags = [Diagnostic(Location(display, span), msg, Severity.WARNING) for span, msg in result.errors]
    for cmd in result.commands:
        try:
            for site in sites(cmd, ctx):
                if site.action is Action.REQUIREMENTS and options is not None:
                    out.extend(_follow(site, base_dir, options, diags))
                else:
                    out.append(site)
        except NotImplementedError:
            raise
        except Exception as exc:  # one odd command must not hide the rest of the file
            diags.append(
                Diagnostic(Location(display, cmd.span), f"internal error in installer analysis: "
                           f"{type(exc).__name__}: {exc}", Severity.WARNING)
            )  # fmt: skip
    return out, diags


def _follow(site: InstallSite, base_dir: Path, options: ScanOptions, diags: list[Diagnostic]) -> list[InstallSite]:
    """``pip install -r FILE`` in a script: FILE is relative to wherever the script runs, which is
    most often its own folder or the repository root; try those (never guess beyond them)."""
    from pinaudit.analyzers.requirements import follow

    written = site.spec or ""
    if not written or "$" in written or "://" in written:
        return [site]
    found = None
    for base in dict.fromkeys([base_dir, options.cwd, *( [options.repo_root] if options.repo_root else [])]):
        cand = Path(written) if written.startswith("/") else base / written
        if cand.is_file():
            found = cand
            break
    result = follow(site, found, options, missing="it cannot be found beside the script or at the repository root")
    diags.extend(result.diagnostics)
    return list(result.sites)


def shebang_program(text: str) -> str | None:
    """``bash`` for ``#!/usr/bin/env bash``; None without a shebang."""
    m = _SHEBANG.match(text)
    return m.group("prog") if m else None


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    display = source.display
    suppressions, ignore_file = line_suppressions(display, source.text)
    prog = shebang_program(source.text)
    if prog is not None and prog not in SHELLS:
        return FileResult(display, KIND, suppressions=suppressions, ignore_file=ignore_file,
                          skipped=(f"{display}: a {prog} script, not shell",))  # fmt: skip
    try:
        sites, diags = shell_sites(MappedText.plain(source.text), display, source.path.parent, options=options)
    except NotImplementedError:
        return FileResult(display, KIND, suppressions=suppressions, ignore_file=ignore_file,
                          skipped=(f"{display}: shell analysis is not available",))  # fmt: skip
    except RecursionError:
        diag = Diagnostic(Location(display, Span.point(1)), "script nested too deeply to analyse")
        return FileResult(display, KIND, diagnostics=(diag,), suppressions=suppressions, ignore_file=ignore_file)
    return FileResult(display, KIND, tuple(sites), tuple(diags), suppressions, ignore_file)
