"""The Dockerfiles a compose file builds, and the build context each is built with.

``build: {context: .., dockerfile: docker/Dockerfile}`` is how most multi-service projects say
where a Dockerfile's ``COPY`` sources live: a Dockerfile in ``docker/`` built from the repository
root. Scanning it with its own folder as the context would miss every file it copies (a
``poetry.lock``, a ``requirements.txt``) and report them as absent, so ``scan`` takes the context
from a compose file that builds the Dockerfile when neither ``--context`` nor the configuration
names one; ``simulate`` reads the same sections to find the Dockerfiles a compose PATH stands for.

Compose files are small; one that is not a mapping of services, cannot be read, or is larger than
:data:`MAX_BYTES` gives nothing (its own analyzer reports what is wrong with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

MAX_BYTES = 1 << 20


def compose_builds(compose: Path) -> list[tuple[Path, Path]]:
    """(Dockerfile, context) for each ``build:`` of ``compose``'s services, both absolute, in file order;
    only Dockerfiles that exist."""
    try:
        if compose.stat().st_size > MAX_BYTES:
            return []
        text = compose.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if "build" not in text:
        return []  # most compose files only pull images: no need to load them
    import yaml

    # libyaml's loader when PyYAML has it: a scan reads every compose file of a tree here
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(text, Loader=loader)
    except (ValueError, yaml.YAMLError, RecursionError):
        return []
    services = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict):
        return []
    out: list[tuple[Path, Path]] = []
    for svc in services.values():
        build = svc.get("build") if isinstance(svc, dict) else None
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict):
            context, dockerfile = str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))
        else:
            continue
        if "://" in context or "$" in context or "$" in dockerfile:
            continue  # a remote context, or one the environment decides: nothing on disk to read
        root = (compose.parent / context).resolve()
        target = (root / dockerfile).resolve()
        if target.is_file() and (target, root) not in out:
            out.append((target, root))
    return out


def contexts(composes: Iterable[Path]) -> dict[Path, Path]:
    """Dockerfile -> context over several compose files; a Dockerfile two files build from
    different contexts gets none (we would have to guess which build is meant)."""
    found: dict[Path, Path] = {}
    clashes: set[Path] = set()
    for compose in composes:
        for dockerfile, root in compose_builds(compose):
            if dockerfile in found and found[dockerfile] != root:
                clashes.add(dockerfile)
            found.setdefault(dockerfile, root)
    return {d: r for d, r in found.items() if d not in clashes}
