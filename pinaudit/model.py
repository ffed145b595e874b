"""The install-site model: the values that flow from the analyzers to the rules and beyond.

Every analyzer (Dockerfile, requirements, package.json, compose, shell script, workflow) turns a
file into :class:`InstallSite` values; rules judge sites and produce :class:`Finding` values;
``simulate``, ``lock`` and ``fix`` consume the same sites. Everything here is immutable so a value
can cross a process boundary (``--jobs``) or be cached without anyone mutating it behind us.

The values are NamedTuples rather than frozen dataclasses: a pre-commit run pays for every class
at import, and a NamedTuple is created several times faster (``x._replace(...)`` replaces
``dataclasses.replace``).
"""

from __future__ import annotations

import enum

from pinaudit.site_context import SiteSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.edits import Edit
    from pinaudit.site_context import BuildPosition, CondaSpec, ImageReference, PipIndex, RequirementParts
else:
    from pinaudit._record import NamedTuple


class Ecosystem(str, enum.Enum):
    APT = "apt"
    APK = "apk"
    YUM = "yum"  # yum, dnf, microdnf, zypper (and tdnf): one RPM family, one ecosystem
    PIP = "pip"
    NPM = "npm"  # npm, yarn, pnpm, npx, corepack
    IMAGE = "image"
    GEM = "gem"
    GO = "go"
    CARGO = "cargo"
    DOWNLOAD = "download"
    CONDA = "conda"  # conda, mamba, micromamba, conda-lock; environment.yml dependencies


def parse_ecosystems(text: str | None, known: tuple[str, ...]) -> frozenset[str] | None:
    """``--ecosystem apt,pip,npm`` (simulate, lock, verify, fix): None when not given; ValueError
    naming what is not one of ``known`` (each command resolves its own set)."""
    if not text:
        return None
    chosen = frozenset(e.strip() for e in text.split(",") if e.strip())
    unknown = sorted(chosen - set(known))
    if unknown:
        raise ValueError(f"--ecosystem: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    return chosen


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use info, warning or error)") from None


class Category(str, enum.Enum):
    UNPINNED = "unpinned"
    UPGRADE = "upgrade"
    MUTABLE_IMAGE = "mutable-image"
    NO_LOCKFILE = "no-lockfile"
    LOCKFILE_DRIFT = "lockfile-drift"
    NO_HASH = "no-hash"
    LOCAL_INSTALL = "local-install"
    UNVERIFIED_DOWNLOAD = "unverified-download"
    MISSING_FILE = "missing-file"
    PARSE_ERROR = "parse-error"


class Action(str, enum.Enum):
    """What a site makes the build do; rules dispatch on it."""

    INSTALL = "install"  # a named package (or image) is fetched
    UPGRADE = "upgrade"  # apt-get upgrade, apk upgrade, yum update, pip install -U <all>...
    LOCKLESS_INSTALL = "lockless-install"  # npm install / yarn / pnpm install without a frozen lockfile
    # npm ci: installs exactly the lockfile (Pin.IMMUTABLE: what a build should do, so no rule judges
    # it); simulate and lock show it resolving to the lockfile's versions at every instant
    LOCKFILE_INSTALL = "lockfile-install"
    REQUIREMENTS = "requirements"  # pip install -r FILE: package None, spec = FILE (variables expanded)
    MANIFEST = "manifest"  # a package.json as a whole (PIN306: dependencies and no lockfile)
    DOWNLOAD_EXEC = "download-exec"  # curl | sh, bash <(curl), downloaded file executed later
    DOWNLOAD = "download"  # ADD <url> (bytes fetched into the image)


