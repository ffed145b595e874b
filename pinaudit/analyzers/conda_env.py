"""conda environment files found by discovery (``environment.yml``) -> conda and pip install sites.

The reading itself (dependencies, the ``pip:`` list, the conda-lock file beside it) is
:mod:`pinaudit.analyzers.conda_walk`, which the analyzers of Dockerfiles, scripts and workflows
share for ``conda env create -f FILE`` and ``conda install --file FILE``.
"""

from __future__ import annotations

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers.conda_walk import analyze_source
from pinaudit.model import FileResult


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    return analyze_source(source, options)
