"""Reading the user's own configuration: pip's config chain, .npmrc files, apt sources (one-line and
deb822), Docker credentials. Every file here is written by the test; none of the host's is read."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest

from pinaudit.index.sources import (
    debian_mirrors,
    npm_default_registry,
    npmrc_files,
    pip_config_files,
    pip_default_index,
    read_apt_sources,
    read_docker_config,
    read_npmrc,
    read_pip_config,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_pip_config_chain_later_files_and_env_win(tmp_path):
    glob = write(tmp_path / "etc/pip.conf", "[global]\nindex-url = https://global.invalid/simple\n"
                                            "extra-index-url = https://a.invalid/simple https://b.invalid/simple\n")
    user = write(tmp_path / "user/pip.conf", "[install]\nindex_url = https://user.invalid/simple\n"
                                             "find-links = /srv/wheels\ncert = /etc/ca.pem\n")
    cfg = read_pip_config([glob, user], {})
    assert cfg.index_url == "https://user.invalid/simple" and cfg.source == str(user)
    assert cfg.extra_index_urls == ("https://a.invalid/simple", "https://b.invalid/simple")
    assert cfg.find_links == ("/srv/wheels",) and cfg.cert == "/etc/ca.pem"
    env = read_pip_config([glob, user], {"PIP_INDEX_URL": "https://env.invalid/simple"})
    assert env.index_url == "https://env.invalid/simple" and env.source == "PIP_INDEX_URL"


def test_pip_config_files_order_and_devnull(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}
    files = pip_config_files(env, site_prefix=str(tmp_path / "venv"))
    assert files[0] == tmp_path / "xdg/pip/pip.conf"
    assert files[-1] == tmp_path / "venv/pip.conf"
    assert tmp_path / ".config/pip/pip.conf" in files
    assert pip_config_files({**env, "PIP_CONFIG_FILE": os.devnull}) == []
    explicit = write(tmp_path / "mine.conf", "[global]\n")
    with_file = pip_config_files({**env, "PIP_CONFIG_FILE": str(explicit)}, site_prefix=str(tmp_path / "venv"))
    assert with_file[-1] == explicit and tmp_path / ".config/pip/pip.conf" not in with_file


def test_pip_default_index_is_what_pip_reports():
    url = pip_default_index()
    assert url is not None and url.startswith("https://") and url.rstrip("/").endswith("/simple")


def test_npmrc_chain_scopes_and_tokens(tmp_path):
    home = tmp_path / "home"
    write(home / ".npmrc", "registry=https://user.invalid/\n//user.invalid/:_authToken=${NPM_TOKEN}\n")
    project = tmp_path / "app"
    write(project / "package.json", "{}")
    write(project / ".npmrc", "@acme:registry=https://acme.invalid/npm/\n"
                              "//acme.invalid/npm/:_authToken=acme-secret\n")
    files = npmrc_files(project, {"HOME": str(home)})
    assert files == [home / ".npmrc", project / ".npmrc"]
    cfg = read_npmrc(files, {"NPM_TOKEN": "tok-from-env"})
    assert cfg.registry_for("express") == "https://user.invalid/"
    assert cfg.registry_for("@acme/ui") == "https://acme.invalid/npm/"
    assert cfg.token_for("https://acme.invalid/npm/@acme%2fui") == "acme-secret"
    assert cfg.token_for("https://user.invalid/express") == "tok-from-env"
    assert cfg.token_for("https://other.invalid/x") is None
    assert "acme-secret" not in repr(cfg.registry) and cfg.source == str(home / ".npmrc")


def test_npm_config_get_registry(tmp_path, monkeypatch):
    fake = write(tmp_path / "bin/npm", "#!/bin/sh\necho https://npm-mirror.invalid/\n")
    fake.chmod(0o755)
    npm_default_registry.cache_clear()
    assert npm_default_registry(str(fake)) == "https://npm-mirror.invalid/"
    assert npm_default_registry(str(tmp_path / "missing")) is None
    npm_default_registry.cache_clear()


@pytest.mark.skipif(not shutil.which("npm"), reason="npm not installed")
def test_real_npm_reports_a_registry(isolated_env):
    npm_default_registry.cache_clear()
    url = npm_default_registry()
    npm_default_registry.cache_clear()
    assert url is not None and url.startswith("http")


def test_apt_sources_one_line_and_deb822(tmp_path):
    write(tmp_path / "etc/apt/sources.list",
          "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.invalid/debian bookworm main contrib\n"
          "deb-src http://mirror.invalid/debian bookworm main\n")
    write(tmp_path / "etc/apt/sources.list.d/debian.sources",
          "Types: deb\nURIs: http://sec.invalid/debian-security\nSuites: bookworm-security\nComponents: main\n\n"
          "Types: deb\nURIs: https://vendor.invalid/apt\nSuites: nodistro\nComponents: main\n\n"
          "Types: deb\nURIs: http://off.invalid/debian\nSuites: bookworm\nEnabled: no\n")
    sources = read_apt_sources(tmp_path)
    assert [(s.uri, s.suites) for s in sources] == [
        ("http://mirror.invalid/debian", ("bookworm",)),
        ("http://sec.invalid/debian-security", ("bookworm-security",)),
        ("https://vendor.invalid/apt", ("nodistro",)),
    ]
    assert debian_mirrors(sources) == ("http://mirror.invalid/debian", "http://sec.invalid/debian-security",
                                       ("main", "contrib"))
    assert debian_mirrors([]) == (None, None, ("main",))


def test_docker_config_credentials_and_mirrors(tmp_path):
    auth = base64.b64encode(b"me:pa:ss").decode()
    cfg = write(tmp_path / "config.json", json.dumps({"auths": {"https://reg.invalid:5000/v1/": {"auth": auth}}}))
    daemon = write(tmp_path / "daemon.json", '{"registry-mirrors": ["https://mirror.invalid"]}')
    got = read_docker_config(cfg, daemon)
    assert got.auths["reg.invalid:5000"] == ("me", "pa:ss") and got.mirrors == ("https://mirror.invalid",)
    assert read_docker_config(tmp_path / "missing.json").auths == {}
