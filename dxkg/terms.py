"""Terms: a page's display terms with their labels, each looked up once however many rows name it."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .entities import Term, term


class Terms:
    """Display terms with labels, looked up once per page."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._cache: dict[str, Term] = {}

    def __call__(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
        key = str(node)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = term(self.store, node)
        return found

    def iri(self, iri: str) -> Term:
        return self(ox.NamedNode(iri))

    def optional(self, node: object) -> Term | None:
        return self(node) if isinstance(node, ox.NamedNode | ox.BlankNode) else None

    def labels(self, iris: Iterable[str | None]) -> dict[str, str]:
        """Return the Vietnamese label of each IRI named, for ordering rows (a few provinces or indicators,
        however many rows name them)."""
        return {iri: self.iri(iri).label("vi") for iri in set(iris) if iri}

    def sorted(self, iris: Iterable[str]) -> tuple[Term, ...]:
        """Return the terms of these IRIs, once each, by Vietnamese label."""
        return tuple(sorted((self.iri(i) for i in set(iris)), key=lambda t: (t.label("vi"), t.value)))


def unique_terms(terms: Iterable[Term | None]) -> tuple[Term, ...]:
    """Return the terms once each (by IRI), in the order of their Vietnamese labels; None is skipped."""
    seen: dict[str, Term] = {}
    for t in terms:
        if t is not None:
            seen.setdefault(t.value, t)
    return tuple(sorted(seen.values(), key=lambda t: t.label("vi")))
