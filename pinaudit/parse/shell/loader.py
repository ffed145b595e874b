"""tree-sitter-bash, loaded cheaply and once per thread, and the pre-passes its parse needs."""

from __future__ import annotations

import _thread
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from tree_sitter import Parser, Tree

_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# A standalone `\<` or `\>` word, or a quoted `'<'`/`">"`: test(1)'s string comparison.
_ESCAPED_COMPARISON = r"(?<=[ \t])(?:\\[<>]|'[<>]'|\"[<>]\")(?=[ \t])"


def _mask_escaped_comparisons(text: str) -> str:
    """``\\<``/``'<'`` words inside a ``[ ]``/``[[ ]]`` test on their line, replaced by ``==``
    (right-aligned: same length)."""
    out = list(text)
    for m in re.finditer(_ESCAPED_COMPARISON, text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text.rfind("[", line_start, m.start()) > text.rfind("]", line_start, m.start()):
            out[m.start() : m.end()] = "==".rjust(m.end() - m.start())
    return "".join(out)


# tree-sitter parsers are not thread-safe: one per thread, made once. (``_thread``, the C module,
# rather than ``threading``: a pre-commit run should not import what it never uses.)
_local = _thread._local()


def _binding(package: str) -> Any:
    """The compiled ``package._binding`` module, loaded without running the package's ``__init__``.

    Both packages' ``__init__`` files cost a one-file pre-commit run more than the parse itself:
    tree-sitter-bash's imports importlib.resources (and through it tempfile, shutil, bz2, lzma,
    random...) only to serve highlight queries we never read; tree-sitter's imports :mod:`typing`
    for one Protocol. The binding is registered under its own name, so a later ``import
    tree_sitter`` reuses it (same types). Falls back to the package if its layout changes.
    """
    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec(package)  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = f"{folder}/_binding{suffix}"
            try:
                loader = importlib.machinery.ExtensionFileLoader(name, path)
                mod_spec = importlib.util.spec_from_file_location(name, path, loader=loader)
                if mod_spec is None:
                    continue
                module = importlib.util.module_from_spec(mod_spec)
                loader.exec_module(module)
            except (ImportError, OSError):
                continue
            return sys.modules.setdefault(name, module)
    return importlib.import_module(name)


def _parser() -> Parser:
    p: Parser | None = getattr(_local, "parser", None)
    if p is None:
        ts = _binding("tree_sitter")
        p = ts.Parser(ts.Language(_binding("tree_sitter_bash").language()))
        _local.parser = p
    return p


def parse_tree(text: str) -> Tree:
    """Parse ``text`` with this thread's parser; the tree's byte offsets are ``text``'s character
    offsets. The text parsed may differ from ``text`` (see below): read words from ``text``."""
    if not text.isascii():
        # tree-sitter-bash's scanner can crash the process on some non-ASCII input (seen with
        # '{' + U+E43CB); bash treats such characters as plain word characters, and so does
        # '.' (it is no name character, so `$é` stays literal). One ASCII char per char also
        # makes tree-sitter's byte offsets our character offsets.
        text = _NON_ASCII.sub(".", text)
    if "\\<" in text or "\\>" in text or "'<'" in text or "'>'" in text or '"<"' in text or '">"' in text:
        # test(1)'s string comparison `[ "$v" \< 7.4 ]` is unknown to tree-sitter-bash's test
        # grammar: the whole if-statement became an ERROR and the installs inside it were lost.
        # A same-length `==` parses as a comparison (offsets unchanged); words are still read
        # from the original text, and a test's operands are never audited.
        text = _mask_escaped_comparisons(text)
    tree = _parser().parse(text.encode("ascii"))
    for _ in range(_MAX_REPARSES):  # a header the grammar lost may hide the next one from it
        if not tree.root_node.has_error:
            break
        fixed = _grammar_gaps(text, tree)
        if fixed == text:
            break
        text = fixed
        tree = _parser().parse(text.encode("ascii"))
    return tree


_MAX_REPARSES = 8
# After ``for NAME`` (or bash's ``select NAME``): blanks, line continuations, newlines, comments.
_HEADER_GAP = re.compile(r"(?:[ \t]|\\\n|\n|#[^\n]*)*")
_NAME = re.compile(r"[ \t]+[A-Za-z_][A-Za-z0-9_]*")


# `# note` in backquotes (a comment inside a long install list): the grammar's comment runs to the
# end of the line and swallows the closing backquote
_BACKQUOTE_COMMENT = re.compile(r"(?<=[ \t])`#[^`\n]*`")
# zsh's expansion flags `${(%):-%N}` (scripts that run under bash or zsh test for either)
_ZSH_FLAGS = re.compile(r"(?<=\$\{)\([^(){}\s]*\)")
# `10#$x` inside `$(( ))`: bash's base prefix, unknown to the grammar's arithmetic
_ARITH = re.compile(r"\$?\(\((?:[^()\n]|\([^()\n]*\))*\)\)")
_BASE_PREFIX = re.compile(r"(?<=[0-9])#(?=[$0-9A-Za-z_{])")


def _grammar_gaps(text: str, tree: Tree) -> str:
    """``text`` with the valid shell tree-sitter-bash cannot parse rewritten, character for
    character, to shell it parses (offsets unchanged; words are read from the original text):
    the loop headers below, a command name with ``@`` or ``%`` in it (``poetry@build --version``:
    the grammar reads ``poetry`` as an assignment's name and gives up), bash's ``10#$x``, and a
    backquoted comment (`` `# note` ``, read as `` `: note` ``: it expands to nothing) and zsh's
    ``${(%):-%N}`` flags in a script written for bash or zsh."""
    out = list(_posix_loop_headers(text, tree))
    if "${(" in text:
        for m in _ZSH_FLAGS.finditer(text):
            out[m.start() : m.end()] = "_" * (m.end() - m.start())  # `${___:-%N}`: a name, same length
    if "`#" in text:
        for m in _BACKQUOTE_COMMENT.finditer(text):
            out[m.start() + 1] = ":"  # `: note`: a no-op the grammar reads (the words see `# note`)
    for node in _error_nodes(tree):
        first = node.children[0] if node.children else None
        after = text[first.end_byte : first.end_byte + 1] if first is not None else ""
        if first is not None and first.type == "variable_name" and after in ("@", "%"):
            out[first.end_byte] = "_"
    if "#" in text:
        for m in _ARITH.finditer(text):
            for b in _BASE_PREFIX.finditer(text, m.start(), m.end()):
                out[b.start()] = "+"
    return "".join(out)


def _error_nodes(tree: Tree) -> list[Any]:
    found: list[Any] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR":
            found.append(node)
        if node.has_error:
            stack.extend(node.children)
    return found


def _posix_loop_headers(text: str, tree: Tree) -> str:
    """``text`` with the loop headers POSIX allows but tree-sitter-bash does not, rewritten to ones
    it parses, character for character (offsets unchanged; words are read from ``text``).

    The grammar wants ``in`` on the line of ``for NAME`` and at least one word after it, and a
    ``;`` or newline before a ``do`` that follows the name; POSIX (and bash, dash) also take
    ``for V⏎  in a b``, ``for V # note⏎in a``, an empty list ``for V in; do`` and ``for V do``.
    Each became an ERROR that lost the loop (its variable unknown, its body read as commands
    after a syntax error). Only ``for``/``select`` keywords the parser itself saw inside a broken
    part of the tree are touched, never text in strings, comments or heredocs.
    """
    out = list(text)
    for start in _loop_keywords(tree):
        name = _NAME.match(text, start + (3 if text.startswith("for", start) else 6))
        if name is None:
            continue
        after, gap = _gap(text, name.end())
        if re.match(r"in(?![A-Za-z0-9_])", text[after : after + 3]):
            _blank(out, name.end(), after)  # `for V⏎  in a b`: the header on one line
            rest_end, rest = _gap(text, after + 2)
            ended = "\n" in rest.replace("\\\n", "")  # a newline ends the (empty) list
            if text.startswith(";", rest_end) or (ended and re.match(r"do(?![A-Za-z0-9_])", text[rest_end:])):
                out[after : after + 2] = "  "  # `for V in; do`: no words; the body runs with V unknown
        elif re.match(r"do(?![A-Za-z0-9_])", text[after : after + 3]) and gap and "\n" not in gap:
            out[after - 1] = ";"  # `for V do`
    return "".join(out)


def _gap(text: str, at: int) -> tuple[int, str]:
    """Where the blanks, continuations, newlines and comments from ``at`` on end, and their text."""
    m = _HEADER_GAP.match(text, at)
    end = m.end() if m else at
    return end, text[at:end]


def _blank(out: list[str], start: int, end: int) -> None:
    """Comments and newlines in ``out[start:end]`` become blanks (a ``\\⏎`` stays as it is)."""
    i = start
    while i < end:
        if out[i] == "\\" and i + 1 < end and out[i + 1] == "\n":
            i += 2
            continue
        if out[i] == "#":
            while i < end and out[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if out[i] == "\n":
            out[i] = " "
        i += 1


def _loop_keywords(tree: Tree) -> list[int]:
    """Offsets of the ``for``/``select`` keywords in the broken parts of ``tree``."""
    found: list[int] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("for", "select") and node.child_count == 0:
            found.append(node.start_byte)
        elif node.has_error or node.type == "ERROR":
            stack.extend(node.children)
    return found
