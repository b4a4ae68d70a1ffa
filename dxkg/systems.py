"""Information systems as the province, partner and platform-kind pages list them.

Each list is chosen in two steps: the keys of every system (its IRI, kind or province), cheap enough
for thousands, then the details and labels of the rows a page shows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from . import view_query
from .entities import Term
from .lists import Shown, Window, shown
from .partners import group
from .terms import Terms

# A province's systems, once per platform kind.
OF_PROVINCE = """
SELECT ?system ?kind WHERE {
  ?system dx:province ?province ; a dx:InformationSystem .
  OPTIONAL { ?system dx:platformKind ?kind }
}"""
# Systems a partner's group (bind ?branch to each of its members) provides, grouped by province (a
# partner provides thousands; `view_query.grouped`). The ontology gives dx:providedBy and
# dx:platformKind the domain dx:InformationSystem, so these two need no type pattern, which would
# cost a join per system.
PROVIDED_BY = """
SELECT ?province (GROUP_CONCAT(STR(?system)) AS ?systems) WHERE {
  ?system dx:providedBy ?branch .
  OPTIONAL { ?system dx:province ?province }
} GROUP BY ?province"""
# Systems of one platform kind, grouped by province.
OF_KIND = """
SELECT ?province (GROUP_CONCAT(STR(?system)) AS ?systems) WHERE {
  ?system dx:platformKind ?kind .
  OPTIONAL { ?system dx:province ?province }
} GROUP BY ?province"""
# What a row shows of the systems bound to ?system: province, locality, operator, provider, start, source.
DETAILS = """
SELECT ?system ?province ?locality ?operator ?provider ?since ?source WHERE {
  OPTIONAL { ?system dx:province ?province }
  OPTIONAL { ?system dx:locality ?locality }
  OPTIONAL { ?system dx:operatedBy ?operator }
  OPTIONAL { ?system dx:providedBy ?provider }
  OPTIONAL { ?system dx:inServiceSince ?since }
  OPTIONAL { ?system dcterms:source ?source }
}"""


@dataclass(frozen=True, slots=True)
class SystemRow:
    """An information system with its province, locality, operator, provider, start and source."""

    system: Term
    province: Term | None
    locality: Term | None
    operator: Term | None
    provider: Term | None
    since: str | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class PlatformGroup:
    """A province's systems of one platform kind shown (kind None: no kind stated), and how many it has."""

    kind: Term | None
    systems: tuple[SystemRow, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ProvinceSystems:
    """A province's systems by platform kind: the groups of the rows shown, and the rows (kind, system)."""

    groups: tuple[PlatformGroup, ...]
    rows: Shown[tuple[Term | None, SystemRow]]


@dataclass(frozen=True, slots=True)
class SystemsByProvince:
    """Systems of a partner or a platform kind (the rows shown) and every province they are in."""

    rows: Shown[SystemRow]
    provinces: tuple[Term, ...]


def of_province(store: ox.Store, terms: Terms, province: str, window: Window) -> ProvinceSystems:
    """Return a province's systems in `window`, ordered by platform kind (no kind last), then IRI."""
    pairs = {(_iri(r["kind"]), r["system"].value) for r in view_query.select(store, OF_PROVINCE, province=province)}
    labels = terms.labels(kind for kind, _ in pairs)
    page, total = shown(pairs, window, lambda p: (p[0] is None, labels.get(p[0], ""), p[0] or "", p[1]))
    rows = _rows(store, terms, sorted({s for _, s in page}))
    per_kind = Counter(kind for kind, _ in pairs)
    shown_rows = tuple((terms.iri(kind) if kind else None, rows[system]) for kind, system in page)
    groups: dict[str | None, list[SystemRow]] = defaultdict(list)
    for kind, system in page:
        groups[kind].append(rows[system])
    return ProvinceSystems(
        tuple(PlatformGroup(terms.iri(kind) if kind else None, tuple(found), per_kind[kind])
              for kind, found in groups.items()),
        Shown(shown_rows, total, window.offset))


def provided_by(store: ox.Store, terms: Terms, partner: str, window: Window) -> SystemsByProvince:
    """Return the systems a partner or its branches provide, in `window`, by province."""
    return _by_province(store, terms, PROVIDED_BY, window, branch=group(store, partner))


def of_kind(store: ox.Store, terms: Terms, kind: str, window: Window) -> SystemsByProvince:
    """Return the systems of a platform kind in `window`, by province."""
    return _by_province(store, terms, OF_KIND, window, kind=kind)


def _by_province(store: ox.Store, terms: Terms, query: str, window: Window,
                 **binding: view_query.Values) -> SystemsByProvince:
    """Return systems ordered by province label (none last), then IRI, and the provinces of all of them."""
    keys: dict[str, str | None] = {}
    for row, found in view_query.grouped(store, query, "systems", **binding):
        province = _iri(row["province"])
        for system in found:
            if keys.get(system) is None:
                keys[system] = province
    labels = terms.labels(keys.values())
    page, total = shown(keys, window, lambda s: (keys[s] is None, labels.get(keys[s], ""), keys[s] or "", s))
    rows = _rows(store, terms, page)
    provinces = terms.sorted(labels)
    return SystemsByProvince(Shown(tuple(rows[s] for s in page), total, window.offset), provinces)


def _rows(store: ox.Store, terms: Terms, systems: list[str]) -> dict[str, SystemRow]:
    """Return the rows of these systems, by IRI: the first value of each column."""
    if not systems:
        return {}
    first: dict[str, ox.QuerySolution] = {}
    for r in view_query.select(store, DETAILS, system=systems):
        first.setdefault(r["system"].value, r)
    rows = {}
    for system in systems:
        r = first.get(system)
        since = r["since"] if r is not None else None
        rows[system] = SystemRow(
            terms.iri(system), *(terms.optional(r[name]) if r is not None else None
                                 for name in ("province", "locality", "operator", "provider")),
            since.value if isinstance(since, ox.Literal) else None,
            terms.optional(r["source"]) if r is not None else None)
    return rows


def _iri(node: object) -> str | None:
    return node.value if isinstance(node, ox.NamedNode) else None
