"""The two Python resolvers (uv, pip-tools) against the loopback PyPI: they agree, travel in time,
honour constraints, ``-r`` files and ``--no-deps``, never see the host's pip/uv configuration, and
say "unreachable" (exit 3 material) apart from "no solution"."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinaudit.index.http import Transport
from pinaudit.resolve._pip import PipSettings
from pinaudit.resolve.interface import PipRequest, Resolution, Unresolved
from pinaudit.resolve.piptools import PipToolsResolver
from pinaudit.resolve.uv import UvResolver, find_uv
from tests.indexes.history import CACHED, FRESH, fill_pypi
from tests.indexes.servers import PypiServer, build_wheel, refused_url


@pytest.fixture
def index(pypi: PypiServer) -> PypiServer:
    return fill_pypi(pypi)


@pytest.fixture
def settings(tmp_path: Path, isolated_env: Path) -> PipSettings:
    return PipSettings(cache_dir=tmp_path / "resolver-cache", timeout=2, retries=0)


@pytest.fixture(params=["uv", "pip-tools"])
def resolver(request: pytest.FixtureRequest, settings: PipSettings, transport: Transport) -> Iterator[object]:
    yield UvResolver(settings) if request.param == "uv" else PipToolsResolver(settings, transport=transport)


def _versions(outcome: object) -> dict[str, str]:
    assert isinstance(outcome, Resolution), outcome
    return outcome.versions()


def test_uv_comes_from_its_package_not_path() -> None:
    import uv

    assert find_uv() == str(uv.find_uv_bin())
    assert Path(find_uv()).is_file()


def test_requests_at_two_instants(resolver: UvResolver, index: PypiServer) -> None:
    req = PipRequest(("requests",), index_url=index.url, python_version="3.11", at=CACHED)
    assert _versions(resolver.resolve(req)) == {
        "certifi": "2022.12.7", "charset-normalizer": "2.1.1", "idna": "3.4", "requests": "2.28.1",
        "urllib3": "1.26.13"}
    fresh = _versions(resolver.resolve(PipRequest(("requests",), index_url=index.url, python_version="3.11",
                                                  at=FRESH)))
    assert fresh["requests"] == "2.32.3" and fresh["urllib3"] == "2.2.1"


def test_an_exact_pin_whose_dependencies_drift(resolver: UvResolver, index: PypiServer) -> None:
    cached = _versions(resolver.resolve(PipRequest(("flask==2.2.2",), index_url=index.url, python_version="3.11",
                                                   at=CACHED)))
    fresh = _versions(resolver.resolve(PipRequest(("flask==2.2.2",), index_url=index.url, python_version="3.11",
                                                  at=FRESH)))
    assert (cached["flask"], fresh["flask"]) == ("2.2.2", "2.2.2")
    assert (cached["werkzeug"], fresh["werkzeug"]) == ("2.2.2", "3.0.3")


def test_the_two_resolvers_agree(settings: PipSettings, transport: Transport, index: PypiServer,
                                 tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("requests\ngunicorn>=20\n")
    requests = [
        PipRequest(("requests", "flask<3"), index_url=index.url, python_version="3.11", at=CACHED),
        PipRequest(("requests", "flask<3"), index_url=index.url, python_version="3.11", at=FRESH),
        PipRequest(("flask",), constraints=("werkzeug==2.2.2",), index_url=index.url, python_version="3.11",
                   at=FRESH),
        PipRequest(files=(str(reqs),), index_url=index.url, python_version="3.11", at=FRESH),
        PipRequest(files=(str(reqs),), index_url=index.url, python_version="3.11", at=None),
    ]
    uv, pt = UvResolver(settings), PipToolsResolver(settings, transport=transport)
    for req in requests:
        assert _versions(uv.resolve(req)) == _versions(pt.resolve(req)), req


def test_constraints_are_honoured(resolver: UvResolver, index: PypiServer) -> None:
    got = _versions(resolver.resolve(PipRequest(("requests",), constraints=("urllib3==1.26.13",),
                                                index_url=index.url, python_version="3.11", at=FRESH)))
    assert got["urllib3"] == "1.26.13"


def test_no_deps_resolves_the_named_packages_only(resolver: UvResolver, index: PypiServer) -> None:
    got = _versions(resolver.resolve(PipRequest(("flask==2.2.2", "requests"), no_deps=True, index_url=index.url,
                                                python_version="3.11", at=FRESH)))
    assert got == {"flask": "2.2.2", "requests": "2.32.3"}


def test_no_solution_is_an_answer_not_an_outage(resolver: UvResolver, index: PypiServer) -> None:
    got = resolver.resolve(PipRequest(("nosuch",), index_url=index.url, python_version="3.11"))
    assert isinstance(got, Unresolved) and not got.unreachable
    assert "nosuch" in got.reason


def test_an_unreachable_index_is_unreachable(resolver: UvResolver) -> None:
    got = resolver.resolve(PipRequest(("requests",), index_url=refused_url() + "simple/", python_version="3.11"))
    assert isinstance(got, Unresolved) and got.unreachable, got
    assert "127.0.0.1" in got.index


def test_the_hosts_pip_and_uv_configuration_is_never_seen(resolver: UvResolver, index: PypiServer,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine's own pip config has find-links, file:// extra indexes and a constraints file;
    here every way pip or uv reads configuration points at a 'host' index and folder serving a
    requests 9.9.9 uploaded long ago, and a constraint that would force it: none may leak in."""
    host = PypiServer()
    try:
        host.add("requests", "9.9.9", uploaded="2020-01-01T00:00:00Z")
        links = tmp_path / "wheels"
        links.mkdir()
        name, data, _meta = build_wheel("requests", "9.9.9")
        (links / name).write_bytes(data)
        constraints = tmp_path / "host-constraints.txt"
        constraints.write_text("requests==9.9.9\n")
        conf = tmp_path / "xdg"
        (conf / "pip").mkdir(parents=True)
        (conf / "uv").mkdir(parents=True)
        ini = f"[global]\nindex-url = {host.url}\nextra-index-url = {host.url}\nfind-links = {links}\n" \
              f"constraint = {constraints}\n"
        (conf / "pip" / "pip.conf").write_text(ini)
        (tmp_path / "pip.conf").write_text(ini)
        (conf / "uv" / "uv.toml").write_text(f'index-url = "{host.url}"\nfind-links = ["{links}"]\n'
                                             f'constraint-dependencies = ["requests==9.9.9"]\n')
        for var, value in {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf"), "PIP_INDEX_URL": host.url,
                           "PIP_EXTRA_INDEX_URL": host.url, "PIP_FIND_LINKS": str(links),
                           "PIP_CONSTRAINT": str(constraints), "UV_INDEX_URL": host.url,
                           "UV_EXTRA_INDEX_URL": host.url, "UV_FIND_LINKS": str(links),
                           "UV_CONSTRAINT": str(constraints), "XDG_CONFIG_HOME": str(conf)}.items():
            monkeypatch.setenv(var, value)
        assert os.environ["PIP_FIND_LINKS"] == str(links)
        got = _versions(resolver.resolve(PipRequest(("requests",), index_url=index.url, python_version="3.11",
                                                    at=CACHED)))
        assert got["requests"] == "2.28.1"
        assert host.hits() == 0
    finally:
        host.close()


def test_uv_is_given_the_platform_and_python_version(settings: PipSettings, index: PypiServer) -> None:
    argv = UvResolver(settings, binary="uv").argv(
        PipRequest(("requests",), index_url=index.url, extra_index_urls=("http://127.0.0.1:9/simple/",),
                   python_version="3.9", platform="linux/arm64", musl=True, at=CACHED),
        Path("in.txt"), None)
    joined = " ".join(argv)
    assert "--no-config" in argv and "--python-version 3.9" in joined
    assert "--python-platform aarch64-unknown-linux-musl" in joined
    assert "--exclude-newer 2023-01-01T00:00:00Z" in joined
    assert "--index-strategy unsafe-best-match" in joined  # pip merges versions across indexes
