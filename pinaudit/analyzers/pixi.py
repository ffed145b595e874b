"""pixi manifests (``pixi.toml``) -> conda and PyPI install sites, judged against ``pixi.lock``.

pixi keeps conda dependencies (``[dependencies]``, ``[host-dependencies]``,
``[build-dependencies]``) and PyPI ones (``[pypi-dependencies]``), also per feature
(``[feature.test.dependencies]``) and per platform (``[target.linux-64.dependencies]``). A conda
value is a match spec without the name (``"3.11.*"``, ``">=1.26"``, ``"*"``, or a table with
``version``/``build``/``channel``), judged by the one classifier of
:mod:`pinaudit.installers.conda`; a PyPI value is a PEP 440 specifier (or a table with
``version``, ``path``, ``git``+``rev``, ``url``), judged by pip's.

``pixi install`` installs what ``pixi.lock`` holds when it still satisfies the manifest, so with a
lock beside the manifest its ranges are "pinned only by the lockfile" (PIN701/PIN202 at info) and
a dependency the lock does not hold is drift (PIN705), as for an environment file and its
conda-lock.yml. Positions come from the manifest's lines (TOML has no position-keeping parser in
the standard library): the dependency's key on its line, or the table's header when the key is
written inside an inline table.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from pinaudit.analyzers import ScanOptions, SourceFile, display_path
from pinaudit.analyzers.conda_walk import LockFile, lock_state
from pinaudit.model import Action, Diagnostic, Ecosystem, FileResult, InstallSite, Location, Pin, Severity, Span
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.text import point_at, span_of
from pinaudit.pragmas import line_suppressions
from pinaudit.site_context import SiteSource

KIND = "pixi"
LOCK = "pixi.lock"
_CONDA_TABLES = ("dependencies", "host-dependencies", "build-dependencies")
_PYPI = "pypi-dependencies"
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=\s*""")
_DOT = re.compile(r"""\.(?=(?:[^"']*["'][^"']*["'])*[^"']*$)""")
_Table = tuple[tuple[str, ...], Mapping[str, Any], bool]


def _parts(header: str) -> tuple[str, ...]:
    return tuple(p.strip().strip("\"'") for p in _DOT.split(header))


def _positions(text: str) -> dict[tuple[tuple[str, ...], str], tuple[int, int, int, int]]:
    """(table path, key) -> (key start, key end, value start, value end) offsets for every
    ``key = value`` line, and each table header under the key ``""``."""
    out: dict[tuple[tuple[str, ...], str], tuple[int, int, int, int]] = {}
    table: tuple[str, ...] = ()
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        header = _HEADER.match(body)
        if header:
            table = _parts(header.group(1))
            out.setdefault((table, ""), (pos, pos + len(body), pos + len(body), pos + len(body)))
        else:
            key = _KEY.match(body)
            if key:
                name = key.group(1).strip("\"'")
                ks = pos + key.start(1) + (1 if key.group(1)[0] in "\"'" else 0)
                value = body[key.end():].split(" #", 1)[0].rstrip()
                vs = pos + key.end() + (1 if value[:1] in "\"'" else 0)
                ve = pos + key.end() + len(value) - (1 if value[-1:] in "\"'" and len(value) > 1 else 0)
                out.setdefault((table, name), (ks, ks + len(name), vs, max(vs, ve)))
        pos += len(line)
    return out


def _under(prefix: tuple[str, ...], node: Mapping[str, Any]) -> Iterator[_Table]:
    for name in (*_CONDA_TABLES, _PYPI):
        table = node.get(name)
        if isinstance(table, dict):
            yield (*prefix, name), table, name == _PYPI


