"""The walker: statements in execution order, control flow, pipelines, redirects, substitutions.

tree-sitter-bash nests a heredoc's continuation (``cat <<EOF | sh``, ``cat <<EOF > f && x``)
*inside* the ``heredoc_redirect`` node, and a trailing heredoc/redirect may wrap a whole
``a && b`` list although it belongs to ``b``: ``_redirected`` hands them to the right command.
"""

from __future__ import annotations

from pinaudit.parse.shell.commands import _SHELLS, BRACE_SHELLS, _CommandRunner
from pinaudit.parse.shell.expand import _IFS, _MARK, _Acc, _marked
from pinaudit.parse.shell.loader import parse_tree
from pinaudit.parse.shell.state import (
    _MAX_LOOP_VALUES,
    _MAX_NESTING,
    _REDIRECTS,
    MAX_DEPTH,
    _Ctx,
    _Pending,
    _Scope,
)
from pinaudit.parse.shell.values import ShellResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tree_sitter import Node as _Node

    from pinaudit.parse.shell.values import Command, Word
    from pinaudit.parse.text import MappedText

_STATEMENT_CONTAINERS = frozenset(
    {"program", "compound_statement", "do_group", "else_clause", "negated_command", "ERROR"}
)

_MISSING = object()


def analyze(
    src: MappedText,
    env: Mapping[str, str | None] | None = None,
    heredocs: Mapping[str, tuple[MappedText, bool]] | None = None,
    braces: bool = False,
) -> ShellResult:
    """Parse ``src`` as POSIX/bash shell and return its commands with physical spans.

    ``heredocs`` maps placeholder words to heredoc bodies cut out by another front-end (a
    Dockerfile RUN): the caller writes ``<PLACEHOLDER`` where the ``<<NAME`` operator stood, and
    the command gets the body (mapped to its physical lines; the flag says the delimiter was
    quoted) as its stdin. tree-sitter-bash cannot parse two heredocs of one line in different
    commands, nor a heredoc before the command word, nor a here-string after a file redirect
    (``cat > f <<<x``); a file redirect it parses in every position. (``<<<PLACEHOLDER`` is
    still understood.) ``braces``: the text runs in a shell that expands braces (bash, zsh,
    ksh); a nested ``bash -c``/``sh -c`` decides for itself.
    """
    ctx = _Ctx(heredocs=dict(heredocs) if heredocs else {})
    scope: dict[str, str | None] = dict(env) if env else {}
    try:
        walker = _Walker(src, ctx, 0, (), scope, set(scope))
        walker.braces = braces
        walker.run()
    except RecursionError:
        ctx.errors.append((src.span(0, 0), "shell text nested too deeply to analyse"))
    except Exception as exc:  # never let one odd RUN line take the whole audit down
        ctx.errors.append((src.span(0, 0), f"internal shell-analysis error: {type(exc).__name__}: {exc}"))
    return ShellResult(tuple(ctx.commands), tuple(ctx.errors))


