"""The published dump files of a store version, written once into its snapshot, with an index.

`ensure_dumps(settings, loaded)` returns the index of `var/snapshots/<version>/dumps/`, writing
the files the first time it is asked for a version (lazily: the first request to /dumps or
/.well-known/void pays ~0.1 s on this data; later ones read `index.json`). A per-folder lock
keeps concurrent first requests from writing twice, and every file is written under a temporary
name and renamed, so a reader — or another process — never sees a half-written dump.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from .config import Settings
from .dumps import DUMPS, DumpFormat, write_dump_file
from .errors import NotFound
from .store import LoadedStore, snapshot_dir

DUMPS_DIR = "dumps"
INDEX_FILE = "index.json"

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True, slots=True)
class DumpFile:
    """One file of the index: what it holds, how big it is, and its SHA-256."""

    filename: str
    media_type: str
    compression: str | None
    keeps_graphs: bool
    size: int
    triples: int
    graphs: int | None
    sha256: str
    date: str

    @property
    def content_type(self) -> str:
        """Return the media type the file is served as (gzip files are sent as they are)."""
        return "application/gzip" if self.compression == "gzip" else self.media_type


@dataclass(frozen=True, slots=True)
class DumpIndex:
    """The dumps of one store version, in the order they are listed."""

    version: str
    folder: Path
    files: tuple[DumpFile, ...]

    def get(self, filename: str) -> DumpFile:
        """Return the entry of a published file name; raise NotFound for anything else."""
        for entry in self.files:
            if entry.filename == filename:
                return entry
        raise NotFound(f"no dump named '{filename[:80]}'")

    def path_of(self, entry: DumpFile) -> Path:
        return self.folder / entry.filename


def dumps_dir(settings: Settings, version: str) -> Path:
    """Return the folder holding the dumps of a store version."""
    return snapshot_dir(settings, version) / DUMPS_DIR


def ensure_dumps(settings: Settings, loaded: LoadedStore) -> DumpIndex:
    """Return the index of this version's dumps, writing the files first if they are missing."""
    folder = dumps_dir(settings, loaded.version)
    index = _read_index(folder, loaded.version)
    if index is not None:
        return index
    with _lock_for(folder):
        index = _read_index(folder, loaded.version)  # another thread may have written it meanwhile
        if index is None:
            index = _write_dumps(folder, loaded)
    return index


def _lock_for(folder: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(folder, threading.Lock())


def _read_index(folder: Path, version: str) -> DumpIndex | None:
    try:
        data = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
        files = tuple(DumpFile(**entry) for entry in data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("version") != version or any(not (folder / f.filename).is_file() for f in files):
        return None
    return DumpIndex(version, folder, files)


def _write_dumps(folder: Path, loaded: LoadedStore) -> DumpIndex:
    folder.mkdir(parents=True, exist_ok=True)
    triples = len(loaded.store)
    graphs = len(loaded.manifest.graphs)
    files = []
    for dump in DUMPS:
        sha256 = _write_atomically(folder, dump, loaded)
        files.append(DumpFile(
            filename=dump.filename,
            media_type=dump.media_type,
            compression="gzip" if dump.gzipped else None,
            keeps_graphs=dump.keeps_graphs,
            size=(folder / dump.filename).stat().st_size,
            # Each triple lives in one graph, so merged dumps hold as many triples as the store quads.
            triples=triples,
            graphs=graphs if dump.keeps_graphs else None,
            sha256=sha256,
            date=loaded.manifest.built_at,
        ))
    index = DumpIndex(loaded.version, folder, tuple(files))
    text = json.dumps({"version": loaded.version, "files": [asdict(f) for f in files]}, indent=2)
    _replace_with(folder / INDEX_FILE, text.encode("utf-8"))
    return index


def _write_atomically(folder: Path, dump: DumpFormat, loaded: LoadedStore) -> str:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dump.filename}.", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        sha256 = write_dump_file(loaded.store, tmp, dump.rdf_format, dump.gzipped)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / dump.filename)
    finally:
        tmp.unlink(missing_ok=True)
    return sha256


def _replace_with(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp_name, path)
