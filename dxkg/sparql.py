"""SPARQL 1.1 query execution on the store: QueryRequest -> result -> serialized bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import pyoxigraph as ox

from .errors import BadQuery
from .formats import Format, Kind
from .namespaces import PREFIXES

QueryResult = Union[ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples]


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """A query with its SPARQL Protocol dataset (`default-graph-uri`, `named-graph-uri`)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    substitutions: dict[str, ox.NamedNode | ox.Literal] = field(default_factory=dict)


def execute(store: ox.Store, request: QueryRequest) -> QueryResult:
    """Return the lazy result of a query; the default graph is the union of all graphs."""
    options: dict[str, object] = {"prefixes": PREFIXES}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    if request.substitutions:
        options["substitutions"] = {ox.Variable(k): v for k, v in request.substitutions.items()}
    try:
        return store.query(request.query, **options)
    except SyntaxError as exc:
        raise BadQuery(str(exc)) from None
    except ValueError as exc:  # invalid IRIs in the dataset parameters
        raise BadQuery(str(exc)) from None


def result_kind(result: QueryResult) -> Kind:
    """Return `results` for SELECT and ASK, `graph` for CONSTRUCT and DESCRIBE."""
    return "graph" if isinstance(result, ox.QueryTriples) else "results"


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Return the result in the given format; the format's kind must match the result's."""
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=fmt.rdf_format) or b""
    return result.serialize(format=fmt.results_format) or b""
