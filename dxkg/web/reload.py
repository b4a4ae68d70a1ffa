"""serving(settings, loaded): the query pool, the snapshot watcher and SIGHUP, for the app's lifetime.

Reload without downtime. `dxkg load` builds a snapshot and switches `var/current.json` to it with
one atomic rename only when every source parsed; a broken file leaves the pointer alone. The
server checks the pointer every `reload_poll_s` seconds (and at once on SIGHUP). When it names
another version, the server, on a background thread:

1. loads the new snapshot into a second in-memory store (the old one keeps serving);
2. forks a new zygote and worker pool from it;
3. swaps store and pool in the StoreHolder, in one assignment: a request sees one version;
4. retires the old pool: queries already running there finish, late arrivals are handed to the
   new pool, then the old zygote and workers exit;
5. once the server has let go of the old store, forks the pool once more. The new pool was forked
   while the server held both versions, so its processes kept the old version's pages mapped;
   the fresh fork shares only the version in service.

A version put in service without its dumps and search index (an older dxkg wrote its snapshot) has
them written by a child process meanwhile (dxkg.web.derived_process).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from ..config import Settings
from ..errors import DxkgError
from ..pool import Pool
from ..store import CURRENT_FILE, LoadedStore, current_manifest, open_current
from .derived_process import DerivedFilesWriter
from .state import StoreHolder

log = logging.getLogger("dxkg.reload")

RELEASE_WAIT_S = 60.0
RELEASE_POLL_S = 0.5


class Reloader:
    """Puts the snapshot named by `var/current.json` in service when it changes."""

    def __init__(self, holder: StoreHolder, settings: Settings, derived: DerivedFilesWriter) -> None:
        self.holder = holder
        self.settings = settings
        self.derived = derived
        self.pointer = settings.var_dir / CURRENT_FILE
        self._stamp = _stamp(self.pointer)
        self._lock = threading.Lock()
        self._closed = False

    def changed(self) -> bool:
        """Return whether the pointer file changed since the last call (cheap: one stat)."""
        stamp = _stamp(self.pointer)
        changed, self._stamp = stamp != self._stamp, stamp
        return changed

    def reload(self) -> bool:
        """Serve the version `current.json` names, if it is not the one in service; return whether it changed."""
        with self._lock:
            if self._closed:
                return False
            manifest = current_manifest(self.settings)
            if manifest is None or manifest.version == self.holder.current.version:
                return False
            started = time.perf_counter()
            loaded = open_current(self.settings)
            pool = Pool.start(loaded.store, self.settings)
            previous = self.holder.swap(loaded, pool)
            log.info("now serving version %s (%d triples; was %s), loaded in %.1f s", loaded.version,
                     loaded.manifest.triples, previous.loaded.version, time.perf_counter() - started)
            previous.pool.retire(successor=pool)
            old = [previous.loaded.store]  # handed over in a list, so the thread holds the only reference
            del previous
            self.derived.ensure(loaded.version)
        threading.Thread(target=self._refresh_after_release, args=(loaded, old), daemon=True,
                         name="dxkg-pool-refresh").start()
        return True

    def _refresh_after_release(self, loaded: LoadedStore, old: list[ox.Store]) -> None:
        """Re-fork the pool of `loaded` once nothing in the server holds the previous store any more."""
        old_store = old.pop()
        gc.collect()
        deadline = time.monotonic() + RELEASE_WAIT_S
        # Our own reference and getrefcount's argument: nobody else's.
        while sys.getrefcount(old_store) > 2:
            if time.monotonic() > deadline:
                log.info("the previous store is still referenced; its pages stay shared with the workers")
                return
            time.sleep(RELEASE_POLL_S)
        del old_store
        with self._lock:
            if self._closed or self.holder.current is not loaded:
                return
            pool = Pool.start(loaded.store, self.settings)
            previous = self.holder.swap(loaded, pool)
            previous.pool.retire(successor=pool)
            log.info("query workers forked again from version %s alone, the previous store being released",
                     loaded.version)

    def close(self) -> None:
        """Stop reloading (waiting for a reload under way) and close the pool in service."""
        with self._lock:
            self._closed = True
            self.holder.pool.close()


@asynccontextmanager
async def serving(settings: Settings, loaded: LoadedStore) -> AsyncIterator[StoreHolder]:
    """Start the query pool for `loaded` and watch for new snapshots until the app stops."""
    pool = await run_in_threadpool(Pool.start, loaded.store, settings)
    holder = StoreHolder(loaded, pool)
    derived = DerivedFilesWriter(settings)
    await run_in_threadpool(derived.ensure, loaded.version)
    del loaded, pool  # only the holder keeps them: a reload can then free this version
    reloader = Reloader(holder, settings, derived)
    wake = asyncio.Event()
    watcher = asyncio.create_task(_watch(reloader, settings, wake))
    remove_handler = _on_sighup(wake.set)
    try:
        yield holder
    finally:
        remove_handler()
        watcher.cancel()
        with suppress(asyncio.CancelledError):
            await watcher
        await run_in_threadpool(reloader.close)
        await run_in_threadpool(derived.close)


async def _watch(reloader: Reloader, settings: Settings, wake: asyncio.Event) -> None:
    while True:
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=settings.reload_poll_s or None)
        asked = wake.is_set()
        wake.clear()
        if not (reloader.changed() or asked):
            continue
        try:
            await run_in_threadpool(reloader.reload)
        except (DxkgError, OSError) as exc:
            log.error("reload failed; still serving version %s: %s", reloader.holder.current.version, exc)


def _on_sighup(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` on SIGHUP; return what undoes it. Only the main thread can take signals."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, callback)
    except (ValueError, RuntimeError, NotImplementedError):
        log.debug("not on the main thread: SIGHUP does not reload, the snapshot is still watched")
        return lambda: None
    return lambda: loop.remove_signal_handler(signal.SIGHUP)


def _stamp(path: os.PathLike[str]) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino
