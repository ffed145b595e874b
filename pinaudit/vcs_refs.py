"""VCS and URL references: one policy for pip and npm, command lines and files (SPEC §5).

pip and npm spell references differently (pip: ``git+https://host/o/r.git@v1.2#egg=r``,
``name @ https://host/r-1.2.tar.gz#sha256=...``; npm: ``github:o/r#v1.2``, ``o/r``,
``git+ssh://git@host:o/r.git#main``, ``https://host/r-1.2.tgz``), but what a reference fixes is
the same question everywhere, so :func:`reference` answers it once, in three classes:

* **immutable** (:attr:`Pin.IMMUTABLE`): a full commit id (40 hex, or 64 for SHA-256
  repositories), a URL that names one, or a hash given (``#sha256=``, pip's ``--hash``);
* **name-pinned** (:attr:`Pin.EXACT`): a version-like tag (``v1.2.0``, ``0.6-alpha``,
  ``semver:1.2.3``), a short commit id (7-39 hex), an svn revision, or a URL whose file name
  carries a version (``acme-2.1.0.zip``): judged like ``==1.2.3`` / ``@1.2.3``, because a tag can
  be moved and a file re-uploaded, so the name is fixed and the bytes are not;
* **unpinned** (:attr:`Pin.UNPINNED`): no ref, a branch-like ref (``main``, ``HEAD``, ``2.x``,
  ``release/2.x``), a ``semver:`` range, a URL with neither a version nor a hash.

It also names what the reference installs: the name written with it (pip ``name @``, npm
``name@``), else pip's ``#egg=``, else the repository (``widget`` for ``github:acme/widget``) or
the project in the file name (``acme`` for ``acme-2.1.0.zip``). Findings used to be named by
the whole reference; :func:`pinaudit.baseline` still matches baseline entries written that way.
"""

from __future__ import annotations

import re

from pinaudit.model import Pin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple

__all__ = ["Reference", "classify_ref", "has_hash_fragment", "is_reference", "reference", "url_names_commit"]

_FULL_COMMIT = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_SHORT_COMMIT = re.compile(r"[0-9a-fA-F]{7,39}")
# v1.2.0, 1.0.27, 0.6-alpha, 2024.01.15, 1.2.0+build: at least one dot-separated number after the
# first, so a major-only tag (`v1`, which by convention moves) and a branch (`2.x`) are not versions
_VERSION = re.compile(r"[vV]?\d+(?:\.\d+)+(?:[-+._]?[0-9A-Za-z]+(?:[.+_-][0-9A-Za-z]+)*)?")
_HASH_FRAGMENT = re.compile(r"(?:^|[#&])(?:sha1|sha224|sha256|sha384|sha512|md5)=[0-9a-fA-F]{32,128}(?:&|$)")
_PIP_VCS = re.compile(r"(git|hg|svn|bzr)\+", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_NPM_GIT_PREFIXES = ("git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:")
_NPM_SCP = re.compile(r"git@[^:/@\s]+:")  # git@host:owner/repo (not the registry package `git@1.0.0`)
_NPM_SHORTHAND = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:#.*)?")
_PIP_NAMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@\s*(?P<ref>[^;]+?)\s*(?:;.*)?", re.DOTALL)
_NPM_NAMED = re.compile(r"(?:@[^/@\s]+/)?[^@\s/]+@(?P<ref>\S+)")
# hosts npm's hosted-git-info reads as git repositories when given as https://host/owner/repo
_GIT_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "gist.github.com", "git.sr.ht")
_ARCHIVES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz", ".txz", ".tar", ".zip", ".whl")
_NAME_VERSION = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._]*(?:-[A-Za-z][A-Za-z0-9._]*)*)[-_]"
                           r"(?P<version>[vV]?\d[0-9A-Za-z.+_-]*)")

IMMUTABLE_NOTE = "immutable"
NAME_ONLY_NOTE = "pins the name but not the bytes"
UNPINNED_NOTE = "unpinned"
_TAG_NOTE = "a tag can be moved, a full commit id cannot"


class Reference(NamedTuple):
    """What a VCS or URL reference fixes, and the name of what it installs."""

    kind: str  # "vcs" or "url"
    pin: Pin  # IMMUTABLE, EXACT (name-pinned) or UNPINNED
    name: str | None  # the project it installs; None when nothing names it
    version: str | None  # the commit id, tag or file version when pinned (None when unpinned)
    detail: str  # the clause a finding quotes: which of the three classes, and why


