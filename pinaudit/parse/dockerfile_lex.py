"""BuildKit's shell lexer (``frontend/dockerfile/shell/lex.go``) for Dockerfile words.

One lexer serves two purposes, as in BuildKit: finding the ``<<WORD`` heredoc operators of a RUN,
COPY or ADD line (lexed raw, nothing expanded), and expanding ``$VAR``/``${VAR...}`` in FROM, ARG,
ENV, COPY and WORKDIR words against the variables in scope, with Docker's quote removal and word
splitting. A variable whose value is None in the environment is *unknown* (an ARG without a
default, an ENV from the base image): when it decides the result, :func:`expand` says None
rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Go's unicode.IsSpace. Python's str.isspace/strip() also count \x1c-\x1f, which Go does not.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
GO_SPACE_SET = frozenset(GO_SPACE)


class LexError(Exception):
    pass


class Lexer:
    """BuildKit's shell.Lex (ProcessWord/ProcessWords) over a string with a cursor."""

    __slots__ = ("env", "escape", "n", "pos", "raw_escapes", "raw_quotes", "s", "skip_unset", "unknown")

    def __init__(
        self,
        s: str,
        env: Mapping[str, str | None],
        escape: str = "\\",
        *,
        raw_quotes: bool = False,
        raw_escapes: bool = False,
        skip_unset: bool = False,
    ) -> None:
        self.s = s
        self.n = len(s)
        self.pos = 0
        self.env = env
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_unset = skip_unset
        self.unknown = False  # a None-valued variable decided part of the result

    def _peek(self) -> str:
        return self.s[self.pos] if self.pos < self.n else ""

    def _next(self) -> str:
        if self.pos < self.n:
            ch = self.s[self.pos]
            self.pos += 1
            return ch
        return ""

    def process(self) -> tuple[str, list[str]]:
        return self.stop_on("", self.raw_escapes)

    def stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words: list[str] = []
        word: list[str] = []
        in_word = False
        esc = self.escape
        s = self.s
        while self.pos < self.n:
            ch = s[self.pos]
            if stop and ch == stop:
                self.pos += 1
                if word:
                    words.append("".join(word))
                return "".join(result), words
            if ch == "$" or ch in "'\"":
                if ch == "$":
                    tmp = self._dollar()
                elif ch == "'":
                    tmp = self._single()
                else:
                    tmp = self._double()
                result.append(tmp)
                if ch == "$":
                    for c in tmp:  # words.addString: an expansion is split at whitespace
                        if c in GO_SPACE_SET:
                            if in_word and word:
                                words.append("".join(word))
                                word = []
                                in_word = False
                        else:
                            word.append(c)
                            in_word = True
                else:
                    word.append(tmp)
                    in_word = True
                continue
            self.pos += 1
            if ch == esc:
                if self.raw_escapes:
                    word.append(ch)
                    in_word = True
                    result.append(ch)
                if self.pos >= self.n:
                    break
                ch = s[self.pos]
                self.pos += 1
                word.append(ch)
                in_word = True
            elif ch in GO_SPACE_SET:
                if in_word and word:
                    words.append("".join(word))
                    word = []
                    in_word = False
            else:
                word.append(ch)
                in_word = True
            result.append(ch)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        if word:
            words.append("".join(word))
        return "".join(result), words

    def _single(self) -> str:
        start = self.pos
        end = self.s.find("'", start + 1)
        if end < 0:
            raise LexError("unexpected end of statement while looking for matching single-quote")
        self.pos = end + 1
        return self.s[start : end + 1] if self.raw_quotes else self.s[start + 1 : end]

    def _double(self) -> str:
        out: list[str] = []
        ch = self._next()
        if self.raw_quotes:
            out.append(ch)
        esc = self.escape
        while True:
            p = self._peek()
            if p == "":
                raise LexError("unexpected end of statement while looking for matching double-quote")
            if p == '"':
                self.pos += 1
                if self.raw_quotes:
                    out.append(p)
                return "".join(out)
            if p == "$":
                out.append(self._dollar())
                continue
            ch = self._next()
            if ch == esc:
                if self.raw_escapes:
                    out.append(ch)
                p = self._peek()
                if p == "":
                    continue
                if p in ('"', "$", esc):
                    ch = self._next()
            out.append(ch)

    def _name(self) -> str:
        s = self.s
        start = self.pos
        if start < self.n:
            ch = s[start]
            if ch.isdecimal():
                i = start
                while i < self.n and s[i].isdecimal():
                    i += 1
                self.pos = i
                return s[start:i]
            if ch in "@*#?-$!0":
                self.pos += 1
                return ch
        i = start
        while i < self.n and (s[i].isalpha() or s[i].isdecimal() or s[i] == "_"):
            i += 1
        self.pos = i
        return s[start:i]

    def _get(self, name: str) -> tuple[str, bool, bool]:
        """(value, set, known)"""
        if name in self.env:
            v = self.env[name]
            if v is None:
                return "", True, False
            return v, True, True
        return "", False, True

    def _dollar(self) -> str:
        self.pos += 1
        if self._peek() != "{":
            name = self._name()
            if not name:
                return "$"
            value, found, known = self._get(name)
            if not found and self.skip_unset:
                return "$" + name
            if not known:
                self.unknown = True
            return value
        self.pos += 1
        p = self._peek()
        if p == "":
            raise LexError("syntax error: missing '}'")
        if p in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self._name()
        ch = self._next()
        chs = ch
        if ch == "}":
            value, found, known = self._get(name)
            if not found and self.skip_unset:
                return "${" + name + "}"
            if not known:
                self.unknown = True
            return value
        null_is_unset = False
        if ch == ":":
            null_is_unset = True
            ch = self._next()
            chs += ch
        elif ch == "/":
            return self._replace(name)
        elif ch not in ("+", "-", "?", "#", "%"):
            raise LexError(f"unsupported modifier ({chs}) in substitution")
        outer_unknown = self.unknown
        self.unknown = False
        try:
            word, _ = self.stop_on("}", ch in ("#", "%"))
        except LexError:
            if self._peek() == "":
                raise LexError("syntax error: missing '}'") from None
            raise
        word_unknown = self.unknown
        self.unknown = outer_unknown
        value, found, known = self._get(name)
        if self.skip_unset and not found:
            return "${" + name + chs + word + "}"
        if ch == "-":
            if not found:
                self.unknown |= word_unknown
                return word
            if not known:
                self.unknown = True
                return ""
            if null_is_unset and value == "":
                self.unknown |= word_unknown
                return word
            return value
        if ch == "+":
            if not found:
                return ""
            if null_is_unset:
                if not known:
                    self.unknown = True
                    return ""
                if value == "":
                    return ""
            self.unknown |= word_unknown
            return word
        if ch == "?":
            if not found:
                raise LexError(f"{name}: {word or 'is not allowed to be unset'}")
            if not known:
                self.unknown = True
                return ""
            if null_is_unset and value == "":
                raise LexError(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        if ch in ("#", "%"):
            if not known or word_unknown:
                self.unknown = True
                return ""
            greedy = False
            if word[:1] == ch:
                greedy = True
                word = word[1:]
            if ch == "%":
                return _trim_suffix(word, value, greedy)
            return _trim_prefix(word, value, greedy)
        raise LexError(f"unsupported modifier ({chs}) in substitution")

    def _replace(self, name: str) -> str:
        replace_all = self._peek() == "/"
        if replace_all:
            self.pos += 1
        outer_unknown = self.unknown
        self.unknown = False
        try:
            pattern, _ = self.stop_on("/", True)
        except LexError:
            if self._peek() == "":
                raise LexError("syntax error: missing '/' in ${}") from None
            raise
        try:
            replacement, _ = self.stop_on("}", True)
        except LexError:
            if self._peek() == "":
                raise LexError("syntax error: missing '}'") from None
            raise
        parts_unknown = self.unknown
        self.unknown = outer_unknown
        value, found, known = self._get(name)
        if self.skip_unset and not found:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        if not known or parts_unknown:
            self.unknown = True
            return ""
        rx = _shell_pattern(pattern, True, False)
        if replace_all:
            return rx.sub(lambda _m: replacement, value)
        return rx.sub(lambda _m: replacement, value, count=1)


def _shell_pattern(pattern: str, greedy: bool, anchored: bool) -> re.Pattern[str]:
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(".")
        elif ch == "\\":
            if i < n and pattern[i] in "}/":
                continue
            nxt = pattern[i] if i < n else ""
            i += 1
            if nxt not in ("*", "?", "\\"):
                raise LexError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{nxt}'")
            out.append(re.escape(nxt))
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    m = _shell_pattern(pattern, greedy, True).search(value)
    return value[m.end() :] if m else value


def _reverse_pattern(pattern: str) -> str:
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        if pattern[i] == "\\" and i != n - 1:
            out.append(pattern[i : i + 2])  # keep an escape in front of what it escapes
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(reversed(out))


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    # BuildKit reverses pattern and value so the shortest suffix is a leftmost match
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


def expand(word: str, env: Mapping[str, str | None], escape: str = "\\") -> str | None:
    """Expand $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:+x}, ${VAR+x}... as Docker's shell-lexer does
    for FROM/ARG/ENV/COPY words, with quote removal. None when an unset-and-unknown variable
    (value None in env) decides the result.

    An undeclared variable expands to "" as in Docker. A word Docker would refuse (an
    unterminated quote, ``${``, ``${X:?}`` with X unset) also gives None: nothing can be said.
    """
    lex = Lexer(word, env, escape)
    try:
        result, _ = lex.process()
    except LexError:
        return None
    return None if lex.unknown else result


def expand_words(text: str, env: Mapping[str, str | None], escape: str = "\\") -> list[str] | None:
    """Docker's ProcessWords: expand, then split at unquoted whitespace (an expansion's own
    whitespace splits too; quoted text never does). None as for :func:`expand`."""
    lex = Lexer(text, env, escape)
    try:
        _, words = lex.process()
    except LexError:
        return None
    return None if lex.unknown else words
