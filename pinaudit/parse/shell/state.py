"""What the walker's pieces share: the per-analysis context, the limits, and one walker's state.

The walker is one class assembled from mixins, one per job (``words``: word expansion,
``commands``: simple commands, ``walker``: statements); each mixin reaches the others through
``self``. The methods one piece calls in a later one are declared on :class:`_WalkerBase` for the
type checker only, so no module imports the one that subclasses it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tree_sitter import Node as _Node

    from pinaudit.model import Span
    from pinaudit.parse.shell.values import Command, Word
    from pinaudit.parse.text import MappedText

MAX_DEPTH = 20  # nested shells (sh -c 'sh -c ...'), eval and heredoc-fed shells
_MAX_NESTING = 150  # syntactic nesting ((((...)))) before we stop rather than hit Python's stack
_MAX_LOOP_VALUES = 32  # `for p in a b c` bodies are walked once per value up to this many
_MAX_FUNCTION_CALLS = 256  # function bodies walked per analysis (each call walks the body again)

_Scope = dict[str, "str | None"]

_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})


# Plain classes with __slots__, not dataclasses: importing ``dataclasses`` costs a one-file run ~10 ms.


class _Ctx:
    """State shared by the walkers of one ``analyze`` call (outer text and nested shells)."""

    __slots__ = ("calls_left", "collectors", "commands", "errors", "heredocs", "iterating", "loop_items", "origins",
                 "seen_subst")

    def __init__(self, heredocs: dict[str, tuple[MappedText, bool]]) -> None:
        self.commands: list[Command] = []
        self.errors: list[tuple[Span, str]] = []
        # commands of the pipeline stage being walked; None while inside a substitution/nested shell
        self.collectors: list[list[Command] | None] = []
        self.iterating = 0  # >0 while a for-loop body is walked per value: nested loops walk once
        # physical starts of $(...) already walked, so a nested shell re-reading the same text
        # (`sh -c "x $(y)"`) does not emit y twice
        self.seen_subst: set[tuple[int, int]] = set()
        # placeholder word -> (heredoc body, delimiter quoted): see ``analyze``
        self.heredocs = heredocs
        # for-loop variable -> the list word it holds in this pass (``$p`` is reported there)
        self.loop_items: dict[str, Word] = {}
        # shell-function calls still to walk: f calling g twice calling h twice... must not explode
        self.calls_left = _MAX_FUNCTION_CALLS
        # variable -> (text, offset, value) of the literal its last assignment wrote (`P="tqdm click"`):
        # the words `$P` expands to point back at their characters there (a site's origin)
        self.origins: dict[str, tuple[MappedText, int, str]] = {}


class _Pending:
    """Redirect-borne parts that tree-sitter hung on an enclosing node but belong to a command."""

    __slots__ = ("redirects",)

    def __init__(self) -> None:
        self.redirects: list[_Node] = []


class _WalkerBase:
    """One walker's state and the helpers every piece uses."""

    def __init__(
        self,
        src: MappedText,
        ctx: _Ctx,
        depth: int,
        via: tuple[str, ...],
        scope: _Scope,
        exported: set[str],
    ) -> None:
        self.src = src
        self.ctx = ctx
        self.depth = depth
        self.via = via
        self.scope = scope
        self.exported = exported
        self.text = src.text
        self.stdin_from: tuple[Command, ...] = ()
        self.pending: dict[int, _Pending] = {}
        self.last_cmd: dict[int, Command] = {}
        self.nesting = 0
        # word -> its expansion pieces, for re-reading a word as a script (sh -c, eval); the
        # word is kept in the value so its id cannot be reused while the entry lives
        self._word_pieces: dict[int, tuple[Word, list[tuple[int, str, int, bool]]]] = {}
        # shell functions defined in this text: walked at each call with its arguments bound
        # (`retry apt-get install -y curl`, `inst() { apt-get install -y "$@"; }; inst curl`),
        # and once with unknown arguments at the end if never called
        self.functions: dict[str, _Node] = {}
        self.called: set[str] = set()
        self.calling: list[str] = []
        self.call_args: list[Word] | None = None
        # brace expansion (`lib{ssl,ffi}-dev`): bash, zsh and ksh do it, POSIX sh and dash do not
        self.braces = False

    # ---- helpers -----------------------------------------------------------------------------

    def _txt(self, node: _Node) -> str:
        return self.text[node.start_byte : node.end_byte]

    def _span(self, node: _Node) -> Span:
        return self.src.span(node.start_byte, node.end_byte)

    def _span_nodes(self, first: _Node, last: _Node) -> Span:
        return self.src.span(first.start_byte, last.end_byte)

    def _emit(self, cmd: Command) -> None:
        self.ctx.commands.append(cmd)
        if self.ctx.collectors:
            col = self.ctx.collectors[-1]
            if col is not None:
                col.append(cmd)

    def _save(self) -> tuple[_Scope, set[str]]:
        return dict(self.scope), set(self.exported)

    def _restore(self, saved: tuple[_Scope, set[str]]) -> None:
        self.scope, self.exported = saved

    if TYPE_CHECKING:
        # provided by the walker (pinaudit.parse.shell.walker._Walker)
        def _stmt(self, node: _Node) -> None: ...
        def _generic(self, node: _Node) -> None: ...
        def _substitution(self, node: _Node) -> list[Command]: ...
        def _assign(self, node: _Node, persist: bool) -> tuple[str, str | None]: ...
        def _descend(
            self, sub: MappedText, tag: str, cmd: Command, scope: _Scope, exported: set[str], share: bool
        ) -> None: ...
