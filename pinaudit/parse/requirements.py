"""pip requirements files, read the way pip's own ``req_file.py`` reads them.

Line handling follows pip exactly, in pip's order: ``\\`` continuations are joined (a comment
line ends a continuation), comments (``#`` at the start or after whitespace) are removed, then the
line is split into the requirement (tokens before the first one starting with ``-``) and options,
which go through pip's option table (optparse semantics: ``--opt=v``, ``--opt v``, ``-rFILE``,
unique long-option prefixes). Anything pip would reject becomes an error with its physical span,
so the rest of the file is still audited.

:func:`classify_requirement` is the one place that decides how firmly a pip requirement string
pins what it fetches; the pip command-line installer shares it so ``pip install X`` and a
requirements line ``X`` always get the same verdict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pinaudit.model import Pin, Span
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.spec_range import pip_spec_range
from pinaudit.parse.text import MappedText, MappedTextBuilder
from pinaudit.site_context import RequirementParts
from pinaudit.vcs_refs import has_hash_fragment, reference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from packaging.requirements import Requirement
else:
    from pinaudit._record import NamedTuple

__all__ = [
    "Entry",
    "Include",
    "ParsedFile",
    "ParsedRequirement",
    "classify_requirement",
    "normalize_name",
    "parse_requirement",
    "parse_requirements_text",
]

_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)\}")  # pip expands only this POSIX-ish form
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
# `name` or `name==1.2.3`: most entries, judged exactly as packaging would without constructing a
# Requirement (a third of requirements-parsing time) or importing packaging (startup)
_SIMPLE_REQ = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:==([0-9]+(?:\.[0-9]+)*))?")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")
_ALLOWED_HASHES = ("sha256", "sha384", "sha512")

# pip's requirements-file options: long name -> (takes a value, allowed on a requirement line).
# SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ of pip/_internal/req/req_file.py (plus options
# older pips accepted, which newer ones reject with a clear error rather than ignore).
_LONG: dict[str, tuple[bool, bool]] = {
    "--index-url": (True, False),
    "--extra-index-url": (True, False),
    "--no-index": (False, False),
    "--constraint": (True, False),
    "--requirement": (True, False),
    "--editable": (True, False),
    "--find-links": (True, False),
    "--no-binary": (True, False),
    "--only-binary": (True, False),
    "--prefer-binary": (False, False),
    "--require-hashes": (False, False),
    "--pre": (False, False),
    "--trusted-host": (True, False),
    "--use-feature": (True, False),
    "--global-option": (True, True),
    "--hash": (True, True),
    "--config-settings": (True, True),
}
_INDEX_OPTIONS = frozenset({"--index-url", "--extra-index-url", "--find-links", "--no-index", "--pre"})
_SHORT = {"-i": "--index-url", "-c": "--constraint", "-r": "--requirement", "-e": "--editable", "-f": "--find-links"}


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: ``Foo_Bar.baz`` and ``foo-bar-baz`` are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


class ParsedRequirement(NamedTuple):
    """What one pip requirement string fetches, and how firmly it fixes it."""

    name: str | None  # the project name as written (None for a bare local path or nameless URL)
    pin: Pin
    version: str | None
    detail: str
    kind: str  # "name", "url", "vcs", "local", "invalid", "unknown"
    error: str | None = None  # pip would reject the string: why
    name_start: int = 0  # offsets of the name (or of the whole token when nameless) in the text
    name_end: int = 0
    parts: RequirementParts | None = None  # the requirement taken apart (None when unknown or invalid)


def _expand(text: str, env: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        value = env.get(m.group("name"))
        if value is None:
            missing.append(m.group("name"))
            return m.group(0)
        return value

    return _ENV_VAR.sub(sub, text), tuple(missing)


def _looks_local(text: str) -> bool:
    """pip's test for a path rather than a project name (``_looks_like_path`` + archives)."""
    head = text.split(";", 1)[0].strip()
    head = re.sub(r"\[[^\]]*\]$", "", head)  # ./pkg[extra]
    if head.startswith((".", "/", "~")) or "/" in head or "\\" in head:
        return True
    return head.lower().endswith(_ARCHIVE)


