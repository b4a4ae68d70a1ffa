"""province_dashboard(store, iri) -> ProvinceDashboard: a province's programme at a glance, every figure sourced.

Also the groupings the cross-province pages share (`comparison.py`): targets by year with their bar
charts, results without a target, rank histories with their line charts. Long lists show their first
rows (`lists.FIRST`); each list's own page shows the rest (`province_list`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from . import agreements, charts, facts, rankings, systems, view_query
from .agreements import AgreementRow
from .entities import Term
from .facts import AchievementRow, TargetRow
from .lists import FIRST, Shown, Window, shown
from .namespaces import DX
from .rankings import RankingFact, RankingRow
from .systems import PlatformGroup
from .terms import Terms, unique_terms

SKOS_NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
CHART_UNITS = ("percent",)

# Documents concerning the province or one of its districts or communes, with where they sit on the timeline.
DOCUMENTS = """
SELECT DISTINCT ?document ?issuedOn ?periodStart WHERE {
  ?unit dx:partOf* ?province . ?document dx:concerns ?unit .
  ?document a ?type . ?type rdfs:subClassOf* dx:Document .
  OPTIONAL { ?document dx:issuedOn ?issuedOn }
  OPTIONAL { ?document dx:periodStart ?periodStart }
}"""
# What the timeline shows of the documents bound to ?document.
DOCUMENT_DETAILS = """
SELECT ?document ?type ?number ?issuedOn ?issuer ?periodStart ?periodEnd ?visionYear ?implements ?source WHERE {
  ?document a ?type . ?type rdfs:subClassOf* dx:Document .
  OPTIONAL { ?document dx:documentNumber ?number }
  OPTIONAL { ?document dx:issuedOn ?issuedOn }
  OPTIONAL { ?document dx:issuedBy ?issuer }
  OPTIONAL { ?document dx:periodStart ?periodStart }
  OPTIONAL { ?document dx:periodEnd ?periodEnd }
  OPTIONAL { ?document dx:visionYear ?visionYear }
  OPTIONAL { ?document dx:implements ?implements }
  OPTIONAL { ?document dcterms:source ?source }
}"""

# Change events that abolished the province: the unit it became, the date, the others merged, the legal basis.
MERGED_INTO = """
SELECT ?province ?change ?date ?unit ?other ?basis ?source WHERE {
  ?change dx:abolishedUnit ?province ; a dx:AdministrativeChange ; dx:establishedUnit ?unit ; dx:changeDate ?date .
  OPTIONAL { ?change dx:abolishedUnit ?other FILTER(?other != ?province) }
  OPTIONAL { ?change dx:legalBasis ?basis }
  OPTIONAL { ?change dcterms:source ?source }
}"""

# Change events that established the province: the units it was formed from.
FORMED_FROM = """
SELECT ?province ?change ?date ?other ?basis ?source WHERE {
  ?change dx:establishedUnit ?province ; a dx:AdministrativeChange ; dx:abolishedUnit ?other ; dx:changeDate ?date .
  OPTIONAL { ?change dx:legalBasis ?basis }
  OPTIONAL { ?change dcterms:source ?source }
}"""


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A document on the province's timeline."""

    document: Term
    type: Term
    number: str | None
    issued_on: str | None
    issuer: Term | None
    period_start: str | None
    period_end: str | None
    vision_year: str | None
    implements: tuple[Term, ...]
    source: Term | None

    @property
    def when(self) -> str | None:
        """Return where the document sits on the timeline: its issue date, else the start of its period."""
        return self.issued_on or self.period_start


@dataclass(frozen=True, slots=True)
class TargetGroup:
    """Targets for one year (None: no year stated), with the bar chart of those in percent."""

    year: str | None
    targets: tuple[TargetRow, ...]
    chart: charts.BarChart[TargetRow] | None


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """Results that no target is set against (or no target's latest), with a bar chart of those in percent."""

    results: Shown[AchievementRow]
    chart: charts.BarChart[AchievementRow] | None


@dataclass(frozen=True, slots=True)
class RankHistory:
    """The statements of one index (for one province), and the line chart of its overall ranks by edition."""

    index: Term
    province: Term
    rows: Shown[RankingRow]
    chart: charts.RankChart[RankingRow] | None


