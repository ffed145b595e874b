"""Formatters: pure functions ``Report -> str``; the CLI decides where the text goes.

Each format lives in its own module, imported only when asked for, so a pre-commit run that
prints text never imports the SARIF or HTML machinery.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from pinaudit.model import Report

FORMATS: dict[str, str] = {
    "text": "pinaudit.output.text",
    "json": "pinaudit.output.json",
    "sarif": "pinaudit.output.sarif",
    "github": "pinaudit.output.github",
    "gitlab": "pinaudit.output.gitlab",
    "html": "pinaudit.output.html",  # needs the source lines too: the CLI passes them
}


def renderer(name: str) -> Callable[[Report], str]:
    module = importlib.import_module(FORMATS[name])
    fn: Callable[[Report], str] = module.render
    return fn


def chunked_renderer(name: str) -> Callable[[Report], Iterable[str]]:
    """The format's streaming form when it has one (large reports), else its whole text."""
    module = importlib.import_module(FORMATS[name])
    chunks: Callable[[Report], Iterable[str]] | None = getattr(module, "render_chunks", None)
    if chunks is not None:
        return chunks
    whole: Callable[[Report], str] = module.render
    return lambda report: (whole(report),)
