"""The files derived from a snapshot, written once per version: its dumps and its search index.

A build writes them into the snapshot before `current.json` is switched to it, so a version goes
into service with them, and a server never writes them when a request asks: `dxkg load` in its own
process, a server that builds the version at start-up in a child (`python -m dxkg.derived
SNAPSHOT_FOLDER`). A server that serves a snapshot without them (one an older dxkg wrote) has the
same child write them in the background (dxkg.web.derived_process), and answers `/dumps` and
`/search` with 503 until they are there.

The dumps are converted from the snapshot file as streams (dxkg.dump_files); for a large snapshot
that runs in a process of its own, at the same time as the search index is built here. The search
index needs the labels and types of the entities (dxkg.search): from the store when the caller
holds one, else from a store of only those quads, read from the snapshot file (at 1 M triples,
about 300 k quads of the million).
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

import pyoxigraph as ox

from . import search_file
from .dump_files import DUMPS_DIR, read_index, write_dumps
from .errors import DxkgError
from .search import SearchIndex
from .store import MANIFEST_FILE, SNAPSHOT_FILE, Manifest

DUMPS = "dumps"
SEARCH_INDEX = "search index"
LOCK_FILE = ".derived.lock"
# Below this snapshot size a second process costs more (its start-up) than it saves.
PARALLEL_FROM_BYTES = 16 << 20
# What SearchIndex.build reads: the labels of entities and of their types, and the types.
SEARCH_PREDICATES = frozenset(ox.NamedNode(iri) for iri in (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
))
BACKGROUND_NICENESS = 10


def missing(snapshot: Path, version: str) -> list[str]:
    """Return what the snapshot in this folder lacks of its derived files."""
    lacking = []
    if read_index(snapshot, version) is None:
        lacking.append(DUMPS)
    if not search_file.is_readable(search_file.path_in(snapshot)):
        lacking.append(SEARCH_INDEX)
    return lacking


def write_missing(snapshot: Path, manifest: Manifest, store: ox.Store | None = None) -> list[str]:
    """Write what the snapshot in this folder lacks and return what that was.

    `store`, when given, holds the snapshot's data (it saves reading the file for the search
    index). The snapshot's lock is held meanwhile, so two writers never do the work twice.
    """
    with _locked(snapshot):
        _remove_leftovers(snapshot)
        lacking = missing(snapshot, manifest.version)
        dumps: Future | None = None
        executor = None
        try:
            if DUMPS in lacking:
                if (snapshot / SNAPSHOT_FILE).stat().st_size >= PARALLEL_FROM_BYTES:
                    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
                    dumps = executor.submit(write_dumps, snapshot, manifest)
                else:
                    write_dumps(snapshot, manifest)
            if SEARCH_INDEX in lacking:
                source = store if store is not None else search_store(snapshot / SNAPSHOT_FILE)
                search_file.write(SearchIndex.build(source).columns, search_file.path_in(snapshot))
            if dumps is not None:
                dumps.result()
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)
    return lacking


def write_missing_in_child(snapshot: Path) -> None:
    """Write what the snapshot in this folder lacks in a child process (`python -m dxkg.derived`), and wait."""
    done = subprocess.run([sys.executable, "-m", "dxkg.derived", str(snapshot)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise DxkgError(f"{snapshot}: writing its dumps and search index failed: {done.stderr.strip()[-2000:]}")


def search_store(trig: Path) -> ox.Store:
    """Return a store of the quads of a TriG file that a search index is built from."""
    store = ox.Store()
    store.extend(quad for quad in ox.parse(path=trig, format=ox.RdfFormat.TRIG) if quad.predicate in SEARCH_PREDICATES)
    return store


def _remove_leftovers(snapshot: Path) -> None:
    """Remove the temporary files of a writer that was stopped half-way (none can be at work: we hold the lock)."""
    for folder in (snapshot, snapshot / DUMPS_DIR):
        for leftover in folder.glob(".*.*"):
            if leftover.name != LOCK_FILE and leftover.is_file():
                leftover.unlink(missing_ok=True)


@contextmanager
def _locked(snapshot: Path) -> Iterator[None]:
    with open(snapshot / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m dxkg.derived SNAPSHOT_FOLDER`: write what the snapshot lacks, yielding the CPU to others."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m dxkg.derived SNAPSHOT_FOLDER", file=sys.stderr)
        return 2
    snapshot = Path(args[0])
    with suppress(OSError):
        os.nice(BACKGROUND_NICENESS)  # behind the server's queries and pages
    started = time.perf_counter()
    manifest = Manifest.from_json((snapshot / MANIFEST_FILE).read_text())
    written = write_missing(snapshot, manifest)
    if written:
        print(f"wrote the {' and '.join(written)} of version {manifest.version} in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
