"""The complete lists behind an entity page's long lists, at /id/{type}/{slug}/{list}?page=N.

Each list is named by its page kind and name; it pages through the rows in the order the entity
page shows its first rows. `linked-from`, `values` and `graphs` belong to every entity: the
generic description's links in and out by one property, and the named graphs holding its triples.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from . import agreements, comparison, dashboard, entities, facts, profile, rankings, systems
from .errors import BadQuery, NotFound
from .lists import PAGE_ROWS, Shown, Window
from .queries import expand_iri
from .terms import Terms

# What a list builds: a window of rows (`lists.Shown`), or a view whose `rows` are that window.
Build = Callable[[ox.Store, str, Window, Mapping[str, str]], object]


@dataclass(frozen=True, slots=True)
class EntityList:
    """One kind of complete list: its name in the URL, its heading (a UI string), how to build a window of
    it, how many rows a page holds, and the query parameter it needs (a property or an index)."""

    name: str
    title: str
    build: Build
    page_rows: int = PAGE_ROWS
    parameter: str | None = None


def _property(params: Mapping[str, str]) -> str:
    return parameter_iri(params, "property")


def parameter_iri(params: Mapping[str, str], name: str) -> str:
    """Return the full IRI a parameter names (`dx:province`, `index:dti` or an IRI); BadQuery if it names none."""
    value = params.get(name, "").strip()
    try:
        return expand_iri(value)
    except ValueError:
        raise BadQuery(f"parameter '{name}': '{value[:80]}' is not an IRI or prefix:local") from None


@dataclass(frozen=True, slots=True)
class TargetsPage:
    """A page of targets and the same targets grouped by year, with their charts."""

    rows: Shown
    groups: tuple[dashboard.TargetGroup, ...]


def _targets(store: ox.Store, window: Window, **scope: str) -> TargetsPage:
    rows = facts.Facts(store, Terms(store), **scope).targets(window)
    label = dashboard.province_label if "indicator" in scope else dashboard.indicator_label
    return TargetsPage(rows, dashboard.target_groups(rows.rows, label))


def _province_rankings(store: ox.Store, iri: str, window: Window, params: Mapping[str, str]) -> Shown:
    terms = Terms(store)
    found = rankings.facts(store, province=iri, index=parameter_iri(params, "index"))
    return rankings.rows(terms, rankings.ordered(terms, found), window)


GENERIC: tuple[EntityList, ...] = (
    EntityList("linked-from", "entity.linked_from", parameter="property",
               build=lambda s, i, w, p: entities.linked(s, i, _property(p), w, incoming=True)),
    EntityList("values", "entity.values", parameter="property",
               build=lambda s, i, w, p: entities.linked(s, i, _property(p), w, incoming=False)),
    EntityList("graphs", "entity.graphs", build=lambda s, i, w, p: entities.graphs(s, i, w)),
)

BY_KIND: dict[str, tuple[EntityList, ...]] = {
    "province": (
        EntityList("documents", "province.documents",
                   build=lambda s, i, w, p: dashboard.documents(s, Terms(s), i, w)),
        EntityList("agreements", "province.partners",
                   build=lambda s, i, w, p: agreements.of_province(s, Terms(s), i, w).rows),
        EntityList("systems", "province.platforms",
                   build=lambda s, i, w, p: systems.of_province(s, Terms(s), i, w)),
        EntityList("targets", "province.targets", build=lambda s, i, w, p: _targets(s, w, province=i)),
        EntityList("results", "province.results.other",
                   build=lambda s, i, w, p: facts.Facts(s, Terms(s), province=i).results(w, beside_targets=False)),
        EntityList("rankings", "province.rankings", build=_province_rankings, parameter="index"),
    ),
    "partner": (
        EntityList("agreements", "partner.agreements",
                   build=lambda s, i, w, p: agreements.of_partner(s, Terms(s), i, w).rows),
        EntityList("systems", "partner.systems",
                   build=lambda s, i, w, p: systems.provided_by(s, Terms(s), i, w).rows),
    ),
    "platform": (
        EntityList("systems", "platform.systems", build=lambda s, i, w, p: systems.of_kind(s, Terms(s), i, w).rows),
    ),
    "indicator": (
        EntityList("targets", "indicator.targets", build=lambda s, i, w, p: _targets(s, w, indicator=i)),
        EntityList("results", "indicator.achievements",
                   build=lambda s, i, w, p: facts.Facts(s, Terms(s), indicator=i).results(w)),
    ),
    "index": (
        EntityList("editions", "index.editions", page_rows=1,
                   build=lambda s, i, w, p: comparison.edition_page(s, i, w)),
        EntityList("histories", "index.history", page_rows=48,
                   build=lambda s, i, w, p: comparison.history_page(s, i, w)),
    ),
    "document": (
        EntityList("targets", "doc.targets", build=lambda s, i, w, p: profile.document_targets(s, i, w)),
        EntityList("implemented-by", "doc.implemented_by", build=lambda s, i, w, p: profile.implemented_by(s, i, w)),
        EntityList("basis-of", "doc.basis_of", build=lambda s, i, w, p: profile.basis_of(s, i, w)),
    ),
}


def rows_of(view: object) -> Shown:
    """Return the window of rows a list built: the view itself, or its `rows`."""
    return view if isinstance(view, Shown) else view.rows  # type: ignore[attr-defined]


def find(kind: str, name: str) -> EntityList:
    """Return the list `name` of an entity whose page is of this kind; raise NotFound when it has none."""
    for entity_list in (*BY_KIND.get(kind, ()), *GENERIC):
        if entity_list.name == name:
            return entity_list
    raise NotFound(f"no list '{name[:60]}' for this entity")