def _classify_url(url: str, name: str | None, hashed: bool) -> tuple[str | None, Pin, str | None, str, str]:
    """(name, pin, version, detail, kind) for a direct or VCS URL: the one policy for references
    (:mod:`pinaudit.vcs_refs`), which the command-line installer applies too."""
    if url.split(":", 1)[0].lower() == "file":
        return name, Pin.LOCAL, None, "local file URL", "local"
    ref = reference(url, "pip", name=name, hashed=hashed)
    if ref is None:  # `-e vcs+...` without '://' that is no VCS pip knows
        return name, Pin.UNPINNED, None, "not a URL pip can install", "url"
    return ref.name, ref.pin, ref.version, ref.detail, ref.kind


def parse_requirement(
    text: str, *, env: Mapping[str, str] | None = None, hashed: bool = False, editable: bool = False
) -> ParsedRequirement:
    """Classify one requirement string as pip reads it (``requests>=2``, ``x @ url``, ``./pkg``).

    Never raises: a string pip would reject comes back with ``kind="invalid"`` and ``error`` set.
    ``hashed``: the entry carries ``--hash`` (a direct URL is then immutable). ``env``: values for
    ``${VAR}`` (pip expands them from the environment); an unset one makes the verdict UNKNOWN.
    """
    raw = text
    lead = len(raw) - len(raw.lstrip())
    stripped = raw.strip()
    end_tok = lead + (len(stripped.split(None, 1)[0]) if stripped else 0)
    expanded, missing = _expand(raw, env if env is not None else {})
    m_name = _NAME.match(raw, lead)
    name_guess = m_name.group(0) if m_name else None
    n_start, n_end = (m_name.start(), m_name.end()) if m_name else (lead, end_tok)
    if missing:
        var = ", ".join(f"${{{v}}}" for v in missing)
        url = raw.strip()
        m_url = _URL.match(url)
        unhashed = not hashed and not has_hash_fragment(url)
        if m_url and "+" not in m_url.group("scheme"):
            # whatever the variable holds: without a hash fragment a direct URL is not pinned, and
            # with one pip checks the bytes it gets
            if unhashed:
                return ParsedRequirement(
                    None, Pin.UNPINNED, None, f"a direct URL without a #sha256= fragment; it also depends on {var}",
                    "url", None, lead, end_tok,
                )  # fmt: skip
            return ParsedRequirement(None, Pin.IMMUTABLE, None, "direct URL with a hash", "url", None, lead, end_tok)
        return ParsedRequirement(
            name_guess if name_guess and not raw[lead:].startswith("$") and not m_url else None,
            Pin.UNKNOWN, None, f"depends on {var}, which is not set", "unknown", None, n_start, n_end,
        )  # fmt: skip
    s = expanded.strip()
    if not s:
        return ParsedRequirement(None, Pin.UNKNOWN, None, "empty requirement", "invalid", "empty requirement")
    # a URL or path: pip builds a link. Markers on a URL need '; ' after whitespace
    url_part = re.split(r"\s+;", s, maxsplit=1)[0].strip() if _URL.match(s) else s
    if _URL.match(url_part) or (editable and "+" in url_part.split(":", 1)[0] and ":" in url_part):
        name, pin, version, detail, kind = _classify_url(url_part, None, hashed)
        marker = s[len(url_part):].strip().lstrip(";").strip() or None
        return ParsedRequirement(name, pin, version, detail, kind, None, lead, end_tok,
                                 RequirementParts(s, name, marker=marker, url=url_part))
    if "@" not in s.split(";", 1)[0] and _looks_local(s):
        head = re.sub(r"\[[^\]]*\]$", "", s.split(";", 1)[0].strip())
        fname = head.rsplit("/", 1)[-1]
        name = fname.split("-", 1)[0] if fname.endswith(".whl") else None
        return ParsedRequirement(name, Pin.LOCAL, None, f"local path {head}", "local", None, lead, end_tok,
                                 RequirementParts(s, name, url=head))
    if editable:
        # pip accepts '-e NAME' when NAME is a directory of the working directory at install time
        return ParsedRequirement(None, Pin.LOCAL, None, f"local directory {s}", "local", None, lead, end_tok,
                                 RequirementParts(s, None, url=s))
    simple = _SIMPLE_REQ.fullmatch(s)
    if simple:
        if simple.group(2):
            return ParsedRequirement(simple.group(1), Pin.EXACT, simple.group(2), "", "name", None, n_start, n_end,
                                     RequirementParts(s, simple.group(1), f"=={simple.group(2)}"))
        return ParsedRequirement(simple.group(1), Pin.UNPINNED, None, "no version", "name", None, n_start, n_end,
                                 RequirementParts(s, simple.group(1)))
    from packaging.requirements import InvalidRequirement

    try:
        req = pep508(s)
    except InvalidRequirement as exc:
        msg = str(exc).splitlines()[0]
        return ParsedRequirement(name_guess, Pin.UNKNOWN, None, "invalid requirement", "invalid", msg, n_start, n_end)
    parts = requirement_parts(s, req)
    if req.url:
        _name, pin, version, detail, kind = _classify_url(req.url, req.name, hashed)
        return ParsedRequirement(req.name, pin, version, detail, kind, None, n_start, n_end, parts)
    specs = list(req.specifier)
    for sp in specs:
        if sp.operator == "===" or (sp.operator == "==" and "*" not in sp.version):
            return ParsedRequirement(req.name, Pin.EXACT, sp.version, "", "name", None, n_start, n_end, parts)
    # the rule's message already quotes the spec: a detail only for what it does not say
    detail = "a wildcard admits many versions" if any(sp.operator == "==" for sp in specs) else ""
    return ParsedRequirement(req.name, Pin.UNPINNED, None, detail, "name", None, n_start, n_end, parts)


