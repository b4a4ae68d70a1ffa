"""One indicator or one index across provinces, and the provinces the sources describe, compared."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from . import facts
from .dashboard import RankHistory, TargetGroup, province_label, rank_histories, target_groups
from .entities import Term
from .facts import AchievementRow, RankingRow, Terms
from .namespaces import DX, PREFIXES

DX_DEFAULT_UNIT = ox.NamedNode(DX + "defaultUnit")
DTI = facts.index_iri("dti")

# Provincial units the sources describe (beyond the reference tables), with counts of their facts.
COMPARED = """
SELECT ?province ?documents ?resolutions ?systems ?platformKinds ?partners ?agreements ?targets ?achievements WHERE {
  { SELECT DISTINCT ?province WHERE {
      { ?x dx:concerns/dx:partOf* ?province } UNION { ?x a dx:InformationSystem ; dx:province ?province }
      UNION { ?x a dx:Agreement ; dx:province ?province } UNION { ?x a dx:Target ; dx:province ?province }
      UNION { ?x a dx:Achievement ; dx:province ?province }
      ?province a ?c . ?c rdfs:subClassOf* dx:ProvincialUnit . } }
  OPTIONAL { SELECT ?province (COUNT(DISTINCT ?d) AS ?documents) WHERE {
      ?d dx:concerns/dx:partOf* ?province . ?d a ?dc . ?dc rdfs:subClassOf* dx:Document } GROUP BY ?province }
  OPTIONAL { SELECT ?province (COUNT(DISTINCT ?r) AS ?resolutions) WHERE {
      ?r dx:concerns/dx:partOf* ?province ; a ?rc . VALUES ?rc { dx:PartyResolution dx:StateResolution } }
    GROUP BY ?province }
  OPTIONAL { SELECT ?province (COUNT(DISTINCT ?s) AS ?systems) (COUNT(DISTINCT ?k) AS ?platformKinds) WHERE {
      ?s a dx:InformationSystem ; dx:province ?province . OPTIONAL { ?s dx:platformKind ?k } } GROUP BY ?province }
  OPTIONAL { SELECT ?province (COUNT(DISTINCT ?p) AS ?partners) (COUNT(DISTINCT ?a) AS ?agreements) WHERE {
      ?a a dx:Agreement ; dx:province ?province . OPTIONAL { ?a dx:partner ?p } } GROUP BY ?province }
  OPTIONAL { SELECT ?province (COUNT(DISTINCT ?t) AS ?targets) WHERE {
      ?t a dx:Target ; dx:province ?province } GROUP BY ?province }
  OPTIONAL { SELECT ?province (COUNT(DISTINCT ?m) AS ?achievements) WHERE {
      ?m a dx:Achievement ; dx:province ?province } GROUP BY ?province }
}"""


@dataclass(frozen=True, slots=True)
class IndicatorView:
    """One indicator across provinces: targets by year with their latest results, and every result."""

    indicator: Term
    default_unit: Term | None
    target_groups: tuple[TargetGroup, ...]
    achievements: tuple[AchievementRow, ...]


@dataclass(frozen=True, slots=True)
class RankEntry:
    """A province's rank in one edition (and pillar): the rank shown and every statement of it."""

    province: Term
    rank: int
    out_of: int | None
    score: str | None
    statements: tuple[RankingRow, ...]

    @property
    def other_ranks(self) -> tuple[int, ...]:
        """Return the ranks other statements give when they differ from the one shown."""
        return tuple(sorted({s.rank for s in self.statements if s.rank != self.rank}))


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition (or publication year) of an index: overall ranks sorted, and pillar ranks."""

    year: int | None
    year_kind: str
    overall: tuple[RankEntry, ...]
    pillars: tuple[tuple[Term, tuple[RankEntry, ...]], ...]


@dataclass(frozen=True, slots=True)
class IndexView:
    """One ranking index across provinces: each edition's ranks, and the histories of provinces ranked twice."""

    index: Term
    editions: tuple[Edition, ...]
    histories: tuple[RankHistory, ...]


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One described province on the home page: DTI ranks and how many facts of each kind the graph holds."""

    province: Term
    dti_2022: int | None
    dti_latest: RankingRow | None
    documents: int
    resolutions: int
    systems: int
    platform_kinds: int
    partners: int
    agreements: int
    targets: int
    achievements: int


@dataclass(frozen=True, slots=True)
class ComparisonTable:
    """The provinces the sources describe, side by side, ordered by DTI 2022 rank."""

    rows: tuple[ComparisonRow, ...]


def indicator_view(store: ox.Store, iri: str) -> IndicatorView:
    """Return every province's targets (with latest results) and results for one indicator."""
    terms = Terms(store)
    rows = sorted(facts.targets(store, terms, indicator=iri),
                  key=lambda t: (t.year or "9999", t.province.label("vi"), t.level_order))
    unit = next((q.object for q in store.quads_for_pattern(ox.NamedNode(iri), DX_DEFAULT_UNIT, None)), None)
    return IndicatorView(terms.iri(iri), terms.optional(unit),
                         target_groups(rows, province_label), facts.achievements(store, terms, indicator=iri))


