"""Dockerfile -> install sites: images, ADD downloads, RUN shell commands, requirements files.

The front-end (parse/dockerfile.py) gives instructions with a physical-position map; the build
semantics (stages, ARG/ENV scoping, WORKDIR, SHELL, the COPY map) are
:mod:`pinaudit.analyzers.dockerfile_build`'s. This module turns what the build does into sites:

* the images FROM, ``COPY --from`` and ``RUN --mount=from`` pull, and ``ADD URL`` downloads;
* each RUN through the shell analyzer and the installer modules (cmd/PowerShell SHELLs: simple
  commands only, and said so), heredoc bodies included;
* ``pip install -r FILE`` followed back through COPY/ADD/WORKDIR and bind mounts to the file in
  the build context, so the requirements file's entries are audited at their own lines;
* files downloaded in one RUN (or ADD) and executed in a later one, tracked across RUNs.

The build context is read through a :class:`~pinaudit.analyzers.build_context.BuildContext`: the
Dockerfile's folder (or ``--context``) by default, any other tree when a caller hands one in.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.analyzers.build_context import Directory
from pinaudit.analyzers.dockerfile_build import AddUrl, Build, ImagePull, Stage
from pinaudit.images import parse_image
from pinaudit.installers import sites
from pinaudit.installers.interface import DownloadTracker, InstallContext
from pinaudit.installers.pyproj import installs_project
from pinaudit.model import (
    Action,
    Diagnostic,
    Ecosystem,
    FileResult,
    InstallSite,
    Location,
    Pin,
    Severity,
    Span,
    Suppression,
)
from pinaudit.parse.dockerfile import DockerfileSyntaxError, Instruction
from pinaudit.parse.dockerfile import parse as parse_dockerfile
from pinaudit.parse.shell import BRACE_SHELLS, Command, Word, analyze_simple
from pinaudit.parse.shell import analyze as analyze_shell
from pinaudit.parse.spec_range import end_point, spec_span_in
from pinaudit.parse.text import MappedText, MappedTextBuilder, append_mapped, point_at
from pinaudit.pragmas import parse_pragma
from pinaudit.site_context import BuildPosition, RequirementParts, SiteSource, python_of, suite_of
from pinaudit.vcs_refs import url_names_commit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.analyzers.build_context import BuildContext

# POSIX shells whose RUN lines we parse fully; cmd/PowerShell get simple commands only (said in skipped)
_POSIX_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
# shells whose simple commands we can still read (cmd.exe, PowerShell): the dialect per program
_SIMPLE_SHELLS = {"cmd": "cmd", "powershell": "pwsh", "pwsh": "pwsh"}
_HEREDOC_ONLY = re.compile(r"^\s*<<-?\s*([\"']?)([A-Za-z0-9_.-]+)\1\s*$")
_SHELL_SHEBANG = re.compile(r"^#!\s*\S*/(?:env\s+)?((?:ba|da|a|z|k)?sh)\b")


def build_position(stage: Stage, layer: int, line: int = 0) -> BuildPosition:
    """Where a site of ``stage`` at instruction ``layer`` (starting on ``line``) runs, with what its
    base image's tag says."""
    base = stage.base.parts if stage.base is not None else None
    return BuildPosition(
        stage.index, stage.name, layer, base, stage.platform,
        python_of(base) if base is not None else None, suite_of(base) if base is not None else None, line,
    )  # fmt: skip


