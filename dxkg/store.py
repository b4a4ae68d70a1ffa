"""Build, snapshot and open the pyoxigraph store: one named graph per source document.

A build parses every source into a fresh in-memory store. Only when every file has parsed is
the result written as a versioned snapshot (TriG + manifest, and the files derived from them: the
dumps and the search index, see dxkg.derived) and the `current` pointer switched to it with one
atomic rename, so a failed build leaves the previous version serving. Opening reuses the snapshot
of unchanged sources: one file read, and the version's derived files kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .config import Settings
from .errors import DxkgError, LoadError, StoreUnavailable
from .namespaces import PREFIXES, graph_for

# TriG with prefixes: at 1 M triples it loaded in 2.7 s against 3.6 s for N-Quads (bench/store_choice.py).
SNAPSHOT_FILE = "dataset.trig"
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "current.json"
ONTOLOGY_STEM = "ontology"

COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One Turtle file and the named graph it is loaded into."""

    path: Path
    stem: str
    graph: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a snapshot holds: its version, when it was built, and its counts per graph."""

    version: str
    fingerprint: str
    built_at: str
    triples: int
    graphs: dict[str, int]
    sources: list[dict[str, str]] = field(default_factory=list)
    dxkg_version: str = __version__

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))


@dataclass(frozen=True, slots=True)
class LoadedStore:
    """An in-memory store with the manifest of the snapshot it came from, and that snapshot's folder."""

    store: ox.Store
    manifest: Manifest
    folder: Path | None = None

    @property
    def version(self) -> str:
        return self.manifest.version


def discover_sources(settings: Settings) -> list[SourceFile]:
    """Return the ontology and every `data/**/*.ttl` file, each with its graph IRI."""
    ontology = settings.ontology_dir / "dxkg.ttl"
    paths = [(ONTOLOGY_STEM, ontology)] if ontology.exists() else []
    paths += [(p.stem, p) for p in sorted(settings.data_dir.rglob("*.ttl"))]
    if not paths:
        raise DxkgError(f"no sources found in {settings.ontology_dir} or {settings.data_dir}")
    seen: dict[str, Path] = {}
    sources = []
    for stem, path in paths:
        if stem in seen:
            raise DxkgError(f"{path}: file name '{stem}' is already used by {seen[stem]}; stems name graphs")
        seen[stem] = path
        sources.append(SourceFile(path, stem, graph_for(stem), hashlib.sha256(path.read_bytes()).hexdigest()))
    return sources


def fingerprint(sources: list[SourceFile]) -> str:
    """Return a hash of every source's name and content: equal fingerprints, equal stores."""
    digest = hashlib.sha256(f"dxkg-store/{__version__}\n".encode())
    for source in sources:
        digest.update(f"{source.stem}\t{source.sha256}\n".encode())
    return digest.hexdigest()