def is_reference(text: str | None, syntax: str) -> bool:
    """Is ``text`` (a requirement or package spec as written, ``name @ URL`` / ``name@git-url``
    included) a VCS or remote URL reference?"""
    s = (text or "").strip()
    if not s:
        return False
    if _split(s, syntax) is not None:
        return True
    named = (_PIP_NAMED if syntax == "pip" else _NPM_NAMED).fullmatch(s)
    return named is not None and _split(named.group("ref").strip(), syntax) is not None


def reference(text: str, syntax: str, *, name: str | None = None, hashed: bool = False) -> Reference | None:
    """Classify a VCS or remote-URL reference in ``syntax`` ("pip" or "npm"); None when ``text``
    is not one (a name, a range, a local path or ``file:`` URL are the callers' business).

    ``name``: the name written with it (pip ``name @ URL``, npm ``name@URL``), which wins over
    anything the reference itself says. ``hashed``: a hash is given beside it (pip ``--hash``).
    """
    found = _split(text.strip(), syntax)
    if found is None:
        return None
    kind, location, ref = found
    if kind == "vcs":
        pin, detail = classify_ref(ref, vcs=_vcs_of(text))
        named = name or _egg(text) or _repository(location)
        version = ref.removeprefix("semver:") if ref and pin is not Pin.UNPINNED else None
        return Reference("vcs", pin, named, version, detail)
    return _url(text.strip(), name, hashed)


def classify_ref(ref: str | None, *, vcs: str = "git") -> tuple[Pin, str]:
    """A ref after pip's ``@``, npm's ``#`` or cargo's ``--tag``/``--branch``/``--rev``."""
    if not ref:
        return Pin.UNPINNED, f"no ref: {UNPINNED_NOTE}, it follows the default branch"
    if ref.startswith("semver:"):
        wanted = ref[len("semver:"):].strip()
        if _VERSION.fullmatch(wanted.lstrip("=")):
            return Pin.EXACT, f"tag semver:{wanted} {NAME_ONLY_NOTE}: {_TAG_NOTE}"
        return Pin.UNPINNED, f"#{ref} is a range over the repository's tags: {UNPINNED_NOTE}"
    if _FULL_COMMIT.fullmatch(ref) and vcs in ("git", "hg"):
        return Pin.IMMUTABLE, f"full commit id {ref[:12]}: {IMMUTABLE_NOTE}"
    if vcs == "svn" and re.fullmatch(r"[rR]?\d+", ref):
        return Pin.EXACT, f"svn revision {ref} {NAME_ONLY_NOTE}: what a revision holds can be rewritten"
    if _SHORT_COMMIT.fullmatch(ref) and any(c.isdigit() for c in ref):
        return Pin.EXACT, f"short commit id {ref} {NAME_ONLY_NOTE}: a full 40-character id is immutable"
    tag = ref.removeprefix("refs/tags/")
    if _VERSION.fullmatch(tag) and not _wildcard(tag):
        return Pin.EXACT, f"tag {ref} {NAME_ONLY_NOTE}: {_TAG_NOTE}"
    return Pin.UNPINNED, f"'{ref}' looks like a branch: {UNPINNED_NOTE}, it moves; use a full commit id"


def has_hash_fragment(url: str) -> bool:
    """``#sha256=<hex>`` (or another algorithm pip accepts) in the URL's fragment."""
    return bool(_HASH_FRAGMENT.search(url.partition("#")[2]))


def url_names_commit(url: str) -> bool:
    """A URL whose path names a full commit id (a raw file or an archive at a commit), or whose
    fragment does (Docker's ``ADD https://host/o/r.git#<commit>``)."""
    base, _, fragment = url.partition("#")
    path = base.split("://", 1)[-1].split("?", 1)[0]
    return any(_FULL_COMMIT.fullmatch(_strip_archive(seg)) for seg in [*re.split(r"[/@]", path), fragment])


# ---------------------------------------------------------------------------------------------


def _wildcard(version: str) -> bool:
    return any(part in ("x", "X", "*") for part in re.split(r"[.-]", version))


def _strip_archive(filename: str) -> str:
    low = filename.lower()
    for ext in _ARCHIVES:
        if low.endswith(ext):
            return filename[: -len(ext)]
    return filename


def _vcs_of(text: str) -> str:
    m = _PIP_VCS.match(text.strip())
    return m.group(1).lower() if m else "git"