@dataclass(frozen=True, slots=True)
class Change:
    """A 2025 reorganisation event seen from one unit: the other side, the date, the units merged, the basis."""

    change: Term
    date: str
    unit: Term | None
    others: tuple[Term, ...]
    legal_basis: Term | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class ProvinceDashboard:
    """A provincial unit's programme at a glance; every figure carries its source."""

    province: Term
    code: str | None
    valid_from: str | None
    valid_until: str | None
    region: Term | None
    documents: Shown[DocumentRow]
    agreements: Shown[AgreementRow]
    partners: tuple[Term, ...]
    platforms: tuple[PlatformGroup, ...]
    systems: Shown[tuple[Term | None, systems.SystemRow]]
    targets: Shown[TargetRow]
    target_groups: tuple[TargetGroup, ...]
    other_results: ResultGroup
    rankings: tuple[RankHistory, ...]
    merged_into: tuple[Change, ...]
    formed_from: tuple[Change, ...]

    @property
    def system_count(self) -> int:
        return self.systems.total

    @property
    def target_count(self) -> int:
        return self.targets.total


def _query(store: ox.Store, query: str, province: str) -> ox.QuerySolutions:
    return view_query.select(store, query, province=province)


def _text(node: object) -> str | None:
    return node.value if isinstance(node, ox.Literal) else None


def _value(store: ox.Store, subject: str, predicate: ox.NamedNode) -> ox.NamedNode | ox.Literal | None:
    quad = next(iter(store.quads_for_pattern(ox.NamedNode(subject), predicate, None)), None)
    return quad.object if quad is not None else None


def _grouped(rows: Iterable[ox.QuerySolution], key: str) -> dict[str, list[ox.QuerySolution]]:
    groups: dict[str, list[ox.QuerySolution]] = defaultdict(list)
    for row in rows:
        groups[row[key].value].append(row)
    return groups


def province_dashboard(store: ox.Store, iri: str) -> ProvinceDashboard:
    """Return the dashboard of a provincial unit (the caller has checked it is one)."""
    terms = Terms(store)
    region = _value(store, iri, ox.NamedNode(DX + "region"))
    found = facts.Facts(store, terms, province=iri)
    shown_targets = found.targets(FIRST)
    deals = agreements.of_province(store, terms, iri, FIRST)
    province_systems = systems.of_province(store, terms, iri, FIRST)
    return ProvinceDashboard(
        province=terms.iri(iri),
        code=_text(_value(store, iri, SKOS_NOTATION)),
        valid_from=_text(_value(store, iri, ox.NamedNode(DX + "validFrom"))),
        valid_until=_text(_value(store, iri, ox.NamedNode(DX + "validUntil"))),
        region=terms.optional(region),
        documents=documents(store, terms, iri, FIRST),
        agreements=deals.rows,
        partners=deals.partners,
        platforms=province_systems.groups,
        systems=province_systems.rows,
        targets=shown_targets,
        target_groups=target_groups(shown_targets.rows),
        other_results=result_group(found.results(FIRST, beside_targets=False)),
        rankings=rank_histories(terms, rankings.facts(store, province=iri), FIRST),
        merged_into=_changes(store, terms, MERGED_INTO, iri, other_side=True),
        formed_from=_changes(store, terms, FORMED_FROM, iri, other_side=False),
    )


def documents(store: ox.Store, terms: Terms, iri: str, window: Window) -> Shown[DocumentRow]:
    """Return the province's documents in `window`: dated ones in date order, undated ones after them (by IRI)."""
    keys: dict[str, str | None] = {}
    for r in _query(store, DOCUMENTS, iri):
        when = _text(r["issuedOn"]) or _text(r["periodStart"])
        if keys.get(r["document"].value) is None:
            keys[r["document"].value] = when
    page, total = shown(keys, window, lambda d: (keys[d] is None, keys[d] or "", d))
    details = _grouped(view_query.select(store, DOCUMENT_DETAILS, document=page), "document") if page else {}
    rows = []
    for doc in page:
        group = details.get(doc) or []
        if not group:
            continue
        first = group[0]
        types = [r["type"] for r in group if r["type"].value != DX + "Document"] or [first["type"]]
        rows.append(DocumentRow(
            document=terms.iri(doc), type=terms(types[0]), number=_text(first["number"]),
            issued_on=_text(first["issuedOn"]), issuer=terms.optional(first["issuer"]),
            period_start=_text(first["periodStart"]), period_end=_text(first["periodEnd"]),
            vision_year=_text(first["visionYear"]), implements=unique_terms(terms.optional(r["implements"]) for r in group),
            source=terms.optional(first["source"]),
        ))
    return Shown(tuple(rows), total, window.offset)


