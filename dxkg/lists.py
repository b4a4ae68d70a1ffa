"""Long lists on entity pages: a hub page shows the first rows of each, the list's own page all of them.

A partner signs thousands of agreements on a big graph; its page shows the first `HUB_ROWS`, the
total, and a link to `/id/{type}/{slug}/{list}`, which pages through every one, `PAGE_ROWS` at a time,
in the same order. The order of a long list is computed from values each item carries (dates, IRIs,
the labels of the few provinces, kinds or indicators they name), not from each item's own label, so
that choosing a page costs no label look-up per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")

HUB_ROWS = 25
PAGE_ROWS = 100


@dataclass(frozen=True, slots=True)
class Window:
    """Which rows of a list to show: from `offset`, at most `limit`."""

    offset: int = 0
    limit: int = HUB_ROWS

    @classmethod
    def page(cls, number: int, size: int = PAGE_ROWS) -> Window:
        """Return the window of page `number` (from 1) of a complete list."""
        return cls((max(number, 1) - 1) * size, size)

    def cut(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.offset:self.offset + self.limit]


FIRST = Window()
EVERYTHING = Window(0, 1 << 62)


@dataclass(frozen=True, slots=True)
class Shown(Generic[T]):
    """Some rows of a list that may be long: the rows a page shows, where they start, and the list's total.

    Iterating gives the rows shown; `total` is what a heading's count says."""

    rows: tuple[T, ...]
    total: int
    offset: int = 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> T:
        return self.rows[index]

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def complete(self) -> bool:
        """Return whether every row of the list is shown."""
        return self.offset == 0 and len(self.rows) >= self.total

    @property
    def first(self) -> int:
        """Return the 1-based number of the first row shown (0 for an empty list)."""
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)


def shown(keys: Iterable[K], window: Window, sort_key: Callable[[K], object] | None = None) -> tuple[list[K], int]:
    """Return the window's items of the sorted keys, and how many keys there are."""
    ordered = sorted(keys, key=sort_key) if sort_key else sorted(keys)  # type: ignore[type-var]
    return list(window.cut(ordered)), len(ordered)
