"""Shell analysis through tree-sitter-bash: text -> the simple commands a shell would run.

``analyze`` parses once, walks the tree in execution order and emits every simple command with
physical spans, so a finding points at the package word's own line even inside a multi-line
RUN, a heredoc or an ``sh -c`` string. It descends into lists, pipelines, compound statements,
function bodies, command/process substitutions and nested shells (``sh -c``, ``su -c``, ``eval``,
heredocs fed to a shell), strips wrappers (``sudo``, ``env``, ``xargs``...) so ``argv[0]`` is the
real program, and expands variables it can know (never guessing the ones it cannot).
``analyze_simple`` reads cmd.exe and PowerShell lines.

The modules, one job each: ``values`` (what callers get), ``loader`` (tree-sitter, loaded
cheaply), ``expand`` (word expansion without a tree), ``wrappers`` (sudo, env, xargs...),
``braces`` (bash's brace expansion), ``state``/``words``/``commands``/``walker`` (the walker, one
mixin per job) and ``simple`` (cmd.exe and PowerShell).
"""

from __future__ import annotations

from pinaudit.parse.shell.commands import BRACE_SHELLS
from pinaudit.parse.shell.simple import analyze_simple
from pinaudit.parse.shell.state import MAX_DEPTH
from pinaudit.parse.shell.values import Command, ShellResult, Word
from pinaudit.parse.shell.walker import analyze

__all__ = ["BRACE_SHELLS", "MAX_DEPTH", "Command", "ShellResult", "Word", "analyze", "analyze_simple"]
