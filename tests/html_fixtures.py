"""Reports for the HTML tests: hostile strings everywhere, a 5,000-finding scan, a 2,000-package
simulation; the simulation and verify values are built as the commands build them.

Built as values (no scan), so each field can carry what a hostile repository could put there,
and so a large report costs milliseconds. ``decode`` reads the page's compact data back into
finding dicts: the Python twin of ``decodeScan`` in ``scan.js``, for round-trip tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pinaudit.images import parse_image
from pinaudit.lock.core import Difference, Verified
from pinaudit.lock.reqfile import StaleEntry
from pinaudit.model import Action, Category, Ecosystem, Finding, InstallSite, Location, Pin, Report, Severity, Span
from pinaudit.resolve.interface import Outcome, Package, Resolution, Unresolved
from pinaudit.simulation.installs import Install
from pinaudit.simulation.model import Change, Host, Simulated, Simulation, UnresolvedSite
from pinaudit.site_context import BuildPosition
from tests.helpers import REPO

# Each payload flips window.__pwned if it ever runs; the browser test asserts it never does.
PAYLOADS = (
    "<img src=x onerror=window.__pwned=1>",
    '"><script>window.__pwned=2</script>',
    "</script><script>window.__pwned=3</script>",
    "<!--<script>window.__pwned=4</script>-->",
    "'><svg onload=window.__pwned=5>",
    "javascript:window.__pwned=6",
    "\u2028</SCRIPT ><script>window.__pwned=7</script>\u2029",
    "&lt;img src=x onerror=window.__pwned=8&gt;",
    "{{ 7*7 }}${window.__pwned=9}",
)


def hostile_report() -> tuple[Report, dict[str, dict[int, str]]]:
    """Every string field of every finding (and the paths, lines and skipped notes) hostile."""
    findings: list[Finding] = []
    sources: dict[str, dict[int, str]] = {}
    for i, p in enumerate(PAYLOADS):
        path = f"evil{i}/{p}/Dockerfile"  # a "/" in a payload makes more folders, as on disk
        line = f"RUN pip install {p} && echo {p}"
        col = len("RUN pip install ") + 1
        sources[path] = {3: line, 4: f"  # {p}"}
        span = Span(3, col, 3, col + len(p))
        findings.append(
            Finding("PIN201", Severity.ERROR, Category.UNPINNED, Ecosystem.PIP, p, p, Location(path, span),
                    f"pip package '{p}' is installed without a version")
        )
        findings.append(
            Finding("PIN402", Severity.WARNING, Category.MUTABLE_IMAGE, Ecosystem.IMAGE, f"img{p}", f"{p}:1",
                    Location(path, Span(3, 1, 4, 3)), f"image {p} is a tag without a digest {p}")
        )
        findings.append(
            Finding("PIN001", Severity.ERROR, Category.PARSE_ERROR, None, None, None,
                    Location(path, Span.point(4)), p)
        )
    sites = tuple(
        InstallSite(Ecosystem.PIP, Action.INSTALL, p, p, Pin.UNPINNED, Location(f"evil{i}/x", Span.point(1)), "pip")
        for i, p in enumerate(PAYLOADS)
    )
    report = Report(tuple(sorted(findings, key=Finding.sort_key)), files=len(PAYLOADS),
                    install_sites=len(sites), skipped=PAYLOADS, sites=sites)
    return report, sources


ECOSYSTEM_RULES = (
    ("PIN101", Severity.ERROR, Category.UNPINNED, Ecosystem.APT, "apt package '{0}' is installed without a version"),
    ("PIN203", Severity.WARNING, Category.NO_HASH, Ecosystem.PIP,
     "'{1}' is pinned without --hash: its files and dependencies can still change"),
    ("PIN303", Severity.ERROR, Category.LOCKFILE_DRIFT, Ecosystem.NPM, "'{0}' is '{1}' and no lockfile pins it"),
    ("PIN402", Severity.WARNING, Category.MUTABLE_IMAGE, Ecosystem.IMAGE,
     "image '{1}' is a tag without a digest: the tag can be re-pushed"),
    ("PIN204", Severity.INFO, Category.LOCAL_INSTALL, Ecosystem.PIP, "local install '{1}': its dependencies resolve"),
)


def large_report(n: int = 5000, per_file: int = 25) -> tuple[Report, dict[str, dict[int, str]]]:
    """``n`` findings over ``n / per_file`` files, the rules of :data:`ECOSYSTEM_RULES` in turn."""
    findings: list[Finding] = []
    sources: dict[str, dict[int, str]] = {}
    sites: list[InstallSite] = []
    for i in range(n):
        path = f"services/svc{i // per_file:04d}/Dockerfile"
        code, sev, cat, eco, msg = ECOSYSTEM_RULES[i % len(ECOSYSTEM_RULES)]
        line = i % per_file + 2
        pkg = f"pkg-{i % 700}"
        if eco in (Ecosystem.PIP, Ecosystem.IMAGE):
            spec = f"{pkg}==1.{i % 7}"
        else:
            spec = pkg if eco is Ecosystem.APT else "^1.2"
        text = f"    {spec} \\"
        sources.setdefault(path, {})[line] = text
        span = Span(line, 5, line, 5 + len(spec))
        findings.append(Finding(code, sev, cat, eco, pkg, spec, Location(path, span), msg.format(pkg, spec)))
        pin = Pin.UNPINNED if sev is Severity.ERROR else Pin.EXACT
        sites.append(InstallSite(eco, Action.INSTALL, pkg, spec, pin, Location(path, span), "x"))
    findings.sort(key=Finding.sort_key)
    return Report(tuple(findings), files=n // per_file, install_sites=len(sites), sites=tuple(sites)), sources


def write_page(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


_DATA = re.compile(r'<script type="application/json" id="data-scan">(.*?)</script>', re.S)


def page_data(html: str) -> dict[str, Any]:
    m = _DATA.search(html)
    assert m is not None, "no scan data block"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _cp_slice(text: str, start: int, end: int) -> str:
    return text[start:end]


def decode(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The findings of a scan data block, as the findings JSON (SPEC §6) writes them."""
    out: list[dict[str, Any]] = []
    path = ""
    for shared, rest, deltas, texts, flat, extra in data["files"]:
        path = path[:shared] + rest
        lines: dict[int, str] = {}
        n = 0
        for d, t in zip(deltas, texts, strict=True):
            n += d
            lines[n] = t
        line = 0
        for k in range(0, len(flat), 6):
            kind, dline, column, length, pkg, spec = flat[k : k + 6]
            rule, severity, category, ecosystem, message = data["kinds"][kind]
            line += dline
            more = extra.get(str(k // 6), {})
            end_line = more.get("end_line", line)
            end_column = more.get("end_column", column + length)
            package = data["strings"][pkg - 1] if pkg else None
            if spec == 0:
                spec_text: str | None = _cp_slice(lines.get(line, ""), column - 1, end_column - 1)
            elif spec == 1:
                spec_text = None
            elif spec == 2:
                spec_text = package
            else:
                spec_text = data["strings"][spec - 3]
            text = "".join(package if p == 1 else spec_text if p == 2 else p for p in message)  # type: ignore[misc]
            out.append({
                "rule": rule, "severity": severity, "category": category, "ecosystem": ecosystem,
                "package": package, "spec": spec_text, "path": path, "line": line, "column": column,
                "end_line": end_line, "end_column": end_column, "message": text, "fix": more.get("fix"),
            })
    return out


# --- simulations and verify results -------------------------------------------------------------

CACHED_AT = datetime(2024, 3, 1, tzinfo=timezone.utc)
FRESH_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
HOSTS = (Host("cached", CACHED_AT), Host("fresh", FRESH_AT))


def _site(path: str, line: int, package: str, spec: str, eco: Ecosystem = Ecosystem.PIP) -> InstallSite:
    where = Location(path, Span(line, 1, line, 1 + len(spec)))
    return InstallSite(eco, Action.INSTALL, package, spec, Pin.UNPINNED, where, "pip" if eco is Ecosystem.PIP else "x")


def simulated(n: int, path: str, layer: int, instruction: str, packages: list[tuple[str, str, str, str]],
              same: list[tuple[str, str]] = (), *, eco: str = "pip",  # type: ignore[assignment]
              unresolved: Mapping[str, Unresolved] | None = None, notes: tuple[str, ...] = ()) -> Simulated:
    """One install: ``packages`` drift as (name, cached version, fresh version, change kind), ``same``
    stay; a version "" means that host does not get the package; release dates from the version."""
    position = BuildPosition(0, None, layer, parse_image("python:3.11").parts, python="3.11", line=layer + 1)
    sites = tuple(_site(path, layer + 1, name, name, Ecosystem(eco)) for name, *_ in packages[:3]) or (
        _site(path, layer + 1, eco, eco, Ecosystem(eco)),)
    install = Install(eco, path, layer + 1, sites, position, heading=instruction)

    def released(version: str, base: datetime) -> datetime | None:
        if not version:
            return None
        return base + timedelta(days=sum(int(x) for x in re.findall(r"\d+", version)) % 300)

    outcomes: dict[str, Outcome] = {}
    for h, idx, base in (("cached", 1, CACHED_AT - timedelta(days=320)), ("fresh", 2, FRESH_AT - timedelta(days=320))):
        if unresolved and h in unresolved:
            outcomes[h] = unresolved[h]
            continue
        pkgs = [Package(p[0], p[idx], released(p[idx], base)) for p in packages if p[idx]]
        pkgs += [Package(name, version) for name, version in same]
        outcomes[h] = Resolution(tuple(sorted(pkgs, key=lambda p: p.name)))
    drift = () if unresolved else tuple(
        Change(name, {"cached": a or None, "fresh": b or None}, kind,
               {"cached": released(a, CACHED_AT - timedelta(days=320)),
                "fresh": released(b, FRESH_AT - timedelta(days=320))})
        for name, a, b, kind in packages
    )
    return Simulated(n, install, {"cached": CACHED_AT, "fresh": FRESH_AT}, outcomes, drift, notes)


def hostile_simulation() -> Simulation:
    """Every string a scanned file or an index answer puts in a simulation, hostile."""
    installs = []
    unresolved = []
    for i, p in enumerate(PAYLOADS):
        path = f"evil{i}/{p}/Dockerfile"
        installs.append(simulated(i + 1, path, i + 1, f"RUN pip install {p}",
                                  [(p, f"1.{i}", f"2.{i}", "major"), (f"dep{p}", "", "1.0", "added")],
                                  [(f"same{p}", "1.0")], notes=(f"note {p}",)))
        unresolved.append(UnresolvedSite(path, 2, "image", p, None, f"cannot be simulated: {p}"))
        unresolved.append(UnresolvedSite(path, 3, "pip", p, "fresh", f"no version: {p}", index=f"http://x/{p}",
                                         unreachable=i == 0))
    installs.append(simulated(len(PAYLOADS) + 1, "evil/Dockerfile", 40, "RUN apt-get install x",
                              [(PAYLOADS[0], "1.0", "1.0", "same")], eco="apt",
                              unresolved={"fresh": Unresolved(f"not served: {PAYLOADS[1]}", index=PAYLOADS[2])}))
    return Simulation(HOSTS, tuple(installs), tuple(unresolved), "uv", (f"run note {PAYLOADS[3]}",),
                      {"cached": CACHED_AT, "fresh": FRESH_AT})


KINDS = ("major", "minor", "patch", "minor", "patch", "added", "removed")


def large_simulation(drifting: int = 2000, per_install: int = 20, same: int = 10) -> Simulation:
    """``drifting`` packages over ``drifting / per_install`` installs, one layer each, in 10 Dockerfiles."""
    installs = []
    for n in range(drifting // per_install):
        packages = []
        for k in range(per_install):
            kind = KINDS[(n + k) % len(KINDS)]
            a = f"{k % 9 + 1}.{n % 13}.{k % 5}"
            b = {"major": f"{k % 9 + 2}.0.0", "minor": f"{k % 9 + 1}.{n % 13 + 1}.0",
                 "patch": f"{k % 9 + 1}.{n % 13}.{k % 5 + 1}"}.get(kind, a)
            packages.append((f"pkg-{n}-{k}", "" if kind == "added" else a, "" if kind == "removed" else b, kind))
        installs.append(simulated(n + 1, f"services/svc{n % 10}/Dockerfile", n // 10 + 1,
                                  f"RUN pip install -r requirements-{n}.txt", packages,
                                  [(f"stable-{n}-{k}", "1.0") for k in range(same)]))
    return Simulation(HOSTS, tuple(installs), (), "uv", (), {"cached": CACHED_AT, "fresh": FRESH_AT})


def hostile_verify(root: Path) -> list[Verified]:
    out = []
    for i, p in enumerate(PAYLOADS):
        out.append(Verified(
            root / f"evil{i}" / p / "requirements.txt", root / f"evil{i}" / p / "requirements.in",
            differences=(Difference(p, "1.0", "2.0", "newer", f"detail {p}"),
                         Difference(f"x{p}", "1.0", None, "not served", p)),
            stale=(StaleEntry(p, "added", "", p),) if i % 2 else (),
            notes=(f"note {p}",),
        ))
    out.append(Verified(root / "ok" / "requirements.txt", None))
    out.append(Verified(root / "down" / "requirements.txt", None,
                        unresolved=Unresolved(f"unreachable {PAYLOADS[0]}", unreachable=True, index=PAYLOADS[1])))
    return out


# --- real runs of the demo, for the browser tests, the screenshots in docs/ and the benchmark ------

DEMO_HOSTS = ("--cached-at", "2024-09-15", "--fresh-at", "2026-01-01")  # as the README's simulate run


def isolated_environ(home: Path) -> dict[str, str]:
    """This process's environment without the host's pip/npm/proxy settings (as the tests' isolated_env)."""
    host_vars = ("PIP_", "NPM_CONFIG_", "npm_config_", "PINAUDIT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(host_vars) and not k.lower().endswith("_proxy")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               PIP_CONFIG_FILE=os.devnull, NO_PROXY="127.0.0.1,localhost")
    return env


def _pinaudit(work: Path, args: list[str], expect: tuple[int, ...]) -> str:
    proc = subprocess.run([sys.executable, "-m", "pinaudit", *args], cwd=work, env=isolated_environ(work / "home"),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in expect, f"pinaudit {' '.join(args)}: exit {proc.returncode}\n{proc.stderr}"
    return proc.stdout


def demo_simulation_page(work: Path, out: Path) -> Path:
    """``pinaudit simulate fixtures/demo --format html`` against the loopback indexes the README's
    run uses (tests/test_simulate_demo.py): the page a reader of the demo gets."""
    from tests.indexes.history import fill_demo
    from tests.indexes.servers import DebianServer, NpmServer, PypiServer

    servers = pypi, npm, debian = PypiServer(), NpmServer(), DebianServer()
    try:
        fill_demo(pypi, npm, debian)
        shutil.copytree(REPO / "fixtures" / "demo", work / "fixtures" / "demo")
        _pinaudit(work, ["simulate", "fixtures/demo", *DEMO_HOSTS, "--pypi-index", pypi.url,
                         "--npm-registry", npm.url, "--debian-mirror", debian.mirror("debian"),
                         "--debian-security-mirror", debian.mirror("debian-security"),
                         "--debian-snapshot", debian.snapshot, "--no-progress", "-q",
                         "--format", "html", "-o", str(out)], (1,))
    finally:
        for s in servers:
            s.close()
    return out


def demo_verify_page(work: Path, out: Path) -> Path:
    """``pinaudit verify fixtures/demo --format html`` after the demo was locked (pip and npm) and
    the indexes moved on: a new whitenoise and alpinejs upload, a packaging release withdrawn, and
    requirements.in edited since (a stale lock)."""
    from tests.indexes.history import fill_demo
    from tests.indexes.servers import DebianServer, NpmServer, PypiServer

    servers = pypi, npm, debian = PypiServer(), NpmServer(), DebianServer()
    try:
        fill_demo(pypi, npm, debian)
        root = work / "fixtures" / "demo"
        shutil.copytree(REPO / "fixtures" / "demo", root)
        ix = ["--pypi-index", pypi.url, "--npm-registry", npm.url, "--ecosystem", "pip,npm"]
        _pinaudit(work, ["lock", "fixtures/demo", *ix, "-q"], (0,))
        recent = datetime.now(timezone.utc) - timedelta(hours=1)
        pypi.add("whitenoise", "6.8.2", uploaded=recent)
        npm.add("alpinejs", "3.15.4", published=recent)
        pypi.remove("packaging", "25.0")
        sub = work / "fixtures" / "demo" / "worker"
        sub.mkdir()
        (sub / "requirements.in").write_text("celery~=5.3\n")
        _pinaudit(work, ["lock", "fixtures/demo/worker/requirements.in", *ix, "-q"], (0,))
        (sub / "requirements.in").write_text("celery~=5.3\nredis>=5\n")
        _pinaudit(work, ["verify", "fixtures/demo", *ix, "-q", "--format", "html", "-o", str(out)], (1,))
    finally:
        for s in servers:
            s.close()
    return out
