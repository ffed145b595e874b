# ruff: noqa: E501  (the expected table has the Dockerfile's long RUN line as its heading)
"""``pinaudit simulate`` end to end against the loopback indexes (PyPI with tiny real wheels and
upload times, an npm registry, a Debian archive with a snapshot service): the exact table for a
Dockerfile whose cached and fresh builds differ in known ways, the JSON contract validated
against docs/simulation.schema.json, the two pip resolvers agreeing, shared resolutions, exit 3
with the partial answer, image sites, --ecosystem, usage errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pinaudit._cli import main
from tests.helpers import REPO, lay_out
from tests.indexes.history import fill_debian, fill_npm, fill_pypi
from tests.indexes.servers import DebianServer, NpmServer, PypiServer, refused_url

DOCKERFILE = """\
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates
COPY requirements.txt .
RUN pip install -r requirements.txt
RUN pip install flask==2.2.2 && npm install -g left@^1
"""
FILES = {"Dockerfile": DOCKERFILE, "requirements.txt": "requests\ngunicorn\n"}

EXPECTED = """\
Dockerfile:2: layer 1 (stage 0, FROM python:3.11-slim-bookworm): RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates
  [1] apt curl ca-certificates
    package          cached (2023-01-01)  fresh (2024-06-01)  change
    ca-certificates  20230311             20230311            same
    curl             7.86.0-2             7.88.1-10+deb12u5   minor
    note: apt: the named packages only; the dependencies apt would add are not resolved

Dockerfile:4: layer 3 (stage 0, FROM python:3.11-slim-bookworm): RUN pip install -r requirements.txt
  [2] pip requirements.txt requests gunicorn
    package             cached (2023-01-01)     fresh (2024-06-01)     change
    certifi             2022.12.7 (2022-12-07)  2024.2.2 (2024-02-02)  major
    charset-normalizer  2.1.1 (2022-08-19)      3.3.2 (2023-10-31)     major
    gunicorn            20.1.0 (2021-03-27)     22.0.0 (2024-04-16)    major
    idna                3.4 (2022-09-14)        3.7 (2024-04-11)       minor
    packaging           -                       24.0 (2024-03-10)      added
    requests            2.28.1 (2022-06-29)     2.32.3 (2024-05-29)    minor
    urllib3             1.26.13 (2022-11-23)    2.2.1 (2024-02-18)     major

Dockerfile:5: layer 4 (stage 0, FROM python:3.11-slim-bookworm): RUN pip install flask==2.2.2 && npm install -g left@^1
  [3] pip flask==2.2.2
    package       cached (2023-01-01)  fresh (2024-06-01)  change
    click         8.1.3 (2022-04-28)   8.1.7 (2023-08-17)  patch
    flask         2.2.2                2.2.2               same
    itsdangerous  2.1.2 (2022-03-24)   2.2.0 (2024-04-16)  minor
    jinja2        3.1.2 (2022-04-28)   3.1.4 (2024-05-05)  patch
    markupsafe    2.1.1 (2022-03-15)   2.1.5 (2024-02-02)  patch
    werkzeug      2.2.2 (2022-08-08)   3.0.3 (2024-05-05)  major
  [4] npm left@^1
    package  cached (2023-01-01)  fresh (2024-06-01)  change
    left     1.0.0 (2022-01-01)   1.1.0 (2024-03-01)  minor
    util     1.0.0 (2021-01-01)   2.0.0 (2024-02-01)  major

not simulated:
  Dockerfile:1: image python: cannot be simulated: a tag's past digest is not recorded