def requirement_parts(raw: str, req: Requirement) -> RequirementParts:
    """The site model's view of a requirement ``packaging`` has parsed (never parsed again)."""
    return RequirementParts(
        raw, req.name, str(req.specifier), tuple(sorted(req.extras)),
        str(req.marker) if req.marker is not None else None, req.url,
    )  # fmt: skip


def pep508(text: str) -> Requirement:
    """``packaging.requirements.Requirement(text)``, quietly.

    packaging reads marker strings with ``ast.literal_eval``, so a stray backslash in one
    (``; python_version == "\\8"``) makes Python print a SyntaxWarning in the middle of a scan.
    Raises ``InvalidRequirement`` like packaging does.
    """
    import warnings

    from packaging.requirements import Requirement

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return Requirement(text)


def classify_requirement(text: str) -> tuple[str | None, Pin, str | None, str]:
    """(name, pin, version, detail) of a pip requirement string; a ``${VAR}`` is unknown (pip takes
    it from the build's environment, not the one auditing it).

    EXACT for ``==X`` (no ``*``) and ``===X``; UNPINNED for bare names, ranges, ``~=``, ``!=``,
    ``==1.*``; VCS and direct URLs by the one policy for references (:mod:`pinaudit.vcs_refs`:
    IMMUTABLE at a full commit id or with a hash, EXACT at a tag or a versioned file name, else
    UNPINNED); local paths and wheel files are LOCAL; an
    unset ``${VAR}`` or a string pip rejects is UNKNOWN (the detail says why).
    """
    r = parse_requirement(text, env={})
    detail = r.error if r.error else r.detail
    return r.name, r.pin, r.version, detail


# ---------------------------------------------------------------------------------------------
# the file grammar


class Entry(NamedTuple):
    """One requirement (or ``-e`` editable) of a requirements file."""

    text: str  # the requirement as written, without options
    requirement: ParsedRequirement
    span: Span  # the name token (the whole token when nameless)
    first_line: int
    last_line: int
    editable: bool = False
    hashes: tuple[str, ...] = ()
    option_text: str = ""
    spec_span: Span | None = None  # the specifier as written, or the insertion point after name/extras


class Include(NamedTuple):
    """``-r FILE`` (kind "requirement") or ``-c FILE`` (kind "constraint")."""

    kind: str
    target: str  # as written, variables expanded
    span: Span  # the file argument
    line: int
    unresolved: tuple[str, ...] = ()


