"""A query result as a table for HTML pages: columns and rows of display terms, labels looked up."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .entities import Term, term
from .sparql import QueryResult

TRIPLE_COLUMNS = ("subject", "predicate", "object")


@dataclass(frozen=True, slots=True)
class ResultTable:
    """Rows of a SELECT (one column per variable), a CONSTRUCT (subject, predicate, object) or an ASK."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
    truncated: bool
    boolean: bool | None = None


def table_of(store: ox.Store, result: QueryResult, limit: int) -> ResultTable:
    """Return at most `limit` rows of a result, each term with its vi/en labels from the store."""
    if isinstance(result, ox.QueryBoolean):
        return ResultTable((), (), False, bool(result))
    display: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Term] = {}

    def show(node: object) -> Term | None:
        if not isinstance(node, (ox.NamedNode, ox.BlankNode, ox.Literal)):
            return None  # unbound, or an RDF-star triple term
        if node not in display:
            display[node] = term(store, node)
        return display[node]

    if isinstance(result, ox.QueryTriples):
        columns = TRIPLE_COLUMNS
        source = ((t.subject, t.predicate, t.object) for t in result)
    else:
        columns = tuple(v.value for v in result.variables)
        source = (tuple(solution[name] for name in columns) for solution in result)
    rows = []
    truncated = False
    for values in source:
        if len(rows) == limit:
            truncated = True
            break
        rows.append(tuple(show(v) for v in values))
    return ResultTable(columns, tuple(rows), truncated)
