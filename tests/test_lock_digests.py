"""Image digests in ``pinaudit.lock`` against the loopback OCI registry (Debian's docker-registry):
a lock records the digest a ``FROM …@sha256:`` pin carries (the multi-arch index's, or a
single-platform image's manifest) and the manifest its platform pulls; ``verify`` reports a moved
index digest; ``fix`` writes the index digest from the lock with no registry reachable; a v1 lock
(only the platform's manifest) is still read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.lock.locktoml import from_document, parse_lockfile
from tests.helpers import REPO, lay_out
from tests.indexes.registry import Pushed, Registry
from tests.indexes.servers import refused_url


def run(root: Path, argv: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _name(pushed: Pushed) -> str:
    """The reference without its registry host: it goes to ``--image-registry`` (so a test can
    point that at a refused port)."""
    return pushed.reference.split("/", 1)[1]


def _two_stages(root: Path, multi: Pushed, single: Pushed) -> None:
    lay_out(root, {"Dockerfile": f"FROM {_name(multi)} AS build\nRUN make\n"
                                 f"FROM {_name(single)}\nCOPY --from=build /out /out\n"})


def _at(registry: Registry) -> list[str]:
    return ["--image-registry", registry.base]


def _images(root: Path) -> list[tuple[int, str | None, str | None, str | None]]:
    _installs, images, _at = from_document(parse_lockfile((root / "pinaudit.lock").read_text()))
    return [(i.line, i.digest, i.platform, i.platform_digest) for i in images]


def test_a_multi_arch_tag_locks_its_index_digest_and_a_single_arch_image_its_manifest(
        tmp_path: Path, oci_registry: Registry, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema

    multi = oci_registry.push_image("digest/multi", "1.0", salt="lock-multi")
    single = oci_registry.push_image("digest/single", "1.0", platforms=("linux/amd64",), salt="lock-single",
                                     index=False)
    assert single.digest == single.platforms["linux/amd64"]
    _two_stages(tmp_path, multi, single)
    code, _out, err = run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 0, err
    text = (tmp_path / "pinaudit.lock").read_text()
    assert (f'[[image]]\nline = 1\nreference = "{_name(multi)}"\ndigest = "{multi.digest}"\n'
            f'platform = "linux/amd64"\nplatform-digest = "{multi.platforms["linux/amd64"]}"\n') in text
    assert _images(tmp_path) == [(1, multi.digest, "linux/amd64", multi.platforms["linux/amd64"]),
                                 (3, single.digest, "linux/amd64", single.digest)]
    schema = json.loads((REPO / "docs" / "pinaudit-lock.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(parse_lockfile(text))
    code, _out, err = run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 0 and (tmp_path / "pinaudit.lock").read_text() == text, err  # byte-identical

    # another platform: the same pin digest, that platform's manifest beside it
    code, _out, err = run(tmp_path, ["lock", *_at(oci_registry), "--platform", "linux/arm64"], capsys, monkeypatch)
    assert code == 0, err
    assert _images(tmp_path)[0] == (1, multi.digest, "linux/arm64", multi.platforms["linux/arm64"])

    # FROM --platform names the platform that stage pulls, whatever the lock's
    lay_out(tmp_path, {"Dockerfile": f"FROM --platform=linux/arm64 {_name(multi)}\n"})
    code, _out, err = run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 0, err
    assert _images(tmp_path) == [(1, multi.digest, "linux/arm64", multi.platforms["linux/arm64"])]

    # a reference already pinned keeps its digest; its platform manifest comes from the registry
    lay_out(tmp_path, {"Dockerfile": f"FROM {_name(multi)}@{multi.digest}\n"})
    code, _out, err = run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 0, err
    assert _images(tmp_path) == [(1, multi.digest, "linux/amd64", multi.platforms["linux/amd64"])]


def test_verify_reports_a_moved_index_digest(tmp_path: Path, oci_registry: Registry, isolated_env: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first = oci_registry.push_image("digest/moving", "1.0", salt="verify-a")
    lay_out(tmp_path, {"Dockerfile": f"FROM {_name(first)}\n"})
    assert run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)[0] == 0
    code, out, _err = run(tmp_path, ["verify", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 0, out

    moved = oci_registry.push_image("digest/moving", "1.0", salt="verify-b")  # the tag moves
    code, out, _err = run(tmp_path, ["verify", *_at(oci_registry), "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    assert json.loads(out)["locks"][0]["differences"] == [
        {"package": _name(first), "locked": first.digest, "fresh": moved.digest, "kind": "digest moved",
         "detail": "the tag now points to another image (line 1)"}]

    # re-locked, then the index changes while the amd64 image stays: still moved (a pin changes)
    assert run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)[0] == 0
    again = oci_registry.push_image("digest/moving", "1.0", platforms=("linux/amd64",), salt="verify-b")
    assert again.digest != moved.digest and again.platforms["linux/amd64"] == moved.platforms["linux/amd64"]
    code, out, _err = run(tmp_path, ["verify", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 1, out
    assert "the tag now points to another image (line 1); its linux/amd64 image is the same" in out


def _as_v1(text: str) -> str:
    """The lock as pinaudit wrote it before schema v2: one platform's manifest as ``digest``."""
    lines = [ln for ln in text.splitlines() if not ln.startswith(("digest = ", "platform = "))]
    return "\n".join(ln.replace("platform-digest = ", "digest = ") for ln in lines).replace(
        "pinaudit/lock/v2", "pinaudit/lock/v1") + "\n"


