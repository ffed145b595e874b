"""Edits as values and the one line index: exact offsets, overlaps refused, nothing else touched."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinaudit.edits import Edit, EditConflict, apply_edits
from pinaudit.parse.lines import LineIndex, SourceText


def test_apply_replaces_exactly_the_ranges() -> None:
    text = "RUN apt-get install -y curl \\\r\n\tgit\r\n"
    c = text.index("curl")
    g = text.index("git")
    out = apply_edits(text, [Edit("D", g + 3, g + 3, "=1:2.39.5-0+deb12u2"), Edit("D", c + 4, c + 4, "=7.88.1-10")])
    assert out == "RUN apt-get install -y curl=7.88.1-10 \\\r\n\tgit=1:2.39.5-0+deb12u2\r\n"


def test_identical_edits_merge_and_overlaps_are_refused() -> None:
    e = Edit("f", 2, 4, "xx")
    assert apply_edits("abcdef", [e, e]) == "abxxef"
    with pytest.raises(EditConflict, match="overlap"):
        apply_edits("abcdef", [Edit("f", 1, 3, "x"), Edit("f", 2, 4, "y")])
    with pytest.raises(EditConflict, match="overlap"):
        apply_edits("abcdef", [Edit("f", 3, 3, "x"), Edit("f", 3, 3, "y")])
    with pytest.raises(EditConflict, match="outside"):
        apply_edits("abc", [Edit("f", 2, 9, "x")])
    assert apply_edits("abcdef", [Edit("f", 0, 2, "X"), Edit("f", 2, 2, "-")]) == "X-cdef"


@given(st.text(), st.data())
def test_every_other_character_is_kept(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6, unique=True)))
    edits = [Edit("f", a, b, f"<{i}>") for i, (a, b) in enumerate(zip(cuts[::2], cuts[1::2], strict=False))]
    expected, pos = [], 0
    for e in edits:
        expected += [text[pos : e.start], e.replacement]
        pos = e.end
    expected.append(text[pos:])
    assert apply_edits(text, reversed(edits)) == "".join(expected)


def test_line_index_breaks_at_lf_crlf_and_cr_only() -> None:
    text = "a\r\nb\rc\nd\u2028e\x85f\x0cg"
    idx = LineIndex(text)
    assert idx.line_count == 4
    assert idx.position(text.index("b")) == (2, 1)
    assert idx.position(text.index("c")) == (3, 1)
    assert idx.position(text.index("e")) == (4, 3)
    assert idx.position(text.index("g")) == (4, 7)
    for off in range(len(text) + 1):
        assert idx.offset(*idx.position(off)) == off


def test_source_text_records_bom_and_newlines() -> None:
    src = SourceText.decode(b"\xef\xbb\xbfFROM x\r\nRUN y\n")
    assert (src.text, src.bom, src.newline, src.mixed_newlines) == ("FROM x\r\nRUN y\n", True, "\r\n", True)
    assert src.encode() == b"\xef\xbb\xbfFROM x\r\nRUN y\n"
    assert SourceText.decode(b"x").newline == "\n"
