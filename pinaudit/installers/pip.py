"""pip in all its spellings: pip, pip3, pip3.12, ``python3.11 -m pip``, ``uv pip``, pipx, ``uv tool``.

Quirks that decide a verdict:

* Only ``==X`` (without ``*``) and ``===X`` fix a version. ``~=``, ranges, ``!=`` and ``==1.*`` let
  the index decide, and so does a bare name: ``pip install -U pip`` installs whatever is newest.
  ``--upgrade`` does not loosen an exact pin (``-U pip==24.1.2`` installs 24.1.2).
* An unquoted ``pip install foo>=1`` never reaches pip as a range: the shell makes ``>=1`` a
  redirection, and pip sees a bare ``foo`` (the shell layer has already done that for us).
* ``-c FILE`` constrains every requirement of the run: what FILE pins exactly is pinned.
* VCS and direct URLs follow the one policy for references (:mod:`pinaudit.vcs_refs`): a full
  commit id or a ``#sha256=`` fixes the bytes, a tag or a versioned file name only the name.
  ``git+ssh://git@host/...``: that ``@`` is the user part of the address, not a ref.
* ``.``, ``-e .``, paths and wheel/sdist files come from the build context, not the index, but
  their own dependencies still resolve at build time (PIN204, info).
* ``pip download`` and ``pip wheel`` fetch without installing; the install that uses their output
  is judged where it happens (``--no-index --find-links DIR`` reads a local directory).
* pipx and ``uv tool install`` put each tool in its own environment with no lock file governing
  it: a global install. ``uvx`` and ``uv tool`` spell a version as ``tool@1.2.3``.

``packaging`` is imported lazily: it costs ~70 ms, and pre-commit hooks start often.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pinaudit.installers._common import (
    Args,
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    variable_site,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.site_context import ConstraintFile, PipIndex, RequirementParts
from pinaudit.vcs_refs import reference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word
else:
    from pinaudit._record import NamedTuple

COMMANDS: frozenset[str] = commands_of("pip")

# pip (global and install options) and `uv pip install`, which accepts most of pip's and its own
FLAGS = flags(
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--platform",
    "--python-version", "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy",
    "-C", "--config-settings", "--config-setting", "--global-option", "--install-option", "--build-option",
    "--no-binary", "--only-binary", "--progress-bar", "--root-user-action", "--report", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "--log", "--log-file", "--proxy", "--retries", "--timeout",
    "--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature",
    "--use-deprecated", "--keyring-provider", "--python", "--group", "--resume-retries",
    "--uploaded-prior-to", "--dependency-groups",
    # uv pip (its own spellings: --requirements/--constraints are -r/-c; global options too)
    "--requirements", "--constraints", "--python-preference", "--exclude-newer-package", "--fork-strategy",
    "--config-settings-package", "--no-sources-package", "--cache-dir",
    "-p", "--index", "--default-index", "--override", "--overrides", "-b", "--build-constraint",
    "--build-constraints", "--exclude-newer", "--resolution", "--prerelease", "--index-strategy",
    "--python-platform", "--link-mode", "--refresh-package", "-P", "--upgrade-package",
    "--no-build-isolation-package", "--reinstall-package", "--extra", "--torch-backend", "--color",
    "--directory", "--project", "--config-file", "--allow-insecure-host", "--excludes", "--no-build-package",
    "--no-binary-package",
)
PIPX_FLAGS = flags(
    "--python", "--pip-args", "-i", "--index-url", "--suffix", "--spec", "--preinstall",
    "--backend", "--with", "-w", "--from", "--constraints", "--exclude-newer", "--index", "--default-index",
    "-p", "--extra-index-url", "--directory", "--color", "--cache-dir", "--config-file",
)

_PIP_NAME = re.compile(r"pip(\d+(\.\d+)?)?")
_PYTHON_NAME = re.compile(r"python(\d+(\.\d+)?)?[mtw]?")
_PYTHON_VALUE_FLAGS = frozenset({"-W", "-X", "--check-hash-based-pycs"})
_NAME_AT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*@\s*(\S.*)")
_VCS = re.compile(r"(git|hg|svn|bzr)\+")
# `name` or `name==1.2.3`: most requirements on command lines, judged exactly as packaging would
# without importing it (packaging costs a one-file run ~30 ms of startup)
_SIMPLE_REQ = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:==([0-9]+(?:\.[0-9]+)*))?")
_ARCHIVE = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")


def handles(name: str) -> bool:
    """Program names this module may own (versioned pips and pythons included)."""
    return name in COMMANDS or bool(_PIP_NAME.fullmatch(name) or _PYTHON_NAME.fullmatch(name))


class Classified(NamedTuple):
    """What one requirement as written pins."""

    package: str | None
    pin: Pin
    version: str | None = None
    detail: str = ""
    by_name: bool = False  # a plain requirement: a constraints file may pin it
    parts: RequirementParts | None = None  # the requirement taken apart


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_local(s: str) -> bool:
    return (s.startswith((".", "/", "~")) or "/" in s or "\\" in s
            or s.lower().endswith(_ARCHIVE))


def _reference(s: str, package: str | None) -> Classified:
    """A VCS or direct URL, judged by the one policy for references (:mod:`pinaudit.vcs_refs`)."""
    if s.startswith("file:"):
        return Classified(package or s, Pin.LOCAL)
    ref = reference(s, "pip", name=package)
    if ref is None:
        return Classified(package or s, Pin.UNPINNED, detail="not a URL pip can install")
    return Classified(ref.name or s, ref.pin, ref.version, ref.detail)


def classify(text: str) -> Classified:
    """Judge one requirement as pip receives it (``requests``, ``x==1.2``, ``x @ URL``, a path)."""
    c = _classify(text)
    if c.parts is not None or c.detail.startswith("not a valid"):
        return c
    s = text.strip()  # a bare URL, VCS reference or path: the reference is the whole string
    return c._replace(parts=RequirementParts(s, c.package if c.package != s else None, url=s))


def _classify(text: str) -> Classified:
    s = text.strip()
    if s.split("[", 1)[0] in (".", "./"):
        return Classified(None, Pin.LOCAL, detail="the local project: its dependencies resolve at build time",
                          parts=RequirementParts(s, None, url=s))
    m = _NAME_AT.fullmatch(s)
    if m and ("://" in m.group(3) or m.group(3).startswith("file:")):
        target, _, marker = m.group(3).partition(";")
        target = target.strip()
        extras = tuple(sorted(e.strip() for e in (m.group(2) or "").strip("[]").split(",") if e.strip()))
        parts = RequirementParts(s, m.group(1), "", extras, marker.strip() or None, target)
        return _reference(target, m.group(1))._replace(parts=parts)
    if _VCS.match(s) or "://" in s or s.startswith("file:"):
        return _reference(s, None)
    if _is_local(s):
        return Classified(s, Pin.LOCAL, detail="a local path: its dependencies resolve at build time")
    simple = _SIMPLE_REQ.fullmatch(s)
    if simple:
        if simple.group(2):
            return Classified(simple.group(1), Pin.EXACT, simple.group(2),
                              parts=RequirementParts(s, simple.group(1), f"=={simple.group(2)}"))
        return Classified(simple.group(1), Pin.UNPINNED, by_name=True, parts=RequirementParts(s, simple.group(1)))
    from packaging.requirements import InvalidRequirement

    from pinaudit.parse.requirements import pep508, requirement_parts

    try:
        req = pep508(s)
    except InvalidRequirement as e:
        return Classified(s, Pin.UNPINNED, detail=f"not a valid requirement ({e})")
    parts = requirement_parts(s, req)
    specs = list(req.specifier)
    for sp in specs:
        if sp.operator == "===" or (sp.operator == "==" and "*" not in sp.version):
            return Classified(req.name, Pin.EXACT, sp.version, parts=parts)
    if not specs:
        return Classified(req.name, Pin.UNPINNED, by_name=True, parts=parts)
    if any("*" in sp.version for sp in specs):
        return Classified(req.name, Pin.UNPINNED, detail=f"{req.specifier} matches a series of releases",
                          by_name=True, parts=parts)
    return Classified(req.name, Pin.UNPINNED, detail=f"{req.specifier} is a range", by_name=True, parts=parts)


def invocation(cmd: Command) -> tuple[str, list[Word]] | None:
    """(installer label, the words after ``pip``) when ``cmd`` runs pip, else None."""
    name = cmd.name
    words = split_fields(cmd.argv[1:])
    if _PIP_NAME.fullmatch(name):
        return name, words
    if name == "uv" and words and words[0].value == "pip":
        return "uv pip", words[1:]
    if _PYTHON_NAME.fullmatch(name):
        i = 0
        while i < len(words):
            v = words[i].value
            if v is None or not v.startswith("-") or v in ("-c", "-"):
                return None  # a script, code or stdin: not pip
            if v == "-m" or v.startswith("-m"):
                module = v[2:] if len(v) > 2 else (words[i + 1].value if i + 1 < len(words) else None)
                skip = 1 if len(v) > 2 else 2
                if module == "pip":
                    return f"{name} -m pip", words[i + skip:]
                return None
            i += 2 if v in _PYTHON_VALUE_FLAGS else 1
    return None


def _constraint_maps(args: Args, ctx: InstallContext) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    known: list[tuple[str, dict[str, str]]] = []
    unreadable: list[str] = []
    for o in args.get("-c", "--constraint", "--constraints"):
        if o.value is None:
            unreadable.append(o.value_word.raw if o.value_word else o.name)
            continue
        found = ctx.read_constraints(o.value)
        if found is None:
            unreadable.append(o.value)
        else:
            known.append((o.value, {canonical(k): v for k, v in found.items()}))
    return known, unreadable


def _local_only(args: Args) -> str | None:
    """With --no-index and only local --find-links, names resolve from a directory in the image."""
    if not args.has("--no-index"):
        return None
    links = [o.value for o in args.get("-f", "--find-links")]
    if links and all(v is not None and "://" not in v for v in links):
        return ", ".join(v for v in links if v)
    return None


_ConstraintMaps = tuple[list[tuple[str, dict[str, str]]], list[str]]  # (file, pins) read; files unreadable
_TRUE = frozenset({"1", "true", "yes", "on", "y"})


def index_config(args: Args, env: Mapping[str, str | None], ctx: InstallContext) -> PipIndex:
    """Where this pip invocation fetches from: ``PIP_*`` variables first, then its own flags (an
    ``-i`` replaces ``PIP_INDEX_URL``; extra indexes and find-links add up, as pip's options do)."""
    index_url = env.get("PIP_INDEX_URL") or None
    extra = list((env.get("PIP_EXTRA_INDEX_URL") or "").split())
    links = list((env.get("PIP_FIND_LINKS") or "").split())
    no_index = (env.get("PIP_NO_INDEX") or "").strip().lower() in _TRUE
    pre = (env.get("PIP_PRE") or "").strip().lower() in _TRUE
    files: list[ConstraintFile] = []
    for o in args.options:
        name, value = o.name, o.value
        if name == "--no-index":
            no_index = True
        elif name in ("--pre", "--prerelease"):
            pre = pre or name == "--pre" or value in ("allow", "explicit", "if-necessary-or-explicit")
        elif value is None:
            continue
        elif name in ("-i", "--index-url", "--default-index"):
            index_url = value
        elif name in ("--extra-index-url", "--index"):
            extra.append(value)
        elif name in ("-f", "--find-links"):
            links.append(value)
        elif name in ("-c", "--constraint", "--constraints"):
            files.append(ConstraintFile(value, ctx.read_constraint_file(value)))
    return PipIndex(index_url, tuple(extra), tuple(links), no_index, pre, tuple(files))


def _requirement_site(word: Word, text: str | None, b: SiteBuilder, args: Args,
                      constraints: _ConstraintMaps) -> InstallSite:
    if text is None:
        return variable_site(b, Action.INSTALL, word, "=<>~!@ ;")
    c = classify(text)
    return _judged_site(word, text, c, b, args, constraints)._replace(requirement=c.parts)


def _judged_site(word: Word, text: str, c: Classified, b: SiteBuilder, args: Args,
                 constraints: _ConstraintMaps) -> InstallSite:
    if c.pin is Pin.UNPINNED and c.by_name and c.package:
        known, unreadable = constraints
        for path, pins in known:
            version = pins.get(canonical(c.package))
            if version:
                return b.site(Action.INSTALL, c.package, text, Pin.EXACT, word, version=version,
                              detail=f"pinned to {version} by constraints file {path}")
        if unreadable:
            return b.site(Action.INSTALL, c.package, text, Pin.UNKNOWN, word,
                          detail=f"constraints file {', '.join(unreadable)} may pin it and could not be read")
        local = _local_only(args)
        if local:
            return b.site(Action.INSTALL, c.package, text, Pin.LOCAL, word,
                          detail=f"resolved from the local --find-links {local} (--no-index)")
    return b.site(Action.INSTALL, c.package, text, c.pin, word, version=c.version, detail=c.detail)


def _pip_install(words: list[Word], b: SiteBuilder, ctx: InstallContext, env: Mapping[str, str | None], *,
                 sync: bool = False) -> list[InstallSite]:
    args = parse(words, FLAGS)
    b.hashed = args.has("--require-hashes")
    b.no_deps = args.has("--no-deps", "--no-dependencies")
    out: list[InstallSite] = []
    constraints = _constraint_maps(args, ctx)  # the -c files, read once for the whole command
    # -r files get them too: pip applies every -c of the invocation to every requirement
    pins = tuple((name, version, path) for path, found in constraints[0] for name, version in found.items())
    for o in args.options:
        vw = o.value_word
        if vw is None:
            continue
        if o.name in ("-r", "--requirement", "--requirements"):
            written = o.value if o.value is not None else vw.raw
            exported = ctx.exported.get(written)
            if exported is not None:  # `uv export -o FILE && pip install -r FILE`: the lockfile's pins
                how, hashed = exported
                out.append(b.site(Action.REQUIREMENTS, None, written, Pin.IMMUTABLE if hashed else Pin.EXACT, vw,
                                  detail=f"written by {how} from the project's lockfile"
                                         + (" with hashes" if hashed else "")))
                continue
            out.append(b.site(Action.REQUIREMENTS, None, written, Pin.UNKNOWN, vw)._replace(constraints=pins))
        elif o.name in ("-e", "--editable"):
            out.append(_requirement_site(vw, o.value, b, args, constraints))
    for w in [*args.positionals, *args.rest]:
        if sync:  # `uv pip sync FILE...`: the files are the requirements, installed exactly
            out.append(b.site(Action.REQUIREMENTS, None, w.value if w.value is not None else w.raw,
                              Pin.UNKNOWN, w))
        else:
            out.append(_requirement_site(w, w.value, b, args, constraints))
    out.sort(key=lambda s: (s.location.span.line, s.location.span.column))
    index = index_config(args, env, ctx)
    return [s._replace(pip_index=index) for s in out]


def _tool_spec(word: Word, b: SiteBuilder) -> InstallSite | None:
    """``uvx ruff@0.4.0`` / ``uv tool install ruff@latest``: uv's name@version spelling."""
    m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)@([^\s/:@]+)", word.value or "")
    if not m:
        return None
    name = m.group(1).split("[", 1)[0]
    if m.group(2) == "latest":
        return b.site(Action.INSTALL, name, word.value, Pin.UNPINNED, word, detail="@latest moves")
    return b.site(Action.INSTALL, name, word.value, Pin.EXACT, word, version=m.group(2))


