"""``NamedTuple`` without importing :mod:`typing` at run time.

A pre-commit hook pays for every import and every class built before the first line is read.
``typing.NamedTuple`` costs twice: importing :mod:`typing` (several milliseconds), and checking
each annotation, which under ``from __future__ import annotations`` means compiling every field's
annotation string into a ``ForwardRef`` (about 0.35 ms per class; the model has dozens). The
values are plain :func:`collections.namedtuple` classes either way, so modules import this name
instead::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from pinaudit._record import NamedTuple

mypy sees ``typing.NamedTuple`` (``TYPE_CHECKING`` is recognised by name); the interpreter builds
the same class through :func:`collections.namedtuple`: fields in annotation order, defaults,
methods, properties and the docstring of the class body carried over, ``__module__`` set so
values pickle across ``--jobs`` workers.
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# Called with computed names, which mypy's namedtuple() plugin cannot follow.
_namedtuple: Callable[..., type[tuple[object, ...]]] = collections.namedtuple

# Names every class body has that are not fields or user attributes.
_IMPLICIT = frozenset({"__module__", "__qualname__", "__annotations__", "__doc__", "__orig_bases__"})
# What namedtuple itself defines (typing.NamedTuple refuses these too).
_PROTECTED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                        "_make", "_replace", "_asdict", "_source"})


class _RecordMeta(type):
    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, object]) -> type:
        if ns.get("_root"):
            return super().__new__(mcls, name, bases, ns)
        annotations = ns.get("__annotations__", {})
        assert isinstance(annotations, dict)
        fields = list(annotations)
        defaults = [ns[f] for f in fields if f in ns]
        if defaults and fields[-len(defaults):] != [f for f in fields if f in ns]:
            raise TypeError(f"{name}: a field without a default follows one with a default")
        module = ns.get("__module__")
        cls = _namedtuple(name, fields, defaults=defaults, module=str(module) if module else None)
        cls.__annotations__ = dict(annotations)
        if ns.get("__doc__"):
            cls.__doc__ = ns["__doc__"]  # type: ignore[assignment]
        cls.__qualname__ = str(ns.get("__qualname__", name))
        for key, value in ns.items():
            if key in _IMPLICIT or key in annotations:
                continue
            if key in _PROTECTED:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            setattr(cls, key, value)
        return cls


class NamedTuple(metaclass=_RecordMeta):
    """Base to write ``class Span(NamedTuple): ...``; the class built is a namedtuple, not a subclass of this."""

    _root = True