class ParsedFile:
    __slots__ = ("comments", "entries", "errors", "includes", "index_options", "require_hashes")

    def __init__(
        self,
        entries: list[Entry] | None = None,
        includes: list[Include] | None = None,
        require_hashes: bool = False,
        errors: list[tuple[Span, str]] | None = None,
        comments: list[tuple[int, int, int, str, bool]] | None = None,
    ) -> None:
        self.entries: list[Entry] = [] if entries is None else entries
        self.includes: list[Include] = [] if includes is None else includes
        self.require_hashes = require_hashes
        self.errors: list[tuple[Span, str]] = [] if errors is None else errors
        # (first_line, last_line, comment_line, comment text, comment-only line) of every comment
        self.comments: list[tuple[int, int, int, str, bool]] = [] if comments is None else comments
        # the file's own index options, in order: (--index-url / --extra-index-url / --find-links /
        # --no-index / --pre, value or None)
        self.index_options: list[tuple[str, str | None]] = []


def _logical_lines(text: str) -> list[tuple[MappedText, int, int]]:
    """pip's ``join_lines``: (logical text, first physical line, last physical line)."""
    out: list[tuple[MappedText, int, int]] = []
    builder: MappedTextBuilder | None = None
    first = 0
    # lines as the one line index counts them (str.splitlines() would also break at \v, \f,
    # \x85, \u2028... and move every later line)
    index = LineIndex(text)
    starts = index.starts
    nlines = len(starts) - 1 if starts[-1] == len(text) and len(starts) > 1 else len(starts)
    for k in range(nlines):
        lineno = k + 1
        at = starts[k]
        line = text[at : starts[k + 1] if k + 1 < len(starts) else len(text)].rstrip("\r\n")
        is_comment = _COMMENT.match(line) is not None
        if not line.endswith("\\") or is_comment:
            if builder is not None:
                if is_comment:
                    builder.add_synthetic(" ")
                builder.add(line, at)
                out.append((builder.build(), first, lineno))
                builder = None
            else:
                out.append((MappedText.plain(line, index, at), lineno, lineno))
        else:
            if builder is None:
                builder = MappedTextBuilder(index)
                first = lineno
            # pip strips every backslash at both ends of the piece
            body = line.strip("\\")
            lead = len(line) - len(line.lstrip("\\"))
            builder.add(body, at + lead)
    if builder is not None:
        mt = builder.build()
        out.append((mt, first, mt.position(max(len(mt.text) - 1, 0))[0]))
    return out


def _spec_of(written: str, r: ParsedRequirement) -> tuple[int, int]:
    """Offsets in ``written`` of the specifier (after the name and extras, before the marker)."""
    if not r.name or r.name_end <= r.name_start or r.kind == "local":
        return len(written), len(written)
    return pip_spec_range(written, r.name_end)


def _match_long(opt: str) -> tuple[str | None, str | None]:
    """optparse long-option lookup with unique prefixes: (canonical, error)."""
    if opt in _LONG:
        return opt, None
    cands = [o for o in _LONG if o.startswith(opt)]
    if len(cands) == 1:
        return cands[0], None
    if not cands:
        return None, f"no such option: {opt}"
    return None, f"ambiguous option: {opt} ({', '.join(cands)}?)"


def _tokens(text: str, start: int) -> list[tuple[str, int, int]]:
    """Whitespace-separated tokens of text[start:] with their offsets; quotes group (shlex-ish)."""
    out: list[tuple[str, int, int]] = []
    i, n = start, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        j = i
        buf: list[str] = []
        while j < n and not text[j].isspace():
            c = text[j]
            if c in "'\"":
                k = text.find(c, j + 1)
                if k == -1:
                    raise ValueError("No closing quotation")
                buf.append(text[j + 1 : k])
                j = k + 1
            else:
                buf.append(c)
                j += 1
        out.append(("".join(buf), i, j))
        i = j
    return out