cached and fresh differ in 15 packages across 3 layers; 6 major
"""


class Indexes:
    def __init__(self) -> None:
        self.pypi = fill_pypi(PypiServer())
        self.npm = fill_npm(NpmServer())
        self.debian = fill_debian(DebianServer())

    def args(self, *, snapshot: bool = True, pypi: str | None = None) -> list[str]:
        out = ["--pypi-index", pypi or self.pypi.url, "--npm-registry", self.npm.url,
               "--debian-mirror", self.debian.mirror("debian"),
               "--debian-security-mirror", self.debian.mirror("debian-security"), "--no-progress"]
        return out + (["--debian-snapshot", self.debian.snapshot] if snapshot else [])

    def close(self) -> None:
        for s in (self.pypi, self.npm, self.debian):
            s.close()


@pytest.fixture(scope="module")
def indexes() -> Iterator[Indexes]:
    ix = Indexes()
    yield ix
    ix.close()


def simulate(root: Path, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
             files: dict[str, str] | None = None) -> tuple[int, str, str]:
    lay_out(root, FILES if files is None else files)
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(["simulate", *args])
    out, err = capsys.readouterr()
    return code, out, err


DATES = ["--cached-at", "2023-01-01", "--fresh-at", "2024-06-01"]


def test_the_table_per_layer(tmp_path: Path, indexes: Indexes, isolated_env: Path,
                             capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _err = simulate(tmp_path, [".", *DATES, *indexes.args()], capsys, monkeypatch)
    assert out == EXPECTED
    assert code == 1  # drift


def _schema() -> dict[str, object]:
    data: dict[str, object] = json.loads((REPO / "docs" / "simulation.schema.json").read_text())
    return data


def _validate(doc: object) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker()).validate(doc)


def test_json_is_the_simulation_contract(tmp_path: Path, indexes: Indexes, isolated_env: Path,
                                         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = simulate(tmp_path, [".", *DATES, *indexes.args(), "--format", "json"], capsys, monkeypatch)
    assert code == 1
    doc = json.loads(out)
    _validate(doc)
    assert doc["schema"] == "pinaudit/simulation/v1" and doc["complete"] is True
    assert doc["hosts"] == [{"name": "cached", "at": "2023-01-01T00:00:00Z"},
                            {"name": "fresh", "at": "2024-06-01T00:00:00Z"}]
    flask = next(s for s in doc["sites"] if s["package"] == "flask")
    assert (flask["path"], flask["line"], flask["layer"], flask["pinned"]) == ("Dockerfile", 5, 4, True)
    assert flask["resolved"]["cached"]["werkzeug"] == "2.2.2" and flask["resolved"]["fresh"]["werkzeug"] == "3.0.3"
    assert {"package": "werkzeug", "versions": {"cached": "2.2.2", "fresh": "3.0.3"}, "change": "major",
            "released": {"cached": "2022-08-08", "fresh": "2024-05-05"}} in flask["drift"]
    # the entries of the requirements file the RUN installs: its own lines, the RUN's layer
    requests = next(s for s in doc["sites"] if s["package"] == "requests")
    assert (requests["path"], requests["line"], requests["layer"]) == ("requirements.txt", 1, 3)
    assert doc["unresolved"] == [{"path": "Dockerfile", "line": 1, "ecosystem": "image", "package": "python",
                                  "host": None, "reason": "cannot be simulated: a tag's past digest is not recorded",
                                  "index": None, "unreachable": False}]
    assert doc["summary"] == {"sites": 7, "drifting_sites": 7, "packages_changed": 15, "resolutions": 4}
    assert "differ in 15 packages" in err


def test_the_two_pip_resolvers_agree(tmp_path: Path, indexes: Indexes, isolated_env: Path,
                                     capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    results = {}
    for resolver in ("uv", "pip-tools"):
        code, out, _err = simulate(tmp_path, [".", *DATES, *indexes.args(), "--format", "json", "--ecosystem", "pip",
                                              "--resolver", resolver], capsys, monkeypatch)
        assert code == 1
        doc = json.loads(out)
        assert doc["resolver"] == resolver
        results[resolver] = [(s["path"], s["line"], s["resolved"], s["drift"]) for s in doc["sites"]]
    assert results["uv"] == results["pip-tools"]
    assert len(results["uv"]) == 4  # -r, its two entries, flask: --ecosystem pip left apt and npm out


class Recorder:
    def __init__(self) -> None:
        self.total = -1
        self.done: list[str] = []

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, path: str) -> None:
        self.done.append(path)

    def finish(self) -> None:
        pass


def test_nothing_is_resolved_twice(tmp_path: Path, indexes: Indexes, isolated_env: Path) -> None:
    from datetime import datetime, timezone

    from pinaudit.config import Config
    from pinaudit.index.http import Transport
    from pinaudit.online import OnlineOptions
    from pinaudit.resolve._pip import PipSettings
    from pinaudit.simulation.model import Host, SimulateOptions
    from pinaudit.simulation.run import simulate as core
    from tests.indexes.fixtures import FAST
    from tests.indexes.online import isolated_options

    lay_out(tmp_path, {"Dockerfile": "FROM python:3.11-slim-bookworm\nRUN pip install requests\nRUN echo hi\n"
                                     "RUN pip install requests\n"})
    t = datetime(2023, 1, 1, tzinfo=timezone.utc)
    # two hosts at the same instant, two layers with the same install: one resolution
    hosts = (Host("laptop", t), Host("desktop", t), Host("ci", datetime(2024, 6, 1, tzinfo=timezone.utc)))
    online: OnlineOptions = isolated_options(tmp_path, pypi_index=indexes.pypi.url)
    options = SimulateOptions(hosts, online, PipSettings(cache_dir=tmp_path / "rc"), t)
    rec = Recorder()
    with Transport(FAST) as transport:
        sim = core([tmp_path], Config(root=tmp_path), options, transport=transport, cwd=tmp_path, progress=rec)
    assert rec.total == 2 and len(rec.done) == 2
    assert [len(s.drift) for s in sim.installs] == [5, 5]
    assert all(s.drift[0].versions.keys() == {"laptop", "desktop", "ci"} for s in sim.installs)


def test_an_unreachable_index_gives_exit_3_and_the_partial_answer(
        tmp_path: Path, indexes: Indexes, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    down = refused_url() + "simple/"
    code, out, err = simulate(tmp_path, [".", *DATES, *indexes.args(pypi=down), "--timeout", "1"], capsys, monkeypatch)
    assert code == 3
    assert "curl             7.86.0-2             7.88.1-10+deb12u5   minor" in out  # apt and npm still there
    assert "left     1.0.0 (2022-01-01)   1.1.0 (2024-03-01)  minor" in out
    assert "unresolved for cached: the index could not be reached" in out
    assert "incomplete" in out.splitlines()[-1]
    assert "127.0.0.1" in err
    code, out, _err = simulate(tmp_path, [".", *DATES, *indexes.args(pypi=down), "--timeout", "1",
                                          "--format", "json"], capsys, monkeypatch)
    doc = json.loads(out)
    _validate(doc)
    assert code == 3 and doc["complete"] is False
    assert any(u["unreachable"] and u["package"] == "flask" and u["host"] == "cached" for u in doc["unresolved"])


def test_without_a_snapshot_service_the_past_of_apt_is_unresolved(
        tmp_path: Path, indexes: Indexes, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _err = simulate(tmp_path, [".", "--cached-at", "2023-01-01", *indexes.args(snapshot=False),
                                          "--ecosystem", "apt", "--format", "json"], capsys, monkeypatch)
    doc = json.loads(out)
    _validate(doc)
    assert doc["hosts"][1]["now"] is True
    assert code == 0  # nothing to compare, nothing unreachable: not exit 3
    reasons = {(u["package"], u["host"]): u["reason"] for u in doc["unresolved"]}
    assert reasons[("curl", "cached")].startswith("no snapshot service configured")
    assert doc["sites"][0]["resolved"]["fresh"] == {"ca-certificates": "20230311", "curl": "7.88.1-10+deb12u5"}


def test_named_hosts_and_a_suite_inferred_from_release_dates(
        tmp_path: Path, indexes: Indexes, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"Dockerfile": "FROM python:3.11-slim\nRUN apt-get install -y curl\n"}
    code, out, _err = simulate(tmp_path, [".", "--host", "laptop=2024-01-01", "--host", "ci=2024-06-01",
                                          *indexes.args(), "--format", "json"], capsys, monkeypatch, files)
    doc = json.loads(out)
    _validate(doc)
    site = doc["sites"][0]
    assert site["resolved"] == {"laptop": {"curl": "7.86.0-2"}, "ci": {"curl": "7.88.1-10+deb12u5"}}
    assert any("Debian suite bookworm inferred" in n for n in site["notes"])
    assert code == 1


@pytest.mark.parametrize(("args", "message"), [
    ([], "say when the cached host built"),
    (["--cached-at", "yesterday"], "expected YYYY-MM-DD"),
    (["--host", "a=2024-01-01"], "at least two hosts"),
    (["--host", "a=2024-01-01", "--host", "b=now", "--cached-at", "90d"], "--host replaces"),
    (["--cached-at", "90d", "--ecosystem", "pip,cobol"], "unknown cobol"),
])
def test_usage_errors(tmp_path: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    code, _out, err = simulate(tmp_path, [".", *args], capsys, monkeypatch)
    assert code == 2 and message in err



def test_the_sites_own_index_options_and_constraints_come_from_the_site_model(
        tmp_path: Path, indexes: Indexes, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the RUN names its own index (the configured one is down) and a -c file whose range (not an
    # exact pin) holds urllib3 back: both are the site model's PipIndex, not read again here
    files = {"Dockerfile": f"FROM python:3.11-slim-bookworm\nCOPY c.txt .\n"
                           f"RUN pip install --index-url {indexes.pypi.url} -c c.txt requests\n",
             "c.txt": "urllib3<2\n"}
    code, out, _err = simulate(tmp_path, [".", *DATES, *indexes.args(pypi=refused_url() + "simple/"),
                                          "--format", "json"], capsys, monkeypatch, files)
    doc = json.loads(out)
    _validate(doc)
    site = next(s for s in doc["sites"] if s["package"] == "requests")
    assert (site["layer"], site["stage"], site["base_image"]) == (2, 0, "python:3.11-slim-bookworm")
    assert site["resolved"]["fresh"]["urllib3"] == "1.26.13" and site["resolved"]["fresh"]["requests"] == "2.32.3"
    assert code == 1


NPM_CI = {
    "Dockerfile": "FROM node:20-bookworm\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n"
                  "RUN npm install -g left@^1\n",
    "package.json": json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"left": "^1.0.0"}}),
    "package-lock.json": json.dumps({"name": "app", "lockfileVersion": 3, "packages": {
        "": {"name": "app", "dependencies": {"left": "^1.0.0"}},
        "node_modules/left": {"version": "1.0.0"}, "node_modules/util": {"version": "1.0.0"}}}),
}


def test_npm_ci_resolves_to_its_lockfile_at_every_host_without_a_finding(
        tmp_path: Path, indexes: Indexes, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _err = simulate(tmp_path, [".", *DATES, *indexes.args(), "--format", "json", "--ecosystem", "npm"],
                               capsys, monkeypatch, NPM_CI)
    doc = json.loads(out)
    _validate(doc)
    ci = next(s for s in doc["sites"] if s["spec"] == "ci")
    assert (ci["path"], ci["line"], ci["layer"], ci["package"], ci["pinned"]) == ("Dockerfile", 3, 2, None, True)
    lockfile = {"left": "1.0.0", "util": "1.0.0"}
    assert ci["resolved"] == {"cached": lockfile, "fresh": lockfile} and ci["drift"] == []
    assert any("npm ci installs exactly the lockfile" in n for n in ci["notes"])
    glob = next(s for s in doc["sites"] if s["package"] == "left")  # the lockless one beside it drifts
    assert glob["resolved"]["fresh"]["left"] == "1.1.0"
    assert code == 1
    code, out, _err = simulate(tmp_path, [".", *DATES, *indexes.args(), "--ecosystem", "npm"], capsys, monkeypatch,
                               NPM_CI)
    assert "Dockerfile:3: layer 2 (stage 0, FROM node:20-bookworm): RUN npm ci --omit=dev\n  [1] npm ci\n" in out
    assert "    left     1.0.0                1.0.0               same\n" in out
    # the scan: no finding for the npm ci line (the site is pinned by its lockfile)
    capsys.readouterr()
    main(["scan", ".", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted({f["line"] for f in findings if f["path"] == "Dockerfile"}) == [1, 4]  # FROM tag, left@^1
    # without a lockfile, npm ci is listed as not simulated, with the reason
    (tmp_path / "package-lock.json").unlink()
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    main(["simulate", ".", *DATES, *indexes.args(), "--ecosystem", "npm", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert any(u["line"] == 3 and "no package-lock.json" in u["reason"] for u in doc["unresolved"])


def test_config_build_args_and_context_reach_the_simulation(
        tmp_path: Path, indexes: Indexes, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"docker/app.Dockerfile": "FROM python:3.11-slim-bookworm\nARG EXTRA=gunicorn\nCOPY requirements.txt .\n"
                                      "RUN pip install -r requirements.txt $EXTRA\n",
             "requirements.txt": "idna\n",
             ".pinaudit.toml": 'build-args = { EXTRA = "certifi" }\ncontext = { "docker/*.Dockerfile" = "." }\n'}
    code, out, _err = simulate(tmp_path, ["docker/app.Dockerfile", *DATES, *indexes.args(), "--format", "json"],
                               capsys, monkeypatch, files)
    doc = json.loads(out)
    _validate(doc)
    site = next(s for s in doc["sites"] if s["package"] == "idna")  # found through the configured context
    assert site["resolved"]["cached"] == {"certifi": "2022.12.7", "idna": "3.4"}
    assert code == 1


def test_apk_is_resolved_now_and_its_past_is_unresolved_with_the_reason(
        tmp_path: Path, indexes: Indexes, alpine: Any, isolated_env: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    alpine.publish("v3.20", "main", {"curl": "8.9.1-r1", "bash": "5.2.26-r0"})
    files = {"Dockerfile": "FROM alpine:3.20\nRUN apk add --no-cache curl bash=5.2.26-r0 musl~1.2\n"}
    args = [".", "--cached-at", "2023-01-01", *indexes.args(), "--alpine-mirror", alpine.mirror]
    code, out, _err = simulate(tmp_path, [*args, "--format", "json"], capsys, monkeypatch, files)
    doc = json.loads(out)
    _validate(doc)
    assert code == 0  # nothing to compare, nothing unreachable
    unresolved = {(u["package"], u["host"]): u for u in doc["unresolved"]}
    # musl~1.2: the branch serves no musl at all, so even "now" cannot be answered
    assert unresolved[("curl", "cached")]["reason"].startswith("no snapshot source exists for Alpine")
    assert not unresolved[("curl", "cached")]["unreachable"]
    assert unresolved[("curl", "fresh")]["reason"].startswith("musl: no package 'musl' in v3.20")
    alpine.publish("v3.20", "main", {"curl": "8.9.1-r1", "bash": "5.2.26-r0", "musl": "1.2.5-r0"})
    code, out, _err = simulate(tmp_path, [*args, "--format", "json", "--refresh"], capsys, monkeypatch, files)
    doc = json.loads(out)
    site = next(s for s in doc["sites"] if s["package"] == "curl")
    assert site["resolved"] == {"cached": None, "fresh": {"bash": "5.2.26-r0", "curl": "8.9.1-r1", "musl": "1.2.5-r0"}}
    assert any(n.startswith("apk: the named packages only") for n in site["notes"])
    code, out, _err = simulate(tmp_path, [*args, "--refresh"], capsys, monkeypatch, files)
    assert "    unresolved for cached: no snapshot source exists for Alpine" in out
