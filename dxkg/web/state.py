"""StoreHolder: the store version in service and its query pool, swapped whole so a request sees one version."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..pool import Pool
from ..store import LoadedStore


@dataclass(frozen=True, slots=True)
class Served:
    """A store version and the worker pool forked from it."""

    loaded: LoadedStore
    pool: Pool


class StoreHolder:
    """Holds the version in service; `swap` replaces store and pool together, atomically, for new requests.

    Pages query `current.store` on the server's threads; `/sparql` and `/queries` send their
    queries to `pool`. A request that read the previous pool just before a swap still gets an
    answer: a retired pool hands new queries on to its successor.
    """

    def __init__(self, loaded: LoadedStore, pool: Pool) -> None:
        self._served = Served(loaded, pool)
        self._lock = threading.Lock()

    @property
    def current(self) -> LoadedStore:
        return self._served.loaded

    @property
    def pool(self) -> Pool:
        return self._served.pool

    @property
    def served(self) -> Served:
        return self._served

    def swap(self, loaded: LoadedStore, pool: Pool) -> Served:
        """Put a new version and its pool in service; return the previous pair."""
        with self._lock:
            previous, self._served = self._served, Served(loaded, pool)
        return previous
