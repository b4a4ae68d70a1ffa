"""The published dump files of a store version and their index, converted from its snapshot file.

Every snapshot folder holds `dumps/`: `dxkg.ttl`, `dxkg.nt.gz`, `dxkg.nq.gz` and `index.json` (size,
triple count, date and SHA-256 of each). They are written with the snapshot (see dxkg.derived), not
when a request asks for them: `/dumps` serves them as files, or answers 503 while a server is still
writing them for a snapshot that came without.

Each file is converted from the snapshot's TriG as a stream (parse, serialize, gzip), so memory stays
small and flat whatever the size (about 25 MiB at 1 M triples), and the in-memory store is never
read: pyoxigraph writes into its structures while it reads them, so a scan of the store would turn
every page of it into a private copy in the scanning process. A file appears under its final name
only when complete (written under a temporary name, then renamed), and the index last.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .config import Settings
from .dumps import DUMPS, GZIP_LEVEL, DumpFormat, sha256_of
from .errors import NotFound
from .namespaces import PREFIXES
from .store import SNAPSHOT_FILE, Manifest, snapshot_dir

DUMPS_DIR = "dumps"
INDEX_FILE = "index.json"
INDEXES_KEPT = 8

_known: dict[Path, DumpIndex] = {}
_known_lock = threading.Lock()


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


def dumps_index(settings: Settings, version: str) -> DumpIndex | None:
    """Return the index of a version's dumps, or None while they are not all written."""
    return read_index(snapshot_dir(settings, version), version)


def read_index(snapshot: Path, version: str) -> DumpIndex | None:
    """Return the index of the dumps in a snapshot folder, or None if it or any of its files is missing.

    A complete index is remembered: a version's dumps never change once written.
    """
    folder = snapshot / DUMPS_DIR
    with _known_lock:
        index = _known.get(folder)
    if index is not None and index.version == version:
        return index
    try:
        data = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
        files = tuple(DumpFile(**entry) for entry in data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("version") != version or any(not (folder / f.filename).is_file() for f in files):
        return None
    index = DumpIndex(version, folder, files)
    with _known_lock:
        if len(_known) >= INDEXES_KEPT:
            _known.clear()
        _known[folder] = index
    return index


def write_dumps(snapshot: Path, manifest: Manifest) -> DumpIndex:
    """Write every published dump of the snapshot in `snapshot` from its TriG file, then the index."""
    folder = snapshot / DUMPS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    source = snapshot / SNAPSHOT_FILE
    files = []
    for dump in DUMPS:
        sha256 = _write_atomically(folder, dump, source)
        files.append(DumpFile(
            filename=dump.filename,
            media_type=dump.media_type,
            compression="gzip" if dump.gzipped else None,
            keeps_graphs=dump.keeps_graphs,
            size=(folder / dump.filename).stat().st_size,
            # Each triple lives in one graph, so merged dumps hold as many triples as the store quads.
            triples=manifest.triples,
            graphs=len(manifest.graphs) if dump.keeps_graphs else None,
            sha256=sha256,
            date=manifest.built_at,
        ))
    text = json.dumps({"version": manifest.version, "files": [asdict(f) for f in files]}, indent=2)
    _replace_with(folder / INDEX_FILE, text.encode("utf-8"))
    return DumpIndex(manifest.version, folder, tuple(files))


def convert(source: Path, out, rdf_format: ox.RdfFormat) -> None:
    """Stream the quads of a TriG file into `out`: quads for dataset formats, merged triples otherwise."""
    quads = ox.parse(path=source, format=ox.RdfFormat.TRIG)
    if rdf_format.supports_datasets:
        ox.serialize(quads, out, format=rdf_format)
    else:
        ox.serialize((quad.triple for quad in quads), out, format=rdf_format,
                     prefixes=PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None)


def _write_atomically(folder: Path, dump: DumpFormat, source: Path) -> str:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dump.filename}.", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            if dump.gzipped:
                # mtime=0 keeps the bytes, and so the hash, the same for the same data.
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=GZIP_LEVEL) as zipped:
                    convert(source, zipped, dump.rdf_format)
            else:
                convert(source, raw, dump.rdf_format)
        os.chmod(tmp, 0o644)
        sha256 = sha256_of(tmp)
        os.replace(tmp, folder / dump.filename)
    finally:
        tmp.unlink(missing_ok=True)
    return sha256


def _replace_with(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp_name, 0o644)
    os.replace(tmp_name, path)
