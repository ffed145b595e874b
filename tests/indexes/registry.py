"""A real OCI registry for the tests: Debian's ``docker-registry`` (distribution 2.8) on a loopback
port with a throwaway config and storage, filled through its HTTP API (blob uploads, manifest and
index PUTs), plus a bearer-token front for the anonymous-token flow.

``.ci/run`` installs the package; without it a test that needs the registry fails when ``CI`` is
set and skips otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.indexes.servers import LoopbackServer, Reply

BINARY = "docker-registry"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def need_registry() -> str:
    path = shutil.which(BINARY)
    if path is None:
        message = f"{BINARY} is not installed (apt-get install docker-registry; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@dataclass
class Pushed:
    reference: str  # host:port/repo:tag
    digest: str  # of the index (or of the single manifest)
    platforms: dict[str, str]  # "linux/amd64" -> manifest digest


class Registry:
    """A running docker-registry; ``htpasswd`` (user, password) switches basic auth on."""

    def __init__(self, root: Path, htpasswd: tuple[str, str] | None = None) -> None:
        binary = need_registry()
        self.port = _free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.base = f"http://{self.host}"
        self.auth = htpasswd
        config = [
            "version: 0.1", "log:", "  level: error", "storage:", "  filesystem:",
            f"    rootdirectory: {root / 'data'}", "  delete:", "    enabled: true",
            "http:", f"  addr: 127.0.0.1:{self.port}",
        ]
        if htpasswd:
            import crypt  # bcrypt through the C library (libxcrypt); Python >= 3.13 lacks it

            hashed = crypt.crypt(htpasswd[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))  # cost 4: fast
            (root / "htpasswd").write_text(f"{htpasswd[0]}:{hashed}\n")
            config += ["auth:", "  htpasswd:", "    realm: test", f"    path: {root / 'htpasswd'}"]
        (root / "config.yml").write_text("\n".join(config) + "\n")
        self.proc = subprocess.Popen([binary, "serve", str(root / "config.yml")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{BINARY} exited with {self.proc.returncode}") from None
                time.sleep(0.05)
        else:
            self.close()
            raise RuntimeError(f"{BINARY} did not start listening")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    # ---- filling it through the API ----------------------------------------------------------

    def _request(self, method: str, url: str, data: bytes | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if self.auth:
            import base64

            req.add_header("Authorization", "Basic " + base64.b64encode(":".join(self.auth).encode()).decode())
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def push_blob(self, repo: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        status, headers, _ = self._request("POST", f"{self.base}/v2/{repo}/blobs/uploads/")
        assert status == 202, status
        location = headers["Location"]
        if location.startswith("/"):
            location = self.base + location
        sep = "&" if "?" in location else "?"
        status, _, body = self._request("PUT", f"{location}{sep}digest={digest}", data,
                                        {"Content-Type": "application/octet-stream"})
        assert status == 201, (status, body)
        return digest

    def push_manifest(self, repo: str, ref: str, doc: dict[str, Any], media_type: str) -> str:
        data = json.dumps(doc).encode()
        status, headers, body = self._request("PUT", f"{self.base}/v2/{repo}/manifests/{ref}", data,
                                              {"Content-Type": media_type})
        assert status == 201, (status, body)
        return headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(data).hexdigest()

    def push_image(self, repo: str, tag: str, *, platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64"),
                   salt: str = "", index: bool = True) -> Pushed:
        """A tiny multi-platform image (one layer each) and its index under ``tag``; ``index=False``:
        a single-platform image, its manifest under ``tag`` (no index)."""
        assert index or len(platforms) == 1
        entries = []
        digests: dict[str, str] = {}
        for plat in platforms:
            os_, arch = plat.split("/")[:2]
            config = json.dumps({"architecture": arch, "os": os_, "rootfs": {"type": "layers", "diff_ids": []},
                                 "config": {"Env": [f"SALT={salt}{plat}"]}}).encode()
            layer = f"layer for {plat} {salt}".encode()
            cdig, ldig = self.push_blob(repo, config), self.push_blob(repo, layer)
            manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdig,
                                   "size": len(config)},
                        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ldig,
                                    "size": len(layer)}]}
            mdig = self.push_manifest(repo, "sha256:" + hashlib.sha256(json.dumps(manifest).encode()).hexdigest()
                                      if index else tag, manifest, OCI_MANIFEST)
            digests[plat] = mdig
            entries.append({"mediaType": OCI_MANIFEST, "digest": mdig,
                            "size": len(json.dumps(manifest).encode()),
                            "platform": {"os": os_, "architecture": arch}})
        if not index:
            return Pushed(f"{self.host}/{repo}:{tag}", mdig, digests)
        doc = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
        idig = self.push_manifest(repo, tag, doc, OCI_INDEX)
        return Pushed(f"{self.host}/{repo}:{tag}", idig, digests)


class TokenFront(LoopbackServer):
    """The bearer-token flow in front of a registry: 401 with a ``Bearer realm=…`` challenge, an
    anonymous token from ``/token``, requests with the token forwarded to the registry."""

    TOKEN = "anon-token-123"

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry
        self.token_requests = 0

    def route(self, req: Any) -> Reply:
        path = urlsplit(req.path)
        if path.path == "/token":
            self.token_requests += 1
            return Reply(200, json.dumps({"token": self.TOKEN}).encode(), content_type="application/json",
                         conditional=False)
        if req.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            challenge = f'Bearer realm="{self.base}/token",service="test",scope="repository:x:pull"'
            return Reply(401, b'{"errors":[]}', {"WWW-Authenticate": challenge}, "application/json",
                         conditional=False)
        status, headers, body = self.registry._request(req.command, self.registry.base + req.path,
                                                       headers={"Accept": req.headers.get("Accept", "*/*")})
        keep = {k: v for k, v in headers.items() if k.lower() in ("docker-content-digest", "etag")}
        return Reply(status, body, keep, headers.get("Content-Type", "application/json"), conditional=False)