class _Analysis:
    build: Build  # the build's state, once the file has parsed (its escape character is in it)

    def __init__(self, source: SourceFile, options: ScanOptions, context: BuildContext | None) -> None:
        self.source = source
        self.options = options
        self.path = source.display
        self.sites: list[InstallSite] = []
        self.diagnostics: list[Diagnostic] = []
        self.suppressions: list[Suppression] = []
        self.skipped: list[str] = []
        self.related: list[str] = []
        self.context: BuildContext = context if context is not None else Directory(self._context_dir())
        self.downloads = DownloadTracker()
        self._added: list[tuple[int, str]] = []  # (site index, target) of each ADD <url> without --checksum

    def _context_dir(self) -> Path:
        if self.options.context is not None:
            return self.options.context
        return self.source.path.parent

    def loc(self, span: Span) -> Location:
        return Location(self.path, span)

    # -- entry -----------------------------------------------------------------------------
    def run(self) -> FileResult:
        try:
            ast = parse_dockerfile(self.source.text)
        except DockerfileSyntaxError as exc:
            self.diagnostics.append(
                Diagnostic(self.loc(point_at(self.source.text, max(exc.line, 1))),
                           f"Dockerfile syntax error: {exc.message}")
            )
            return self._result()
        unknown = [(line, msg) for line, msg in ast.warnings if msg.startswith("unknown instruction")]
        if unknown:
            # BuildKit's parser accepts these, its dispatcher refuses the build: often a template
            line, msg = unknown[0]
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            self.diagnostics.append(Diagnostic(
                self.loc(point_at(self.source.text, line)),
                f"{msg}{more}: docker build rejects this file (a template?); the known "
                "instructions were still audited", Severity.WARNING))
        from pinaudit.analyzers.named_contexts import named_contexts

        self.build = Build(self.context, self.options.build_args, ast.escape,
                           named_contexts(self.source.path.parent, self.options.repo_root))
        stage: Stage | None = None
        index = 0
        for layer, instr in enumerate(ast.instructions):
            self._pragmas(instr.comments, instr.start_line, instr.end_line)
            first = len(self.sites)
            if instr.keyword == "FROM":
                stage, pull = self.build.start_stage(instr, index)
                if pull is not None:
                    self._image_site(pull)
                index += 1
            elif stage is not None:
                self._instruction(instr, stage)
            elif instr.keyword == "ARG":
                self.build.global_arg(instr)
            if stage is not None and len(self.sites) > first:
                position = build_position(stage, layer, instr.start_line)
                self.sites[first:] = [s._replace(build=position) for s in self.sites[first:]]
        for at, target in self._added:
            if target in self.downloads.checked:  # `ADD URL f` then `cosign verify-blob … f` before use
                self.sites[at] = self.sites[at]._replace(
                    pin=Pin.IMMUTABLE, detail="a checksum or signature check names it before it is used")
        return self._result()

    def _result(self) -> FileResult:
        ignore_file = "pinaudit" in self.source.text and any(
            parse_pragma(line) == "file"
            for line in self.source.text.splitlines()
            if line.lstrip().startswith("#") and "pinaudit" in line
        )
        return FileResult(
            path=self.path,
            kind="dockerfile",
            sites=tuple(self.sites),
            diagnostics=tuple(self.diagnostics),
            suppressions=tuple(self.suppressions),
            ignore_file=ignore_file,
            skipped=tuple(self.skipped),
            related=tuple(dict.fromkeys(self.related)),
        )

    def _pragmas(self, comments: tuple[tuple[int, str], ...], first: int, last: int) -> None:
        """A pragma in the comment lines right above an instruction covers all of its lines.

        BuildKit keeps comments across blank lines; a pragma must touch its instruction, so a
        stale one further up does not silently cover the next instruction.
        """
        adjacent: list[tuple[int, str]] = []
        expect = first - 1
        for line, text in reversed(comments):
            if line != expect:
                break
            adjacent.append((line, text))
            expect -= 1
        for line, text in adjacent:
            pragma = parse_pragma(text)
            if isinstance(pragma, frozenset):
                self.suppressions.append(Suppression(self.path, pragma, first, last, line))

    # -- stage instructions -----------------------------------------------------------------
    def _instruction(self, instr: Instruction, stage: Stage) -> None:
        kw = instr.keyword
        if kw == "ONBUILD" and instr.onbuild is not None:
            self._instruction(instr.onbuild, stage)
        elif kw in ("ARG", "ENV"):
            self.build.declare(instr, stage)
        elif kw == "WORKDIR":
            self.build.workdir(instr, stage)
        elif kw == "SHELL":
            self.build.shell(instr, stage)
        elif kw in ("COPY", "ADD"):
            for fetched in self.build.copy(instr, stage):
                if isinstance(fetched, AddUrl):
                    self._add_url(fetched)
                else:
                    self._image_site(fetched)
        elif kw == "RUN":
            self._run(instr, stage)

    def _image_site(self, pull: ImagePull) -> None:
        loc = self.loc(pull.span)
        spec_span = spec_span_in(pull.span, pull.raw, "image")
        if pull.undeclared:
            names = ", ".join(f"${v}" for v in pull.undeclared)
            self.sites.append(InstallSite(
                Ecosystem.IMAGE, Action.INSTALL, pull.raw, pull.raw, Pin.UNKNOWN, loc, pull.installer,
                detail=f"{names} is not declared by an ARG before the first FROM (docker build sees it empty)",
                spec_span=spec_span,
            ))
        elif pull.note:
            self.sites.append(InstallSite(
                Ecosystem.IMAGE, Action.INSTALL, pull.value, pull.raw, Pin.UNKNOWN, loc, pull.installer,
                detail=pull.note, spec_span=spec_span,
            ))
        elif pull.value is None:
            self.sites.append(
                InstallSite(
                    Ecosystem.IMAGE, Action.INSTALL, pull.raw, pull.raw, Pin.UNKNOWN, loc, pull.installer,
                    detail="the reference depends on a build argument without a default", spec_span=spec_span,
                )
            )
        else:
            ref = parse_image(pull.value, pull.platform)
            version = ref.digest or ref.tag
            self.sites.append(
                InstallSite(Ecosystem.IMAGE, Action.INSTALL, ref.name, pull.value, ref.pin, loc, pull.installer,
                            version=version, image=ref.parts, spec_span=spec_span)
            )
        self.sites[-1] = self.sites[-1]._replace(source_kind=pull.source)

    def _add_url(self, add: AddUrl) -> None:
        url = add.url
        pinned = add.has_checksum or url_names_commit(url)
        self.sites.append(
            InstallSite(Ecosystem.DOWNLOAD, Action.DOWNLOAD, url, url, Pin.IMMUTABLE if pinned else Pin.UNPINNED,
                        self.loc(add.span), "ADD", source_kind=SiteSource.ADD, spec_span=end_point(add.span))
        )
        if add.target is not None:
            # already reported at the ADD: executing it later must not report it twice
            self.downloads.fetched[add.target] = url
            self.downloads.verified.add(add.target)
            if not pinned:  # unless a later RUN checks it by name (sha256sum -c, cosign verify-blob)
                self._added.append((len(self.sites) - 1, add.target))

    # -- RUN ---------------------------------------------------------------------------------
    def _run(self, instr: Instruction, stage: Stage) -> None:
        for pull in self.build.mounts(instr, stage):
            self._image_site(pull)
        commands = self._commands(instr, stage)
        ctx = InstallContext(
            path=self.path,
            in_dockerfile=True,
            workdir=stage.workdir,
            read_constraints=lambda p: self._read_constraints(p, stage),
            downloads=self.downloads,
            npm_local=stage.npm_local,
            read_manifest=lambda: self._read_manifest(stage),
            read_constraint_file=lambda p: self._read_constraint_file(p, stage),
            env=stage.env,
            locate=lambda p: self.build.locate(p, stage),
        )
        for cmd in commands:
            for site in sites(cmd, ctx):
                if site.action is Action.REQUIREMENTS:
                    self.sites.extend(self._requirements(site, stage))
                    continue
                self.sites.append(self._with_origin(site, stage) if stage.origins else site)
                if installs_project(site):
                    self._project(site, stage)

    def _with_origin(self, site: InstallSite, stage: Stage) -> InstallSite:
        """A site whose token uses an ARG/ENV with a literal value: where that value is written."""
        from pinaudit.analyzers._shell_sites import with_origin

        return with_origin(site, self.source.text, stage.origins)

    def _commands(self, instr: Instruction, stage: Stage) -> list[Command]:
        """The commands a RUN runs: its shell form through the stage's SHELL, its exec form as
        argv (``["sh", "-c", "..."]`` is a shell again), heredoc bodies included."""
        commands: list[Command] = []
        program = _shell_program(stage.shell)
        if instr.json_args is None and program not in _POSIX_SHELLS:
            # exec form never goes through SHELL; shell form through cmd/PowerShell: simple
            # commands only (`pip install x` reads the same there), and say so
            dialect = _SIMPLE_SHELLS.get(program)
            how = "not audited beyond its simple commands" if dialect else "not audited"
            self.skipped.append(f"{self.path}:{instr.start_line}: RUN uses SHELL {stage.shell[0]}; {how}")
            if dialect is None:
                return []
            commands = list(analyze_simple(instr.args, dialect, stage.env).commands)
        elif instr.json_args is not None:
            if not instr.json_args:
                return []
            argv = tuple(Word(a, a, s, quoted=True) for a, s in instr.json_args)
            first, last = instr.json_args[0][1], instr.json_args[-1][1]
            cmd = Command(argv, first.through(last))
            commands.append(cmd)
            # ["sh", "-c", "script"] is a shell again
            if posixpath.basename(argv[0].raw) in _POSIX_SHELLS and len(argv) >= 3 and argv[1].raw.startswith("-") \
                    and "c" in argv[1].raw:
                script, sspan = instr.json_args[2]
                # the string as written (no escapes) keeps every character's physical place, across
                # line continuations too; with escapes it is mapped from where the string starts
                at = instr.args.text.find(f'"{argv[1].raw}"', instr.args.text.find(f'"{argv[0].raw}"') + 1)
                at = instr.args.text.find(f'"{script}"', at + len(argv[1].raw) + 2) if at >= 0 else -1
                mapped = (instr.args.slice(at + 1, at + 1 + len(script)) if at >= 0 and "\\" not in script
                          else MappedText.plain(script, instr.args.line_index, sspan.start + 1))
                res = analyze_shell(mapped, stage.env, braces=posixpath.basename(argv[0].raw) in BRACE_SHELLS)
                commands = list(res.commands)
        else:
            run_text = self._run_script(instr)
            if run_text is None:
                return []
            text, bodies = (run_text, None) if isinstance(run_text, MappedText) else run_text
            # SHELL ["/bin/bash", "-c"] expands `lib{ssl,ffi}-dev`, /bin/sh does not; a heredoc
            # body runs under its own shebang
            shebang = _SHELL_SHEBANG.match(text.text) if bodies is None else None
            shell = shebang.group(1) if shebang else program
            result = analyze_shell(text, stage.env, bodies, braces=shell in BRACE_SHELLS)
            commands = list(result.commands)
            if result.errors:
                # one warning per RUN: the first error is the one to fix, later ones often follow from it
                span, message = result.errors[0]
                more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
                self.diagnostics.append(
                    Diagnostic(self.loc(span), f"shell syntax error in RUN: {message}{more}; the rest of the "
                               "RUN was still audited", Severity.WARNING)
                )
        return commands

    def _run_script(
        self, instr: Instruction
    ) -> tuple[MappedText, dict[str, tuple[MappedText, bool]]] | MappedText | None:
        """The shell text of a RUN: the body when the RUN is only a heredoc, else the RUN line with
        its heredoc bodies (see ``_heredoc_placeholders``)."""
        if not instr.heredocs:
            return instr.args
        only = _HEREDOC_ONLY.match(instr.args.text)
        if only and len(instr.heredocs) == 1:
            body = instr.heredocs[0].body
            first = body.text.split("\n", 1)[0]
            if first.startswith("#!") and not _SHELL_SHEBANG.match(first):
                self.skipped.append(f"{self.path}:{instr.start_line}: RUN heredoc runs {first[2:].strip()}")
                return None
            return body
        return self._heredoc_placeholders(instr)

    def _heredoc_placeholders(self, instr: Instruction) -> tuple[MappedText, dict[str, tuple[MappedText, bool]]]:
        """The RUN line with each ``<<NAME`` replaced by a ``<PLACEHOLDER`` redirect for its body.

        BuildKit runs such a RUN as a shell script with the bodies appended; the shell hands each
        body to the command whose operator names it, which the placeholders keep explicit.
        """
        text = instr.args.text
        b = MappedTextBuilder(instr.args.line_index)
        bodies: dict[str, tuple[MappedText, bool]] = {}
        pos = 0
        for k, h in enumerate(instr.heredocs):
            m = re.compile(r"(?:(?<=\s)|^)\d*<<-?[\"']?" + re.escape(h.name) + r"[\"']?(?=\s|$)").search(text, pos)
            if m is None:
                continue  # the operator is not where BuildKit's words put it: leave that body out
            append_mapped(b, instr.args.slice(pos, m.start()))
            key = f"__pinaudit_heredoc_{k}__"
            b.add_synthetic(f"<{key}")
            bodies[key] = (h.body, not h.expand)
            pos = m.end()
        append_mapped(b, instr.args.slice(pos, len(text)))
        return b.build(), bodies

    # -- files from the build context ----------------------------------------------------------
    def _requirements(self, site: InstallSite, stage: Stage) -> list[InstallSite]:
        from pinaudit.analyzers.requirements_walk import follow

        if site.ecosystem is Ecosystem.CONDA:  # conda --file / env create -f / conda-lock install
            from pinaudit.analyzers.conda_walk import follow
        written = site.spec or ""
        if not written or (site.pin is Pin.UNKNOWN and "$" in written) or site.pin is not Pin.UNKNOWN:
            return [site]  # a variable decides it; or the installer judged it (written by an export)
        where = f"the build context {display_path(self.context.root, self.options.cwd)}"
        missing = f"it cannot be found in {where}"
        origin = self.build.origin(written, stage)
        if origin is not None:
            missing = f"it comes from {origin} (--from), which is built or pulled, not read from the build context"
        found = self.build.locate(written, stage)
        result = follow(site, found, self.options, missing=missing, files=self.context)
        self.related.extend(result.related)
        self.diagnostics.extend(result.diagnostics)
        self.suppressions.extend(result.suppressions)
        return list(result.sites)

    def _project(self, site: InstallSite, stage: Stage) -> None:
        """``pip install .`` / ``uv sync``: the pyproject.toml or Pipfile it installs, from the context."""
        from pinaudit.analyzers.python_project import follow_project

        found, diags, related = follow_project(site, lambda p: self.build.locate(p, stage), self.options)
        self.sites.extend(found)
        self.diagnostics.extend(diags)
        self.related.extend(related)

    def _read_manifest(self, stage: Stage) -> tuple[frozenset[str], frozenset[str]] | None:
        """(dependencies, devDependencies) of the package.json in the WORKDIR, from the context."""
        from pinaudit.installers.npm import manifest_names

        found = self.build.locate("package.json", stage)
        if found is None:
            return None
        try:
            return manifest_names(self.context.read_text(found))
        except OSError:
            return None

    def _read_constraints(self, written: str, stage: Stage) -> Mapping[str, str] | None:
        from pinaudit.analyzers.requirements_walk import read_constraints

        found = self.build.locate(written, stage)
        return read_constraints(found, self.context) if found is not None else None

    def _read_constraint_file(self, written: str, stage: Stage) -> tuple[RequirementParts, ...] | None:
        from pinaudit.analyzers.requirements_walk import read_constraint_file

        found = self.build.locate(written, stage)
        return read_constraint_file(found, self.context) if found is not None else None


def _shell_program(shell: tuple[str, ...]) -> str:
    """``/bin/bash`` -> ``bash``, ``C:\\Windows\\System32\\cmd.exe`` -> ``cmd``."""
    if not shell:
        return "sh"
    name = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name[:-4] if name.endswith(".exe") else name


def analyze(source: SourceFile, options: ScanOptions, *, context: BuildContext | None = None) -> FileResult:
    """Analyzer entry point. ``context``: the build context to read COPY sources from (default:
    ``options.context``, else the Dockerfile's folder, on disk)."""
    return _Analysis(source, options, context).run()
