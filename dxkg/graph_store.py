"""SPARQL 1.1 Graph Store Protocol, read-only: one named graph, the default graph, or the dataset.

https://www.w3.org/TR/sparql11-http-rdf-update/ — `?graph=IRI` names a graph, `?default` the
default graph (here, as for queries, the union of every graph), neither the whole dataset.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .dump_files import read_index
from .errors import BadQuery, NotFound
from .formats import Format
from .sparql import rdf_prefixes
from .store import SNAPSHOT_FILE, LoadedStore


@dataclass(frozen=True, slots=True)
class GraphSelection:
    """What a Graph Store request names: one graph IRI, the default graph, or (neither) the dataset."""

    graph: str | None = None
    default: bool = False

    @property
    def is_dataset(self) -> bool:
        return self.graph is None and not self.default


def select(graph: list[str], default: bool, graphs: dict[str, int]) -> GraphSelection:
    """Return the selection of a request's `graph` and `default` parameters; raise NotFound or BadQuery."""
    if len(graph) > 1 or (graph and default):
        raise BadQuery("name one graph: either ?graph=IRI or ?default, once")
    if not graph:
        return GraphSelection(default=default)
    if graph[0] not in graphs:
        raise NotFound(f"no graph <{graph[0][:200]}> in this store")
    return GraphSelection(graph=graph[0])


def triples(store: ox.Store, selection: GraphSelection) -> Iterator[ox.Triple]:
    """Yield the triples of a named graph, or of every graph for the default graph."""
    graph = ox.NamedNode(selection.graph) if selection.graph else None
    for quad in store.quads_for_pattern(None, None, None, graph):
        if isinstance(quad.graph_name, ox.NamedNode):  # the union skips the (empty) store default graph
            yield quad.triple


def write(store: ox.Store, selection: GraphSelection, fmt: Format, out: BinaryIO) -> None:
    """Write the selection to `out`: quads for the dataset, triples for a graph."""
    prefixes = rdf_prefixes(fmt.rdf_format)
    if selection.is_dataset:
        store.dump(out, format=fmt.rdf_format, prefixes=prefixes)
    else:
        ox.serialize(triples(store, selection), out, format=fmt.rdf_format, prefixes=prefixes)


def write_served(loaded: LoadedStore, selection: GraphSelection, fmt: Format, out: BinaryIO) -> None:
    """`write` for a version with a snapshot: what a file of the snapshot already holds is copied from it.

    The dataset as N-Quads is the N-Quads dump, decompressed, and as TriG the snapshot itself; the
    default graph as N-Triples or Turtle is the merged dump. Read from the store instead, they scan
    all of it, which makes most of the reading process's copy of the store private (pyoxigraph writes
    while it reads: 311 MiB more in the server at 1 M triples) and holds a thread for the scan. Other
    selections and formats, or dumps not written yet, are read from the store.
    """
    source = _file_holding(loaded, selection, fmt)
    if source is None:
        write(loaded.store, selection, fmt, out)
        return
    with gzip.open(source, "rb") if source.suffix == ".gz" else open(source, "rb") as file:
        shutil.copyfileobj(file, out, 1 << 20)


def _file_holding(loaded: LoadedStore, selection: GraphSelection, fmt: Format) -> Path | None:
    """Return the snapshot file whose content is exactly this selection in this format, if there is one."""
    if loaded.folder is None or selection.graph is not None:
        return None
    if selection.is_dataset and fmt.rdf_format == ox.RdfFormat.TRIG:
        return loaded.folder / SNAPSHOT_FILE
    index = read_index(loaded.folder, loaded.version)
    if index is None:
        return None
    wanted = {ox.RdfFormat.N_QUADS: "dxkg.nq.gz"} if selection.is_dataset else \
        {ox.RdfFormat.N_TRIPLES: "dxkg.nt.gz", ox.RdfFormat.TURTLE: "dxkg.ttl"}
    name = wanted.get(fmt.rdf_format)
    return index.path_of(index.get(name)) if name else None
