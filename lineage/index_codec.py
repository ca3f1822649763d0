"""JSON for the frozen stage values an index stores (verifications and edges).

The codec follows each dataclass's own type hints, so a field added to
:class:`~lineage.model.Verified`, :class:`~lineage.model.Alignment` or
:class:`~lineage.model.LineageEdge` is stored without a change here. JSON
floats round-trip exactly (``repr``), so a stored value equals the value the
pipeline computed, bit for bit. No pickle: a shared Redis must not be able to
run code in its readers.

>>> from lineage.model import LineageEdge, Passage
>>> e = LineageEdge("a", "b", "derived", "forward", 0.7, 0.25, 0.5, 0.9,
...                 (Passage((0, 10), (5, 15), 2, False),), ("b adds a comment",))
>>> loads(LineageEdge, dumps(e)) == e
True
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")


def encode(value: Any) -> Any:
    """A JSON-ready form: dataclasses become objects, tuples lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if hasattr(value, "item"):  # a NumPy scalar
        return value.item()
    return value


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from :func:`encode`'s output."""
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return decode(options[0], data) if len(options) == 1 else data
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: decode(hints[k], v) for k, v in data.items() if k in known})
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        return tuple(decode(a, v) for a, v in zip(args, data))
    if tp is float and isinstance(data, int):
        return float(data)
    return data


def dumps(value: Any) -> str:
    """The value as compact JSON."""
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"))


def loads(tp: type[T], text: str) -> T:
    """The inverse of :func:`dumps`."""
    return decode(tp, json.loads(text))