def _changes(store: ox.Store, terms: Terms, query: str, iri: str, other_side: bool) -> tuple[Change, ...]:
    changes = []
    for change, group in _grouped(_query(store, query, iri), "change").items():
        first = group[0]
        unit = first["unit"] if other_side else None
        changes.append(Change(terms.iri(change), first["date"].value, terms.optional(unit),
                              unique_terms(terms.optional(r["other"]) for r in group),
                              terms.optional(first["basis"]), terms.optional(first["source"])))
    changes.sort(key=lambda c: c.date)
    return tuple(changes)


def indicator_label(row: TargetRow | AchievementRow, lang: str) -> str:
    """Return a chart row's label on a province page: the indicator, and the level where there is one."""
    return row.indicator.label(lang) + (f" · {row.level.label(lang)}" if row.level else "")


def province_label(row: TargetRow | AchievementRow, lang: str) -> str:
    """Return a chart row's label on an indicator page: the province, and the level where there is one."""
    return row.province.label(lang) + (f" · {row.level.label(lang)}" if row.level else "")


def target_groups(rows: Sequence[TargetRow], label: Callable[[TargetRow, str], str] = indicator_label,
                  ) -> tuple[TargetGroup, ...]:
    """Return targets grouped by year (no year last), each group with a bar chart of its percent targets."""
    by_year: dict[str | None, list[TargetRow]] = defaultdict(list)
    for row in rows:
        by_year[row.year].append(row)
    groups = []
    for year in sorted(by_year, key=lambda y: (y is None, y or "")):
        targets = tuple(by_year[year])
        drawn = [t for t in targets if t.quantity.unit in CHART_UNITS]
        chart = charts.bar_chart([
            charts.BarInput(t, label(t, "vi"), label(t, "en"), t.quantity.number, t.quantity.number_max,
                            t.latest.quantity.number if t.comparable and t.latest else None)
            for t in drawn], floor=100.0) if drawn else None
        groups.append(TargetGroup(year, targets, chart))
    return tuple(groups)


def result_group(results: Shown[AchievementRow]) -> ResultGroup:
    """Return results with a bar chart of those in percent."""
    drawn = [a for a in results if a.quantity.unit in CHART_UNITS]
    chart = charts.bar_chart([charts.BarInput(a, indicator_label(a, "vi"), indicator_label(a, "en"), None, None,
                                              a.quantity.number) for a in drawn],
                             floor=100.0) if drawn else None
    return ResultGroup(results, chart)


@dataclass(frozen=True, slots=True)
class RankSeries:
    """The statements of one index for one province (ordered), and the one drawn for each edition year."""

    index: ox.NamedNode
    province: ox.NamedNode
    statements: list[RankingFact]
    points: dict[int, RankingFact]


def rank_series(terms: Terms, ordered: Iterable[RankingFact]) -> list[RankSeries]:
    """Return ordered statements grouped by index and province (by their labels), with the chart's points.

    One point per edition year: the reference table's statement where there is one, else the first."""
    groups: dict[tuple[str, str], list[RankingFact]] = defaultdict(list)
    for f in ordered:
        groups[(f.index.value, f.province.value)].append(f)
    series = []
    for group in groups.values():
        points: dict[int, RankingFact] = {}
        for f in sorted(group, key=rankings.source_order):
            year, kind = rankings.year_of(f)
            if f.pillar is None and kind == "edition" and year is not None:
                points.setdefault(year, f)
        series.append(RankSeries(group[0].index, group[0].province, group, points))
    labels = terms.labels(iri for s in series for iri in (s.index.value, s.province.value))
    series.sort(key=lambda s: (labels[s.index.value], labels[s.province.value]))
    return series


def rank_history(terms: Terms, series: RankSeries, window: Window) -> RankHistory:
    """Return one series' history: its statements in `window` and the chart of every overall rank."""
    drawn = {year: rankings.row(terms, f) for year, f in series.points.items()}
    out_of = max((r.out_of or 0 for r in drawn.values()), default=0)
    chart = charts.rank_chart([charts.RankInput(r, year, r.rank) for year, r in drawn.items()],
                              out_of) if drawn else None
    return RankHistory(terms(series.index), terms(series.province), rankings.rows(terms, series.statements, window),
                       chart)


def rank_histories(terms: Terms, found: Iterable[RankingFact], window: Window = FIRST) -> tuple[RankHistory, ...]:
    """Return rank statements grouped by index and province, each with a chart of overall ranks by edition."""
    return tuple(rank_history(terms, s, window) for s in rank_series(terms, rankings.ordered(terms, found)))
