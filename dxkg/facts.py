"""Targets, achievements and rankings as typed rows, by province, indicator or index, each with its source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import pyoxigraph as ox

from .entities import Term, local_name, term
from .namespaces import ID, PREFIXES

# Targets with value, range, unit, comparison, year, level, setting document and source.
TARGETS = """
SELECT ?target ?province ?indicator ?value ?valueMax ?unit ?comparison ?year ?level ?setBy ?setByNumber ?source WHERE {
  ?target a dx:Target ; dx:province ?province ; dx:indicator ?indicator ; dx:targetValue ?value .
  OPTIONAL { ?target dx:targetValueMax ?valueMax }
  OPTIONAL { ?target dx:unit ?unit }
  OPTIONAL { ?target dx:comparison ?comparison }
  OPTIONAL { ?target dx:targetYear ?year }
  OPTIONAL { ?target dx:level ?level }
  OPTIONAL { ?target dx:setBy ?setBy OPTIONAL { ?setBy dx:documentNumber ?setByNumber } }
  OPTIONAL { ?target dcterms:source ?source }
}"""

# Achievements with value, unit, comparison, date or period, level, locality and source.
ACHIEVEMENTS = """
SELECT ?achievement ?province ?indicator ?value ?unit ?comparison ?observedOn ?periodStart ?periodEnd
       ?level ?locality ?source WHERE {
  ?achievement a dx:Achievement ; dx:province ?province ; dx:indicator ?indicator ; dx:value ?value .
  OPTIONAL { ?achievement dx:unit ?unit }
  OPTIONAL { ?achievement dx:comparison ?comparison }
  OPTIONAL { ?achievement dx:observedOn ?observedOn }
  OPTIONAL { ?achievement dx:periodStart ?periodStart }
  OPTIONAL { ?achievement dx:periodEnd ?periodEnd }
  OPTIONAL { ?achievement dx:level ?level }
  OPTIONAL { ?achievement dx:locality ?locality }
  OPTIONAL { ?achievement dcterms:source ?source }
}"""

# Rankings with edition (or publication) year, pillar, rank, score, change, the source's kind and any cited URL.
RANKINGS = """
SELECT ?ranking ?province ?index ?rank ?outOf ?score ?editionYear ?publishedYear ?pillar ?rankChange
       ?source ?sourceKind ?url WHERE {
  ?ranking a dx:Ranking ; dx:province ?province ; dx:index ?index ; dx:rank ?rank .
  OPTIONAL { ?ranking dx:outOf ?outOf }
  OPTIONAL { ?ranking dx:score ?score }
  OPTIONAL { ?ranking dx:editionYear ?editionYear }
  OPTIONAL { ?ranking dx:publishedYear ?publishedYear }
  OPTIONAL { ?ranking dx:pillar ?pillar }
  OPTIONAL { ?ranking dx:rankChange ?rankChange }
  OPTIONAL { ?ranking dcterms:source ?source .
    OPTIONAL { ?source a ?sourceKind FILTER(?sourceKind IN (dx:NewsArticle, dx:ReferenceDataset, dx:CuratedRegistry)) } }
  OPTIONAL { ?ranking dx:citedUrl ?url }
}"""

# Government levels from the top down, for ordering rows.
LEVEL_ORDER = {"province": 1, "department": 2, "district": 3, "commune": 4, "hamlet": 5}
# Reference tables first when two sources state the same rank.
SOURCE_KIND_ORDER = {"ReferenceDataset": 0, "CuratedRegistry": 1, "NewsArticle": 2}
Filter = Literal["province", "indicator", "index"]


class Terms:
    """Display terms with labels, looked up once per page."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._cache: dict[str, Term] = {}

    def __call__(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
        key = str(node)
        if key not in self._cache:
            self._cache[key] = term(self.store, node)
        return self._cache[key]

    def iri(self, iri: str) -> Term:
        return self(ox.NamedNode(iri))

    def optional(self, node: object) -> Term | None:
        return self(node) if isinstance(node, ox.NamedNode | ox.BlankNode) else None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A stated number: its lexical value, upper bound of a range, unit and comparison (concept local names)."""

    value: str
    value_max: str | None = None
    unit: str | None = None
    comparison: str | None = None

    @property
    def number(self) -> float:
        return float(self.value)

    @property
    def number_max(self) -> float | None:
        return float(self.value_max) if self.value_max is not None else None


@dataclass(frozen=True, slots=True)
class AchievementRow:
    """A reported result for an indicator in a province: value, when, level and source."""

    achievement: Term
    province: Term
    indicator: Term
    quantity: Quantity
    observed_on: str | None
    period_start: str | None
    period_end: str | None
    level: Term | None
    locality: Term | None
    source: Term | None

    @property
    def as_of(self) -> str | None:
        """Return when the value holds: the observation date, else the end of the period."""
        return self.observed_on or self.period_end

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.as_of or "", self.achievement.value)


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A target of a province, with the latest result of the same indicator at a compatible level."""

    target: Term
    province: Term
    indicator: Term
    quantity: Quantity
    year: str | None
    level: Term | None
    set_by: Term | None
    set_by_number: str | None
    source: Term | None
    latest: AchievementRow | None = None

    @property
    def level_order(self) -> int:
        return LEVEL_ORDER.get(local_name(self.level.value), 9) if self.level else 0

    @property
    def comparable(self) -> bool:
        """Return whether the latest result is in the target's unit, so both can share one axis."""
        return self.latest is not None and self.latest.quantity.unit == self.quantity.unit


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One statement of a rank: province, index, edition or publication year, pillar, rank and source."""

    ranking: Term
    province: Term
    index: Term
    rank: int
    out_of: int | None
    score: str | None
    year: int | None
    year_kind: Literal["edition", "published"]
    pillar: Term | None
    rank_change: int | None
    source: Term | None
    source_kind: str
    cited_url: str | None

    @property
    def source_order(self) -> int:
        return SOURCE_KIND_ORDER.get(self.source_kind, 3)


def _rows(store: ox.Store, query: str, bindings: dict[str, str]) -> Iterator[ox.QuerySolution]:
    substitutions = {ox.Variable(name): ox.NamedNode(iri) for name, iri in bindings.items()}
    yield from store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES, substitutions=substitutions)


def _text(node: object) -> str | None:
    return node.value if isinstance(node, ox.Literal) else None


def _concept(node: object) -> str | None:
    return local_name(node.value) if isinstance(node, ox.NamedNode) else None


def _first_per(rows: Iterable[ox.QuerySolution], key: str) -> list[ox.QuerySolution]:
    """Keep the first row per subject: a second source or comparison must not duplicate a fact."""
    seen: dict[str, ox.QuerySolution] = {}
    for row in rows:
        seen.setdefault(row[key].value, row)
    return list(seen.values())


def achievements(store: ox.Store, terms: Terms, province: str | None = None,
                 indicator: str | None = None) -> tuple[AchievementRow, ...]:
    """Return the achievements of a province and/or an indicator, newest first within each indicator."""
    bindings = {k: v for k, v in (("province", province), ("indicator", indicator)) if v}
    rows = [AchievementRow(
        achievement=terms(r["achievement"]), province=terms(r["province"]), indicator=terms(r["indicator"]),
        quantity=Quantity(r["value"].value, None, _concept(r["unit"]), _concept(r["comparison"])),
        observed_on=_text(r["observedOn"]), period_start=_text(r["periodStart"]), period_end=_text(r["periodEnd"]),
        level=terms.optional(r["level"]), locality=terms.optional(r["locality"]), source=terms.optional(r["source"]),
    ) for r in _first_per(_rows(store, ACHIEVEMENTS, bindings), "achievement")]
    rows.sort(key=lambda a: a.sort_key, reverse=True)  # newest first, kept by the stable sort below
    rows.sort(key=lambda a: (a.province.label("vi"), a.indicator.label("vi")))
    return tuple(rows)


def latest_for(target: TargetRow, results: Iterable[AchievementRow]) -> AchievementRow | None:
    """Return the latest result of the target's province and indicator at a compatible level (either unstated)."""
    matching = [a for a in results
                if a.province.value == target.province.value and a.indicator.value == target.indicator.value
                and (a.level is None or target.level is None or a.level.value == target.level.value)]
    return max(matching, key=lambda a: a.sort_key, default=None)


def targets(store: ox.Store, terms: Terms, province: str | None = None, indicator: str | None = None,
            set_by: str | None = None, results: Sequence[AchievementRow] | None = None) -> tuple[TargetRow, ...]:
    """Return the targets of a province, an indicator and/or a document, each with its latest compatible result
    (among `results` when given, else among the achievements of the same province or indicator)."""
    bindings = {k: v for k, v in (("province", province), ("indicator", indicator)) if v}
    if results is None:
        results = achievements(store, terms, province, indicator)
    rows = []
    for r in _first_per(_rows(store, TARGETS, bindings), "target"):
        row = TargetRow(
            target=terms(r["target"]), province=terms(r["province"]), indicator=terms(r["indicator"]),
            quantity=Quantity(r["value"].value, _text(r["valueMax"]), _concept(r["unit"]), _concept(r["comparison"])),
            year=_text(r["year"]), level=terms.optional(r["level"]), set_by=terms.optional(r["setBy"]),
            set_by_number=_text(r["setByNumber"]), source=terms.optional(r["source"]),
        )
        # dx:setBy is optional in the query, so a substitution would not filter on it: filter here.
        if set_by is None or (row.set_by is not None and row.set_by.value == set_by):
            rows.append(replace(row, latest=latest_for(row, results)))
    rows.sort(key=lambda t: (t.year or "9999", t.province.label("vi"), t.indicator.label("vi"), t.level_order,
                             t.target.value))
    return tuple(rows)


def rankings(store: ox.Store, terms: Terms, province: str | None = None,
             index: str | None = None) -> tuple[RankingRow, ...]:
    """Return the rank statements of a province and/or an index, by index, year, pillar and source kind."""
    bindings = {k: v for k, v in (("province", province), ("index", index)) if v}
    rows = []
    for r in _first_per(_rows(store, RANKINGS, bindings), "ranking"):
        edition, published = _text(r["editionYear"]), _text(r["publishedYear"])
        year = edition or published
        out_of, change = _text(r["outOf"]), _text(r["rankChange"])
        rows.append(RankingRow(
            ranking=terms(r["ranking"]), province=terms(r["province"]), index=terms(r["index"]),
            rank=int(r["rank"].value), out_of=int(out_of) if out_of else None, score=_text(r["score"]),
            year=int(year[:4]) if year and year[:4].isdigit() else None,
            year_kind="edition" if edition else "published", pillar=terms.optional(r["pillar"]),
            rank_change=int(change) if change else None, source=terms.optional(r["source"]),
            source_kind=_concept(r["sourceKind"]) or "", cited_url=_text(r["url"]),
        ))
    rows.sort(key=lambda k: (k.index.value, k.year or 0, k.pillar is not None,
                             k.pillar.value if k.pillar else "", k.province.label("vi"), k.source_order,
                             k.ranking.value))
    return tuple(rows)


def index_iri(slug: str) -> str:
    """Return the IRI of an index concept (`dti` -> `.../id/index/dti`)."""
    return f"{ID}index/{slug}"
