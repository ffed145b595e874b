"""Requirements files found by discovery -> pip install sites.

The walk itself (``-r``/``-c`` includes, constraints, hash mode) is
:mod:`pinaudit.analyzers.requirements_walk`, which the analyzers of Dockerfiles, scripts and
workflows share for ``pip install -r FILE``.
"""

from __future__ import annotations

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers.requirements_walk import KIND, analyze_source
from pinaudit.model import FileResult


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point for a requirements file found by discovery.

    A constraints file (``constraints.txt``, ``requirements/common_constraints.txt``) installs
    nothing by itself: its entries become sites with installer "constraints", which PIN202 judges
    as constraints and PIN203 leaves alone (pip does not enforce hashes given in one).
    """
    installer = "constraints" if "constraint" in source.path.name.lower() else KIND
    return analyze_source(source.path, source.display, source.text, options, installer)
