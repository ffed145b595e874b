"""``verify --image``: image tarballs built here (``docker save`` and OCI layout, one layer
gzipped), layers applied with whiteouts (a ``.wh.`` file deleting a Python package, an opaque
folder replacing a node_modules tree), compared with a hashed requirements file and a
``pinaudit.lock``; no daemon, no network."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.lock.image import read_image
from tests.helpers import lay_out

SITE = "usr/local/lib/python3.11/site-packages"
STATUS = ("Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10+deb12u5\n\n"
          "Package: ca-certificates\nStatus: install ok installed\nVersion: 20230311\n\n"
          "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n")


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _meta(name: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nlong description\n".encode()


LAYERS = [
    {"var/lib/dpkg/status": STATUS.encode(),
     "lib/apk/db/installed": b"C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nP:busybox\nV:1.36.1-r5\n",
     f"{SITE}/Flask-2.2.2.dist-info/METADATA": _meta("Flask", "2.2.2"),
     f"{SITE}/werkzeug-3.0.3.dist-info/METADATA": _meta("Werkzeug", "3.0.3"),
     "app/node_modules/left/package.json": b'{"name": "left", "version": "1.1.0"}',
     "app/node_modules/util/package.json": b'{"name": "util", "version": "2.0.0"}'},
    {f"{SITE}/.wh.werkzeug-3.0.3.dist-info": b"",  # pip uninstall in a later layer
     "app/node_modules/.wh..wh..opq": b"",  # rm -rf node_modules && npm ci: lower layers' tree hidden
     "app/node_modules/left/package.json": b'{"name": "left", "version": "1.0.0"}'},
]


def docker_save(path: Path) -> Path:
    files = {f"l{i}/layer.tar": _tar(layer) for i, layer in enumerate(LAYERS)}
    files["manifest.json"] = json.dumps([{"Config": "c.json", "RepoTags": ["app:1"],
                                          "Layers": [f"l{i}/layer.tar" for i in range(len(LAYERS))]}]).encode()
    files["c.json"] = b"{}"
    path.write_bytes(_tar(files))
    return path


def oci_layout(path: Path, annotations: dict[str, str] | None = None) -> Path:
    blobs: dict[str, bytes] = {}

    def blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[f"blobs/sha256/{digest[7:]}"] = data
        return digest

    layers = [blob(gzip.compress(_tar(LAYERS[0]), mtime=0)), blob(_tar(LAYERS[1]))]
    manifest = blob(json.dumps({"schemaVersion": 2, "config": {"digest": blob(b"{}")},
                                "layers": [{"digest": d} for d in layers],
                                **({"annotations": annotations} if annotations else {})}).encode())
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}',
             "index.json": json.dumps({"schemaVersion": 2, "manifests": [{"digest": manifest}]}).encode(), **blobs}
    path.write_bytes(_tar(files))
    return path


@pytest.mark.parametrize("build", [docker_save, oci_layout])
def test_layers_applied_with_whiteouts(tmp_path: Path, build: object) -> None:
    assert callable(build)
    got = read_image(build(tmp_path / "image.tar"))
    assert got.apt == {"curl": "7.88.1-10+deb12u5", "ca-certificates": "20230311"}  # "gone" is not installed
    assert got.apk == {"musl": "1.2.4-r2", "busybox": "1.36.1-r5"}
    assert got.pip == {"flask": "2.2.2"}  # werkzeug's dist-info whited out
    assert got.npm == {"left": {"1.0.0"}}  # the opaque folder hid util and left 1.1.0


REQS = ("flask==2.2.2 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r requirements.in\n"
        "werkzeug==3.0.3 \\\n    --hash=sha256:" + "b" * 64 + "\n    # via flask\n")
INDEX, AMD64, OTHER = ("sha256:" + c * 64 for c in "123")
LOCK = """\
schema = "pinaudit/lock/v2"
dockerfile = "Dockerfile"
at-source = "--at 2024-06-01"

[[image]]
line = 1
reference = "debian:12"
digest = "INDEX"
platform = "linux/amd64"
platform-digest = "AMD64"

