"""The walker's word expansion: argv words from tree-sitter word nodes, with quotes removed,
variables expanded from the scope where they are known, and ``$(...)`` walked for its commands."""

from __future__ import annotations

import re

from pinaudit.parse.shell.braces import brace_expand
from pinaudit.parse.shell.expand import (
    _IFS,
    _LIT,
    _MARK,
    _SPLIT,
    _UNK,
    _VAR_REF,
    _Acc,
    _ansi_c,
    _field_split,
    _field_split_pieces,
    _pattern_op,
)
from pinaudit.parse.shell.state import _WalkerBase
from pinaudit.parse.shell.values import Word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tree_sitter import Node as _Node

    from pinaudit.model import Span
    from pinaudit.parse.text import MappedText

_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]")
_EXPANSIONS = frozenset(
    {"simple_expansion", "expansion", "command_substitution", "process_substitution", "arithmetic_expansion"}
)


_SIMPLE_REF = re.compile(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?')


class _WordExpander(_WalkerBase):
    """Expands the words of the text being walked (one mixin of the walker)."""

    def _words(self, group: list[_Node]) -> list[Word]:
        """Expand adjacent nodes forming one shell word into zero or more argv Words."""
        acc = _Acc()
        for n in group:
            if n.type == "command_name":
                for ch in n.children:
                    self._pieces(ch, acc, False, False)
            else:
                self._pieces(n, acc, False, False)
        first, last = group[0], group[-1]
        raw = self.text[first.start_byte : last.end_byte]
        span = self._span_nodes(first, last)
        source = (self.src, first.start_byte, last.end_byte)
        variants = brace_expand(acc.pieces, acc.inert) if self.braces and "{" in raw else None
        if variants is None:
            words = self._fields(acc, acc.pieces, raw, span, source)
        else:  # bash: `lib{ssl,ffi}-dev` is two words, each reported at the word as written
            words = [w for pieces in variants for w in self._fields(acc, pieces, raw, span, source)]
        if self.call_args is not None:
            m = re.fullmatch(r'"?\$\{?([@*]|[1-9])\}?"?', raw)
            # "$@" in a function is the caller's words themselves: a finding must point at the
            # package as the call writes it (`inst curl`), not at the "$@" in the function body
            if m:
                if m.group(1) in "@*":
                    return list(self.call_args)
                k = int(m.group(1))
                return [self.call_args[k - 1]] if k <= len(self.call_args) else []
        if len(words) == 1 and self.ctx.loop_items:
            m = re.fullmatch(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?', raw)
            item = self.ctx.loop_items.get(m.group(1)) if m else None
            if item is not None and item.value == words[0].value:
                words = [words[0]._replace(span=item.span, source=item.source)]
        if len(words) == 1:
            self._word_pieces[id(words[0])] = (words[0], acc.pieces)
        return words

    def _note_default(self, name: str, alt: list[_Node], value: str | None) -> None:
        """``${NAME:=default}``: the default's characters are NAME's origin when they are the
        value as written (no quotes, escapes or expansions in them)."""
        if not alt or value is None:
            self.ctx.origins.pop(name, None)
            return
        start, end = alt[0].start_byte, alt[-1].end_byte
        if self.text[start:end] == value and "$" not in value and "\\" not in value:
            self.ctx.origins[name] = (self.src, start, value)
        else:
            self.ctx.origins.pop(name, None)

    def _fields(
        self,
        acc: _Acc,
        pieces: list[tuple[int, str, int, bool]],
        raw: str,
        span: Span,
        source: tuple[MappedText, int, int],
    ) -> list[Word]:
        """The argv words one expanded word (its ``pieces``) makes after field splitting."""
        subs = tuple(acc.subs)
        if any(p[0] == _UNK for p in pieces):
            items = _field_split_pieces(pieces)
            if len(items) <= 1:
                return [Word(raw, None, span, acc.quoted, tuple(dict.fromkeys(acc.unknown)), subs, source)]
            words = []  # a list with unknown items (see _marked): each item on its own
            for field in items:
                text = "".join(t for _k, t, _o, _e in field)
                if any(k == _UNK for k, _t, _o, _e in field):
                    names = tuple(dict.fromkeys(re.findall(_VAR_REF, text))) or tuple(dict.fromkeys(acc.unknown))
                    words.append(Word(text, None, span, acc.quoted, names, subs, source))
                else:
                    words.append(Word(raw, text, span, acc.quoted, (), subs, source))
            return words
        words = [Word(raw, f, span, acc.quoted, (), subs, source) for f in _field_split(pieces)]
        if "$" in raw and self.ctx.origins:
            words = self._with_origins(raw, words)
        return words

    def _with_origins(self, raw: str, words: list[Word]) -> list[Word]:
        """``$P`` whose P holds a literal: each word it expands to points at its characters in
        the assignment (its origin), in order, not at ``$P``. A word that is partly one such
        variable (``"numpy$SPEC"``) gets the whole value as its origin."""
        m = _SIMPLE_REF.fullmatch(raw)
        found = self.ctx.origins.get(m.group(1)) if m else None
        if found is None:
            names = set(re.findall(_VAR_REF, raw))
            if len(words) == 1 and len(names) == 1:
                part = self.ctx.origins.get(names.pop())
                if part is not None and part[2] and part[2] in (words[0].value or ""):
                    src, start, value = part
                    return [words[0]._replace(origin=src.span(start, start + len(value)))]
            return words
        src, start, value = found
        out = []
        pos = 0
        for w in words:
            at = value.find(w.value or "\x00", pos) if w.value else -1
            if at < 0:
                return words
            out.append(w._replace(origin=src.span(start + at, start + at + len(w.value or ""))))
            pos = at + len(w.value or "")
        return out

    def _pieces(self, node: _Node, acc: _Acc, quoted: bool, split_lit: bool) -> None:
        t = node.type
        s, e = node.start_byte, node.end_byte
        text = self.text
        if quoted and t in _EXPANSIONS:
            while s < e and text[s] in _IFS:  # inside "...", tree-sitter folds spaces into `$`
                s += 1
        add = acc.pieces.append
        lit = _SPLIT if (split_lit and not quoted) else _LIT
        if t == "word" or t == "number":
            raw = text[s:e]
            if "\\" not in raw:
                add((lit, raw, s, True))
            else:
                self._unescape(raw, s, acc, lit, "")
        elif t == "raw_string":
            acc.quoted = True
            acc.inert.append((s, e))
            add((_LIT, text[s + 1 : e - 1], s + 1, True))
        elif t == "string" or t == "translated_string":
            acc.quoted = True
            acc.inert.append((s, e))
            add((_LIT, "", s + 1, True))  # "" is an (empty) word of its own
            pos = s
            for ch in node.children:
                ct = ch.type
                cs, ce = ch.start_byte, ch.end_byte
                if ct == '"' or ct == '$"' or ct == "$":
                    # the closing quote token swallows whitespace before it (`" "`): that is content
                    if pos > s and ce - 1 > pos:
                        self._unescape(text[pos : ce - 1], pos, acc, _LIT, '$`"\\\n')
                    pos = ce
                    continue
                if ct != "string_content":
                    while cs < ce and text[cs] in _IFS:  # whitespace folded into `$`/`$(` tokens
                        cs += 1
                if cs > pos:
                    self._unescape(text[pos:cs], pos, acc, _LIT, '$`"\\\n')
                if ct == "string_content":
                    self._unescape(text[cs:ce], cs, acc, _LIT, '$`"\\\n')
                else:
                    self._pieces(ch, acc, True, False)
                pos = ce
        elif t == "ansi_c_string":
            acc.quoted = True
            acc.inert.append((s, e))
            add((_LIT, _ansi_c(text[s + 2 : e - 1]), s + 2, False))
        elif t == "concatenation" or t == "command_name":
            pos = s
            for ch in node.children:
                cs = ch.start_byte
                if cs > pos:
                    add((lit, text[pos:cs], pos, True))
                self._pieces(ch, acc, quoted, split_lit)
                pos = ch.end_byte
            if e > pos:
                add((lit, text[pos:e], pos, True))
        elif t == "simple_expansion":
            self._var(text[s + 1 : e], s, e, acc, quoted)
        elif t == "expansion":
            self._expansion(node, s, acc, quoted)
        elif t == "command_substitution" and text[s] == "`" and text[s + 1 : e - 1].lstrip().startswith("#"):
            return  # `# note` in backquotes, the comment idiom of long install lists: expands to nothing
        elif t in ("command_substitution", "process_substitution"):
            acc.subs.extend(self._substitution(node))
            add((_UNK, text[s:e], s, True))
        elif t == "arithmetic_expansion":
            self._generic_subs(node, acc)
            add((_UNK, text[s:e], s, True))
        elif t == "$" and node.next_sibling is not None and node.next_sibling.type == "string":
            return  # $"..." (translated string): the $ is not part of the value
        elif t == "array":
            self._generic_subs(node, acc)
            add((_UNK, text[s:e], s, True))
        else:  # brace expressions, globs, regex, stray tokens: literal as written
            add((lit, text[s:e], s, True))

    def _generic_subs(self, node: _Node, acc: _Acc) -> None:
        before = len(self.ctx.commands)
        self._generic(node)
        acc.subs.extend(self.ctx.commands[before:])

    def _unescape(self, raw: str, off: int, acc: _Acc, kind: int, special: str) -> None:
        """Backslash removal: unquoted (special == '': any char) or in double quotes (special set)."""
        add = acc.pieces.append
        start = 0
        i = raw.find("\\")
        while i != -1:
            if i + 1 >= len(raw):
                break
            nxt = raw[i + 1]
            if special and nxt not in special:
                i = raw.find("\\", i + 2)
                continue
            if i > start:
                add((kind, raw[start:i], off + start, True))
            if nxt != "\n":
                add((_LIT, nxt, off + i + 1, True))
                acc.inert.append((off + i + 1, off + i + 2))
            start = i + 2
            i = raw.find("\\", start)
        if start < len(raw):
            add((kind, raw[start:], off + start, True))

    def _var(self, name: str, s: int, e: int, acc: _Acc, quoted: bool) -> None:
        if not _VAR_NAME.fullmatch(name):
            acc.pieces.append((_LIT if quoted else _SPLIT, self.text[s:e], s, True))  # `$é` is literal
            return
        val = self.scope.get(name)
        if val is not None and _MARK in val:
            if not quoted:
                self._add_marked(val, s, acc)
                return
            val = None
        if val is None:
            acc.unknown.append(name)
            acc.pieces.append((_UNK, self.text[s:e], s, True))
        else:
            acc.pieces.append((_LIT if quoted else _SPLIT, val, s, False))

    def _add_marked(self, val: str, s: int, acc: _Acc) -> None:
        """An unquoted expansion of a partly known list (see _marked): known parts split, unknown
        parts kept as written."""
        for i, seg in enumerate(val.split(_MARK)):
            if not seg:
                continue
            if i % 2:
                acc.pieces.append((_UNK, seg, s, False))
                acc.unknown.extend(re.findall(_VAR_REF, seg))
            else:
                acc.pieces.append((_SPLIT, seg, s, False))

    def _expansion(self, node: _Node, s: int, acc: _Acc, quoted: bool) -> None:
        raw = self.text[s : node.end_byte]
        prefix_op: str | None = None
        name: str | None = None
        op: str | None = None
        op_end = 0
        alt: list[_Node] = []
        for ch in node.children:
            t = ch.type
            if t in ("${", "}"):
                continue
            if name is None and op is None:
                if t in ("variable_name", "special_variable_name"):
                    name = self._txt(ch)
                    continue
                if t == "subscript":
                    name = ""
                    continue
                if not ch.is_named:
                    prefix_op = t
                    continue
            if op is None and not ch.is_named:
                op = t
                op_end = ch.end_byte
                continue
            alt.append(ch)

        def unknown(var: str | None) -> None:
            if var:
                acc.unknown.append(var)
            for ch in alt:  # substitutions inside the operand still run
                self._generic_subs(ch, acc)
            acc.pieces.append((_UNK, raw, s, True))

        if not name or prefix_op == "!" or (prefix_op == "#" and op is not None):
            unknown(name if name and not prefix_op else None)
            return
        val = self.scope.get(name)
        if val is not None and _MARK in val:
            if op is None and prefix_op is None and not quoted:
                self._add_marked(val, s, acc)
                return
            val = None
        kind = _LIT if quoted else _SPLIT
        if prefix_op == "#":
            if val is None:
                unknown(name)
            else:
                acc.pieces.append((kind, str(len(val)), s, False))
            return
        if op is None:
            if val is None:
                unknown(name)
            else:
                acc.pieces.append((kind, val, s, False))
            return
        # `: "${NUMPY:=1.26}"` on a variable nothing set before: the script's own default is its
        # value (as an ARG's default is), and where that default is written is its origin
        assigns_default = val is None and op in (":=", "=") and name not in self.scope
        if val is None and not assigns_default:
            unknown(name)
            return
        if op in (":-", "-", ":=", "=", ":+", "+", ":?", "?"):
            colon = op.startswith(":")
            base = op[-1]
            use_alt = assigns_default or ((val == "") if colon else False)
            if base in "-=?":
                if not use_alt and val is not None:
                    acc.pieces.append((kind, val, s, False))
                    return
                if base == "?":
                    unknown(name)
                    return
            elif base == "+" and colon and val == "":
                return  # ${X:+alt} with X empty: nothing
            sub = _Acc()
            for ch in alt:
                self._pieces(ch, sub, quoted, True)
            acc.unknown.extend(sub.unknown)
            acc.subs.extend(sub.subs)
            acc.quoted = acc.quoted or sub.quoted
            if base == "=":
                known = not any(p[0] == _UNK for p in sub.pieces)
                self.scope[name] = "".join(p[1] for p in sub.pieces) if known else None
                self._note_default(name, alt, self.scope[name])
            # the operand's chars map to the expansion's start: its text was rewritten
            acc.pieces.extend((k, txt, s, False) if k != _UNK else (k, txt, o, e) for k, txt, o, e in sub.pieces)
            return
        if val is None:
            unknown(name)
            return
        rest_start = op_end - s
        rest = raw[rest_start:-1] if raw.endswith("}") else raw[rest_start:]
        if any(c in rest for c in "$`\"'\\"):
            unknown(None)
            return
        res = _pattern_op(val, op, rest)
        if res is None:
            unknown(None)
        else:
            acc.pieces.append((kind, res, s, False))
