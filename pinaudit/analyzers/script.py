"""Shell scripts (``*.sh``, ``*.bash``, sh/bash shebangs) -> install sites.

A provisioning script run by a Dockerfile or a CI job installs exactly like a RUN line does, so it
goes through the same shell analyzer and the same installer modules; only the wording differs
(``in_dockerfile=False``: "in a script"). That part, :func:`~pinaudit.analyzers._shell_sites.shell_sites`,
is shared with the workflow analyzer for ``run:`` steps.
"""

from __future__ import annotations

import re
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers._shell_sites import SHELLS, shell_sites
from pinaudit.model import Diagnostic, FileResult, Location, Span
from pinaudit.parse.shell.commands import BRACE_SHELLS
from pinaudit.parse.text import MappedText
from pinaudit.pragmas import line_suppressions

KIND = "shell"
_SHEBANG = re.compile(r"^#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*)?(?P<prog>[A-Za-z0-9_.+-]+)")


def shebang_program(text: str) -> str | None:
    """``bash`` for ``#!/usr/bin/env bash``; None without a shebang."""
    m = _SHEBANG.match(text)
    return m.group("prog") if m else None


def _hook_project(path: Path) -> set[str] | None:
    """What a husky git hook's ``npx`` finds installed: husky puts its hooks in place from the
    project's own ``prepare`` script, so a hook only runs in a checkout where ``npm install`` put
    the packages of the package.json beside ``.husky/`` into node_modules (``npx lint-staged``
    there fetches nothing). None for any other script."""
    if path.parent.name != ".husky":
        return None
    from pinaudit.installers.npm import manifest_names

    try:
        names = manifest_names((path.parent.parent / "package.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return set(names[0] | names[1]) if names is not None else None


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    display = source.display
    suppressions, ignore_file = line_suppressions(display, source.text)
    prog = shebang_program(source.text)
    if prog is not None and prog not in SHELLS:
        return FileResult(display, KIND, suppressions=suppressions, ignore_file=ignore_file,
                          skipped=(f"{display}: a {prog} script, not shell",))  # fmt: skip
    try:
        # bash (by shebang, or a `.bash` file without one) expands `lib{ssl,ffi}-dev`; sh does not
        braces = prog in BRACE_SHELLS if prog is not None else source.path.suffix.lstrip(".") in BRACE_SHELLS
        sites, diags = shell_sites(MappedText.whole(source.text), display, source.path.parent, options=options,
                                   npm_local=_hook_project(source.path), braces=braces)
    except RecursionError:
        diag = Diagnostic(Location(display, Span.point(1)), "script nested too deeply to analyse")
        return FileResult(display, KIND, diagnostics=(diag,), suppressions=suppressions, ignore_file=ignore_file)
    return FileResult(display, KIND, tuple(sites), tuple(diags), suppressions, ignore_file)