def _split(s: str, syntax: str) -> tuple[str, str, str | None] | None:
    """(kind, repository location or URL without its ref, ref) for a reference, else None."""
    if syntax == "pip":
        if _PIP_VCS.match(s):
            base = s.split("#", 1)[0]
            rest = base.split("+", 1)[1]
            rest = rest.split("://", 1)[1] if "://" in rest else rest.split("@", 1)[-1].replace(":", "/", 1)
            _netloc, _, path = rest.partition("/")
            if "@" in path:
                path, _, ref = path.rpartition("@")
                return "vcs", path, ref
            return "vcs", path, None
        if _SCHEME.match(s) and not s.lower().startswith("file:"):
            return "url", s, None
        return None
    low = s.lower()
    location, _, fragment = s.partition("#")
    if low.startswith(_NPM_GIT_PREFIXES) or _NPM_SCP.match(s) or _git_host_url(location) or (
        _NPM_SHORTHAND.fullmatch(s) and not s.startswith(("@", ".")) and "://" not in s
    ):
        return "vcs", location, _npm_ref(fragment)
    if low.startswith(("http://", "https://")):
        return "url", s, None
    return None


def _git_host_url(location: str) -> bool:
    m = re.fullmatch(r"https?://(?:[^@/]+@)?([^/:]+)(?::\d+)?/([^/]+)/([^/]+?)/?", location, re.IGNORECASE)
    if m is None:
        return location.lower().startswith(("http://", "https://")) and location.lower().endswith(".git")
    return m.group(1).lower() in _GIT_HOSTS or m.group(3).lower().endswith(".git")


def _npm_ref(fragment: str) -> str | None:
    """npm's ``#<commit-ish>``, ``#semver:<range>``, or ``#a::path:sub`` (the part that is no path)."""
    if not fragment:
        return None
    parts = [p for p in fragment.split("::") if p and not p.startswith("path:")]
    return parts[0] if parts else None


def _egg(text: str) -> str | None:
    m = re.search(r"(?:^|&)egg=([A-Za-z0-9][A-Za-z0-9._-]*)", text.partition("#")[2])
    return m.group(1) if m else None


def _repository(location: str) -> str | None:
    """``acme/widget``, ``github:acme/widget``, ``host/acme/widget.git``, ``host:acme/widget`` -> widget."""
    path = location.split("://", 1)[-1].split("?", 1)[0].rstrip("/")
    path = re.sub(r"/(?:trunk|(?:branches|tags)/[^/]+)$", "", path)  # svn's layout: the project is above
    last = re.split(r"[/:]", path)[-1]
    last = last[:-4] if last.lower().endswith(".git") else last
    return last or None


def _url(s: str, name: str | None, hashed: bool) -> Reference:
    url = s.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    segments = url.split("://", 1)[-1].split("/")
    filename = segments[-1] if len(segments) > 1 else ""
    stem = _strip_archive(filename)
    archive = stem != filename
    file_name, file_version = _name_and_version(filename, stem) if archive else (None, None)
    if "archive" in segments[:-1]:  # a forge's archive of a tag or commit: named by its repository
        at = segments.index("archive")
        file_name = segments[at - 1] if at >= 1 and segments[at - 1] != "-" else \
            (segments[at - 2] if at >= 2 else file_name)
    named = name or _egg(s) or file_name
    if hashed or has_hash_fragment(s):
        return Reference("url", Pin.IMMUTABLE, named, file_version, f"a hash is given: {IMMUTABLE_NOTE}")
    if url_names_commit(url):
        return Reference("url", Pin.IMMUTABLE, named, None, f"the URL names a full commit id: {IMMUTABLE_NOTE}")
    if file_version is not None:
        return Reference("url", Pin.EXACT, named, file_version,
                         f"the file name carries version {file_version}: {NAME_ONLY_NOTE}, no hash fixes what "
                         "the URL serves")
    return Reference("url", Pin.UNPINNED, named, None,
                     f"a URL without a version or hash: {UNPINNED_NOTE}, what it serves can change")


def _name_and_version(filename: str, stem: str) -> tuple[str | None, str | None]:
    """``acme-2.1.0`` -> (acme, 2.1.0); ``v1.2`` -> (None, 1.2); a wheel's own fields."""
    if filename.lower().endswith(".whl"):
        fields = stem.split("-")
        return (fields[0], fields[1]) if len(fields) >= 5 else (None, None)
    if _VERSION.fullmatch(stem) and not _wildcard(stem):
        return None, stem.lstrip("vV")
    m = _NAME_VERSION.fullmatch(stem)
    if m and _VERSION.fullmatch(m.group("version")) and not _wildcard(m.group("version")):
        return m.group("name"), m.group("version").lstrip("vV")
    return None, None