def parse_requirements_text(text: str, env: Mapping[str, str] | None = None) -> ParsedFile:
    """Parse a requirements file's text. Never raises; what pip rejects lands in ``errors``."""
    env = env if env is not None else {}
    result = ParsedFile()
    for mt, first, last in _logical_lines(text):
        line = mt.text
        cm = _COMMENT.search(line)
        if cm:
            comment = line[cm.start() :].strip()
            own = not line[: cm.start()].strip()
            result.comments.append((first, last, mt.position(cm.start() + len(cm.group(1)))[0], comment, own))
            line = line[: cm.start()]
        if not line.strip():
            continue
        # pip: the requirement is every token before the first one that starts with '-'
        m = re.search(r"(?:^|\s)-", line)
        req_end = m.start() if m else len(line)
        req_text = line[:req_end]
        opt_start = req_end
        try:
            toks = _tokens(line, opt_start)
        except ValueError as exc:
            result.errors.append((mt.span(opt_start, len(line)), f"cannot split options: {exc}"))
            continue
        options: list[tuple[str, str | None, int, int]] = []  # (canonical, value, start, end of value)
        bad = False
        stray = False
        k = 0
        while k < len(toks):
            tok, ts, te = toks[k]
            k += 1
            name: str | None
            value: str | None = None
            vs, ve = ts, te
            if tok.startswith("--"):
                opt, _, inline = tok.partition("=")
                name, err = _match_long(opt)
                if name is None:
                    result.errors.append((mt.span(ts, te), err or f"no such option: {opt}"))
                    bad = True
                    break
                if "=" in tok:
                    value = inline
                    vs = ts + len(opt) + 1
            elif tok.startswith("-") and len(tok) >= 2:
                short = tok[:2]
                if short not in _SHORT:
                    result.errors.append((mt.span(ts, te), f"no such option: {short}"))
                    bad = True
                    break
                name = _SHORT[short]
                if len(tok) > 2:
                    value = tok[2:]
                    vs = ts + 2
            else:
                # optparse leaves stray words as positionals and pip drops them silently:
                # 'google - auth' installs 'google'. Worth a word, but the entry stands.
                if not stray:
                    result.errors.append((mt.span(ts, te), f"pip ignores {tok!r} and what follows it as stray words"))
                stray = True
                continue
            takes_value, per_req = _LONG[name]
            if takes_value and value is None:
                if k >= len(toks):
                    result.errors.append((mt.span(ts, te), f"{name} option requires an argument"))
                    bad = True
                    break
                value, vs, ve = toks[k]
                k += 1
            elif not takes_value and value is not None:
                result.errors.append((mt.span(ts, te), f"{name} option does not take a value"))
                bad = True
                break
            if req_text.strip() and not per_req:
                continue  # pip parses it, then ignores it: only per-requirement options apply
            options.append((name, value, vs, ve))
        if bad:
            continue
        hashes: list[str] = []
        for name, value, vs, ve in options:
            if name == "--hash" and value is not None:
                algo, _, digest = value.partition(":")
                if algo not in _ALLOWED_HASHES or not re.fullmatch(r"[0-9a-fA-F]+", digest or ""):
                    result.errors.append(
                        (mt.span(vs, ve), f"invalid --hash {value!r}: use sha256:, sha384: or sha512: and hex")
                    )
                else:
                    hashes.append(value)
            elif name == "--require-hashes":
                result.require_hashes = True
            elif name in _INDEX_OPTIONS:
                result.index_options.append((name, _expand(value, env)[0] if value is not None else None))
            elif name in ("--requirement", "--constraint") and value is not None:
                target, missing = _expand(value, env)
                result.includes.append(
                    Include(name[2:], target, mt.span(vs, ve), mt.position(vs)[0], missing)
                )
            elif name == "--editable" and value is not None:
                r = parse_requirement(value, env=env, editable=True)
                sa, sb = _spec_of(value, r)
                result.entries.append(
                    Entry(value, r, mt.span(vs + r.name_start, vs + r.name_end) if r.kind != "local"
                          else mt.span(vs, ve), mt.position(vs)[0], last, editable=True,
                          spec_span=mt.span(vs + sa, vs + sb))
                )  # fmt: skip
                if r.error:
                    result.errors.append((mt.span(vs, ve), r.error))
        if req_text.strip():
            lead = len(req_text) - len(req_text.lstrip())
            written = req_text.strip()
            r = parse_requirement(written, env=env, hashed=bool(hashes))
            span = mt.span(lead + r.name_start, lead + r.name_end)
            sa, sb = _spec_of(written, r)
            result.entries.append(
                Entry(written, r, span, span.line, last, hashes=tuple(hashes),
                      option_text=line[opt_start:].strip(), spec_span=mt.span(lead + sa, lead + sb))
            )  # fmt: skip
            if r.error:
                result.errors.append((mt.span(lead, lead + len(written)), r.error))
        elif hashes:
            result.errors.append((mt.span(0, len(line)), "--hash given without a requirement"))
    return result
