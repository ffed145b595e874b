"""Run ``scan --online``'s core over files laid out by a test, against the loopback servers only.

Every host source (pip config, ~/.npmrc, apt sources, Docker config, ``npm config``) is pointed at
nothing, so a run can only ever reach the servers the test passes in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pinaudit.app import ScanResult
from pinaudit.config import Config
from pinaudit.index.http import Transport
from pinaudit.online import OnlineOptions, scan_online
from tests.helpers import lay_out
from tests.indexes.servers import DebianServer, NpmServer, PypiServer


def isolated_options(root: Path, **options: Any) -> OnlineOptions:
    home = root / ".home"
    home.mkdir(parents=True, exist_ok=True)
    base: dict[str, Any] = {
        "environ": {"HOME": str(home)}, "pip_config_files": [], "host_root": root / ".no-apt",
        "docker_config": home / "no-docker.json", "docker_daemon": None, "use_host_npm": False,
    }
    base.update(options)
    return OnlineOptions(**base)


def run_online(root: Path, files: dict[str, str], transport: Transport, *, pypi: PypiServer | None = None,
               npm: NpmServer | None = None, debian: DebianServer | None = None, snapshot: bool = False,
               registry: Any = None, config: Config | None = None, **options: Any) -> ScanResult:
    lay_out(root, files)
    if pypi is not None:
        options.setdefault("pypi_index", pypi.url)
    if npm is not None:
        options.setdefault("npm_registry", npm.url)
    if debian is not None:
        options.setdefault("debian_mirror", debian.mirror("debian"))
        options.setdefault("debian_security_mirror", debian.mirror("debian-security"))
        if snapshot:
            options.setdefault("debian_snapshot", debian.snapshot)
    if registry is not None:
        options.setdefault("image_registry", registry.base)
    paths = [root / name for name in files]
    return scan_online(paths, config or Config(root=root), options=isolated_options(root, **options),
                       transport=transport, cwd=root)


def online_hits(result: ScanResult, prefix: str = "PIN6") -> list[tuple[str, int, str | None]]:
    return [(f.rule, f.location.line, f.package) for f in result.report.findings if f.rule.startswith(prefix)]