class Pin(str, enum.Enum):
    """How firmly a site fixes what it fetches; the ecosystem module decides, rules only read."""

    IMMUTABLE = "immutable"  # the bytes are fixed: hashed requirement, image digest, commit id, checksum
    EXACT = "exact"  # the version is fixed (==1.2.3, pkg=1.2-1, @1.2.3, image:1.2)
    PARTIAL = "partial"  # OS-package wildcard/prefix pin: apt pkg=1.2*, apk pkg~1.2, module streams
    UNPINNED = "unpinned"  # no version, a range, a tag such as latest
    LOCAL = "local"  # a local path (.deb file, pip install ., file: dependency)
    UNKNOWN = "unknown"  # depends on a variable we could not resolve: never guess a verdict


class LockState(str, enum.Enum):
    """For manifest dependencies (package.json): what the lockfile says about this entry."""

    NOT_APPLICABLE = "n/a"
    NO_LOCKFILE = "no-lockfile"
    LOCKED = "locked"  # a lockfile pins a version the spec admits
    DRIFT = "drift"  # missing from the lockfile, or locked to a version the spec does not admit


class Span(NamedTuple):
    """A source range: character offsets into the file as read, and the 1-based lines and columns
    derived from them through the file's one line index (end column exclusive).

    Offsets count characters of the decoded text, BOM removed, line endings kept (see
    ``docs/model.md``); ``start == end`` is a point (an insertion point for a missing spec).
    -1 marks a span with no known offsets (a synthetic location such as "line 1 of a file
    that did not decode").
    """

    line: int
    column: int
    end_line: int
    end_column: int
    start: int = -1
    end: int = -1

    @classmethod
    def point(cls, line: int, column: int = 1, length: int = 0) -> Span:
        """A span known by position only; on line 1 the offsets follow (column - 1)."""
        start = column - 1 if line == 1 else -1
        return cls(line, column, line, column + length, start, start + length if start >= 0 else -1)

    def through(self, other: Span) -> Span:
        """From this span's start to ``other``'s end (a command from its first word to its last)."""
        return Span(self.line, self.column, other.end_line, other.end_column, self.start, other.end)

    def sub(self, i: int, j: int) -> Span:
        """Characters [i, j) of a span on one line (callers check ``line == end_line``)."""
        known = self.start >= 0
        return Span(self.line, self.column + i, self.line, self.column + j,
                    self.start + i if known else -1, self.start + j if known else -1)

    @property
    def length(self) -> int:
        return self.end - self.start if self.start >= 0 else 0


class Location(NamedTuple):
    path: str  # as displayed: relative to the current directory when below it, '/'-separated
    span: Span

    @property
    def line(self) -> int:
        return self.span.line


