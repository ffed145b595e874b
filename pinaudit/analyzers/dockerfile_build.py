"""Docker's build semantics over a parsed Dockerfile: stages, ARG/ENV scoping, WORKDIR, SHELL and
the COPY map (which image path holds which build-context file).

* ARG scoping as BuildKit applies it: an ARG before the first FROM is visible to FROM lines only,
  and inside a stage only once redeclared (``ARG NAME`` without a value takes the global one);
  ``--build-arg`` overrides defaults. ENV carries into stages built FROM another stage.
* A variable whose value cannot be known (an ARG without default, an ENV from the base image) is
  *unknown* (None): whoever judges what depends on it says "unknown", never a guessed verdict.
* COPY/ADD and ``RUN --mount=type=bind`` record where a build-context file lands in the image, so
  ``pip install -r FILE`` can be followed back to the file (:meth:`Build.locate`), through a
  :class:`~pinaudit.analyzers.build_context.BuildContext`; ``COPY --from`` and
  ``--mount=from=`` record paths filled from another stage or image instead.
* ``--from=NAME`` (and ``FROM NAME``) that names a build context (a bake file's ``contexts``,
  ``--build-context NAME=``; :mod:`pinaudit.analyzers.named_contexts`) pulls nothing; a
  ``--from`` name that no image reference could plausibly be is reported as unknown.

This module decides what the build means; it reports nothing. What a build pulls and fetches
comes back as values (:class:`ImagePull`, :class:`AddUrl`) for the analyzer to turn into sites.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

from pinaudit.analyzers.named_contexts import plausible_image
from pinaudit.images import ImageRef, parse_image
from pinaudit.model import Span
from pinaudit.parse.dockerfile import Instruction, expand, parse_key_values
from pinaudit.parse.text import MappedText
from pinaudit.site_context import SiteSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.analyzers.build_context import BuildContext
else:
    from pinaudit._record import NamedTuple

_WINDOWS = re.compile(r"windows|servercore|nanoserver", re.I)
_LINUX_HINT = re.compile(r"alpine|debian|ubuntu|centos|fedora|busybox|python|node|golang", re.I)
_URL = re.compile(r"^(?:https?|ftp)://", re.I)
_GIT_URL = re.compile(r"^(?:git@|git://|https?://.*\.git(?:#|$))", re.I)
# $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}: group 2 says a default follows (compiled on first use)
# a template engine's placeholder (Go/jq templates and Jinja `{{ }}`, Jinja `{% %}`): the file is a
# template and the value is whatever the engine puts there, not the characters of the placeholder
# (`ENV V {{ .[env.variant].version }}` is no apt version glob)
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_VAR_REF = r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?-)?|([A-Za-z_][A-Za-z0-9_]*))"


class ImagePull(NamedTuple):
    """An image the build pulls: FROM, ``COPY --from=``, ``RUN --mount=from=`` (stage names and
    ``scratch`` are not pulls and never come back as one)."""

    raw: str  # the reference as written
    value: str | None  # expanded; None when a build argument without a default decides it
    span: Span
    installer: str  # "FROM", "COPY --from", "RUN --mount=from"
    # FROM only: variables not declared by an ARG before the first FROM (docker build sees them empty)
    undeclared: tuple[str, ...] = ()
    platform: str | None = None  # FROM --platform=, expanded
    source: SiteSource = SiteSource.FROM  # FROM, COPY_FROM or MOUNT_FROM
    # why the reference cannot be judged though its value is known (a name that reads like a
    # build context, not an image); "" when it reads as an image
    note: str = ""


class AddUrl(NamedTuple):
    """``ADD URL``: a download at build time."""

    url: str
    span: Span
    has_checksum: bool  # ADD --checksum=...
    target: str | None  # where it lands in the image (None: the destination is unknown)


class Stage:
    __slots__ = ("base", "copies", "env", "foreign", "index", "name", "npm_local", "origins", "platform", "shell",
                 "workdir")

    def __init__(self, name: str | None, index: int) -> None:
        self.name = name
        self.index = index
        # the image the stage finally builds on (FROM stage chains followed); None: scratch, or unknown
        self.base: ImageRef | None = None
        self.platform: str | None = None  # FROM --platform=, expanded (inherited along a chain)
        self.env: dict[str, str | None] = {}  # ARG and ENV values visible to RUN
        # where a variable's literal value is written (the `1.2.3` of `ARG NUMPY=1.2.3`): a site
        # whose token uses it records that span as its origin, where `fix` writes a version
        self.origins: dict[str, Span] = {}
        self.workdir = "/"
        # image path -> build-context path (file or directory), in COPY order: (dest, source, dest_is_dir)
        self.copies: list[tuple[str, Path, bool]] = []
        self.shell: tuple[str, ...] = ("/bin/sh", "-c")
        self.npm_local: set[str] = set()  # npm packages in this stage's node_modules (npx runs them)
        # image paths filled from another stage or image (COPY --from, RUN --mount=from): (path, from)
        self.foreign: list[tuple[str, str]] = []


class Build:
    """The state of one Dockerfile's build, instruction by instruction."""

    def __init__(self, context: BuildContext, build_args: Mapping[str, str], escape: str,
                 named_contexts: frozenset[str] = frozenset()) -> None:
        self.context = context
        self.build_args = build_args  # --build-arg NAME=VALUE
        self.escape = escape
        # lower-cased names of the build's named contexts (bake `contexts`, --build-context NAME=):
        # BuildKit looks them up before images, so `COPY --from=NAME` pulls nothing
        self.named_contexts = named_contexts
        self.global_args: dict[str, str | None] = {}  # ARGs before the first FROM
        self.stage_names: dict[str, Stage] = {}  # by lower-case name and by index

    def arg_value(self, name: str, default: str | None, scope: Mapping[str, str | None]) -> str | None:
        if name in self.build_args:
            return self.build_args[name]
        if default is None or _TEMPLATE.search(default):
            return None  # declared without a value: whatever the build passes, unknown to us
        return expand(default, scope, self.escape)

    def global_arg(self, instr: Instruction) -> None:
        """An ARG before the first FROM."""
        for name, value, _span in parse_key_values(instr):
            self.global_args[name] = self.arg_value(name, value, self.global_args)

    # -- FROM ------------------------------------------------------------------------------
    def start_stage(self, instr: Instruction, index: int) -> tuple[Stage, ImagePull | None]:
        """A FROM: the new stage, and the image it pulls (None for a stage or ``scratch``)."""
        escape = self.escape
        global_args = self.global_args
        words = split_words(instr.args)
        name: str | None = None
        if len(words) >= 3 and words[1][0].lower() == "as":
            name = words[2][0].lower()
        stage = Stage(name=name, index=index)
        pull: ImagePull | None = None
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
            platform_text = " ".join(v or "" for v, _s in flag_values(instr, "platform"))
            platform = expand(platform_text, global_args, escape) if platform_text else None
            stage.platform = platform or None
            if base is not None:
                stage.base = base.base
                stage.platform = stage.platform or base.platform
                stage.env = {k: v for k, v in base.env.items() if k in base.env}
                stage.workdir = base.workdir
                stage.copies = list(base.copies)
                stage.shell = base.shell
                stage.npm_local = set(base.npm_local)
            elif undeclared := [n for n, has_default in refs if n not in global_args and not has_default]:
                # docker build expands an ARG not declared before the first FROM to "": the reference
                # it builds ('ubuntu:', '/ubuntu:22.04') is not what the author meant, so no verdict
                pull = ImagePull(ref_raw, None, span, "FROM", tuple(dict.fromkeys(undeclared)))
            else:
                pull = self._pull(ref_raw, value, span, "FROM", SiteSource.FROM)
                if pull is not None:
                    pull = pull._replace(platform=stage.platform)
                    if value is not None:
                        stage.base = parse_image(value, stage.platform)
                if _WINDOWS.search(value or ref_raw) or "windows" in platform_text.lower() or (
                    escape == "`" and not _LINUX_HINT.search(value or ref_raw)
                ):
                    # Windows images run RUN through cmd.exe unless SHELL says otherwise
                    stage.shell = ("cmd", "/S", "/C")
        if name:
            self.stage_names[name] = stage
        self.stage_names[str(index)] = stage
        return stage, pull

    def _pull(self, raw: str, value: str | None, span: Span, installer: str, source: SiteSource) -> ImagePull | None:
        if value is None:
            return ImagePull(raw, value, span, installer, source=source)
        name = value.lower()
        if name in self.stage_names or name == "scratch" or value == "" or name in self.named_contexts:
            return None
        note = ""
        if source is not SiteSource.FROM and not plausible_image(value):
            note = ("it is neither a stage of this Dockerfile nor a tagged image: most likely a named build "
                    "context (docker buildx build --build-context, a bake file's contexts) given outside this file")
        return ImagePull(raw, value, span, installer, source=source, note=note)

    # -- stage instructions -----------------------------------------------------------------
    def declare(self, instr: Instruction, stage: Stage) -> None:
        """ARG or ENV inside a stage."""
        kw = instr.keyword
        # BuildKit expands the whole instruction against the variables from before it:
        # `ENV A=2 B=$A` gives B the old A
        before = dict(stage.env)
        for name, value, pair in parse_key_values(instr):
            origin = _value_origin(name, value, pair) if name not in self.build_args else None
            if origin is None:
                stage.origins.pop(name, None)
            else:
                stage.origins[name] = origin
            if kw == "ENV":
                stage.env[name] = expand(value, before, self.escape) if value is not None else None
                if value is not None and _TEMPLATE.search(value):
                    stage.env[name] = None
            elif value is None and name in self.global_args and name not in self.build_args:
                stage.env[name] = self.global_args[name]
            else:
                stage.env[name] = self.arg_value(name, value, before)

    def workdir(self, instr: Instruction, stage: Stage) -> None:
        value = expand(instr.args.text.strip(), stage.env, self.escape)
        if value is not None:
            stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, value))

    @staticmethod
    def shell(instr: Instruction, stage: Stage) -> None:
        if instr.json_args:
            stage.shell = tuple(a for a, _s in instr.json_args)

    def copy(self, instr: Instruction, stage: Stage) -> list[ImagePull | AddUrl]:
        """COPY or ADD: the COPY map grows; the images (``--from``) and URLs it fetches, in order."""
        escape = self.escape
        out: list[ImagePull | AddUrl] = []
        from_flags = flag_values(instr, "from")
        for value, span in from_flags:
            if value is not None:
                ref = expand(value, stage.env, escape)
                if ref is None or not ref.isdigit():
                    pull = self._pull(value, ref, _flag_value_span(span, "from"), f"{instr.keyword} --from",
                                      SiteSource.COPY_FROM)
                    if pull is not None:
                        out.append(pull)
        if instr.json_args is not None:
            words = [(a, s) for a, s in instr.json_args]
        else:
            words = [(w, instr.args.span(a, b)) for w, a, b in split_words(instr.args)]
        if instr.heredocs or len(words) < 2:
            return out
        *sources, (dest_raw, _dspan) = words
        dest = expand(dest_raw, stage.env, escape)
        checksum = flag_values(instr, "checksum")
        for src_raw, span in sources:
            src = expand(src_raw, stage.env, escape) or src_raw
            if instr.keyword == "ADD" and (_URL.match(src) or _GIT_URL.match(src)):
                out.append(AddUrl(src, span, bool(checksum), _add_target(src, dest, stage)))
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
            stage.copies.append((dest_abs, self.context.root / src, dest_is_dir))
        return out

    def mounts(self, instr: Instruction, stage: Stage) -> list[ImagePull]:
        """A RUN's ``--mount`` flags: bind mounts join the COPY map; the images ``from=`` pulls."""
        out: list[ImagePull] = []
        for value, span in flag_values(instr, "mount"):
            pull = self._mount(value, span, stage)
            if pull is not None:
                out.append(pull)
        return out

    def _mount(self, value: str | None, span: Span, stage: Stage) -> ImagePull | None:
        if not value:
            return None
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
            pull = None
            ref = expand(src_from, stage.env, self.escape)
            if ref is None or not ref.isdigit():
                pull = self._pull(src_from, ref, _value_span(span, value, from_at), "RUN --mount=from",
                                  SiteSource.MOUNT_FROM)
            target = opts.get("target") or opts.get("dst") or opts.get("destination")
            if target:
                stage.foreign.append((posixpath.normpath(posixpath.join(stage.workdir, target)), src_from))
            return pull
        if opts.get("type", "bind") == "bind":
            target = opts.get("target") or opts.get("dst") or opts.get("destination")
            if target:
                source = opts.get("source") or opts.get("src") or "."
                dest = posixpath.normpath(posixpath.join(stage.workdir, target))
                root = self.context.root
                is_dir = not self.context.is_file(root / source)
                stage.copies.append((dest, root / source, is_dir))
        return None

    # -- the COPY map ------------------------------------------------------------------------
    def locate(self, written: str, stage: Stage) -> Path | None:
        """The build-context file behind an image path, through COPY/ADD/bind mounts (last wins)."""
        context = self.context
        image_path = posixpath.normpath(posixpath.join(stage.workdir, written))
        for dest, src, dest_is_dir in reversed(stage.copies):
            if any(c in src.name for c in "*?["):
                if posixpath.dirname(image_path) == dest.rstrip("/") or dest == posixpath.dirname(image_path):
                    cand = src.parent / posixpath.basename(image_path)
                    if fnmatch.fnmatch(cand.name, src.name) and context.is_file(cand):
                        return cand
                continue
            if dest_is_dir or context.is_dir(src):
                base = dest.rstrip("/") or "/"
                if image_path == base:
                    continue
                prefix = base if base.endswith("/") else base + "/"
                if image_path.startswith(prefix):
                    rel = image_path[len(prefix):]
                    hit: Path | None = (src / rel) if context.is_dir(src) else (src if src.name == rel else None)
                    if hit is not None and context.is_file(hit):
                        return hit
            elif image_path == dest and context.is_file(src):
                return src
        # no COPY says where it came from: try the path as written, relative to the context
        root = context.root
        for cand in (root / written.lstrip("/"), root / posixpath.basename(written)):
            if (not written.startswith("/") or cand.name == posixpath.basename(written)) and context.is_file(cand):
                return cand
        return None

    @staticmethod
    def origin(written: str, stage: Stage) -> str | None:
        """The stage or image an image path was filled from (COPY --from, RUN --mount=from), if any."""
        image_path = posixpath.normpath(posixpath.join(stage.workdir, written))
        for dest, origin in reversed(stage.foreign):
            if image_path == dest or image_path.startswith(dest.rstrip("/") + "/"):
                return origin
        return None


