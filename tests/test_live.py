"""Live checks against real indexes (issue 10): opt-in with PINAUDIT_LIVE=1, never in CI.

The index locations come from this machine's own configuration, as a user's run would take them:
the PyPI that pip is configured for (or pip's own default), the Debian mirror of the host's apt
sources.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(os.environ.get("PINAUDIT_LIVE") != "1", reason="live index checks need PINAUDIT_LIVE=1"),
]


def test_requests_below_3_as_of_2023_01_01_is_2_28_1(tmp_path):
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from pinaudit.index.http import HttpSettings, Transport
    from pinaudit.index.interface import Project
    from pinaudit.index.pypi import SimpleIndex
    from pinaudit.index.sources import pip_config_files, pip_default_index, read_pip_config

    conf = read_pip_config(pip_config_files())
    url = conf.index_url if conf.index_url and conf.index_url.startswith("http") else pip_default_index()
    assert url, "no PyPI index configured and pip reports none"
    with Transport(HttpSettings(cache_dir=tmp_path / "cache")) as transport:
        past = SimpleIndex(url, transport).as_of(datetime(2023, 1, 1, tzinfo=timezone.utc)).project("requests")
    assert isinstance(past, Project), past
    spec = SpecifierSet("<3")
    candidates = [Version(r.version) for r in past.releases
                  if r.yanked is None and not Version(r.version).is_prerelease and Version(r.version) in spec]
    assert str(max(candidates)) == "2.28.1"


def test_scan_online_reports_a_curl_pin_bookworm_no_longer_serves(tmp_path, monkeypatch, capsys):
    from pinaudit._cli import main
    from pinaudit.index.sources import debian_mirrors, read_apt_sources

    mirror, _security, _components = debian_mirrors(read_apt_sources())
    if mirror is None:
        pytest.skip("this host has no Debian apt sources")
    # bookworm's point releases moved curl to deb12u5 and beyond long ago, and -security keeps only
    # its own last upload: deb12u4 is served by neither
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    Path("Dockerfile").write_text("FROM debian:bookworm\n"
                                  "RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u4\n")
    code = main(["scan", "--online", "--no-progress", "--format", "json", "Dockerfile"])
    doc = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["line"], f["package"]) for f in doc["findings"] if f["rule"] == "PIN601"] == [
        ("PIN601", 2, "curl")]
    # Docker Hub's debian:bookworm can only be checked with an image registry configured
    assert code == 1 or (code == 3 and [u["ecosystem"] for u in doc["unchecked"]] == ["image"])


def test_simulate_requests_and_flask_below_3_on_python_3_11_slim(tmp_path, monkeypatch, capsys):
    """Issue 11: the cached build of 2023-01-01 gets requests 2.28.1, urllib3 1.26.13, flask 2.2.2 and
    certifi 2022.12.7; the fresh one what `uv pip compile` gives today for Python 3.11 on Linux."""
    import subprocess

    from pinaudit._cli import main
    from pinaudit.index.sources import pip_default_index
    from pinaudit.resolve._pip import isolated_env, parse_pins
    from pinaudit.resolve.uv import find_uv

    url = pip_default_index()
    assert url
    (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nRUN pip install requests "flask<3"\n')
    monkeypatch.chdir(tmp_path)
    code = main(["simulate", ".", "--cached-at", "2023-01-01", "--ecosystem", "pip", "--format", "json",
                 "--no-progress", "--pypi-index", url])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    cached = doc["sites"][0]["resolved"]["cached"]
    assert (cached["requests"], cached["urllib3"], cached["flask"], cached["certifi"]) == (
        "2.28.1", "1.26.13", "2.2.2", "2022.12.7")
    today = subprocess.run([find_uv(), "pip", "compile", "--no-config", "--no-header", "--no-annotate",
                            "--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu",
                            "--index-url", url, "-"], input='requests\nflask<3\n', capture_output=True, text=True,
                           env=isolated_env(), timeout=300)
    assert today.returncode == 0, today.stderr
    assert doc["sites"][0]["resolved"]["fresh"] == dict(parse_pins(today.stdout))