def test_an_old_v1_lock_is_still_read_by_verify_and_fix(
        tmp_path: Path, oci_registry: Registry, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = oci_registry.push_image("digest/old", "1.0", salt="v1-a")
    docker = f"FROM {_name(first)}\n"
    lay_out(tmp_path, {"Dockerfile": docker})
    assert run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)[0] == 0
    lock = tmp_path / "pinaudit.lock"
    lock.write_text(_as_v1(lock.read_text()))
    assert _images(tmp_path) == [(1, None, "linux/amd64", first.platforms["linux/amd64"])]
    code, out, _err = run(tmp_path, ["verify", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 0, out
    assert "a v1 lock holds only the linux/amd64 manifest's digest; run pinaudit lock" in out

    # fix from a v1 lock: the platform's manifest with --platform naming it; the index digest
    # it does not hold, so without --platform the registry is asked (here refused: exit 3)
    dead = ["--image-registry", refused_url(), "--timeout", "2"]
    assert run(tmp_path, ["fix", "Dockerfile", *dead], capsys, monkeypatch)[0] == 3
    assert (tmp_path / "Dockerfile").read_text() == docker
    code, _out, err = run(tmp_path, ["fix", "Dockerfile", *dead, "--platform", "linux/amd64"], capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {_name(first)}@{first.platforms['linux/amd64']}\n"
    (tmp_path / "Dockerfile").write_text(docker)

    moved = oci_registry.push_image("digest/old", "1.0", salt="v1-b")
    code, out, _err = run(tmp_path, ["verify", *_at(oci_registry), "--format", "json"], capsys, monkeypatch)
    assert code == 1, out
    assert json.loads(out)["locks"][0]["differences"] == [
        {"package": _name(first), "locked": first.platforms["linux/amd64"],
         "fresh": moved.platforms["linux/amd64"], "kind": "digest moved",
         "detail": "the tag's linux/amd64 image is another one now (line 1)"}]

    # a schema this pinaudit does not know: a clear error naming the way out
    lock.write_text(lock.read_text().replace("pinaudit/lock/v1", "pinaudit/lock/v9"))
    code, out, _err = run(tmp_path, ["verify", *_at(oci_registry)], capsys, monkeypatch)
    assert code == 3
    assert "schema 'pinaudit/lock/v9': this pinaudit reads pinaudit/lock/v2 and pinaudit/lock/v1 " \
           "(run pinaudit lock to write the lock again)" in out


def test_fix_from_the_lock_writes_the_index_digest_with_every_index_refused(
        tmp_path: Path, oci_registry: Registry, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    multi = oci_registry.push_image("digest/fix-multi", "1.0", salt="fix-multi")
    single = oci_registry.push_image("digest/fix-single", "1.0", platforms=("linux/amd64",), salt="fix-single",
                                     index=False)
    _two_stages(tmp_path, multi, single)
    docker = (tmp_path / "Dockerfile").read_text() + f"FROM {_name(multi)} AS again\n"
    (tmp_path / "Dockerfile").write_text("# three stages\n" + docker)
    assert run(tmp_path, ["lock", *_at(oci_registry)], capsys, monkeypatch)[0] == 0
    (tmp_path / "Dockerfile").write_text(docker)  # a line gone since the lock: still its entries
    dead = refused_url()
    code, _out, err = run(tmp_path, ["fix", ".", "--image-registry", dead, "--pypi-index", dead + "simple",
                                     "--npm-registry", dead, "--debian-mirror", dead, "--timeout", "2"],
                          capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "Dockerfile").read_text() == (
        f"FROM {_name(multi)}@{multi.digest} AS build\nRUN make\n"
        f"FROM {_name(single)}@{single.digest}\nCOPY --from=build /out /out\n"
        f"FROM {_name(multi)}@{multi.digest} AS again\n")
