"""The walker's simple commands: argv and redirects, wrappers stripped, shell functions called,
heredocs read, and the nested shells a command starts (``sh -c``, ``su -c``, ``eval``, a heredoc
fed to a shell) walked on a text mapped back to where its characters were written.

tree-sitter-bash parses ``pip install foo>=1 bar`` as a redirect with destinations ``=1`` *and*
``bar``: only the first destination is the file, the rest are arguments of the command.
"""

from __future__ import annotations

from pinaudit.parse.shell.expand import _UNK, _Acc, _script_form
from pinaudit.parse.shell.state import _REDIRECTS
from pinaudit.parse.shell.values import Command
from pinaudit.parse.shell.words import _WordExpander
from pinaudit.parse.shell.wrappers import _shell_mode, _strip_wrappers, _su_script, _xargs_argv
from pinaudit.parse.text import MappedText, MappedTextBuilder, append_mapped

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tree_sitter import Node as _Node

    from pinaudit.parse.shell.state import _Scope
    from pinaudit.parse.shell.values import Word

_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "posh"})
# the ones among them that expand `{a,b}` and `{1..3}` (POSIX leaves braces alone)
BRACE_SHELLS = frozenset({"bash", "zsh", "ksh", "mksh"})


def _submap(src: MappedText, text: str, offsets: list[int]) -> MappedText:
    """A MappedText for ``text`` whose char i sits where ``src`` char ``offsets[i]`` sits."""
    if not text:
        return MappedText("", ((0, src.file_offset(offsets[0] if offsets else 0), 1),), src.line_index)
    segs: list[tuple[int, int, int]] = []
    prev_file = -2
    prev_step = -1
    n = len(src.text)
    for i, o in enumerate(offsets):
        fo, step = src.locate(o) if 0 <= o < n else (src.file_offset(o), 1)
        if step == 0 or prev_step != step or fo != prev_file + 1:
            segs.append((i, fo, step))
        prev_file, prev_step = fo, step
    return MappedText(text, tuple(segs), src.line_index)


def _strip_tabs(mt: MappedText) -> MappedText:
    """<<- removes leading tabs from every body line; keep each kept char's physical place."""
    b = MappedTextBuilder(mt.line_index)
    off = 0
    for line in mt.text.split("\n"):
        k = len(line) - len(line.lstrip("\t"))
        rest = line[k:]
        if off + len(line) < len(mt.text):
            rest += "\n"
        if rest:
            append_mapped(b, mt.slice(off + k, off + k + len(rest)))
        off += len(line) + 1
    built = b.build()
    if not built.text:
        return MappedText("", ((0, mt.file_offset(0), 1),), mt.line_index)
    return built


