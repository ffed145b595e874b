"""pinaudit._record.NamedTuple must behave like typing.NamedTuple for everything the package uses."""

from __future__ import annotations

import pickle

import pytest

from pinaudit._record import NamedTuple
from pinaudit.model import Location, Span


class Point(NamedTuple):
    """A documented point."""

    x: int
    y: int = 0
    label: str = ""

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)


def test_fields_defaults_and_tuple_behaviour() -> None:
    p = Point(1)
    assert p == (1, 0, "")
    assert Point._fields == ("x", "y", "label")
    assert Point._field_defaults == {"y": 0, "label": ""}
    assert Point(x=3, label="a") == (3, 0, "a")
    assert repr(Point(1, 2, "z")) == "Point(x=1, y=2, label='z')"
    assert hash(Point(1)) == hash((1, 0, ""))
    assert Point._make([5, 6, "w"]).y == 6


def test_methods_properties_doc_and_annotations_carry_over() -> None:
    assert Point(3, -4).norm1 == 7
    assert Point(1).moved(2) == Point(3)
    assert Point.__doc__ == "A documented point."
    assert list(Point.__annotations__) == ["x", "y", "label"]
    assert Point.__module__ == __name__
    assert Point.__qualname__ == "Point"
    assert issubclass(Point, tuple)


def test_values_pickle_as_the_parallel_scan_needs() -> None:
    loc = Location("Dockerfile", Span(3, 1, 3, 9))
    assert pickle.loads(pickle.dumps(loc)) == loc
    assert pickle.loads(pickle.dumps(Point(1, 2))) == Point(1, 2)


def test_a_field_without_default_after_one_with_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default follows"):

        class Bad(NamedTuple):
            a: int = 0
            b: int


def test_namedtuple_machinery_cannot_be_overwritten() -> None:
    with pytest.raises(AttributeError, match="_replace"):

        class Bad(NamedTuple):
            a: int

            def _replace(self) -> None:  # type: ignore[override]
                pass
