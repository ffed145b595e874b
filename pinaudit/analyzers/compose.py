"""Compose files -> image pull sites (PIN401/PIN402), with Compose's own variable interpolation.

``image: ${REGISTRY}/app:${TAG:-latest}`` means what Compose makes of it: values come from the
``.env`` file beside the compose file, with ``${VAR:-default}``/``${VAR-default}`` defaults and
``$$`` escapes. Compose would let the deploying shell's environment win over ``.env``; that shell
is not the one running pinaudit, so its environment is not read (a CI gate must give the same
verdict on every runner). A reference we cannot resolve is UNKNOWN, never a guessed verdict.

A service with ``build:`` builds its image; with both ``build:`` and ``image:``, ``image:`` names
the built result (``docker compose up`` builds it when it is missing rather than pulling), so it
is not a pull unless ``pull_policy`` asks for one (``always``, ``missing``, ``if_not_present``).
The base images of such a build are audited in its Dockerfile.
"""

from __future__ import annotations

import re
from pathlib import Path

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers._image_sites import image_site
from pinaudit.analyzers._yaml import load_mapping
from pinaudit.model import Diagnostic, FileResult, InstallSite, Location, Severity, Span
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.text import span_of
from pinaudit.site_context import SiteSource

KIND = "compose"
_PULLING_POLICIES = frozenset({"always", "missing", "if_not_present"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_dotenv(path: Path) -> dict[str, str]:
    """A ``.env`` file as Compose reads it: KEY=VALUE, optional ``export``, quotes, comments."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return out
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _NAME.fullmatch(key):
            continue
        value = value.strip()
        if value[:1] in ("'", '"') and value.count(value[0]) >= 2:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = re.sub(r"\s+#.*$", "", value)
        out[key] = value
    return out


def analyze_text(path: Path, display: str, text: str, options: ScanOptions) -> FileResult:
    from pinaudit.parse import yaml_pos

    root, base = load_mapping(display, text, KIND, "a compose file")
    if root is None:
        return base
    lines = yaml_pos.physical_lines(text)
    starts = yaml_pos.line_starts(text)
    index = LineIndex(text)
    # Values from the project's .env only: the scanning machine's environment is not the one that
    # runs `docker compose` (an unresolvable variable is unknown, never guessed), and a CI gate
    # must not pass or fail with whatever a runner happens to export.
    env: dict[str, str] = dict(read_dotenv(path.parent / ".env"))
    budget = yaml_pos.Budget()
    sites: list[InstallSite] = []
    diags: list[Diagnostic] = []
    try:
        services = yaml_pos.get(root, "services", budget)
        if services is None:
            # legacy v1: services at the top level
            services = root
            legacy = True
        else:
            legacy = False
        for name, _key, svc in yaml_pos.items(services, budget):
            if legacy and (name == "version" or name.startswith("x-")):
                continue
            if not yaml_pos.is_mapping(svc):
                continue
            image = yaml_pos.get(svc, "image", budget)
            if image is None:
                continue
            raw = yaml_pos.scalar(image)
            span = span_of(index, *yaml_pos.value_range(image, lines, starts))
            if raw is None:
                diags.append(Diagnostic(Location(display, span), f"service {name}: image is not a string",
                                        Severity.WARNING))  # fmt: skip
                continue
            build = yaml_pos.get(svc, "build", budget)
            policy_node = yaml_pos.get(svc, "pull_policy", budget)
            policy = (yaml_pos.scalar(policy_node) or "").strip().lower() if policy_node is not None else ""
            if build is not None and policy not in _PULLING_POLICIES:
                continue  # image: names what build: produces
            platform_node = yaml_pos.get(svc, "platform", budget)
            platform = yaml_pos.scalar(platform_node) if platform_node is not None else None
            sites.append(image_site(raw, span, display, env, KIND, detail=f"service {name}",
                                    source_kind=SiteSource.COMPOSE, platform=platform or None))
    except yaml_pos.BudgetExceeded as exc:
        diags.append(Diagnostic(Location(display, Span.point(1)), str(exc)))
    return base._replace(sites=tuple(sites), diagnostics=tuple(diags))


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    try:
        return analyze_text(source.path, source.display, source.text, options)
    except RecursionError:
        loc = Location(source.display, Span.point(1))
        return FileResult(source.display, KIND, diagnostics=(Diagnostic(loc, "compose file nested too deeply"),))
