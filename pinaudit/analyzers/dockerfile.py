"""Dockerfile -> install sites: stages, ARG/ENV scopes, images, RUN shell, ADD, requirements files.

The front-end (parse/dockerfile.py) gives instructions with a physical-position map; this module
adds Docker's build semantics on top:

* ARG scoping as BuildKit applies it: an ARG before the first FROM is visible to FROM lines only,
  and inside a stage only once redeclared (``ARG NAME`` without a value takes the global one);
  ``--build-arg`` overrides defaults. ENV carries into stages built FROM another stage.
* A variable whose value cannot be known (an ARG without default, an ENV from the base image) is
  *unknown*: its site gets Pin.UNKNOWN (info), never a guessed verdict.
* ``pip install -r FILE`` is followed back through COPY/ADD/WORKDIR and bind mounts to the file in
  the build context, so the requirements file's entries are audited at their own lines.
* Files downloaded in one RUN (or ADD) and executed in a later one are tracked across RUNs.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.images import parse_image
from pinaudit.installers import sites
from pinaudit.installers.interface import DownloadTracker, InstallContext
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
from pinaudit.parse.dockerfile import DockerfileSyntaxError, Instruction, expand, parse_key_values
from pinaudit.parse.dockerfile import parse as parse_dockerfile
from pinaudit.parse.shell import Command, Word, analyze_simple
from pinaudit.parse.shell import analyze as analyze_shell
from pinaudit.parse.text import MappedText, MappedTextBuilder, append_mapped
from pinaudit.pragmas import parse_pragma

# POSIX shells whose RUN lines we parse fully; cmd/PowerShell get simple commands only (said in skipped)
_POSIX_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
# shells whose simple commands we can still read (cmd.exe, PowerShell): the dialect per program
_SIMPLE_SHELLS = {"cmd": "cmd", "powershell": "pwsh", "pwsh": "pwsh"}
_HEREDOC_ONLY = re.compile(r"^\s*<<-?\s*([\"']?)([A-Za-z0-9_.-]+)\1\s*$")
_WINDOWS = re.compile(r"windows|servercore|nanoserver", re.I)
_LINUX_HINT = re.compile(r"alpine|debian|ubuntu|centos|fedora|busybox|python|node|golang", re.I)
_SHELL_SHEBANG = re.compile(r"^#!\s*\S*/(?:env\s+)?(?:ba|da|a|z|k)?sh\b")
_URL = re.compile(r"^(?:https?|ftp)://", re.I)
_GIT_URL = re.compile(r"^(?:git@|git://|https?://.*\.git(?:#|$))", re.I)
_HEX40 = re.compile(r"\b[0-9a-f]{40}\b")
# $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}: group 2 says a default follows (compiled on first use)
_VAR_REF = r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?-)?|([A-Za-z_][A-Za-z0-9_]*))"


def _references(word: str) -> list[tuple[str, bool]]:
    """The variables a FROM reference uses, each with whether it comes with a default."""
    return [(m.group(1) or m.group(3), bool(m.group(2))) for m in re.finditer(_VAR_REF, word)]


class _Stage:
    __slots__ = ("copies", "env", "foreign", "index", "name", "npm_local", "shell", "workdir")

    def __init__(self, name: str | None, index: int) -> None:
        self.name = name
        self.index = index
        self.env: dict[str, str | None] = {}  # ARG and ENV values visible to RUN
        self.workdir = "/"
        # image path -> build-context path (file or directory), in COPY order: (dest, source, dest_is_dir)
        self.copies: list[tuple[str, Path, bool]] = []
        self.shell: tuple[str, ...] = ("/bin/sh", "-c")
        self.npm_local: set[str] = set()  # npm packages in this stage's node_modules (npx runs them)
        # image paths filled from another stage or image (COPY --from, RUN --mount=from): (path, from)
        self.foreign: list[tuple[str, str]] = []


class _Analysis:
    def __init__(self, source: SourceFile, options: ScanOptions) -> None:
        self.source = source
        self.options = options
        self.path = source.display
        self.sites: list[InstallSite] = []
        self.diagnostics: list[Diagnostic] = []
        self.suppressions: list[Suppression] = []
        self.skipped: list[str] = []
        self.related: list[str] = []
        self.context = self._context_dir()
        self.stage_names: dict[str, _Stage] = {}

        self.downloads = DownloadTracker()

    # -- helpers ---------------------------------------------------------------------------
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
                Diagnostic(self.loc(Span.point(max(exc.line, 1))), f"Dockerfile syntax error: {exc.message}")
            )
            return self._result()
        escape = ast.escape
        unknown = [(line, msg) for line, msg in ast.warnings if msg.startswith("unknown instruction")]
        if unknown:
            # BuildKit's parser accepts these, its dispatcher refuses the build: often a template
            line, msg = unknown[0]
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            self.diagnostics.append(Diagnostic(
                self.loc(Span.point(line)), f"{msg}{more}: docker build rejects this file (a template?); "
                "the known instructions were still audited", Severity.WARNING))
        global_args: dict[str, str | None] = {}
        stage: _Stage | None = None
        index = 0
        for instr in ast.instructions:
            self._pragmas(instr.comments, instr.start_line, instr.end_line)
            kw = instr.keyword
            if kw == "FROM":
                stage = self._from(instr, global_args, escape, index)
                index += 1
                continue
            if stage is None:
                if kw == "ARG":
                    for name, value, _span in parse_key_values(instr):
                        global_args[name] = self._arg_value(name, value, global_args, escape)
                continue
            self._instruction(instr, stage, global_args, escape)
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

    def _arg_value(
        self, name: str, default: str | None, scope: Mapping[str, str | None], escape: str
    ) -> str | None:

        if name in self.options.build_args:
            return self.options.build_args[name]
        if default is None:
            return None  # declared without a value: whatever the build passes, unknown to us
        return expand(default, scope, escape)

    # -- FROM ------------------------------------------------------------------------------
    def _from(self, instr: Instruction, global_args: dict[str, str | None], escape: str, index: int) -> _Stage:

        words = _split_words(instr.args)
        name: str | None = None
        if len(words) >= 3 and words[1][0].lower() == "as":
            name = words[2][0].lower()
        stage = _Stage(name=name, index=index)
        if words:
            ref_raw, start, end = words[0]
            span = instr.args.span(start, end)
            refs = _references(ref_raw)  # (name, has a default) for each $NAME / ${NAME...}
            value = expand(ref_raw, global_args, escape)
            if value is None and all(d for n, d in refs if global_args.get(n, "") is None):
                # an ARG declared without a value is unset unless --build-arg gives one, so
                # `${PY:-3.12}` builds python:3.12 by default: judged like `ARG PY=3.12`
                value = expand(ref_raw, {k: v for k, v in global_args.items() if v is not None}, escape)
            base = self.stage_names.get(value.lower()) if value else None
            if base is not None:
                stage.env = {k: v for k, v in base.env.items() if k in base.env}
                stage.workdir = base.workdir
                stage.copies = list(base.copies)
                stage.shell = base.shell
                stage.npm_local = set(base.npm_local)
            elif undeclared := [n for n, has_default in refs if n not in global_args and not has_default]:
                # docker build expands an ARG not declared before the first FROM to "": the reference
                # it builds ('ubuntu:', '/ubuntu:22.04') is not what the author meant, so no verdict
                names = ", ".join(f"${v}" for v in dict.fromkeys(undeclared))
                self.sites.append(InstallSite(
                    Ecosystem.IMAGE, Action.INSTALL, ref_raw, ref_raw, Pin.UNKNOWN, self.loc(span), "FROM",
                    detail=f"{names} is not declared by an ARG before the first FROM (docker build sees it empty)",
                ))
            else:
                self._image_site(ref_raw, value, span, "FROM", stage_names=self.stage_names)
                platform = " ".join(v or "" for v, _s in self._flag(instr, "platform"))
                if _WINDOWS.search(value or ref_raw) or "windows" in platform.lower() or (
                    escape == "`" and not _LINUX_HINT.search(value or ref_raw)
                ):
                    # Windows images run RUN through cmd.exe unless SHELL says otherwise
                    stage.shell = ("cmd", "/S", "/C")
        if name:
            self.stage_names[name] = stage
        self.stage_names[str(index)] = stage
        return stage

    def _image_site(
        self, raw: str, value: str | None, span: Span, installer: str, *, stage_names: Mapping[str, _Stage]
    ) -> None:
        if value is not None and (value.lower() in stage_names or value.lower() == "scratch" or value == ""):
            return
        if value is None:
            self.sites.append(
                InstallSite(
                    Ecosystem.IMAGE, Action.INSTALL, raw, raw, Pin.UNKNOWN, self.loc(span), installer,
                    detail="the reference depends on a build argument without a default",
                )
            )
            return
        ref = parse_image(value)
        version = ref.digest or ref.tag
        self.sites.append(
            InstallSite(Ecosystem.IMAGE, Action.INSTALL, ref.name, value, ref.pin, self.loc(span), installer,
                        version=version)
        )

    # -- stage instructions -----------------------------------------------------------------
    def _instruction(self, instr: Instruction, stage: _Stage, global_args: dict[str, str | None], escape: str) -> None:

        kw = instr.keyword
        if kw == "ONBUILD" and instr.onbuild is not None:
            self._instruction(instr.onbuild, stage, global_args, escape)
            return
        if kw in ("ARG", "ENV"):
            # BuildKit expands the whole instruction against the variables from before it:
            # `ENV A=2 B=$A` gives B the old A
            before = dict(stage.env)
            for name, value, _span in parse_key_values(instr):
                if kw == "ENV":
                    stage.env[name] = expand(value, before, escape) if value is not None else None
                elif value is None and name in global_args and name not in self.options.build_args:
                    stage.env[name] = global_args[name]
                else:
                    stage.env[name] = self._arg_value(name, value, before, escape)
            return
        if kw == "WORKDIR":
            value = expand(instr.args.text.strip(), stage.env, escape)
            if value is not None:
                stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, value))
            return
        if kw == "SHELL":
            if instr.json_args:
                stage.shell = tuple(a for a, _s in instr.json_args)
            return
        if kw in ("COPY", "ADD"):
            self._copy(instr, stage, escape)
            return
        if kw == "RUN":
            self._run(instr, stage, escape)
            return

    def _flag(self, instr: Instruction, name: str) -> list[tuple[str | None, Span]]:

        return [(f.value, f.span) for f in instr.flags if f.name == name]

    def _copy(self, instr: Instruction, stage: _Stage, escape: str) -> None:

        from_flags = self._flag(instr, "from")
        for value, span in from_flags:
            if value is not None:
                ref = expand(value, stage.env, escape)
                if ref is None or not ref.isdigit():
                    self._image_site(value, ref, _flag_value_span(span, "from"), f"{instr.keyword} --from",
                                     stage_names=self.stage_names)
        if instr.json_args is not None:
            words = [(a, s) for a, s in instr.json_args]
        else:
            words = [(w, instr.args.span(a, b)) for w, a, b in _split_words(instr.args)]
        if instr.heredocs or len(words) < 2:
            return
        *sources, (dest_raw, _dspan) = words
        dest = expand(dest_raw, stage.env, escape)
        checksum = self._flag(instr, "checksum")
        for src_raw, span in sources:
            src = expand(src_raw, stage.env, escape) or src_raw
            if instr.keyword == "ADD" and (_URL.match(src) or _GIT_URL.match(src)):
                self._add_url(src, span, bool(checksum), dest, stage)
                continue
            if dest is None:
                continue
            if from_flags:
                origin = from_flags[-1][0] or "another stage"
                target = posixpath.join(stage.workdir, dest)
                name = posixpath.basename(src.rstrip("/"))
                if (dest.endswith("/") or len(sources) > 1) and name and not src.endswith("/"):
                    target = posixpath.join(target, name)  # a file copied into a folder
                stage.foreign.append((posixpath.normpath(target), origin))
                continue
            dest_abs = posixpath.normpath(posixpath.join(stage.workdir, dest))
            dest_is_dir = dest.endswith("/") or len(sources) > 1 or any(c in src for c in "*?[") or src in (".", "./")
            stage.copies.append((dest_abs, self.context / src, dest_is_dir))

    def _add_url(self, url: str, span: Span, has_checksum: bool, dest: str | None, stage: _Stage) -> None:
        pinned = has_checksum or bool(_HEX40.search(url))
        self.sites.append(
            InstallSite(Ecosystem.DOWNLOAD, Action.DOWNLOAD, url, url, Pin.IMMUTABLE if pinned else Pin.UNPINNED,
                        self.loc(span), "ADD")
        )
        if dest is not None:
            target = posixpath.normpath(posixpath.join(stage.workdir, dest))
            if dest.endswith("/"):
                target = posixpath.join(target, posixpath.basename(url.split("?")[0]))
            # already reported at the ADD: executing it later must not report it twice
            self.downloads.fetched[target] = url
            self.downloads.verified.add(target)

    # -- RUN ---------------------------------------------------------------------------------
    def _run(self, instr: Instruction, stage: _Stage, escape: str) -> None:

        for value, span in self._flag(instr, "mount"):
            self._mount(value, span, stage, escape)
        commands: list[Command] = []
        program = _shell_program(stage.shell)
        if instr.json_args is None and program not in _POSIX_SHELLS:
            # exec form never goes through SHELL; shell form through cmd/PowerShell: simple
            # commands only (`pip install x` reads the same there), and say so
            dialect = _SIMPLE_SHELLS.get(program)
            how = "not audited beyond its simple commands" if dialect else "not audited"
            self.skipped.append(f"{self.path}:{instr.start_line}: RUN uses SHELL {stage.shell[0]}; {how}")
            if dialect is None:
                return
            commands = list(analyze_simple(instr.args, dialect, stage.env).commands)
        elif instr.json_args is not None:
            if not instr.json_args:
                return
            argv = tuple(Word(a, a, s, quoted=True) for a, s in instr.json_args)
            first, last = instr.json_args[0][1], instr.json_args[-1][1]
            cmd = Command(argv, Span(first.line, first.column, last.end_line, last.end_column))
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
                          else MappedText.plain(script, sspan.line, sspan.column + 1))
                res = analyze_shell(mapped, stage.env)
                commands = list(res.commands)
        else:
            run_text = self._run_script(instr)
            if run_text is None:
                return
            text, bodies = (run_text, None) if isinstance(run_text, MappedText) else run_text
            result = analyze_shell(text, stage.env, bodies)
            commands = list(result.commands)
            if result.errors:
                # one warning per RUN: the first error is the one to fix, later ones often follow from it
                span, message = result.errors[0]
                more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
                self.diagnostics.append(
                    Diagnostic(self.loc(span), f"shell syntax error in RUN: {message}{more}; the rest of the "
                               "RUN was still audited", Severity.WARNING)
                )
        ctx = InstallContext(
            path=self.path,
            in_dockerfile=True,
            workdir=stage.workdir,
            read_constraints=lambda p: self._read_constraints(p, stage),
            downloads=self.downloads,
            npm_local=stage.npm_local,
            read_manifest=lambda: self._read_manifest(stage),
        )
        for cmd in commands:
            for site in sites(cmd, ctx):
                if site.action is Action.REQUIREMENTS:
                    self.sites.extend(self._requirements(site, stage))
                else:
                    self.sites.append(site)

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
        b = MappedTextBuilder()
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

    def _mount(self, value: str | None, span: Span, stage: _Stage, escape: str) -> None:

        if not value:
            return
        opts: dict[str, str] = {}
        from_at: tuple[int, int] | None = None  # the from= value's offsets in ``value``
        offset = 0
        for part in value.split(","):
            k, eq, v = part.partition("=")
            opts[k.strip().lower()] = v.strip()
            if k.strip().lower() == "from" and eq:
                start = offset + len(k) + 1 + (len(v) - len(v.lstrip()))
                from_at = (start, start + len(v.strip()))
            offset += len(part) + 1
        src_from = opts.get("from")
        if src_from:
            ref = expand(src_from, stage.env, escape)
            if ref is None or not ref.isdigit():
                self._image_site(src_from, ref, self._value_span(span, value, from_at), "RUN --mount=from",
                                 stage_names=self.stage_names)
            target = opts.get("target") or opts.get("dst") or opts.get("destination")
            if target:
                stage.foreign.append((posixpath.normpath(posixpath.join(stage.workdir, target)), src_from))
            return
        if opts.get("type", "bind") == "bind":
            target = opts.get("target") or opts.get("dst") or opts.get("destination")
            if target:
                source = opts.get("source") or opts.get("src") or "."
                dest = posixpath.normpath(posixpath.join(stage.workdir, target))
                is_dir = not Path(self.context, source).is_file()
                stage.copies.append((dest, self.context / source, is_dir))

    @staticmethod
    def _value_span(flag: Span, value: str, part: tuple[int, int] | None) -> Span:
        """The span of ``value[part]`` inside a one-line ``--name=value`` flag (the image of
        ``--mount=type=bind,from=alpine:3.19``); the whole flag when it is not that simple."""
        if part is None or flag.line != flag.end_line:
            return flag
        prefix = flag.end_column - flag.column - len(value)  # "--mount="
        if prefix < 3:
            return flag
        return Span(flag.line, flag.column + prefix + part[0], flag.line, flag.column + prefix + part[1])

    # -- requirements files ------------------------------------------------------------------
    def _locate(self, written: str, stage: _Stage) -> Path | None:
        """The build-context file behind an image path, through COPY/ADD/bind mounts (last wins)."""
        image_path = posixpath.normpath(posixpath.join(stage.workdir, written))
        for dest, src, dest_is_dir in reversed(stage.copies):
            if any(c in src.name for c in "*?["):
                if posixpath.dirname(image_path) == dest.rstrip("/") or dest == posixpath.dirname(image_path):
                    cand = src.parent / posixpath.basename(image_path)
                    if fnmatch.fnmatch(cand.name, src.name) and cand.is_file():
                        return cand
                continue
            if dest_is_dir or src.is_dir():
                base = dest.rstrip("/") or "/"
                if image_path == base:
                    continue
                prefix = base if base.endswith("/") else base + "/"
                if image_path.startswith(prefix):
                    rel = image_path[len(prefix):]
                    hit: Path | None = (src / rel) if src.is_dir() else (src if src.name == rel else None)
                    if hit is not None and hit.is_file():
                        return hit
            elif image_path == dest and src.is_file():
                return src
        # no COPY says where it came from: try the path as written, relative to the context
        for cand in (self.context / written.lstrip("/"), self.context / posixpath.basename(written)):
            if (not written.startswith("/") or cand.name == posixpath.basename(written)) and cand.is_file():
                return cand
        return None

    def _requirements(self, site: InstallSite, stage: _Stage) -> list[InstallSite]:
        from pinaudit.analyzers.requirements import follow

        written = site.spec or ""
        if not written or (site.pin is Pin.UNKNOWN and "$" in written):
            return [site]
        where = f"the build context {display_path(self.context, self.options.cwd)}"
        missing = f"it cannot be found in {where}"
        image_path = posixpath.normpath(posixpath.join(stage.workdir, written))
        for dest, origin in reversed(stage.foreign):
            if image_path == dest or image_path.startswith(dest.rstrip("/") + "/"):
                missing = f"it comes from {origin} (--from), which is built or pulled, not read from the build context"
                break
        result = follow(site, self._locate(written, stage), self.options, missing=missing)
        self.related.extend(result.related)
        self.diagnostics.extend(result.diagnostics)
        self.suppressions.extend(result.suppressions)
        return list(result.sites)

    def _read_manifest(self, stage: _Stage) -> tuple[frozenset[str], frozenset[str]] | None:
        """(dependencies, devDependencies) of the package.json in the WORKDIR, from the context."""
        found = self._locate("package.json", stage)
        if found is None:
            return None
        import json

        try:
            doc = json.loads(found.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(doc, dict):
            return None

        def names(key: str) -> frozenset[str]:
            section = doc.get(key)
            return frozenset(section) if isinstance(section, dict) else frozenset()

        return names("dependencies") | names("optionalDependencies"), names("devDependencies")

    def _read_constraints(self, written: str, stage: _Stage) -> Mapping[str, str] | None:
        from pinaudit.analyzers.requirements import read_constraints

        found = self._locate(written, stage)
        return read_constraints(found) if found is not None else None


def _shell_program(shell: tuple[str, ...]) -> str:
    """``/bin/bash`` -> ``bash``, ``C:\\Windows\\System32\\cmd.exe`` -> ``cmd``."""
    if not shell:
        return "sh"
    name = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name[:-4] if name.endswith(".exe") else name


def _split_words(text: MappedText) -> list[tuple[str, int, int]]:
    """Whitespace-separated words of an instruction's arguments with their offsets."""
    return [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text.text)]


def _flag_value_span(span: Span, name: str) -> Span:
    """The span of the value part of ``--name=value`` (the flag's own span starts at the dashes)."""
    skip = len(name) + 3
    if span.line == span.end_line and span.column + skip < span.end_column:
        return Span(span.line, span.column + skip, span.end_line, span.end_column)
    return span


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    return _Analysis(source, options).run()

