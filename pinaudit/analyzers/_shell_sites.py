"""Shell text outside a Dockerfile -> install sites: what scripts and workflow ``run:`` steps share.

A provisioning script run by a Dockerfile or a CI job installs exactly like a RUN line does, so it
goes through the same shell analyzer and the same installer modules; only the wording differs
(``in_dockerfile=False``: "in a script"), and ``pip install -r FILE`` is looked for where a
script runs rather than in a build context.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from pinaudit.analyzers import ScanOptions
from pinaudit.installers.pyproj import installs_project
from pinaudit.model import Action, Diagnostic, Ecosystem, InstallSite, Location, Pin, Severity, Span
from pinaudit.parse.text import MappedText

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import DownloadTracker
    from pinaudit.parse.shell import Command
    from pinaudit.site_context import RequirementParts

# the shells whose scripts are audited (a shebang or a workflow `shell:` naming another program
# is listed as skipped)
SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "mksh", "busybox", "zsh"})


# a variable as a token writes it: `$NAME`, `${NAME}`, and a workflow's `${{ env.NAME }}`
_VARIABLE_USE = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def with_origin(site: InstallSite, text: str, origins: Mapping[str, Span]) -> InstallSite:
    """A site whose token (its spec first: ``numpy==$NUMPY``) uses a variable set to a literal
    outside the shell text (a Dockerfile ``ARG``/``ENV``, a workflow's ``env:``): where that value
    is written is the site's origin, which ``fix`` edits. Only when the value is part of what the
    site expands to (a script that set the variable again has its own value)."""
    if site.origin is not None:
        return site  # a shell variable set in the shell text itself
    expanded = f"{site.spec or ''} {site.package or ''}"
    for span in (site.spec_span, site.location.span):
        if span is None or span.start < 0 or "$" not in text[span.start : span.end]:
            continue
        for m in _VARIABLE_USE.finditer(text, span.start, span.end):
            origin = origins.get(m.group(1) or m.group(2))
            if origin is not None and text[origin.start : origin.end] in expanded:
                return site._replace(origin=origin)
    return site


def shell_sites(
    src: MappedText,
    display: str,
    base_dir: Path,
    env: Mapping[str, str | None] | None = None,
    options: ScanOptions | None = None,
    npm_local: set[str] | None = None,
    downloads: DownloadTracker | None = None,
    braces: bool = False,
) -> tuple[list[InstallSite], list[Diagnostic]]:
    """Install sites of a piece of shell text whose characters map into the file ``display``.

    ``base_dir`` is where the text runs (``-c FILE``/``-r FILE`` and the package.json of a project
    install are looked for there); ``-r`` files are followed only when ``options`` are given.
    ``npm_local`` is what earlier text of the same job put into node_modules (a workflow's
    earlier steps): ``npx`` of it fetches nothing, as in a Dockerfile stage; ``downloads`` the
    files those steps fetched (executing one later is download-then-run). Both grow as this text
    installs and fetches more. ``braces``: the shell running the text expands ``{a,b}`` (bash,
    zsh, ksh).
    """
    from pinaudit.installers import sites
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import analyze as shell_analyze

    def constraints(p: str) -> Mapping[str, str] | None:
        from pinaudit.analyzers.requirements_walk import read_constraints

        return read_constraints(base_dir / p)

    def constraint_file(p: str) -> tuple[RequirementParts, ...] | None:
        from pinaudit.analyzers.requirements_walk import read_constraint_file

        return read_constraint_file(base_dir / p)

    def manifest() -> tuple[frozenset[str], frozenset[str]] | None:
        from pinaudit.installers.npm import manifest_names

        try:
            return manifest_names((base_dir / "package.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None

    def locate(p: str) -> Path | None:
        return _find_beside(p, base_dir, options) if options is not None else None

    result = shell_analyze(src, env, braces=braces)
    ctx = InstallContext(path=display, in_dockerfile=False, read_constraints=constraints,
                         read_constraint_file=constraint_file, env=env if env is not None else {},
                         npm_local=npm_local, read_manifest=manifest, downloads=downloads,
                         locate=locate if options is not None else None)
    out: list[InstallSite] = []
    diags = [Diagnostic(Location(display, span), msg, Severity.WARNING) for span, msg in result.errors]
    here: Path | None = base_dir  # where the text is, as far as its `cd`s can be followed
    for cmd in result.commands:
        if cmd.name == "cd":
            here = _cd(here, cmd)
            continue
        try:
            for site in sites(cmd, ctx):
                if site.action is Action.REQUIREMENTS and options is not None:
                    out.extend(_follow(site, base_dir, options, diags, here))
                    continue
                out.append(site)
                if options is not None and installs_project(site):
                    from pinaudit.analyzers.python_project import follow_project

                    found, more, _related = follow_project(site, locate, options)
                    out.extend(found)
                    diags.extend(more)
        except Exception as exc:  # one odd command must not hide the rest of the file
            diags.append(
                Diagnostic(Location(display, cmd.span), f"internal error in installer analysis: "
                           f"{type(exc).__name__}: {exc}", Severity.WARNING)
            )  # fmt: skip
    return out, diags


def _cd(here: Path | None, cmd: Command) -> Path | None:
    """Where ``cd DIR`` leaves the text: a relative literal DIR from a known place; anywhere else
    (an absolute path in an image or runner, a variable, ``cd -``, ``cd``) is unknown."""
    args = [w for w in cmd.argv[1:] if not (w.value or "").startswith("-")]
    if here is None or len(args) != 1 or args[0].value is None or args[0].value.startswith(("/", "~")):
        return None
    return Path(os.path.normpath(here / args[0].value))


def _find_beside(written: str, base_dir: Path, options: ScanOptions, here: Path | None = None) -> Path | None:
    """A file a script names, where scripts most often run: where an earlier ``cd`` of the same
    text went, beside it, or at the repository root."""
    bases = [*([here] if here is not None else []), base_dir, options.cwd,
             *([options.repo_root] if options.repo_root else [])]
    for base in dict.fromkeys(bases):
        cand = Path(written) if written.startswith("/") else base / written
        if cand.is_file():
            return cand
    return None


def _follow(site: InstallSite, base_dir: Path, options: ScanOptions, diags: list[Diagnostic],
            here: Path | None = None) -> list[InstallSite]:
    """``pip install -r FILE`` in a script: FILE is relative to wherever the script runs, which is
    most often its own folder or the repository root; try those (never guess beyond them)."""
    from pinaudit.analyzers.requirements_walk import follow

    if site.ecosystem is Ecosystem.CONDA:  # conda --file / env create -f / conda-lock install
        from pinaudit.analyzers.conda_walk import follow
    written = site.spec or ""
    if not written or "$" in written or "://" in written or site.pin is not Pin.UNKNOWN:
        return [site]
    found = _find_beside(written, base_dir, options, here)
    result = follow(site, found, options, missing="it cannot be found beside the script or at the repository root")
    diags.extend(result.diagnostics)
    return list(result.sites)
