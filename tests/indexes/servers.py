"""Real HTTP servers on 127.0.0.1 for the index clients' tests, filled with fixture data.

Reusable by every test that needs an index (scan --online, simulate, lock, fix): each server is a
``ThreadingHTTPServer`` in a daemon thread, speaking HTTP/1.1 with keep-alive, ETags and 304s, and
counting what it served (``server.log``: (method, path, status, body bytes)). Fill them in the
words of a test:

    pypi.add("requests", "2.28.1", uploaded="2022-06-29")
    pypi.add("requests", "2.31.0", uploaded="2023-05-22", yanked="broken")
    npm.add("@acme/left-pad", "1.3.0", published="2020-01-01", deprecated="use String.padStart")
    debian.publish("2024-01-01", "bookworm", {"curl": "7.88.1-10+deb12u4"})

No test ever reaches beyond this machine.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

# ---- the server core ----------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/octet-stream"
    # faults: send only this many bytes of the body (Content-Length stays the full size)
    truncate: int | None = None
    delay: float = 0.0  # sleep before answering (a hang past the read timeout)
    conditional: bool = True  # answer If-None-Match / If-Modified-Since with 304


def not_found(what: str = "not found") -> Reply:
    return Reply(404, json.dumps({"error": what}).encode(), content_type="application/json")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in two writes: with Nagle on, the body waits for the client's
    # delayed ACK (40 ms a request on Linux loopback)
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self, head: bool = False) -> None:
        srv = self.server
        with srv.owner.lock:
            srv.owner.inflight += 1
            srv.owner.max_inflight = max(srv.owner.max_inflight, srv.owner.inflight)
        try:
            self._answer(srv, head)
        finally:
            with srv.owner.lock:
                srv.owner.inflight -= 1

    def _answer(self, srv: _Server, head: bool) -> None:
        try:
            reply = srv.owner.route(self)
        except Exception as exc:  # a bug in a fixture must show up, not hang the client
            reply = Reply(500, f"fixture error: {exc!r}".encode(), content_type="text/plain")
        if reply.delay or srv.owner.delay:
            time.sleep(reply.delay or srv.owner.delay)
        headers = dict(reply.headers)
        status, body = reply.status, reply.body
        if status == 200 and reply.conditional and not srv.owner.bare:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers.setdefault("ETag", etag)
            headers.setdefault("Cache-Control", srv.owner.cache_control)
            if self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        self.send_response(status)
        if status != 304:
            headers.setdefault("Content-Type", reply.content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if reply.truncate is not None:
            self.send_header("Connection", "close")
        sent = 0 if head or status == 304 else len(body if reply.truncate is None else body[: reply.truncate])
        with srv.owner.lock:  # logged before the answer leaves, so a client never sees it unlogged
            srv.owner.log.append((self.command, self.path, status, sent))
        self.end_headers()
        if sent:
            try:
                self.wfile.write(body[:sent])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
        if reply.truncate is not None:
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(head=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LoopbackServer


class LoopbackServer:
    """Base: a routed HTTP server on 127.0.0.1 at an ephemeral port."""

    cache_control = "max-age=300"
    bare = False  # True: no ETag and no Cache-Control at all (an index that sends no cache headers)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, int, int]] = []
        self.delay = 0.0  # seconds before every answer (to see concurrency)
        self.inflight = 0
        self.max_inflight = 0  # the most requests it was answering at once
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, req: BaseHTTPRequestHandler) -> Reply:  # pragma: no cover - overridden
        return not_found()

    # what the tests and the benchmark count
    def bodies(self) -> int:
        """Requests answered with a body (status 200 and bytes sent)."""
        with self.lock:
            return sum(1 for _m, _p, status, sent in self.log if status == 200 and sent)

    def hits(self, fragment: str = "") -> int:
        with self.lock:
            return sum(1 for _m, p, _s, _b in self.log if fragment in p)

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()


def _utc(when: str | datetime) -> datetime:
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    t = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---- PyPI-style Simple index --------------------------------------------------------------------


def build_wheel(name: str, version: str, requires: Iterable[str] = ()) -> tuple[str, bytes, bytes]:
    """A tiny but real wheel: (filename, wheel bytes, METADATA bytes)."""
    dist = name.replace("-", "_").replace(".", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = "".join([
        "Metadata-Version: 2.1\n", f"Name: {name}\n", f"Version: {version}\n",
        *(f"Requires-Dist: {r}\n" for r in requires), "\n",
    ]).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: pinaudit-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    module = f"__version__ = {version!r}\n".encode()
    buf = io.BytesIO()
    members = ((f"{dist}/__init__.py", module), (f"{info}/METADATA", metadata), (f"{info}/WHEEL", wheel))
    record = "".join(f"{p},sha256={hashlib.sha256(d).hexdigest()},{len(d)}\n" for p, d in members)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in (*members, (f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode())):
            z.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)  # byte-for-byte stable
    return f"{dist}-{version}-py3-none-any.whl", buf.getvalue(), metadata


@dataclass
class _PyFile:
    filename: str
    data: bytes
    metadata: bytes | None
    uploaded: datetime | None
    yanked: str | None
    requires_python: str | None = None
    version: str = ""


def _canon(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


class PypiServer(LoopbackServer):
    """A PEP 691 JSON / PEP 503 HTML Simple index at ``/simple/`` with files at ``/files/``.

    ``json=False`` serves HTML only (a mirror without upload times); ``upload_times=False`` keeps
    the JSON but drops PEP 700's upload-time (an index that cannot travel in time).
    """

    def __init__(self, *, json: bool = True, upload_times: bool = True, metadata: bool = True) -> None:
        super().__init__()
        self.json = json
        self.upload_times = upload_times
        self.metadata = metadata
        self.projects: dict[str, list[_PyFile]] = {}
        self.auth: tuple[str, str] | None = None  # require basic auth when set

    @property
    def url(self) -> str:
        return self.base + "/simple/"

    def add(self, name: str, version: str, *, uploaded: str | datetime | None = "2024-01-01T00:00:00Z",
            yanked: str | bool | None = None, requires: Iterable[str] = (), sdist: bool = False,
            requires_python: str | None = None) -> None:
        filename, data, meta = build_wheel(name, version, requires)
        y = ("" if yanked is True else None if yanked is False else yanked)
        files = self.projects.setdefault(_canon(name), [])
        t = _utc(uploaded) if uploaded else None
        files.append(_PyFile(filename, data, meta, t, y, requires_python, version))
        if sdist:
            sname = f"{name.replace('-', '_')}-{version}.tar.gz"
            files.append(_PyFile(sname, b"not really a tarball", None, t, y, requires_python, version))

    def remove(self, name: str, version: str) -> None:
        """Delete a release (files gone), as a maintainer can on PyPI."""
        key = _canon(name)
        self.projects[key] = [f for f in self.projects.get(key, []) if f.version != version]

    def _find(self, filename: str) -> _PyFile | None:
        for files in self.projects.values():
            for f in files:
                if f.filename == filename:
                    return f
        return None

    def route(self, req: BaseHTTPRequestHandler) -> Reply:
        if self.auth is not None:
            import base64

            want = "Basic " + base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            if req.headers.get("Authorization") != want:
                return Reply(401, b"auth required", {"WWW-Authenticate": 'Basic realm="x"'}, "text/plain")
        path = unquote(urlsplit(req.path).path)
        if path.startswith("/files/"):
            name = path[len("/files/"):]
            if name.endswith(".metadata"):
                f = self._find(name[: -len(".metadata")])
                if f is None or f.metadata is None or not self.metadata:
                    return not_found()
                return Reply(200, f.metadata, content_type="text/plain")
            f = self._find(name)
            return Reply(200, f.data) if f else not_found()
        if not path.startswith("/simple/"):
            return not_found()
        key = path[len("/simple/"):].strip("/")
        if key != _canon(key):
            return Reply(301, b"", {"Location": f"/simple/{_canon(key)}/"})
        files = self.projects.get(key)
        if files is None:
            return not_found()
        accept = req.headers.get("Accept", "")
        if self.json and "application/vnd.pypi.simple.v1+json" in accept:
            return Reply(200, self._json(key, files), content_type="application/vnd.pypi.simple.v1+json")
        return Reply(200, self._html(key, files), content_type="text/html")

    def _json(self, key: str, files: list[_PyFile]) -> bytes:
        out = []
        for f in files:
            item: dict[str, Any] = {
                "filename": f.filename, "url": f"../../files/{f.filename}",
                "hashes": {"sha256": hashlib.sha256(f.data).hexdigest()}, "size": len(f.data),
            }
            if f.requires_python:
                item["requires-python"] = f.requires_python
            if f.yanked is not None:
                item["yanked"] = f.yanked or True
            if f.metadata is not None and self.metadata:
                item["core-metadata"] = {"sha256": hashlib.sha256(f.metadata).hexdigest()}
            if self.upload_times and f.uploaded:
                item["upload-time"] = _iso(f.uploaded)
            out.append(item)
        doc = {"meta": {"api-version": "1.1"}, "name": key, "files": out,
               "versions": sorted({f.version for f in files})}
        return json.dumps(doc).encode()

    def _html(self, key: str, files: list[_PyFile]) -> bytes:
        rows = []
        for f in files:
            attrs = ""
            if f.yanked is not None:
                attrs += f' data-yanked="{f.yanked}"'
            if f.metadata is not None and self.metadata:
                attrs += f' data-core-metadata="sha256={hashlib.sha256(f.metadata).hexdigest()}"'
            if f.requires_python:
                attrs += f' data-requires-python="{f.requires_python.replace(">", "&gt;").replace("<", "&lt;")}"'
            rows.append(f'<a href="/files/{f.filename}#sha256={hashlib.sha256(f.data).hexdigest()}"{attrs}>'
                        f"{f.filename}</a><br/>")
        return (f"<!DOCTYPE html><html><head><title>Links for {key}</title></head><body>"
                f"<h1>Links for {key}</h1>{''.join(rows)}</body></html>").encode()


# ---- npm registry -------------------------------------------------------------------------------


class NpmServer(LoopbackServer):
    """Full packuments at ``/<name>`` and ``/@scope%2fname``; tarballs at ``/<name>/-/…``."""

    def __init__(self) -> None:
        super().__init__()
        self.packages: dict[str, dict[str, Any]] = {}
        self.token: str | None = None  # require "Authorization: Bearer <token>" when set

    @property
    def url(self) -> str:
        return self.base + "/"

    def add(self, name: str, version: str, *, published: str | datetime = "2024-01-01T00:00:00Z",
            dependencies: dict[str, str] | None = None, deprecated: str | None = None,
            tag: str | None = "latest") -> None:
        doc = self.packages.setdefault(name, {"name": name, "dist-tags": {}, "versions": {}, "time": {}})
        tarball = f"{name.rsplit('/', 1)[-1]}-{version}.tgz"
        integrity = "sha512-" + hashlib.sha512(f"{name}@{version}".encode()).hexdigest()[:86] + "=="
        meta: dict[str, Any] = {"name": name, "version": version, "dependencies": dependencies or {},
                                "dist": {"integrity": integrity, "shasum": hashlib.sha1(tarball.encode()).hexdigest(),
                                         "tarball": f"{self.base}/{name}/-/{tarball}"}}
        if deprecated:
            meta["deprecated"] = deprecated
        doc["versions"][version] = meta
        t = _iso(_utc(published))
        doc["time"][version] = t
        doc["time"].setdefault("created", t)
        doc["time"]["modified"] = t
        if tag:
            doc["dist-tags"][tag] = version

    def unpublish(self, name: str, version: str) -> None:
        """``npm unpublish name@version``: gone from versions, its time entry stays."""
        doc = self.packages[name]
        doc["versions"].pop(version, None)
        for tag, v in list(doc["dist-tags"].items()):
            if v == version:
                remaining = sorted((x for x in doc["versions"] if tag != "latest" or "-" not in x),
                                   key=lambda x: doc["time"][x])
                if remaining:
                    doc["dist-tags"][tag] = remaining[-1]
                else:
                    del doc["dist-tags"][tag]

    def route(self, req: BaseHTTPRequestHandler) -> Reply:
        if self.token is not None and req.headers.get("Authorization") != f"Bearer {self.token}":
            return Reply(401, b'{"error":"unauthorized"}', content_type="application/json")
        path = unquote(urlsplit(req.path).path).lstrip("/")
        if "/-/" in path:
            return Reply(200, b"tarball")
        doc = self.packages.get(path)
        if doc is None:
            return not_found()
        return Reply(200, json.dumps(doc).encode(), content_type="application/json")


# ---- fault injection ----------------------------------------------------------------------------


class FaultServer(LoopbackServer):
    """One path per fault kind; counters make "500 then success" and "429 then success" stateful.

    /hang             answers after ``hang`` seconds (longer than the client's read timeout)
    /500-then-ok      500 for the first ``fail_times`` requests, then a good JSON body
    /500              always 500
    /429-then-ok      429 with Retry-After: 1 once, then a good body
    /429-long         429 with Retry-After: 3600
    /truncated        Content-Length 4096, 40 bytes sent, connection closed
    /invalid-json     200 application/json that is not JSON
    /html-error       200 text/html error page where JSON was expected
    /loop             302 to itself, forever
    Every path also answers under a registry-like prefix: /npm/<fault>/<package>.
    """

    def __init__(self, *, hang: float = 3.0, fail_times: int = 1) -> None:
        super().__init__()
        self.hang = hang
        self.fail_times = fail_times
        self.counts: dict[str, int] = {}
        self.good = json.dumps({"name": "x", "dist-tags": {"latest": "1.0.0"},
                                "versions": {"1.0.0": {"version": "1.0.0", "dist": {}}},
                                "time": {"1.0.0": "2024-01-01T00:00:00.000Z"}}).encode()

    def route(self, req: BaseHTTPRequestHandler) -> Reply:
        path = urlsplit(req.path).path
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == "npm":
            parts = parts[1:]
        kind = parts[0] if parts else ""
        with self.lock:
            n = self.counts[kind] = self.counts.get(kind, 0) + 1
        good = Reply(200, self.good, content_type="application/json")
        if kind == "hang":
            return Reply(200, self.good, content_type="application/json", delay=self.hang)
        if kind == "500-then-ok":
            return good if n > self.fail_times else Reply(500, b"oops", content_type="text/plain")
        if kind == "500":
            return Reply(500, b"<html><title>500 Internal Server Error</title></html>", content_type="text/html")
        if kind == "429-then-ok":
            return good if n > 1 else Reply(429, b"slow down", {"Retry-After": "1"}, "text/plain")
        if kind == "429-long":
            return Reply(429, b"slow down", {"Retry-After": "3600"}, "text/plain")
        if kind == "truncated":
            return Reply(200, self.good + b" " * (4096 - len(self.good)), content_type="application/json",
                         truncate=40, conditional=False)
        if kind == "invalid-json":
            return Reply(200, b'{"name": "x", "versions": {', content_type="application/json")
        if kind == "html-error":
            return Reply(200, b"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Service "
                              b"unavailable</h1></body></html>", content_type="text/html")
        if kind == "loop":
            return Reply(302, b"", {"Location": path})
        return not_found()


def refused_url() -> str:
    """A loopback URL nothing listens on (the port was bound, then released)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/"


# ---- Debian archive -----------------------------------------------------------------------------


@dataclass
class _Suite:
    packages: dict[str, str]  # name -> version
    not_automatic: bool = False  # backports
    valid_until: datetime | None = None


def _stamp(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class DebianServer(LoopbackServer):
    """A Debian archive at ``/debian/`` (today's state: the latest publication) and a snapshot
    service at ``/archive/<archive>/<YYYYMMDDTHHMMSSZ>/`` (any instant: the latest publication at
    or before it, reached through a redirect to its canonical stamp, as the real service does);
    ``/ubuntu/<YYYYMMDDTHHMMSSZ>/`` is Ubuntu's snapshot layout over the same publications (every
    pocket, ``-security`` included, in the one dated archive).

    ``publish(date, suite, packages)`` records the state of one suite from that date on; suites
    ending in ``-security`` live in the ``debian-security`` archive at ``/debian-security/``.
    ``signer`` (a callable turning Release text into InRelease text) lets a test sign with gpg.
    """

    cache_control = "max-age=0, must-revalidate"

    def __init__(self, *, arch: str = "amd64", by_hash: bool = True, inrelease: bool = True) -> None:
        super().__init__()
        self.arch = arch
        self.by_hash = by_hash
        self.inrelease = inrelease
        self.events: dict[str, list[tuple[datetime, str, _Suite]]] = {}  # archive -> [(t, suite, state)]
        self.signer: Callable[[str], str] | None = None
        self._built: dict[tuple[str, datetime], dict[str, bytes]] = {}

    @staticmethod
    def archive_of(suite: str) -> str:
        return "debian-security" if suite.endswith("-security") else "debian"

    def mirror(self, archive: str = "debian") -> str:
        return f"{self.base}/{archive}"

    @property
    def snapshot(self) -> str:
        return self.base + "/"

    def publish(self, when: str | datetime, suite: str, packages: dict[str, str], *, backports: bool = False,
                valid_until: str | datetime | None = None) -> None:
        """From ``when`` on, ``suite`` serves ``packages`` (name -> version)."""
        archive = self.archive_of(suite)
        self.events.setdefault(archive, []).append(
            (_utc(when), suite, _Suite(dict(packages), backports, _utc(valid_until) if valid_until else None)))
        self.events[archive].sort(key=lambda e: e[0])
        self._built.clear()

    def _at(self, archive: str, t: datetime | None) -> tuple[datetime, dict[str, _Suite]] | None:
        """The publication in force at ``t`` (None: today's) and the state of every suite then."""
        events = [e for e in self.events.get(archive, []) if t is None or e[0] <= t]
        if not events:
            return None
        state: dict[str, _Suite] = {}
        for _when, suite, s in events:
            state[suite] = s
        return events[-1][0], state

    def _files(self, archive: str, when: datetime, state: dict[str, _Suite]) -> dict[str, bytes]:
        key = (archive, when)
        if key in self._built:
            return self._built[key]
        files: dict[str, bytes] = {}
        for suite, s in state.items():
            stanzas = []
            for name, version in sorted(s.packages.items()):
                deb = f"{name}_{version}_{self.arch}.deb"
                stanzas.append(f"Package: {name}\nVersion: {version}\nArchitecture: {self.arch}\n"
                               f"Filename: pool/main/{name[0]}/{name}/{deb.replace(':', '%3a')}\nSize: 1234\n"
                               f"SHA256: {hashlib.sha256(deb.encode()).hexdigest()}\n")
            plain = "\n".join(stanzas).encode()
            comp = f"main/binary-{self.arch}"
            # preset 0: a 256 KiB dictionary; the default's 94 MiB per server thread stays in glibc's
            # per-thread arenas and inflates the test process (test_pathological measures children's
            # peak memory, which on Linux starts from the parent's)
            variants = {f"{comp}/Packages.xz": lzma.compress(plain, preset=0),
                        f"{comp}/Packages.gz": gzip.compress(plain, mtime=0)}
            lines = [f"Origin: Debian\nLabel: Debian\nSuite: {suite}\nCodename: {suite}\n",
                     f"Date: {format_datetime(when, usegmt=True)}\n"]
            if s.valid_until:
                lines.append(f"Valid-Until: {format_datetime(s.valid_until, usegmt=True)}\n")
            if s.not_automatic:
                lines.append("NotAutomatic: yes\nButAutomaticUpgrades: yes\n")
            if self.by_hash:
                lines.append("Acquire-By-Hash: yes\n")
            lines.append(f"Architectures: {self.arch}\nComponents: main\nSHA256:\n")
            for rel, data in variants.items():
                lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data):>8} {rel}\n")
                if self.by_hash:
                    files[f"dists/{suite}/{comp}/by-hash/SHA256/{hashlib.sha256(data).hexdigest()}"] = data
                else:
                    files[f"dists/{suite}/{rel}"] = data
            release = "".join(lines)
            files[f"dists/{suite}/Release"] = release.encode()
            if self.inrelease:
                signed = self.signer(release) if self.signer else _fake_clearsign(release)
                files[f"dists/{suite}/InRelease"] = signed.encode()
        self._built[key] = files
        return files

    def route(self, req: BaseHTTPRequestHandler) -> Reply:
        path = unquote(urlsplit(req.path).path).lstrip("/")
        parts = path.split("/")
        if parts[0] == "archive" and len(parts) >= 3:
            archive, stamp, rest = parts[1], parts[2], "/".join(parts[3:])
            try:
                t = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            except ValueError:
                return not_found("bad timestamp")
            found = self._at(archive, t)
            if found is None:
                return not_found("no snapshot that early")
            if _stamp(found[0]) != stamp:
                return Reply(301, b"", {"Location": f"/archive/{archive}/{_stamp(found[0])}/{rest}"})
            data = self._files(archive, found[0], found[1]).get(rest)
            return Reply(200, data) if data is not None else not_found()
        if parts[0] == "ubuntu" and len(parts) >= 2:  # Ubuntu's layout: every pocket in one dated archive
            try:
                t = datetime.strptime(parts[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            except ValueError:
                return not_found("bad timestamp")
            files: dict[str, bytes] = {}
            for archive in ("debian", "debian-security"):
                state = self._at(archive, t)
                files.update(self._files(archive, *state) if state is not None else {})
            data = files.get("/".join(parts[2:]))
            return Reply(200, data) if data is not None else not_found()
        if parts[0] in ("debian", "debian-security"):
            found = self._at(parts[0], None)
            if found is None:
                return not_found()
            data = self._files(parts[0], found[0], found[1]).get("/".join(parts[1:]))
            return Reply(200, data) if data is not None else not_found()
        return not_found()


def _fake_clearsign(text: str) -> str:
    """The clearsigned shape apt reads without a keyring (the signature is not checked then)."""
    body = "\n".join(("- " + line) if line.startswith("-") else line for line in text.splitlines())
    return ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + body +
            "\n-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCgAdFiEEunsigned\n=AAAA\n-----END PGP SIGNATURE-----\n")


# ---- Alpine repositories ------------------------------------------------------------------------


def build_apkindex(packages: dict[str, str], built: datetime) -> bytes:
    """APKINDEX.tar.gz as Alpine ships it: a signature tar and the index tar, each its own gzip
    member, concatenated (the signature here is a placeholder: pinaudit does not check it)."""
    import tarfile

    def tar_member(name: str, data: bytes, end: bool) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), int(built.timestamp())
            tar.addfile(info, io.BytesIO(data))
        raw = buf.getvalue()
        # apk's signature tar has no end-of-archive blocks, so the two read as one tar
        return raw if end else raw[: 512 + ((len(data) + 511) // 512) * 512]

    records = []
    for name, version in sorted(packages.items()):
        checksum = "Q1" + hashlib.sha1(f"{name}-{version}".encode()).hexdigest()[:27] + "="
        records.append(f"C:{checksum}\nP:{name}\nV:{version}\nA:x86_64\nS:1000\nI:3000\nT:{name}\n"
                       f"t:{int(built.timestamp())}\nD:so:libc.musl-x86_64.so.1\n")
    index = ("\n".join(records) + "\n").encode()
    signature = tar_member(".SIGN.RSA.test.rsa.pub", b"not a signature", end=False)
    body = tar_member("DESCRIPTION", b"v3.20.3", end=False)
    tail = tar_member("APKINDEX", index, end=True)
    return gzip.compress(signature, mtime=0) + gzip.compress(body + tail, mtime=0)


class AlpineServer(LoopbackServer):
    """An Alpine mirror at ``/alpine/``: ``publish("v3.20", "main", {"curl": "8.9.1-r1"})``."""

    def __init__(self) -> None:
        super().__init__()
        self.repos: dict[tuple[str, str, str], bytes] = {}

    @property
    def mirror(self) -> str:
        return self.base + "/alpine"

    def publish(self, branch: str, repo: str, packages: dict[str, str], *, arch: str = "x86_64",
                built: str | datetime = "2024-06-01T00:00:00Z") -> None:
        self.repos[(branch, repo, arch)] = build_apkindex(packages, _utc(built))

    def route(self, req: BaseHTTPRequestHandler) -> Reply:
        parts = unquote(urlsplit(req.path).path).strip("/").split("/")
        if len(parts) == 5 and parts[0] == "alpine" and parts[4] == "APKINDEX.tar.gz":
            data = self.repos.get((parts[1], parts[2], parts[3]))
            if data is not None:
                return Reply(200, data, content_type="application/gzip")
        return not_found()


# ---- RPM repositories ---------------------------------------------------------------------------


class RpmServer(LoopbackServer):
    """rpm-md repositories at ``/<repo>/``: ``repodata/repomd.xml`` naming a gzip'd
    ``primary.xml`` (its file name carries its sha256, as createrepo_c writes it).
    ``publish("BaseOS", [("curl", "x86_64", "0", "7.76.1", "26.el9"), ...])``."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}

    def url(self, repo: str) -> str:
        return f"{self.base}/{repo}"

    def publish(self, repo: str, packages: Iterable[tuple[str, str, str, str, str]]) -> None:
        from xml.sax.saxutils import quoteattr

        pkgs = [(f'<package type="rpm"><name>{n}</name><arch>{a}</arch>'
                 f'<version epoch={quoteattr(e)} ver={quoteattr(v)} rel={quoteattr(r)}/></package>')
                for n, a, e, v, r in packages]
        primary = gzip.compress(('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/'
                                 'metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" '
                                 f'packages="{len(pkgs)}">' + "".join(pkgs) + "</metadata>\n").encode(), mtime=0)
        href = f"repodata/{hashlib.sha256(primary).hexdigest()}-primary.xml.gz"
        self.files = {k: v for k, v in self.files.items() if not k.startswith(f"{repo}/")}
        self.files[f"{repo}/{href}"] = primary
        self.files[f"{repo}/repodata/repomd.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">'
            f'<revision>1</revision><data type="primary"><location href="{href}"/></data></repomd>\n').encode()

    def route(self, req: BaseHTTPRequestHandler) -> Reply:
        data = self.files.get(unquote(urlsplit(req.path).path).strip("/"))
        return Reply(200, data) if data is not None else not_found()
