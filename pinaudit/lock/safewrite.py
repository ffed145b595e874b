"""Writing a generated file safely: the one atomic writer lives in :mod:`pinaudit.writer.atomic`
(temporary file in the same folder, then a rename; the file's mode kept; never through a
symlink; never outside the tree the user named), shared by ``lock``, ``fix``, reports and
baselines. This name stays for ``lock``'s imports."""

from __future__ import annotations

from pinaudit.writer.atomic import UnsafeWrite, check_writable, write_text_safely

__all__ = ["UnsafeWrite", "check_writable", "write_text_safely"]