def _references(word: str) -> list[tuple[str, bool]]:
    """The variables a FROM reference uses, each with whether it comes with a default."""
    return [(m.group(1) or m.group(3), bool(m.group(2))) for m in re.finditer(_VAR_REF, word)]


def _add_target(url: str, dest: str | None, stage: Stage) -> str | None:
    """Where ``ADD URL DEST`` puts the file in the image."""
    if dest is None:
        return None
    target = posixpath.normpath(posixpath.join(stage.workdir, dest))
    if dest.endswith("/"):
        target = posixpath.join(target, posixpath.basename(url.split("?")[0]))
    return target


def flag_values(instr: Instruction, name: str) -> list[tuple[str | None, Span]]:
    """The values of an instruction's ``--name`` flags, with the flags' spans."""
    return [(f.value, f.span) for f in instr.flags if f.name == name]


def split_words(text: MappedText) -> list[tuple[str, int, int]]:
    """Whitespace-separated words of an instruction's arguments with their offsets."""
    return [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text.text)]


def _value_origin(name: str, value: str | None, pair: Span) -> Span | None:
    """The span of a literal ``value`` in a one-line ``name=value`` pair (quotes excluded); None
    when it is computed from other variables, absent, or not laid out character for character."""
    if value is None or "$" in value or "\\" in value or pair.line != pair.end_line:
        return None
    if pair.end - pair.start != len(name) + 1 + len(value):
        return None
    start, end = len(name) + 1, len(name) + 1 + len(value)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        start, end = start + 1, end - 1
    return pair.sub(start, end)


def _flag_value_span(span: Span, name: str) -> Span:
    """The span of the value part of ``--name=value`` (the flag's own span starts at the dashes)."""
    skip = len(name) + 3
    if span.line == span.end_line and span.column + skip < span.end_column:
        return span.sub(skip, span.end_column - span.column)
    return span


def _value_span(flag: Span, value: str, part: tuple[int, int] | None) -> Span:
    """The span of ``value[part]`` inside a one-line ``--name=value`` flag (the image of
    ``--mount=type=bind,from=alpine:3.19``); the whole flag when it is not that simple."""
    if part is None or flag.line != flag.end_line:
        return flag
    prefix = flag.end_column - flag.column - len(value)  # "--mount="
    if prefix < 3:
        return flag
    return flag.sub(prefix + part[0], prefix + part[1])