class InstallSite(NamedTuple):
    """One package (or one package-manager invocation without packages) that a build fetches."""

    ecosystem: Ecosystem
    action: Action
    package: str | None  # the name in the token, variables expanded (normalised for display per ecosystem)
    # the token with its variables expanded, e.g. "curl=7.88*", "requests>=2", "python:3.11" for
    # `FROM python:${PY}` with ARG PY=3.11; as written when a variable in it is unknown (Pin.UNKNOWN),
    # and a requirements-file entry as written in the file
    spec: str | None
    pin: Pin
    location: Location  # the package token itself (or the command word when package is None)
    installer: str  # the command or file kind that installs: "apt-get", "pip", "FROM", "package.json"
    version: str | None = None  # the exact version when pin is EXACT or IMMUTABLE
    global_install: bool = False  # npm -g, pipx, yarn global: no project lockfile governs it
    hashed: bool = False  # pip: the requirement carries --hash
    hash_required: bool = False  # pip will demand a hash (--require-hashes, or the file is in hash mode)
    lock: LockState = LockState.NOT_APPLICABLE
    detail: str = ""  # a clause for messages: "from variable $PKGS, which is not set", "-t bookworm selects a suite"
    via: Location | None = None  # where the build installs it, when the site lives in another file
    no_deps: bool = False  # pip --no-deps: nothing but this package is fetched (its dependencies don't resolve)
    # pip -r FILE: exact pins from the same command's -c files, which apply to FILE's entries too:
    # (PEP 503 name, version, constraints file as written)
    constraints: tuple[tuple[str, str, str], ...] = ()
    # --- source coordinates (issue 9 items 1 and 3; docs/model.md) --------------------------------
    # location.span is the package token as written (quotes excluded; a requirement's name only;
    # package.json's key). spec_span is the version spec as written (`=7.8*` of `curl=7.8*`,
    # `>=2` of `requests[socks]>=2; marker`, `@^4`, package.json's value, `:3.11` / `@sha256:...`),
    # or an empty span at the insertion point where a spec would go. origin is where a value that
    # came through a variable was written (the `1.2.3` of `ARG NUMPY=1.2.3`), for `fix` to edit.
    spec_span: Span | None = None
    origin: Span | None = None

    # -- the site's typed context (pinaudit/site_context.py) ---------------------------------------
    source_kind: SiteSource = SiteSource.COMMAND  # the kind of place it is written in; rules dispatch on it
    requirement: RequirementParts | None = None  # pip: the requirement taken apart
    build: BuildPosition | None = None  # a Dockerfile site (or a file a RUN installs): stage, layer, base image
    pip_index: PipIndex | None = None  # pip: index URLs, find-links, --no-index, --pre, -c files
    apt_target: str | None = None  # apt: the suite `-t`/`--target-release`/`pkg/suite` selects
    npm_section: str | None = None  # package.json: "dependencies", "devDependencies", ...
    # package.json, environment.yml, pyproject.toml, Pipfile: the lockfile that governs it (display path)
    lockfile: str | None = None
    # pyproject.toml / Pipfile: the table that declares it ("project.dependencies",
    # "project.optional-dependencies.test", "dependency-groups.dev", "tool.poetry.dependencies", "packages")
    project_section: str | None = None
    image: ImageReference | None = None  # image sites: the reference taken apart
    conda: CondaSpec | None = None  # conda: the match spec taken apart


class Diagnostic(NamedTuple):
    """A parser's complaint. Becomes a PIN001 finding (error for a file, warning for one RUN)."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR


class Suppression(NamedTuple):
    """``# pinaudit: ignore=CODES`` covering physical lines [first_line, last_line] of one file."""

    path: str
    codes: frozenset[str]  # empty means every code
    first_line: int
    last_line: int
    comment_line: int  # where the pragma is written, for --warn-unused-ignores


class FileResult(NamedTuple):
    """What one analyzer made of one file."""

    path: str
    kind: str  # "dockerfile", "requirements", "package.json", "compose", "shell", "workflow"
    sites: tuple[InstallSite, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    ignore_file: bool = False  # '# pinaudit: ignore-file'
    skipped: tuple[str, ...] = ()  # what could not be audited and why (SHELL ["pwsh"], ...)
    related: tuple[str, ...] = ()  # other files this one pulled in (requirements via -r), for dedup


class Finding(NamedTuple):
    rule: str
    severity: Severity
    category: Category
    ecosystem: Ecosystem | None
    package: str | None
    spec: str | None
    location: Location
    message: str
    index_url: str | None = None  # scan --online: the index the finding came from (credentials masked)
    # --- edits as values (issue 9 item 3) -------------------------------------------------------
    edits: tuple[Edit, ...] = ()  # what would fix it, over the file's character offsets (pinaudit.edits)
    site: InstallSite | None = None  # the site judged (None for a parse error): its typed context

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.location.path, self.location.span.line, self.location.span.column, self.rule, self.package or "")


class Unchecked(NamedTuple):
    """scan --online: an install site no index could answer for (exit 3: never "clean" unlooked)."""

    path: str
    line: int
    ecosystem: str
    package: str | None
    index_url: str  # credentials masked; "" when none is configured
    reason: str


class Report(NamedTuple):
    findings: tuple[Finding, ...]
    files: int
    install_sites: int
    skipped: tuple[str, ...] = ()
    sites: tuple[InstallSite, ...] = ()
    unchecked: tuple[Unchecked, ...] | None = None  # None: a static scan (no index was asked)

    def by_severity(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            counts[f.severity.label] += 1
        return counts