[[install]]
line = 2
ecosystem = "apt"
command = "RUN apt-get install -y curl"
index = "http://deb.invalid/debian"
packages = [
  { name = "curl", version = "7.88.1-10+deb12u5", snapshot = "2024-06-01T00:00:00Z" },
]

[[install]]
line = 3
ecosystem = "npm"
command = "RUN npm install left"
index = "http://npm.invalid/"
packages = [
  { name = "left", version = "%s", hashes = ["sha512-x"] },
]
""".replace("INDEX", INDEX).replace("AMD64", AMD64)


def _verify(root: Path, argv: list[str], capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(["verify", *argv])
    return code, capsys.readouterr().out


def test_verify_image_against_the_locks(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    image = docker_save(tmp_path / "image.tar")
    lay_out(tmp_path / "app", {"Dockerfile": "FROM debian:12\nRUN apt-get install -y curl\nRUN npm install left\n",
                               "pinaudit.lock": LOCK % "1.1.0", "requirements.txt": REQS})
    code, out = _verify(tmp_path / "app", ["--image", str(image)], capsys, monkeypatch)
    assert code == 1
    assert "pinaudit.lock: 1 difference between the lock and the image image.tar" in out
    assert "left     1.1.0   1.0.0  the image holds another version (npm)" in out
    assert "requirements.txt: 1 difference between the lock and the image image.tar" in out
    assert "werkzeug  3.0.3   -      the image does not hold this pip package" in out
    # the locks the image matches
    lay_out(tmp_path / "app", {"pinaudit.lock": LOCK % "1.0.0",
                               "requirements.txt": REQS.split("werkzeug")[0]})
    code, out = _verify(tmp_path / "app", ["--image", str(oci_layout(tmp_path / "oci.tar")), "--format", "json"],
                        capsys, monkeypatch)
    assert code == 0, out
    doc = json.loads(out)
    assert [lock["status"] for lock in doc["locks"]] == ["ok", "ok"]
    import jsonschema

    from tests.helpers import REPO

    jsonschema.Draft202012Validator(json.loads((REPO / "docs" / "verify.schema.json").read_text())).validate(doc)
    code, out = _verify(tmp_path / "app", ["--image", str(tmp_path / "app" / "Dockerfile")], capsys, monkeypatch)
    assert code == 2  # not an image tarball


def test_verify_image_compares_the_recorded_base_with_the_locks_platform_digest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    base = "org.opencontainers.image.base"
    lay_out(tmp_path / "app", {"Dockerfile": "FROM debian:12\nRUN apt-get install -y curl\nRUN npm install left\n",
                               "pinaudit.lock": LOCK % "1.0.0"})
    app = tmp_path / "app"
    # built on the lock's linux/amd64 manifest (a Hub name spelled in full, as builders write it)
    image = oci_layout(tmp_path / "ok.tar", {f"{base}.name": "docker.io/library/debian:12", f"{base}.digest": AMD64})
    assert read_image(image).base_digest == AMD64
    code, out = _verify(app, ["--image", str(image)], capsys, monkeypatch)
    assert code == 0, out
    # a builder that records the index digest a FROM pin carries
    code, out = _verify(app, ["--image", str(oci_layout(tmp_path / "ix.tar", {f"{base}.digest": INDEX}))],
                        capsys, monkeypatch)
    assert code == 0, out
    # built on another image: the lock's platform digest against the image's
    image = oci_layout(tmp_path / "other.tar", {f"{base}.name": "debian:12", f"{base}.digest": OTHER})
    code, out = _verify(app, ["--image", str(image), "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    assert json.loads(out)["locks"][0]["differences"] == [
        {"package": "debian:12", "locked": AMD64, "fresh": OTHER, "kind": "image differs",
         "detail": "the image was built on another base image than the lock's linux/amd64 image (line 1)"}]
    # --ecosystem without image: not compared
    code, out = _verify(app, ["--image", str(image), "--ecosystem", "apt,npm"], capsys, monkeypatch)
    assert code == 0, out
    # no annotation (a legacy docker save): said, not a difference
    code, out = _verify(app, ["--image", str(docker_save(tmp_path / "image.tar"))], capsys, monkeypatch)
    assert code == 0 and "the image records no base image (OCI annotation org.opencontainers.image.base.digest)" in out
