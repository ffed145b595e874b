"""The writer half of ``pinaudit lock`` and ``pinaudit verify``: compiled requirements files with
hashes (pip-compile's format), the stale-lock check, the fresh-build comparison and the safe writer.

Only the command functions in :mod:`pinaudit.lock.cli` are imported by the command line; ``scan``
imports none of this package.
"""
