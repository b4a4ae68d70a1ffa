"""The pages' SPARQL: the page's entities written into the query as a VALUES block.

Why not pyoxigraph's `substitutions`: they bind a variable after the query is planned, so a query
joining several patterns starts from the largest one (every dx:Target in the store) and drops the
other provinces at the end: 58 ms against 2 ms for one province's targets at 1 M triples. A VALUES
block at the top of the WHERE clause is planned first. IRIs are written in pyoxigraph's own
N-Triples form of a validated `NamedNode`, so a value can only ever be a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from .namespaces import PREFIXES
from .sparql import with_values

# A value to bind: an IRI (as a string), or a term (an edition's year literal).
Value = str | ox.NamedNode | ox.Literal
Values = Value | Iterable[Value]


def _term(value: Value) -> str:
    return str(ox.NamedNode(value)) if isinstance(value, str) else str(value)


def values(variable: str, terms: Iterable[Value]) -> str:
    """Return `VALUES ?variable { <a> <b> … }` for some IRIs or terms."""
    return f"VALUES ?{variable} {{ {' '.join(_term(t) for t in terms)} }}"


def bound(query: str, bindings: Mapping[str, Values]) -> str:
    """Return the query with each variable bound to a value (or to any of several) at the top of its WHERE."""
    if not bindings:
        return query
    blocks = " ".join(values(name, [v] if isinstance(v, Value) else v) for name, v in bindings.items())
    inlined = with_values(query, " " + blocks)
    if inlined is None:
        raise ValueError("a page query needs a WHERE clause")
    return inlined


def select(store: ox.Store, query: str, **bindings: Values) -> ox.QuerySolutions:
    """Run a SELECT over the union of the graphs, with the project's prefixes and the bindings inlined."""
    return store.query(bound(query, bindings), use_default_graph_as_union=True, prefixes=PREFIXES)


def grouped(store: ox.Store, query: str, column: str, **bindings: Values) -> list[tuple[ox.QuerySolution, list[str]]]:
    """Run a query grouping IRIs with `(GROUP_CONCAT(STR(?x)) AS ?column)` and return each group with its IRIs.

    For lists of thousands: the store joins and groups them, and Python reads a few hundred groups
    instead of a row per item (an IRI holds no space, so the concatenation splits back exactly)."""
    return [(row, row[column].value.split()) for row in select(store, query, **bindings)]


def count(store: ox.Store, query: str, **bindings: Values) -> int:
    """Return the number a `SELECT (COUNT(…) AS ?n)` query gives."""
    row = next(iter(select(store, query, **bindings)), None)
    return int(row["n"].value) if row is not None and row["n"] is not None else 0