def _pipx_like(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    words = split_fields(cmd.argv[1:])
    name = cmd.name
    label = name
    if name == "uv":
        if not words or words[0].value != "tool":
            return []
        words, label = words[1:], "uv tool"
    b = SiteBuilder(Ecosystem.PIP, label, ctx.path, global_install=True)
    if name == "uvx":
        verb_value: str | None = "run"
        rest = words
        verb: Word | None = cmd.argv[0]
    else:
        _pre, verb, rest = subcommand(words, PIPX_FLAGS)
        verb_value = verb.value if verb else None
    if verb is None or verb_value is None:
        return []
    if verb_value in ("upgrade-all", "reinstall-all"):
        return [b.site(Action.UPGRADE, None, verb_value, Pin.UNPINNED, verb)]
    if verb_value not in ("install", "inject", "run", "upgrade"):
        return []
    stop = verb_value == "run"  # `pipx run tool ARGS...`: ARGS belong to the tool
    args = parse(rest, PIPX_FLAGS, stop_at_positional=stop)
    targets: list[Word] = [o.value_word for o in args.get("--spec", "--from", "--with", "-w")
                           if o.value_word is not None]
    positionals = list(args.positionals)
    if verb_value == "inject" and positionals:
        positionals = positionals[1:]  # the first names the existing tool environment
    if verb_value == "run" and targets:
        positionals = []  # `--spec X run cmd`: cmd is a program inside X
    targets.extend(positionals)
    out: list[InstallSite] = []
    constraints = _constraint_maps(args, ctx)
    for w in targets:
        site = _tool_spec(w, b) if label != "pipx" else None
        if site is None:
            site = _requirement_site(w, w.value, b, args, constraints)
        if verb_value == "upgrade" and site.pin is Pin.UNPINNED:
            site = b.site(Action.UPGRADE, site.package, site.spec, Pin.UNPINNED, w, detail=site.detail)
        out.append(site)
    return out


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    if cmd.name in ("pipx", "uvx") or (cmd.name == "uv" and len(cmd.argv) > 1 and cmd.argv[1].value == "tool"):
        return _pipx_like(cmd, ctx)
    found = invocation(cmd)
    if found is None:
        return []
    label, words = found
    _pre, verb, rest = subcommand(words, FLAGS)
    if verb is None or verb.value not in ("install", "sync"):
        return []
    b = SiteBuilder(Ecosystem.PIP, label, ctx.path)
    if verb.value == "sync":
        if label != "uv pip":
            return []
        return _pip_install(rest, b, ctx, ctx.command_env(cmd), sync=True)
    return _pip_install(rest, b, ctx, ctx.command_env(cmd))