def _mapping(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _tables(doc: Mapping[str, Any]) -> Iterator[_Table]:
    """(table path, the table, is it PyPI?) of every dependency table of the manifest."""
    yield from _under((), doc)
    for group in ("feature", "target"):
        for key, sub in _mapping(doc, group).items():
            if isinstance(sub, dict):
                yield from _under((group, key), sub)
                for tkey, tsub in _mapping(sub, "target").items():
                    if isinstance(tsub, dict):
                        yield from _under((group, key, "target", tkey), tsub)


def _source(value: Mapping[str, Any]) -> tuple[Pin, str] | None:
    """A dependency built from a path or fetched from git or a URL, judged without a spec."""
    from pinaudit.vcs_refs import classify_ref

    if "path" in value:
        return Pin.LOCAL, f"the local path {value['path']}: its dependencies resolve at install time"
    if "git" in value:
        ref = value.get("rev") or value.get("tag")
        return classify_ref(str(ref) if ref else None)
    return None


def _conda_site(name: str, value: object, site: InstallSite) -> InstallSite:
    from pinaudit.installers import conda

    spec = name
    if isinstance(value, str) and value.strip() not in ("", "*"):
        spec = f"{name}[version='{value.strip()}']"
    elif isinstance(value, dict):
        decided = _source(value) or ((Pin.UNPINNED, "a URL without a hash") if "url" in value else None)
        if decided is not None:
            return site._replace(pin=decided[0], detail=decided[1])
        keys = [f"{k}='{value[k]}'" for k in ("version", "build", "channel") if isinstance(value.get(k), str)]
        spec = f"{name}[{','.join(keys)}]" if keys else name
    elif not isinstance(value, str):
        return site._replace(pin=Pin.UNKNOWN, detail="the value is not a version string or a table")
    c = conda.classify(spec)
    return site._replace(pin=c.pin, version=c.version if c.pin in (Pin.EXACT, Pin.IMMUTABLE) else None,
                         detail=c.detail, conda=c.spec)


def _pypi_site(name: str, value: object, site: InstallSite) -> InstallSite:
    from pinaudit.installers import pip

    text = name
    if isinstance(value, str) and value.strip() not in ("", "*"):
        text = f"{name}{value.strip()}"
    elif isinstance(value, dict):
        decided = _source(value)
        if decided is not None:
            return site._replace(pin=decided[0], detail=decided[1])
        version = value.get("version")
        if "url" in value:
            text = f"{name} @ {value['url']}"
        elif isinstance(version, str) and version.strip() not in ("", "*"):
            text = f"{name}{version.strip()}"
    elif not isinstance(value, str):
        return site._replace(pin=Pin.UNKNOWN, detail="the value is not a version string or a table")
    c = pip.classify(text)
    return site._replace(pin=c.pin, version=c.version, detail=c.detail, requirement=c.parts)


def _find_lock(source: SourceFile, options: ScanOptions, diags: list[Diagnostic]) -> LockFile | None:
    from pinaudit.parse.conda_files import LockError, parse_pixi_lock

    path = source.path.parent / LOCK
    if not path.is_file():
        return None
    display = display_path(path, options.cwd)
    try:
        if path.stat().st_size > 5 * 1024 * 1024:
            raise LockError("larger than 5 MiB")
        return LockFile(display, parse_pixi_lock(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError, LockError) as exc:
        diags.append(Diagnostic(Location(source.display, Span.point(1)),
                                f"{display} beside it cannot be read ({exc}); judged without it", Severity.WARNING))
        return None


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    display, text = source.display, source.text
    suppressions, ignore_file = line_suppressions(display, text)
    base = FileResult(display, KIND, suppressions=suppressions, ignore_file=ignore_file)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # "... (at line 3, column 7)" (Python 3.14 also gives exc.lineno and exc.colno)
        at = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(at.group(1)), int(at.group(2))) if at else (1, 1)
        if at is None and "end of document" in str(exc):
            last = text.rsplit("\n", 1)[-1]
            line, col = text.count("\n") + 1, len(last) + 1
        message = str(exc).split(" (at ", 1)[0]
        return base._replace(diagnostics=(Diagnostic(Location(display, point_at(text, line, col)),
                                                     f"malformed TOML: {message}"),))  # fmt: skip
    diags: list[Diagnostic] = []
    lock = _find_lock(source, options, diags)
    index = LineIndex(text)
    where = _positions(text)
    sites: list[InstallSite] = []
    for table, deps, pypi in _tables(doc):
        header = where.get((table, "")) or where.get((table[:-1], table[-1])) or (0, 0, 0, 0)
        for name, value in deps.items():
            own = where.get((table, name))  # None: written inside an inline table (reported at its line)
            ks, ke, vs, ve = own or header
            written = text[vs:ve] if own is not None and ve > vs else str(value)
            # the spec as the installer reads it: `numpy >=1.26` (conda's space form), `requests>=2`
            if isinstance(value, str):
                spec = name if value.strip() in ("", "*") else f"{name}{'' if pypi else ' '}{written}"
            else:
                spec = f"{name} = {written}"
            base_site = InstallSite(
                Ecosystem.PIP if pypi else Ecosystem.CONDA, Action.INSTALL, name, spec, Pin.UNKNOWN,
                Location(display, span_of(index, ks, ke)), "pixi.toml pypi" if pypi else "pixi.toml",
                source_kind=SiteSource.REQUIREMENTS if pypi else SiteSource.CONDA_ENV, spec_span=span_of(index, vs, ve),
            )  # fmt: skip
            site = _pypi_site(name, value, base_site) if pypi else _conda_site(name, value, base_site)
            sites.append(lock_state(site, lock) if lock is not None else site)
    return base._replace(sites=tuple(sites), diagnostics=tuple(diags))
