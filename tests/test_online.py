"""scan --online through the CLI (main([...])) against loopback servers: exit codes (3 outranks 1),
every fault kind ending in exit 3 with one clear line, credentials masked, the JSON 'unchecked' list,
--offline, the cache commands; and choose_index's precedence rules."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pinaudit._cli import main
from pinaudit.images import parse_image
from pinaudit.model import Action, Ecosystem, InstallSite, Location, Pin, Span
from pinaudit.online import HostConfig, choose_index, suite_from_image
from tests.indexes.online import isolated_options
from tests.indexes.servers import FaultServer, NpmServer, PypiServer, refused_url

FAST = ["--timeout", "1", "--no-progress"]


@pytest.fixture
def project(tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).write_text(text)


def test_clean_findings_and_json(project, pypi: PypiServer, capsys):
    pypi.add("flask", "3.0.2")
    pypi.add("requests", "2.31.0")
    write(project, {"requirements.txt": "requests==2.31.0\n"})
    assert main(["scan", "--online", "--pypi-index", pypi.url, *FAST, "requirements.txt"]) == 0
    write(project, {"requirements.txt": "requests==2.31.0\nflask==3.0.3\n"})
    capsys.readouterr()
    assert main(["scan", "--online", "--pypi-index", pypi.url, *FAST, "--format", "json", "requirements.txt"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["unchecked"] == []
    online = [f for f in doc["findings"] if f["rule"] == "PIN601"]
    assert [(f["line"], f["package"], f["index"]) for f in online] == [(2, "flask", pypi.url)]


def test_static_json_has_no_unchecked_key(project, capsys):
    write(project, {"requirements.txt": "flask==3.0.3\n"})
    main(["scan", "--format", "json", "requirements.txt"])
    assert "unchecked" not in json.loads(capsys.readouterr().out)


def test_unreachable_index_exits_3_outranking_1_and_prints_everything(project, capsys):
    write(project, {"requirements.txt": "flask\nrequests==2.31.0\n"})
    url = refused_url().replace("http://", "http://alice:s3cr3t@")
    code = main(["scan", "--online", "--pypi-index", url, *FAST, "--format", "json", "requirements.txt"])
    out, err = capsys.readouterr()
    assert code == 3
    doc = json.loads(out)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("PIN202", 1), ("PIN203", 2)]  # static ones
    (u,) = doc["unchecked"]
    assert (u["path"], u["line"], u["ecosystem"], u["package"]) == ("requirements.txt", 2, "pip", "requests")
    assert u["reason"] == "connection refused" and "***@127.0.0.1" in u["index"]
    assert "s3cr3t" not in out + err
    assert "could not be checked: connection refused; 1 site left unchecked:" in err
    assert "requirements.txt:2: pip requests" in err


FAULTS = ["refused", "hang", "500", "429-long", "truncated", "invalid-json", "html-error", "loop"]


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_kind_is_exit_3_with_one_clear_line(project, faults: FaultServer, capsys, fault):
    faults.hang = 2.5
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"left-pad": "1.3.0"}}) + "\n"})
    registry = refused_url() if fault == "refused" else f"{faults.base}/npm/{fault}/"
    t0 = time.monotonic()
    code = main(["scan", "--online", "--npm-registry", registry, *FAST, "-q", "package.json"])
    elapsed = time.monotonic() - t0
    err = capsys.readouterr().err
    assert code == 3, err
    lines = [line for line in err.splitlines() if line.startswith("pinaudit: index")]
    assert len(lines) == 1 and "Traceback" not in err
    expected = {"refused": "connection refused", "hang": "read timeout", "500": "HTTP 500",
                "429-long": "HTTP 429", "truncated": "truncated", "invalid-json": "invalid JSON",
                "html-error": "HTML page", "loop": "redirect"}[fault]
    assert expected in lines[0]
    assert elapsed < 3 * 1 + 2  # the per-URL budget (3 x --timeout) plus slack


@pytest.mark.parametrize("fault", ["500-then-ok", "429-then-ok"])
def test_transient_faults_are_retried(project, faults: FaultServer, fault):
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"x": "1.0.0"}}) + "\n"})
    # --timeout 2: a URL may take 6 s in all, room for a 1 s Retry-After and a worst-case attempt
    assert main(["scan", "--online", "--npm-registry", f"{faults.base}/npm/{fault}/", "--timeout", "2",
                 "--no-progress", "-q", "--select", "PIN6", "package.json"]) == 0


def test_offline_uses_the_cache_and_a_miss_is_exit_3(project, npm: NpmServer, capsys):
    npm.add("left-pad", "1.3.0")
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"left-pad": "1.3.0"}}) + "\n"})
    args = ["scan", "--online", "--npm-registry", npm.url, *FAST, "-q", "--select", "PIN6", "package.json"]
    assert main(args) == 0
    npm.reset_log()
    assert main([*args, "--offline"]) == 0 and npm.log == []
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"is-odd": "3.0.1"}}) + "\n"})
    capsys.readouterr()
    assert main([*args, "--offline"]) == 3
    assert "--offline" in capsys.readouterr().err and npm.log == []


def test_cache_info_and_clear(project, npm: NpmServer, capsys):
    npm.add("left-pad", "1.3.0")
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"left-pad": "1.3.0"}}) + "\n"})
    main(["scan", "--online", "--npm-registry", npm.url, *FAST, "-q", "package.json"])
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    assert "entries: 1" in info and str(project.parent / "home" / ".cache") in info
    assert main(["cache", "clear"]) == 0 and "removed 1 entries" in capsys.readouterr().out
    main(["cache", "info"])
    assert "entries: 0" in capsys.readouterr().out


def test_bad_online_options_are_usage_errors(project, capsys):
    write(project, {"requirements.txt": "flask==1.0\n"})
    assert main(["scan", "--online", "--pypi-index", "ftp://x", "requirements.txt"]) == 2
    assert main(["scan", "--online", "--timeout", "0", "requirements.txt"]) == 2
    assert main(["scan", "--online", "--debian-keyring", "missing.gpg", "requirements.txt"]) == 2
    assert "no such file" in capsys.readouterr().err


# ---- choose_index ---------------------------------------------------------------------------------


def site(eco: Ecosystem, package: str, version: str, spec: str | None = None, installer: str = "pip") -> InstallSite:
    return InstallSite(eco, Action.INSTALL, package, spec or f"{package}=={version}", Pin.EXACT,
                       Location("Dockerfile", Span.point(2)), installer, version)


def test_pip_index_precedence(tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = https://mirror.invalid/simple\n"
                    "extra-index-url = https://extra.invalid/simple file:///srv/simple\nfind-links = /srv\n"
                    "cert = /etc/corp-ca.pem\n")
    opts = isolated_options(tmp_path, pip_config_files=[conf])
    host = HostConfig(opts)
    s = site(Ecosystem.PIP, "flask", "3.0.3")
    # the site's own -i wins
    got = choose_index(s, opts, host, container=True, pip_index="https://own.invalid/simple")
    assert got is not None and got.url == "https://own.invalid/simple"
    # a container: the configured index only, none of the host's extra indexes or find-links
    got = choose_index(s, opts, host, container=True)
    assert got.url == "https://mirror.invalid/simple" and got.extra_urls == ()
    assert got.cert == "/etc/corp-ca.pem"  # pip's cert is the CA bundle for pip's index
    # on the host: http(s) extra indexes too, never file://
    got = choose_index(s, opts, host, container=False)
    assert got.extra_urls == ("https://extra.invalid/simple",)
    # --pypi-index beats the pip configuration
    opts2 = isolated_options(tmp_path, pip_config_files=[conf], pypi_index="https://cli.invalid/simple")
    assert choose_index(s, opts2, HostConfig(opts2), container=True).url == "https://cli.invalid/simple"


def test_a_sites_own_index_is_the_index_asked(project, pypi: PypiServer, capsys):
    pypi.add("flask", "3.0.2")
    write(project, {"Dockerfile": f"FROM scratch\nRUN pip install -i {pypi.url} flask==3.0.3\n",
                    "requirements.txt": f"--index-url {pypi.url}\nflask==3.0.3\n"})
    # --pypi-index names another index: the site's own -i (and the file's --index-url) still win
    assert main(["scan", "--online", "--pypi-index", refused_url(), *FAST, "--format", "json", "Dockerfile",
                 "requirements.txt"]) == 1
    doc = json.loads(capsys.readouterr().out)
    online = sorted((f["path"], f["package"], f["index"]) for f in doc["findings"] if f["rule"] == "PIN601")
    assert online == [("Dockerfile", "flask", pypi.url), ("requirements.txt", "flask", pypi.url)]


def test_env_pip_index_url_is_the_index_asked(tmp_path):
    from pinaudit.online import _site_parameters

    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nENV PIP_INDEX_URL=https://env.invalid/simple\nRUN pip install flask==3.0.3\n")
    (flask,) = [s for s in _dockerfile_sites(tmp_path) if s.package == "flask"]
    opts = isolated_options(tmp_path)
    got = choose_index(flask, opts, HostConfig(opts), container=True, **_site_parameters(flask))
    assert got is not None and got.url == "https://env.invalid/simple"


def _dockerfile_sites(root: Path) -> list[InstallSite]:
    from pinaudit.analyzers import ScanOptions, SourceFile
    from pinaudit.analyzers import dockerfile as analyzer

    path = root / "Dockerfile"
    source = SourceFile(path, "Dockerfile", path.read_text(), "dockerfile")
    return list(analyzer.analyze(source, ScanOptions(cwd=root)).sites)


def test_a_stage_chain_gives_the_real_base_images_suite(tmp_path):
    from pinaudit.online import _site_parameters

    (tmp_path / "Dockerfile").write_text(
        "FROM debian:12-slim AS base\nFROM base AS x\nFROM x\n"
        "RUN apt-get install -y curl=7.88.1-10+deb12u5 \\\n"
        " && apt-get install -y -t bookworm-backports jq=1.7.1-2~bpo12+1\n")
    sites = {s.package: s for s in _dockerfile_sites(tmp_path)}
    opts = isolated_options(tmp_path, debian_mirror="http://m.invalid/debian")
    host = HostConfig(opts)
    curl = choose_index(sites["curl"], opts, host, container=True, **_site_parameters(sites["curl"]))
    assert curl is not None and (curl.url, curl.suite, curl.target) == ("http://m.invalid/debian", "bookworm", None)
    jq = choose_index(sites["jq"], opts, host, container=True, **_site_parameters(sites["jq"]))
    assert jq is not None and (jq.suite, jq.target) == ("bookworm", "bookworm-backports")


def test_pip_file_index_falls_back_to_pips_default(tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = file:///srv/local-simple\n")
    opts = isolated_options(tmp_path, pip_config_files=[conf])
    host = HostConfig(opts)
    host.__dict__["pip_default"] = "https://default.invalid/simple"  # what the installed pip reports
    got = choose_index(site(Ecosystem.PIP, "flask", "3.0.3"), opts, host, container=True)
    assert got.url == "https://default.invalid/simple"


def test_not_index_questions(tmp_path):
    opts = isolated_options(tmp_path)
    host = HostConfig(opts)
    unpinned = site(Ecosystem.PIP, "flask", "")._replace(pin=Pin.UNPINNED, version=None)
    assert choose_index(unpinned, opts, host, container=True) is None
    url = site(Ecosystem.PIP, "acme", "2.1.0", spec="acme @ https://x.invalid/acme-2.1.0.zip")
    assert choose_index(url, opts, host, container=True) is None


def test_npm_registry_from_npmrc_scope_and_token(tmp_path):
    proj = tmp_path / "app"
    proj.mkdir()
    (proj / "package.json").write_text("{}")
    (proj / ".npmrc").write_text("@acme:registry=https://acme.invalid/\n//acme.invalid/:_authToken=tok\n")
    opts = isolated_options(tmp_path)
    host = HostConfig(opts)
    s = site(Ecosystem.NPM, "@acme/ui", "1.0.0", spec="@acme/ui@1.0.0", installer="npm")
    got = choose_index(s, opts, host, container=True, project_dir=proj)
    assert got.url == "https://acme.invalid/" and got.token == "tok"
    other = choose_index(site(Ecosystem.NPM, "lodash", "4.17.21", "lodash@4.17.21", "npm"), opts, host,
                         container=True, project_dir=proj)
    assert other.url is None and "--npm-registry" in other.reason


def test_apt_mirror_and_suite(tmp_path):
    opts = isolated_options(tmp_path)
    host = HostConfig(opts)
    s = site(Ecosystem.APT, "curl", "7.88.1-10+deb12u5", spec="curl=7.88.1-10+deb12u5", installer="apt-get")
    none = choose_index(s, opts, host, container=True, base_image=parse_image("debian:bookworm"))
    assert none.url is None and "--debian-mirror" in none.reason
    (tmp_path / ".no-apt/etc/apt").mkdir(parents=True)
    (tmp_path / ".no-apt/etc/apt/sources.list").write_text("deb http://m.invalid/debian bookworm main\n")
    got = choose_index(s, opts, HostConfig(opts), container=True, base_image=parse_image("debian:12-slim"))
    assert (got.url, got.suite) == ("http://m.invalid/debian", "bookworm")
    targeted = choose_index(s, opts, HostConfig(opts), container=True, apt_target="bookworm-backports",
                            base_image=parse_image("debian:bookworm"))
    assert (targeted.suite, targeted.target) == ("bookworm", "bookworm-backports")


@pytest.mark.parametrize(("ref", "suite"), [
    ("debian:bookworm", "bookworm"), ("debian:bookworm-20240513-slim", "bookworm"), ("debian:12.5", "bookworm"),
    ("python:3.12-slim-bookworm", "bookworm"), ("node:20-bullseye-slim", "bullseye"), ("ubuntu:22.04", "jammy"),
    ("ubuntu:noble", "noble"), ("python:3.12-slim", None), ("debian", None), ("alpine:3.20", None),
])
def test_suite_from_image(ref, suite):
    assert suite_from_image(parse_image(ref)) == suite


def test_config_keys_for_indexes(project, npm: NpmServer, capsys):
    npm.add("left-pad", "1.3.0")
    write(project, {
        "package.json": json.dumps({"name": "a", "dependencies": {"left-pad": "1.3.0"}}) + "\n",
        ".pinaudit.toml": f'npm-registry = "{npm.url}"\ntimeout = 1\ncache-max-mb = 7\n',
    })
    assert main(["scan", "--online", "--no-progress", "-q", "--select", "PIN6", "package.json"]) == 0
    assert npm.hits("left-pad") == 1
    capsys.readouterr()
    main(["cache", "info"])
    assert "cap 7.0 MiB" in capsys.readouterr().out
    write(project, {".pinaudit.toml": "cache-max-mb = 0\n"})
    assert main(["cache", "info"]) == 2


def test_no_enabled_online_rule_means_no_request(project, npm: NpmServer):
    npm.add("left-pad", "1.3.0")
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"left-pad": "1.3.0"}}) + "\n"})
    assert main(["scan", "--online", "--npm-registry", npm.url, *FAST, "-q", "--ignore", "PIN6",
                 "package.json"]) == 0
    assert npm.log == []


def test_one_dead_registry_is_one_line_for_all_its_sites(project, capsys):
    deps = {"left-pad": "1.3.0", "is-odd": "3.0.1", "@acme/ui": "2.0.0"}
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": deps}, indent=2) + "\n"})
    url = refused_url()
    assert main(["scan", "--online", "--npm-registry", url, *FAST, "-q", "package.json"]) == 3
    err = capsys.readouterr().err
    assert err.count("could not be checked") == 1 and "3 sites left unchecked" in err
    assert f"index {url} could not be checked: connection refused" in err


def test_index_progress_shows_only_after_its_delay():
    from pinaudit._progress import RichProgress

    quick = RichProgress(threshold=1, description="checking indexes", delay=60.0)
    quick.start(3)
    for name in "abc":
        quick.advance(name)
    assert quick._progress is None  # a run shorter than the delay never shows a bar
    quick.finish()
    slow = RichProgress(threshold=1, description="checking indexes", delay=0.01)
    slow.start(3)
    time.sleep(0.02)
    slow.advance("a")
    assert slow._progress is not None
    slow.finish()
    assert slow._progress is None


def test_refresh_revalidates_through_the_cli(project, npm: NpmServer):
    npm.add("left-pad", "1.3.0")
    write(project, {"package.json": json.dumps({"name": "a", "dependencies": {"left-pad": "1.3.0"}}) + "\n"})
    args = ["scan", "--online", "--npm-registry", npm.url, *FAST, "-q", "--select", "PIN6", "package.json"]
    assert main(args) == 0 and main(args) == 0
    assert npm.hits("left-pad") == 1  # the second run answered from the cache
    assert main([*args, "--refresh"]) == 0
    assert npm.hits("left-pad") == 2 and npm.bodies() == 1  # revalidated: 304, no body