def parse_sources(sources: list[SourceFile]) -> ox.Store:
    """Return a new in-memory store holding each source in its own named graph."""
    store = ox.Store()
    for source in sources:
        try:
            store.bulk_load(path=source.path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
        except SyntaxError as exc:
            raise LoadError(str(source.path), exc.lineno, exc.msg or str(exc)) from None
        except OSError as exc:
            raise LoadError(str(source.path), None, exc.strerror or str(exc)) from None
    return store


def count_by_graph(store: ox.Store) -> dict[str, int]:
    """Return the number of triples in each named graph."""
    return {row["g"].value: int(row["n"].value) for row in store.query(COUNT_BY_GRAPH)}


def current_manifest(settings: Settings) -> Manifest | None:
    """Return the manifest of the snapshot now in service, or None if there is none."""
    pointer = settings.var_dir / CURRENT_FILE
    try:
        return Manifest.from_json(pointer.read_text())
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise StoreUnavailable(f"{pointer}: unreadable ({exc}); run `dxkg load --force`") from None


def snapshot_dir(settings: Settings, version: str) -> Path:
    return settings.var_dir / "snapshots" / version


def is_current(settings: Settings, sources: list[SourceFile] | None = None) -> bool:
    """Return whether the snapshot in service was built from exactly these sources."""
    manifest = current_manifest(settings)
    if manifest is None or not (snapshot_dir(settings, manifest.version) / SNAPSHOT_FILE).exists():
        return False
    return manifest.fingerprint == fingerprint(sources or discover_sources(settings))


def build(settings: Settings, sources: list[SourceFile] | None = None, derived_in_child: bool = False) -> LoadedStore:
    """Parse every source, write a snapshot, and switch `current` to it; raise LoadError on bad input.

    The snapshot's dumps and search index (dxkg.derived) are written before the switch, in this
    process, or with `derived_in_child` in a child process (a server: what building the search
    index leaves in the heap would stay with it).
    """
    sources = sources if sources is not None else discover_sources(settings)
    store = parse_sources(sources)
    graphs = count_by_graph(store)
    fp = fingerprint(sources)
    manifest = Manifest(
        version=fp[:16],
        fingerprint=fp,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        triples=sum(graphs.values()),
        graphs=graphs,
        sources=[{"path": str(s.path), "graph": s.graph, "sha256": s.sha256} for s in sources],
    )
    _write_snapshot(settings, store, manifest, derived_in_child)
    _point_current_to(settings, manifest)
    _prune_snapshots(settings, keep=manifest.version)
    return LoadedStore(store, manifest, snapshot_dir(settings, manifest.version))


def open_current(settings: Settings) -> LoadedStore:
    """Return the snapshot in service, loaded into memory."""
    manifest = current_manifest(settings)
    if manifest is None:
        raise StoreUnavailable("no store has been built yet; run `dxkg load`")
    path = snapshot_dir(settings, manifest.version) / SNAPSHOT_FILE
    store = ox.Store()
    try:
        store.bulk_load(path=path, format=ox.RdfFormat.TRIG)
    except (OSError, SyntaxError) as exc:
        raise StoreUnavailable(f"{path}: snapshot unreadable ({exc}); run `dxkg load --force`") from None
    return LoadedStore(store, manifest, path.parent)


def load_or_build(settings: Settings) -> tuple[LoadedStore, DxkgError | None]:
    """Return the store for unchanged sources from its snapshot, else build it.

    When a rebuild fails but an earlier snapshot exists, that snapshot is returned with the
    error, so a server keeps answering from the last good version. A version built here has its
    dumps and search index written by a child process, out of the server's memory.
    """
    try:
        sources = discover_sources(settings)
        if is_current(settings, sources):
            return open_current(settings), None
        return build(settings, sources, derived_in_child=True), None
    except DxkgError as exc:
        if current_manifest(settings) is None:
            raise
        return open_current(settings), exc


def _write_snapshot(settings: Settings, store: ox.Store, manifest: Manifest, derived_in_child: bool) -> None:
    from . import derived  # it reads snapshots: imported here, not at the top

    def write_derived(folder: Path) -> None:
        if derived_in_child:
            derived.write_missing_in_child(folder)
        else:
            derived.write_missing(folder, manifest, store)

    final = snapshot_dir(settings, manifest.version)
    if (final / MANIFEST_FILE).exists():
        write_derived(final)
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{manifest.version}-", dir=final.parent))
    try:
        store.dump(staging / SNAPSHOT_FILE, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        (staging / MANIFEST_FILE).write_text(manifest.to_json())
        write_derived(staging)
        try:
            os.rename(staging, final)
        except OSError:
            if not (final / MANIFEST_FILE).exists():  # not a concurrent build of the same version
                raise
            write_derived(final)  # that build may have been stopped before writing them
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _point_current_to(settings: Settings, manifest: Manifest) -> None:
    pointer = settings.var_dir / CURRENT_FILE
    tmp = pointer.with_name(f".{CURRENT_FILE}.{os.getpid()}")
    tmp.write_text(manifest.to_json())
    os.replace(tmp, pointer)


def _prune_snapshots(settings: Settings, keep: str) -> None:
    """Remove the oldest snapshots beyond `settings.snapshots_kept`, never the one in service."""
    root = settings.var_dir / "snapshots"
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in versions[max(settings.snapshots_kept, 1):]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