def _entries(rows: Iterable[RankingRow]) -> tuple[RankEntry, ...]:
    by_province: dict[str, list[RankingRow]] = defaultdict(list)
    for row in rows:
        by_province[row.province.value].append(row)
    entries = []
    for statements in by_province.values():
        statements.sort(key=lambda r: r.source_order)
        shown = statements[0]
        entries.append(RankEntry(shown.province, shown.rank, shown.out_of, shown.score, tuple(statements)))
    entries.sort(key=lambda e: (e.rank, e.province.label("vi")))
    return tuple(entries)


def index_view(store: ox.Store, iri: str) -> IndexView:
    """Return an index's editions (newest first) with every province's rank sorted, and rank histories."""
    terms = Terms(store)
    rows = facts.rankings(store, terms, index=iri)
    by_edition: dict[tuple[int | None, str], list[RankingRow]] = defaultdict(list)
    for row in rows:
        by_edition[(row.year, row.year_kind)].append(row)
    editions = []
    for (year, kind), group in by_edition.items():
        pillars: dict[str, list[RankingRow]] = defaultdict(list)
        for row in group:
            if row.pillar is not None:
                pillars[row.pillar.value].append(row)
        editions.append(Edition(year, kind, _entries(r for r in group if r.pillar is None),
                                tuple((terms.iri(p), _entries(rs)) for p, rs in sorted(pillars.items()))))
    editions.sort(key=lambda e: (e.year_kind != "edition", -(e.year or 0)))
    histories = tuple(h for h in rank_histories(rows) if h.chart is not None and len(h.chart.year_ticks) >= 2)
    return IndexView(terms.iri(iri), tuple(editions), histories)


def comparison_table(store: ox.Store) -> ComparisonTable:
    """Return the described provinces with DTI 2022 and latest DTI ranks and their fact counts."""
    terms = Terms(store)
    dti = [r for r in facts.rankings(store, terms, index=DTI)
           if r.pillar is None and r.year_kind == "edition" and r.year is not None]
    best: dict[tuple[str, int], RankingRow] = {}
    for row in sorted(dti, key=lambda r: r.source_order):
        best.setdefault((row.province.value, row.year or 0), row)

    def count(solution: ox.QuerySolution, name: str) -> int:
        value = solution[name]
        return int(value.value) if value is not None else 0

    rows = []
    for r in store.query(COMPARED, use_default_graph_as_union=True, prefixes=PREFIXES):
        province = r["province"].value
        editions = sorted((year, row) for (p, year), row in best.items() if p == province)
        dti_2022 = best.get((province, 2022))
        rows.append(ComparisonRow(
            province=terms.iri(province), dti_2022=dti_2022.rank if dti_2022 else None,
            dti_latest=editions[-1][1] if editions else None,
            documents=count(r, "documents"), resolutions=count(r, "resolutions"), systems=count(r, "systems"),
            platform_kinds=count(r, "platformKinds"), partners=count(r, "partners"),
            agreements=count(r, "agreements"), targets=count(r, "targets"), achievements=count(r, "achievements"),
        ))
    rows.sort(key=lambda c: (c.dti_2022 is None, c.dti_2022 or 0, c.province.label("vi")))
    return ComparisonTable(tuple(rows))
