"""The writer layer: everything that changes a user's files (``fix``), built on edits as values.

Only the command functions import it; ``scan`` never does (``tests/test_startup_imports.py``).
"""