class _CommandRunner(_WordExpander):
    """Turns a ``command`` node into a Command and runs what it starts (one mixin of the walker)."""

    def _command(self, node: _Node) -> None:
        prefix: list[_Node] = []
        groups: list[list[_Node]] = []
        redirects: list[_Node] = []
        seen_name = False
        last_end = -1
        for ch in node.children:
            t = ch.type
            if t == "variable_assignment" and not seen_name:
                prefix.append(ch)
            elif t in _REDIRECTS:
                redirects.append(ch)
                last_end = -1
            elif t == "comment":
                continue
            else:
                if t == "command_name":
                    seen_name = True
                if ch.start_byte == last_end and groups:
                    groups[-1].append(ch)  # tree-sitter split one word in two (`$"..."`, `a\ b`)
                else:
                    groups.append([ch])
                last_end = ch.end_byte
        pend = self.pending.pop(node.id, None)
        all_redirects = redirects + (pend.redirects if pend else [])

        assigns: list[tuple[str, str | None]] = [self._assign(a, persist=False) for a in prefix]
        argv: list[Word] = []
        for grp in groups:
            argv.extend(self._words(grp))
        redir_words: list[tuple[str, Word]] = []
        stdin_text: MappedText | None = None
        heredoc_shell_text: tuple[MappedText, bool] | None = None
        for r in all_redirects:
            if r.type == "file_redirect":
                op, dests = self._file_redirect(r)
                placeholder = self._txt(dests[0][0]) if dests and len(dests[0]) == 1 else ""
                if op.endswith("<") and placeholder in self.ctx.heredocs:
                    stdin_text, quoted_delim = self.ctx.heredocs[placeholder]  # a Dockerfile heredoc
                    heredoc_shell_text = (stdin_text, quoted_delim)
                    continue
                self._redirect_target(op, dests, redir_words, argv)
            elif r.type == "herestring_redirect":
                for ch in r.children:
                    if ch.is_named and self.ctx.heredocs and self._txt(ch) in self.ctx.heredocs:
                        stdin_text, quoted_delim = self.ctx.heredocs[self._txt(ch)]
                        heredoc_shell_text = (stdin_text, quoted_delim)
                        break
                    if ch.is_named:
                        acc = _Acc()
                        self._pieces(ch, acc, False, False)
                        text, offs = _script_form(acc.pieces)
                        stdin_text = _submap(self.src, text + "\n", [*offs, offs[-1] if offs else 0])
                        heredoc_shell_text = (stdin_text, True)
                        break
            else:
                body, quoted_delim, inner_redirects = self._heredoc(r)
                stdin_text = body
                heredoc_shell_text = (body, quoted_delim)
                for ir in inner_redirects:
                    op, dests = self._file_redirect(ir)
                    self._redirect_target(op, dests, redir_words, argv)

        via: list[str] = [f"{k}=" for k, _v in assigns]
        original = argv
        argv, extra_assigns, wrappers = _strip_wrappers(argv)
        assigns.extend(extra_assigns)
        via.extend(wrappers)
        if not argv:
            return
        if "xargs" in wrappers:
            argv = _xargs_argv(original, argv, redir_words, self.stdin_from)
        elif not wrappers and argv[0].value in self.functions and argv[0].value not in self.calling:
            if self.ctx.calls_left > 0:
                self.ctx.calls_left -= 1
                self._call(argv[0].value, argv[1:])
            return
        cmd = Command(
            argv=tuple(argv),
            span=self._span(node),
            stdin_from=self.stdin_from,
            stdin_text=stdin_text,
            via=self.via + tuple(via),
            assignments=tuple(assigns),
            redirects=tuple(redir_words),
        )
        self._emit(cmd)
        self.last_cmd[node.id] = cmd
        self._after(cmd, assigns, heredoc_shell_text)

    def _call(self, name: str, args: list[Word]) -> None:
        """Run a shell function's body with $1.. $# $@ bound, in the caller's scope (as bash does)."""
        self.called.add(name)
        keys = [str(i) for i in range(1, 10)] + ["#", "@", "*"]
        saved = {k: self.scope[k] for k in keys if k in self.scope}
        for k in keys:
            self.scope.pop(k, None)
        for i, w in enumerate(args[:9], start=1):
            self.scope[str(i)] = w.value
        self.scope["#"] = str(len(args))
        whole = None if any(w.value is None for w in args) else " ".join(w.value or "" for w in args)
        self.scope["@"] = self.scope["*"] = whole
        outer_args, self.call_args = self.call_args, args
        self.calling.append(name)
        try:
            self._stmt(self.functions[name])
        finally:
            self.calling.pop()
            self.call_args = outer_args
            for k in keys:
                self.scope.pop(k, None)
            self.scope.update(saved)

    def _redirect_target(self, op: str, dests: list[list[_Node]], redir_words: list[tuple[str, Word]],
                         argv: list[Word]) -> None:
        """A redirection's target word (what ``> FILE`` writes), and any words after it, which the
        shell hands to the command as arguments (``cmd > out extra``)."""
        if dests:
            ws = self._words(dests[0])
            if ws:
                redir_words.append((op, ws[0]))
            for grp in dests[1:]:
                argv.extend(self._words(grp))

    def _file_redirect(self, node: _Node) -> tuple[str, list[list[_Node]]]:
        dests: list[list[_Node]] = []
        op_end = node.start_byte
        last_end = -1
        for i, ch in enumerate(node.children):
            if node.field_name_for_child(i) == "destination":
                if ch.start_byte == last_end and dests:
                    dests[-1].append(ch)
                else:
                    dests.append([ch])
                last_end = ch.end_byte
            elif not dests:
                op_end = ch.end_byte
        op = self.text[node.start_byte : op_end].strip()
        return op, dests

    def _heredoc(self, node: _Node) -> tuple[MappedText, bool, list[_Node]]:
        strip_tabs = False
        quoted = False
        body: _Node | None = None
        end: _Node | None = None
        inner: list[_Node] = []
        for ch in node.children:
            t = ch.type
            if t == "<<-":
                strip_tabs = True
            elif t == "heredoc_start":
                raw = self._txt(ch)
                quoted = any(q in raw for q in "'\"\\")
            elif t == "heredoc_body":
                body = ch
            elif t == "heredoc_end":
                end = ch
            elif t == "file_redirect":
                inner.append(ch)
        if body is None:
            at = end.start_byte if end is not None else node.end_byte
            return self.src.slice(at, at), quoted, inner
        start, stop = body.start_byte, body.end_byte
        mt = self.src.slice(start, stop)
        if strip_tabs:
            mt = _strip_tabs(mt)
        return mt, quoted, inner

    def _after(
        self,
        cmd: Command,
        assigns: list[tuple[str, str | None]],
        stdin_shell: tuple[MappedText, bool] | None,
    ) -> None:
        """Side effects of a command: nested shells it starts, variables it sets."""
        name = cmd.name
        argv = cmd.argv
        vals = [w.value for w in argv]
        if name in _SHELLS:
            mode, i = _shell_mode(vals)
            tag = name
            if mode == "c":
                if i < len(argv):
                    pos = {str(k): w.value for k, w in enumerate(argv[i + 1 :])}
                    self._nested_word(argv[i], f"{tag} -c", cmd, assigns, pos)
            elif mode == "stdin":
                pos = {str(k + 1): w.value for k, w in enumerate(argv[i:])}
                if stdin_shell is not None:
                    text, quoted = stdin_shell
                    self._nested(text, f"{tag} <<", cmd, assigns, pos, full_scope=not quoted)
                elif cmd.stdin_from:
                    feeder = cmd.stdin_from[-1]
                    if feeder.name == "cat" and len(feeder.argv) == 1 and feeder.stdin_text is not None:
                        self._nested(feeder.stdin_text, f"cat <<EOF | {tag}", cmd, assigns, pos, full_scope=True)
        elif name in ("su", "runuser"):
            script = _su_script(argv)
            if script is not None:
                w, cut = script
                self._nested_word(w, f"{name} -c", cmd, assigns, {}, cut=cut)
        elif name == "eval":
            self._eval(cmd)
        elif name in ("read", "mapfile", "readarray", "getopts"):
            for v in vals[1:]:
                if v is not None and v.isidentifier():
                    self.scope[v] = None

    def _eval(self, cmd: Command) -> None:
        words = cmd.argv[1:]
        if not words or any(w.substitutions for w in words):
            return  # eval "$(curl ...)": the text is only known at run time
        parts: list[str] = []
        offs: list[int] = []
        for w in words:
            text, o = self._word_script(w)
            if parts:
                parts.append(" ")
                offs.append(offs[-1] if offs else 0)
            parts.append(text)
            offs.extend(o)
        sub = _submap(self.src, "".join(parts), offs)
        self._descend(sub, "eval", cmd, self.scope, self.exported, share=True)

    def _word_script(self, w: Word) -> tuple[str, list[int]]:
        """Re-expand a word keeping unknown parts raw (the nested shell will judge them)."""
        got = self._word_pieces.get(id(w))
        if got is None:
            return "", []
        return _script_form(got[1])

    def _nested_word(
        self,
        w: Word,
        tag: str,
        cmd: Command,
        assigns: list[tuple[str, str | None]],
        positional: dict[str, str | None],
        cut: int = 0,
    ) -> None:
        text, offs = self._word_script(w)
        if not text.strip():
            return
        if w.substitutions and w.value is None and self._only_subst(w):
            return  # sh -c "$(curl ...)": the script is whatever the download says
        sub = _submap(self.src, text[cut:], offs[cut:])
        self._nested(sub, tag, cmd, assigns, positional, full_scope=False)

    def _only_subst(self, w: Word) -> bool:
        got = self._word_pieces.get(id(w))
        pieces = got[1] if got is not None else []
        return all(k == _UNK or not t.strip() for k, t, _o, _e in pieces)

    def _nested(
        self,
        sub: MappedText,
        tag: str,
        cmd: Command,
        assigns: list[tuple[str, str | None]],
        positional: dict[str, str | None],
        full_scope: bool,
    ) -> None:
        # a child shell sees exported variables plus VAR=x given to it; an unquoted heredoc is
        # expanded by the parent, so there the parent's whole scope applies
        if full_scope:
            scope: _Scope = dict(self.scope)
        else:
            scope = {k: v for k, v in self.scope.items() if k in self.exported}
        scope.update(assigns)
        for k in [k for k in scope if k.isdigit()]:
            del scope[k]
        scope.update(positional)
        self._descend(sub, tag, cmd, scope, set(scope), share=False)

