"""Pytest fixtures for the loopback index servers (loaded for the whole suite by tests/conftest.py).

``isolated_env`` cuts a test off the host's package-manager configuration: this machine's pip
config has extra indexes, find-links and a constraints file, and proxies or CA bundles may be set;
a test that wants a pip.conf or .npmrc writes its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pinaudit.index.http import HttpSettings, Transport
from tests.indexes.servers import DebianServer, FaultServer, NpmServer, PypiServer

# Short enough that a fault test costs a second or two, long enough for a loaded 2-core CI box.
FAST = HttpSettings(connect_timeout=1.0, read_timeout=1.0, retries=2, url_budget=6.0, backoff=0.05)

_HOST_VARS = ("PIP_", "NPM_CONFIG_", "npm_config_", "PINAUDIT_")
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh HOME and XDG dirs, no pip/npm/proxy variables, pip config files switched off."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    for name in list(os.environ):
        if name.startswith(_HOST_VARS) or name in _PROXY_VARS:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return home


@pytest.fixture
def http_settings(tmp_path: Path) -> HttpSettings:
    from dataclasses import replace

    return replace(FAST, cache_dir=tmp_path / "http-cache")


@pytest.fixture
def transport(http_settings: HttpSettings, isolated_env: Path) -> Iterator[Transport]:
    with Transport(http_settings) as t:
        yield t


@pytest.fixture
def pypi() -> Iterator[PypiServer]:
    server = PypiServer()
    yield server
    server.close()


@pytest.fixture
def npm() -> Iterator[NpmServer]:
    server = NpmServer()
    yield server
    server.close()


@pytest.fixture
def debian() -> Iterator[DebianServer]:
    server = DebianServer()
    yield server
    server.close()


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    server = FaultServer(hang=3.0)
    yield server
    server.close()


@pytest.fixture(scope="session")
def oci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real docker-registry on a loopback port (started once per test session)."""
    from tests.indexes.registry import Registry

    registry = Registry(tmp_path_factory.mktemp("registry"))
    yield registry
    registry.close()


@pytest.fixture
def rpm() -> Iterator[object]:
    from tests.indexes.servers import RpmServer

    server = RpmServer()
    yield server
    server.close()


@pytest.fixture
def alpine() -> Iterator[object]:
    from tests.indexes.servers import AlpineServer

    server = AlpineServer()
    yield server
    server.close()
