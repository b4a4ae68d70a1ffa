"""StoreHolder: the store version in service, swapped whole so a request sees one version."""

from __future__ import annotations

import threading

from ..store import LoadedStore


class StoreHolder:
    """Holds the LoadedStore in service; `swap` replaces it atomically for new requests."""

    def __init__(self, loaded: LoadedStore) -> None:
        self._loaded = loaded
        self._lock = threading.Lock()

    @property
    def current(self) -> LoadedStore:
        return self._loaded

    def swap(self, loaded: LoadedStore) -> LoadedStore:
        """Put a new version in service and return the previous one."""
        with self._lock:
            previous, self._loaded = self._loaded, loaded
        return previous