def _flatten(node: _Node, kind: str) -> list[_Node]:
    """The operands of a left-nested ``kind`` node (a list or a pipeline), in source order,
    without recursion: chains of thousands of ``&&`` or ``|`` are real."""
    out: list[_Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == kind:
            stack.extend(reversed([c for c in n.children if c.is_named]))
        else:
            out.append(n)
    return out


# keywords that open a construct: an ERROR holding one stopped inside that construct
_OPENERS = frozenset({"for", "select", "while", "until", "if", "case", "function", "{", "(", "[[", "$(", "`"})
_SEPARATORS = frozenset({";", "&", "&&", "||", "|", "|&", "\n"})


def _failure_point(error: _Node, root: _Node, text: str) -> tuple[_Node, int, int]:
    """(the innermost first error node inside ``error``, the start and end of the text to name).

    Error recovery can wrap everything from the first line on in one ERROR node, so its start
    names nothing useful. A nested ERROR or MISSING node is nearer the fault; in the innermost
    one, complete statements and separators are what the parser could still read, and the first
    other token is where it stopped: a token it skipped, or a construct it opened and never
    closed (named there when the text ends inside it). A construct abandoned before more text
    (``for V`` then ``in`` on the next line) and a blank ERROR are named by the token after
    them: the one the grammar did not expect.
    """
    node = error
    while (inner := _first_error(node)) is not None:
        node = inner
    if node.is_missing:
        return node, node.start_byte, node.end_byte
    tokens = _tokens(node, 2)
    first = tokens[0] if tokens else None
    if len(tokens) == 1 and first is not None:
        return node, first.start_byte, first.end_byte  # one skipped token
    pivot = next(
        (c for c in node.children if not (c.is_named and not c.has_error) and c.type not in _SEPARATORS), None
    )
    at_end = not text[node.end_byte :].strip()
    if (pivot is None or pivot.type in _OPENERS) and not at_end:
        at = len(text) - len(text[node.end_byte :].lstrip())
        token = root.descendant_for_byte_range(at, at + 1)
        return node, at, token.end_byte if token is not None and token.start_byte == at else at + 1
    start = pivot.start_byte if pivot is not None else first.start_byte if first is not None else node.start_byte
    return node, start, max(start, node.end_byte)


def _first_error(node: _Node) -> _Node | None:
    """The first ERROR or MISSING node below ``node`` in source order."""
    stack = list(reversed(node.children))
    while stack:
        n = stack.pop()
        if n.is_missing or n.type == "ERROR":
            return n
        if n.has_error:
            stack.extend(reversed(n.children))
    return None


def _tokens(node: _Node, limit: int) -> list[_Node]:
    """The first ``limit`` tokens of ``node`` with text other than blanks."""
    out: list[_Node] = []
    stack = [node]
    while stack and len(out) < limit:
        n = stack.pop()
        if n.child_count:
            stack.extend(reversed(n.children))
        elif n.text and n.text.strip():
            out.append(n)
    return out


class _Walker(_CommandRunner):
    """Walks one parsed text; nested shells get their own walker on a mapped sub-text."""

    # ---- entry -------------------------------------------------------------------------------

    def run(self) -> None:
        tree = parse_tree(self.text)
        root = tree.root_node
        if root.has_error:
            self._collect_errors(root)
        self._stmts(root)
        for name, body in list(self.functions.items()):
            if name not in self.called:  # defined, never called here: audit it with unknown arguments
                saved = self._save()
                self._stmt(body)
                self._restore(saved)

    def _collect_errors(self, root: _Node) -> None:
        """One error per broken part of the tree, placed where the grammar gave up (see
        :func:`_failure_point`), not where the broken part starts: error recovery can wrap
        everything from the first line on in one ERROR node ("near '#!/usr/bin/env bash'")."""
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing or node.type == "ERROR":
                at, start, end = _failure_point(node, root, self.text)
                if at.is_missing:
                    self.ctx.errors.append((self._span(at), f"syntax error: missing {at.type!r}"))
                else:
                    near = self.text[start:end].strip().splitlines()
                    self.ctx.errors.append(
                        (self.src.span(start, end), f"syntax error near {(near[0][:40] if near else '')!r}")
                    )
            elif node.has_error:
                stack.extend(reversed(node.children))

    # ---- statements --------------------------------------------------------------------------

    def _stmts(self, node: _Node) -> None:
        for ch in node.children:
            if ch.is_named:
                self._stmt(ch)

    def _stmt(self, node: _Node) -> None:
        self.nesting += 1
        try:
            if self.nesting > _MAX_NESTING:
                if self.nesting == _MAX_NESTING + 1:
                    self.ctx.errors.append((self._span(node), "shell text nested too deeply to analyse"))
                return
            self._stmt_inner(node)
        finally:
            self.nesting -= 1

    def _stmt_inner(self, node: _Node) -> None:
        t = node.type
        if t == "command":
            self._command(node)
        elif t == "list":
            # left-nested for a && b && c: flatten iteratively (long chains are common)
            for it in _flatten(node, "list"):
                self._stmt(it)
        elif t == "pipeline":
            self._pipeline(self._stages(node), ())
        elif t == "redirected_statement":
            self._redirected(node)
        elif t in _STATEMENT_CONTAINERS:
            self._stmts(node)
        elif t == "subshell":
            saved = self._save()
            self._stmts(node)
            self._restore(saved)
        elif t == "variable_assignment":
            self._assign(node, persist=True)
        elif t == "variable_assignments":
            for ch in node.named_children:
                if ch.type == "variable_assignment":
                    self._assign(ch, persist=True)
        elif t == "declaration_command":
            self._declare(node)
        elif t == "unset_command":
            for ch in node.named_children:
                if ch.type in ("word", "variable_name"):
                    self.scope.pop(self._txt(ch), None)
        elif t == "if_statement":
            self._if(node)
        elif t == "case_statement":
            self._case(node)
        elif t == "for_statement":
            self._for(node)
        elif t in ("while_statement",):
            self._stmts(node)
        elif t == "function_definition":
            body = node.child_by_field_name("body")
            name_node = node.child_by_field_name("name")
            if body is not None and name_node is not None:
                self.functions[self._txt(name_node)] = body
        elif t in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            return
        else:  # test_command, c-style for, arithmetic, stray words: only their substitutions run
            self._generic(node)

    def _generic(self, node: _Node) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if t in ("command_substitution", "process_substitution"):
                self._substitution(n)
            elif t == "do_group" or t == "compound_statement":
                self._stmt(n)
            elif n.child_count:
                stack.extend(reversed(n.children))

    def _branches(self, bodies: list[Callable[[], None]], exhaustive: bool) -> None:
        """Walk alternative bodies from the same scope, then keep only what they agree on."""
        base = self._save()
        results: list[_Scope] = []
        exported: set[str] = set(base[1])
        for body in bodies:
            self.scope, self.exported = dict(base[0]), set(base[1])
            body()
            results.append(self.scope)
            exported |= self.exported
        if not exhaustive:
            results.append(base[0])
        merged: _Scope = {}
        for key in set().union(*results) if results else set():
            vals = [r.get(key, _MISSING) for r in results]
            first = vals[0]
            merged[key] = first if all(v == first for v in vals) and isinstance(first, str) else None
        self.scope, self.exported = merged, exported

    def _if(self, node: _Node) -> None:
        bodies: list[Callable[[], None]] = []
        cur: list[_Node] | None = None
        exhaustive = False
        for ch in node.children:
            t = ch.type
            if t == "then":
                cur = []
                bodies.append(self._seq(cur))
            elif t == "elif_clause":
                bodies.append(self._seq([c for c in ch.children if c.is_named]))
            elif t == "else_clause":
                exhaustive = True
                bodies.append(self._seq([c for c in ch.children if c.is_named]))
            elif ch.is_named:
                if cur is None:
                    self._stmt(ch)  # condition: always runs
                else:
                    cur.append(ch)
        self._branches(bodies, exhaustive)

    def _seq(self, nodes: list[_Node]) -> Callable[[], None]:
        def run() -> None:
            for n in nodes:
                self._stmt(n)

        return run

    def _case(self, node: _Node) -> None:
        bodies: list[Callable[[], None]] = []
        for ch in node.children:
            if ch.type == "case_item":
                after = False
                stmts: list[_Node] = []
                for c in ch.children:
                    if c.type == ")":
                        after = True
                    elif after and c.is_named:
                        stmts.append(c)
                bodies.append(self._seq(stmts))
            elif ch.is_named and ch.type != "comment":
                self._words([ch])  # the case subject: only its substitutions matter
        self._branches(bodies, False)

    def _for(self, node: _Node) -> None:
        var: str | None = None
        values: list[list[_Node]] = []
        body: _Node | None = None
        has_in = False
        for ch in node.children:
            t = ch.type
            if t == "variable_name" and var is None:
                var = self._txt(ch)
            elif t == "in":
                has_in = True
            elif t == "do_group" or t == "compound_statement":
                body = ch
            elif has_in and ch.is_named and t != "comment":
                if values and values[-1][-1].end_byte == ch.start_byte:
                    values[-1].append(ch)
                else:
                    values.append([ch])
        items: list[Word] | None = None
        if has_in:
            words = [w for grp in values for w in self._words(grp)]
            if all(w.value is not None for w in words) and 0 < len(words) <= _MAX_LOOP_VALUES:
                items = words
        if body is None:
            return
        if var is None or not items or self.ctx.iterating:
            if var is not None:
                self.scope[var] = None
            self._stmt(body)
            return
        self.ctx.iterating += 1
        try:
            for item in items:
                self.scope[var] = item.value
                # `for p in curl git; do apt-get install -y $p` installs curl from where it is written
                self.ctx.loop_items[var] = item
                self._stmt(body)
        finally:
            self.ctx.iterating -= 1
            self.ctx.loop_items.pop(var, None)

    # ---- assignments -------------------------------------------------------------------------

    def _assign_value(self, node: _Node) -> tuple[str, str | None, bool]:
        """(name, value, append) of a variable_assignment; value None when unknown."""
        name = ""
        value: str | None = ""
        append = False
        seen_op = False
        for ch in node.children:
            t = ch.type
            if not seen_op:
                if t in ("variable_name", "subscript"):
                    name = self._txt(ch) if t == "variable_name" else ""
                elif t in ("=", "+="):
                    seen_op = True
                    append = t == "+="
                continue
            if t == "array":
                value = None
                self._generic(ch)
                break
            acc = _Acc()
            self._pieces(ch, acc, False, False)
            value = _marked(acc.pieces)
            self._note_origin(name, ch, value)
            break
        return name, value, append

    def _note_origin(self, name: str, node: _Node, value: str | None) -> None:
        """Remember where a literal value is written, for the words that expand it."""
        raw = self.text[node.start_byte : node.end_byte]
        start = node.start_byte
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            raw, start = raw[1:-1], start + 1
        if value is not None and name and raw == value and "$" not in raw and "\\" not in raw:
            self.ctx.origins[name] = (self.src, start, value)
        else:
            self.ctx.origins.pop(name, None)

    def _assign(self, node: _Node, persist: bool) -> tuple[str, str | None]:
        """Assign (when ``persist``); returns the value as commands see it (None when not fully known)."""
        name, value, append = self._assign_value(node)
        if append:
            old = self.scope.get(name)
            value = old + value if old is not None and value is not None else None
        if persist and name:
            self.scope[name] = value
        return name, (None if value is not None and _MARK in value else value)

    def _declare(self, node: _Node) -> None:
        export = False
        for ch in node.children:
            t = ch.type
            if not ch.is_named:
                export = t == "export"
            elif t == "word":
                flag = self._txt(ch)
                if flag.startswith("-") and "x" in flag:
                    export = True
            elif t == "variable_assignment":
                name, _v = self._assign(ch, persist=True)
                if export and name:
                    self.exported.add(name)
            elif t == "variable_name" and export:
                self.exported.add(self._txt(ch))
            else:
                self._generic(ch)

    # ---- pipelines and redirects ---------------------------------------------------------------

    def _stages(self, node: _Node) -> list[_Node]:
        return _flatten(node, "pipeline")

    def _pipeline(self, stages: list[_Node], before: tuple[Command, ...]) -> None:
        prev = list(before)
        multi = len(stages) + len(before) > 1
        for stage in stages:
            saved_stdin = self.stdin_from
            self.stdin_from = tuple(prev)
            collector: list[Command] = []
            self.ctx.collectors.append(collector)
            saved = self._save() if multi else None  # each stage runs in a subshell
            try:
                self._stmt(stage)
            finally:
                self.ctx.collectors.pop()
                self.stdin_from = saved_stdin
                if saved is not None:
                    self._restore(saved)
            prev.extend(collector)

    def _rightmost(self, node: _Node | None) -> _Node | None:
        while node is not None and node.type in ("list", "pipeline", "negated_command"):
            named = [c for c in node.children if c.is_named and c.type != "comment"]
            node = named[-1] if named else None
        return node if node is not None and node.type == "command" else None

    def _redirected(self, node: _Node) -> None:
        body: _Node | None = None
        redirects: list[_Node] = []
        for ch in node.children:
            if ch.type in _REDIRECTS:
                redirects.append(ch)
            elif ch.is_named and body is None and ch.type != "comment":
                body = ch
        target = self._rightmost(body)
        continuation: list[_Node] = []
        if target is not None:
            pend = self.pending.setdefault(target.id, _Pending())
            for r in redirects:
                pend.redirects.append(r)
                continuation.extend(self._continuation(r))
        else:
            for r in redirects:
                continuation.extend(self._continuation(r))
        if body is not None:
            self._stmt(body)
        if target is None:
            for r in redirects:  # redirects of a loop/group: only their substitutions run
                for ch in r.children:
                    if ch.is_named and ch.type not in ("heredoc_body", "pipeline") and ch not in continuation:
                        self._generic(ch)
        # the heredoc continuation: `cat <<EOF | sh` and `cat <<EOF > f && next`
        last = self.last_cmd.get(target.id) if target is not None else None
        for kind, cont in ((c.type, c) for c in continuation):
            if kind == "pipeline":
                self._pipeline(self._stages(cont), (last,) if last is not None else ())
            else:
                self._stmt(cont)

    def _continuation(self, redirect: _Node) -> list[_Node]:
        if redirect.type != "heredoc_redirect":
            return []
        out: list[_Node] = []
        for i, ch in enumerate(redirect.children):
            if ch.type == "pipeline" or redirect.field_name_for_child(i) == "right":
                out.append(ch)
        return out

    # ---- substitutions and nested shells -------------------------------------------------------

    def _substitution(self, node: _Node) -> list[Command]:
        """Walk $(...), `...`, <(...): a subshell whose commands run before the containing command."""
        start = node.start_byte
        while start < node.end_byte and self.text[start] in _IFS:  # see _pieces: folded spaces
            start += 1
        key = self.src.position(start)
        if key in self.ctx.seen_subst and self.depth > 0:
            return []  # already walked by the shell that wrote this text (sh -c "... $(x)")
        self.ctx.seen_subst.add(key)
        before = len(self.ctx.commands)
        saved = self._save()
        saved_stdin = self.stdin_from
        self.stdin_from = ()
        self.ctx.collectors.append(None)
        try:
            self._stmts(node)
        finally:
            self.ctx.collectors.pop()
            self.stdin_from = saved_stdin
            self._restore(saved)
        return self.ctx.commands[before:]

    def _descend(self, sub: MappedText, tag: str, cmd: Command, scope: _Scope, exported: set[str], share: bool) -> None:
        if self.depth + 1 > MAX_DEPTH:
            self.ctx.errors.append((cmd.span, f"shells nested more than {MAX_DEPTH} deep; not analysed further"))
            return
        child = _Walker(sub, self.ctx, self.depth + 1, (*cmd.via, tag), scope, exported)
        program = tag.rsplit("| ", 1)[-1].split(" ", 1)[0]  # `bash -c`, `cat <<EOF | sh`, `eval`
        child.braces = program in BRACE_SHELLS or (self.braces and program not in _SHELLS)
        self.ctx.collectors.append(None)
        try:
            child.run()
        finally:
            self.ctx.collectors.pop()
        if share:
            self.scope, self.exported = child.scope, child.exported
