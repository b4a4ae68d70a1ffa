"""SPARQL 1.1 Graph Store Protocol, read-only: one named graph, the default graph, or the dataset.

https://www.w3.org/TR/sparql11-http-rdf-update/ — `?graph=IRI` names a graph, `?default` the
default graph (here, as for queries, the union of every graph), neither the whole dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from .errors import BadQuery, NotFound
from .formats import Format
from .sparql import rdf_prefixes


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
