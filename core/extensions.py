"""Extension points: how a lower app lets the apps above it add to what it does, without importing them.

Dependencies point one way (core → accounts → courses → partners → scheduling → enrollment →
allocation → participation → supervision → demo → config). When a lower app needs something only
an upper app knows — the timetable needs to know which sections share pupils, a family's page
shows the allocation result and the leave reports — the lower app declares an `ExtensionPoint`
and the upper app registers into it in its `AppConfig.ready()`. The lower app never names the
upper one; `tests/core/test_extensions.py` checks that every point has the contributions the
project expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_POINTS: dict[str, ExtensionPoint] = {}


class ExtensionPoint(Generic[T]):
    """A named, ordered list of contributions (functions or small objects) from upper apps."""

    def __init__(self, name: str, doc: str) -> None:
        if name in _POINTS:
            raise ValueError(f"extension point {name!r} declared twice")
        self.name = name
        self.doc = doc
        self._items: list[tuple[int, str, T]] = []
        _POINTS[name] = self

    def register(self, item: T, *, key: str, order: int = 100) -> T:
        """Add `item` under a unique `key` (registering the same key again replaces it)."""
        self._items = [entry for entry in self._items if entry[1] != key]
        self._items.append((order, key, item))
        self._items.sort(key=lambda entry: (entry[0], entry[1]))
        return item

    def keys(self) -> list[str]:
        return [key for _order, key, _item in self._items]

    def __iter__(self) -> Iterator[T]:
        return iter([item for _order, _key, item in self._items])

    def __len__(self) -> int:
        return len(self._items)


def extension_points() -> dict[str, ExtensionPoint]:
    return dict(_POINTS)
