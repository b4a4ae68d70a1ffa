"""One indicator or one index across provinces, and the provinces the sources describe, compared."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from . import facts, rankings
from .dashboard import RankHistory, TargetGroup, province_label, rank_history, rank_series, target_groups
from .entities import Term
from .facts import AchievementRow, TargetRow
from .lists import FIRST, Shown, Window
from .namespaces import DX, PREFIXES
from .rankings import EditionGroup, RankingFact, RankingRow
from .terms import Terms

DX_DEFAULT_UNIT = ox.NamedNode(DX + "defaultUnit")
DTI = facts.index_iri("dti")
# The index page shows the overall ranks of the newest editions that fit in this many rows together
# (an edition ranking every province has 63), and the first rank histories.
EDITION_ROWS = 70
HISTORIES = Window(0, 12)
# The index page draws each history's chart, without its table.
NO_ROWS = Window(0, 0)

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
    targets: Shown[TargetRow]
    target_groups: tuple[TargetGroup, ...]
    achievements: Shown[AchievementRow]


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
    """One edition (or publication year) of an index: overall ranks sorted, and pillar ranks.

    `number` is its place among the index's editions, newest first (from 1): its page in the list of editions.
    The index page leaves the pillars to the edition's page (`has_pillars` says whether there are any)."""

    year: int | None
    year_kind: str
    number: int
    provinces: int
    overall: tuple[RankEntry, ...]
    pillars: tuple[tuple[Term, tuple[RankEntry, ...]], ...]
    has_pillars: bool


@dataclass(frozen=True, slots=True)
class IndexView:
    """One ranking index across provinces: its newest editions' ranks, every edition's heading, and the
    histories of provinces ranked in two editions or more."""

    index: Term
    editions: tuple[Edition, ...]
    all_editions: tuple[Edition, ...]
    histories: Shown[RankHistory]


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
    """Return every province's targets (with latest results) and results for one indicator, the first of each."""
    terms = Terms(store)
    found = facts.Facts(store, terms, indicator=iri)
    targets = found.targets(FIRST)
    unit = next((q.object for q in store.quads_for_pattern(ox.NamedNode(iri), DX_DEFAULT_UNIT, None)), None)
    return IndicatorView(terms.iri(iri), terms.optional(unit), targets, target_groups(targets.rows, province_label),
                         found.results(FIRST))


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


EditionKey = tuple[int | None, str]


def _by_edition(found: Iterable[EditionGroup]) -> list[tuple[EditionKey, list[EditionGroup]]]:
    """Return the per-province groups grouped by edition (or publication year): editions first, newest first."""
    groups: dict[EditionKey, list[EditionGroup]] = defaultdict(list)
    for c in found:
        groups[rankings.year_of(c)].append(c)
    return sorted(groups.items(), key=lambda e: (e[0][1] != "edition", -(e[0][0] or 0)))


def _edition(terms: Terms, number: int, key: EditionKey, groups: list[EditionGroup],
             found: list[RankingFact] | None, with_pillars: bool = False) -> Edition:
    """Return an edition: its heading, and with its statements `found`, its overall ranks (and its pillars'
    with `with_pillars`)."""
    year, kind = key
    provinces = len({c.province.value for c in groups if c.overall})
    has_pillars = not all(c.overall for c in groups)
    if found is None:
        return Edition(year, kind, number, provinces, (), (), has_pillars)
    found = rankings.ordered(terms, found)
    pillars: dict[str, list[RankingRow]] = defaultdict(list)
    if with_pillars:
        for f in found:
            if f.pillar is not None:
                pillars[f.pillar.value].append(rankings.row(terms, f))
    return Edition(year, kind, number, provinces,
                   _entries(rankings.row(terms, f) for f in found if f.pillar is None),
                   tuple((terms.iri(p), _entries(rs)) for p, rs in sorted(pillars.items())), has_pillars)


def index_view(store: ox.Store, iri: str) -> IndexView:
    """Return an index's newest editions with every province's overall rank sorted, every edition's
    heading, and the first rank histories."""
    terms = Terms(store)
    groups = rankings.edition_groups(store, iri)
    editions = _by_edition(groups)
    shown = _newest(editions)
    found = rankings.of(store, (r for _, group in editions[:shown] for c in group if c.overall for r in c.statements))
    by_edition: dict[EditionKey, list[RankingFact]] = defaultdict(list)
    for f in found:
        by_edition[rankings.year_of(f)].append(f)
    headings = tuple(_edition(terms, n, key, group, by_edition[key] if n <= shown else None)
                     for n, (key, group) in enumerate(editions, 1))
    return IndexView(terms.iri(iri), headings[:shown], headings, _histories(store, terms, groups, HISTORIES))


def _newest(editions: list[tuple[EditionKey, list[EditionGroup]]]) -> int:
    """Return how many of the newest editions the index page shows: those whose overall ranks fit in
    EDITION_ROWS together, and at least one."""
    shown = rows = 0
    for _, groups in editions:
        rows += len({c.province.value for c in groups if c.overall})
        if shown and rows > EDITION_ROWS:
            break
        shown += 1
    return shown


def edition_page(store: ox.Store, iri: str, window: Window) -> Shown[Edition]:
    """Return the editions of an index in `window` (newest first), each with its overall and pillar ranks."""
    terms = Terms(store)
    editions = list(enumerate(_by_edition(rankings.edition_groups(store, iri)), 1))
    page = window.cut(editions)
    return Shown(tuple(_edition(terms, n, key, group, rankings.of(store, (r for c in group for r in c.statements)),
                                with_pillars=True)
                       for n, (key, group) in page), len(editions), window.offset)


def _histories(store: ox.Store, terms: Terms, groups: Iterable[EditionGroup],
               window: Window) -> Shown[RankHistory]:
    """Return, in `window`, the rank histories of the provinces ranked overall in two editions or more
    (by province)."""
    years: dict[str, set[int]] = defaultdict(set)
    statements: dict[str, list[str]] = defaultdict(list)
    for c in groups:
        year, kind = rankings.year_of(c)
        if c.overall and kind == "edition" and year is not None:
            years[c.province.value].add(year)
            statements[c.province.value].extend(c.statements)
    drawn = [p for p, ys in years.items() if len(ys) >= 2]
    labels = terms.labels(drawn)
    drawn.sort(key=lambda p: (labels[p], p))
    found = rankings.of(store, (r for p in window.cut(drawn) for r in statements[p]))
    series = rank_series(terms, rankings.ordered(terms, found))
    return Shown(tuple(rank_history(terms, s, NO_ROWS) for s in series), len(drawn), window.offset)


def history_page(store: ox.Store, iri: str, window: Window) -> Shown[RankHistory]:
    """Return the rank histories of an index in `window`."""
    terms = Terms(store)
    return _histories(store, terms, rankings.edition_groups(store, iri), window)


def comparison_table(store: ox.Store) -> ComparisonTable:
    """Return the described provinces with DTI 2022 and latest DTI ranks and their fact counts."""
    terms = Terms(store)
    dti = [r for r in rankings.rankings(store, terms, index=DTI)
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
