"""province_dashboard(store, iri) -> ProvinceDashboard: a province's programme at a glance, every figure sourced.

Also the groupings the cross-province pages share (`comparison.py`): targets by year with their bar
charts, results without a target, rank histories with their line charts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from . import charts, facts
from .entities import Term
from .facts import AchievementRow, RankingRow, TargetRow, Terms
from .namespaces import DX, PREFIXES

SKOS_NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
CHART_UNITS = ("percent",)

# Documents concerning the province or one of its districts or communes.
DOCUMENTS = """
SELECT DISTINCT ?province ?document ?type ?number ?issuedOn ?issuer ?periodStart ?periodEnd ?visionYear
       ?implements ?source WHERE {
  ?document dx:concerns ?unit . ?unit dx:partOf* ?province .
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

# The province's agreements: partners, parties, period, signing date, source.
AGREEMENTS = """
SELECT ?province ?agreement ?partner ?party ?periodStart ?periodEnd ?signedOn ?source WHERE {
  ?agreement a dx:Agreement ; dx:province ?province .
  OPTIONAL { ?agreement dx:partner ?partner }
  OPTIONAL { ?agreement dx:party ?party }
  OPTIONAL { ?agreement dx:periodStart ?periodStart }
  OPTIONAL { ?agreement dx:periodEnd ?periodEnd }
  OPTIONAL { ?agreement dx:signedOn ?signedOn }
  OPTIONAL { ?agreement dcterms:source ?source }
}"""

# The province's information systems with kind, locality, operator, provider, start and source.
SYSTEMS = """
SELECT ?province ?system ?kind ?locality ?operator ?provider ?since ?source WHERE {
  ?system a dx:InformationSystem ; dx:province ?province .
  OPTIONAL { ?system dx:platformKind ?kind }
  OPTIONAL { ?system dx:locality ?locality }
  OPTIONAL { ?system dx:operatedBy ?operator }
  OPTIONAL { ?system dx:providedBy ?provider }
  OPTIONAL { ?system dx:inServiceSince ?since }
  OPTIONAL { ?system dcterms:source ?source }
}"""

# Change events that abolished the province: the unit it became, the date, the others merged, the legal basis.
MERGED_INTO = """
SELECT ?province ?change ?date ?unit ?other ?basis ?source WHERE {
  ?change a dx:AdministrativeChange ; dx:abolishedUnit ?province ; dx:establishedUnit ?unit ; dx:changeDate ?date .
  OPTIONAL { ?change dx:abolishedUnit ?other FILTER(?other != ?province) }
  OPTIONAL { ?change dx:legalBasis ?basis }
  OPTIONAL { ?change dcterms:source ?source }
}"""

# Change events that established the province: the units it was formed from.
FORMED_FROM = """
SELECT ?province ?change ?date ?other ?basis ?source WHERE {
  ?change a dx:AdministrativeChange ; dx:establishedUnit ?province ; dx:abolishedUnit ?other ; dx:changeDate ?date .
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
class AgreementRow:
    """An agreement of the province: partners, parties, period, signing date, source."""

    agreement: Term
    partners: tuple[Term, ...]
    parties: tuple[Term, ...]
    period_start: str | None
    period_end: str | None
    signed_on: str | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class SystemRow:
    """An information system the province runs."""

    system: Term
    locality: Term | None
    operator: Term | None
    provider: Term | None
    since: str | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class PlatformGroup:
    """The province's systems of one platform kind (kind None: systems with no kind stated)."""

    kind: Term | None
    systems: tuple[SystemRow, ...]


@dataclass(frozen=True, slots=True)
class TargetGroup:
    """Targets for one year (None: no year stated), with the bar chart of those in percent."""

    year: str | None
    targets: tuple[TargetRow, ...]
    chart: charts.BarChart[TargetRow] | None


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """Results that no target is set against (or no target's latest), with a bar chart of those in percent."""

    results: tuple[AchievementRow, ...]
    chart: charts.BarChart[AchievementRow] | None


@dataclass(frozen=True, slots=True)
class RankHistory:
    """The statements of one index (for one province), and the line chart of its overall ranks by edition."""

    index: Term
    province: Term
    rows: tuple[RankingRow, ...]
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
    documents: tuple[DocumentRow, ...]
    agreements: tuple[AgreementRow, ...]
    platforms: tuple[PlatformGroup, ...]
    target_groups: tuple[TargetGroup, ...]
    other_results: ResultGroup
    rankings: tuple[RankHistory, ...]
    merged_into: tuple[Change, ...]
    formed_from: tuple[Change, ...]

    @property
    def partners(self) -> tuple[Term, ...]:
        """Return every partner named in the province's agreements, once."""
        seen: dict[str, Term] = {}
        for agreement in self.agreements:
            for partner in agreement.partners:
                seen.setdefault(partner.value, partner)
        return tuple(seen.values())

    @property
    def system_count(self) -> int:
        return sum(len(g.systems) for g in self.platforms)

    @property
    def target_count(self) -> int:
        return sum(len(g.targets) for g in self.target_groups)


def _query(store: ox.Store, query: str, province: str) -> ox.QuerySolutions:
    return store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES,
                       substitutions={ox.Variable("province"): ox.NamedNode(province)})


def _text(node: object) -> str | None:
    return node.value if isinstance(node, ox.Literal) else None


def _value(store: ox.Store, subject: str, predicate: ox.NamedNode) -> ox.NamedNode | ox.Literal | None:
    quad = next(iter(store.quads_for_pattern(ox.NamedNode(subject), predicate, None)), None)
    return quad.object if quad is not None else None


def _unique(terms: Iterable[Term | None]) -> tuple[Term, ...]:
    seen: dict[str, Term] = {}
    for t in terms:
        if t is not None:
            seen.setdefault(t.value, t)
    return tuple(sorted(seen.values(), key=lambda t: t.label("vi")))


def _grouped(rows: Iterable[ox.QuerySolution], key: str) -> dict[str, list[ox.QuerySolution]]:
    groups: dict[str, list[ox.QuerySolution]] = defaultdict(list)
    for row in rows:
        groups[row[key].value].append(row)
    return groups


def province_dashboard(store: ox.Store, iri: str) -> ProvinceDashboard:
    """Return the dashboard of a provincial unit (the caller has checked it is one)."""
    terms = Terms(store)
    region = _value(store, iri, ox.NamedNode(DX + "region"))
    results = facts.achievements(store, terms, province=iri)
    targets = facts.targets(store, terms, province=iri, results=results)
    return ProvinceDashboard(
        province=terms.iri(iri),
        code=_text(_value(store, iri, SKOS_NOTATION)),
        valid_from=_text(_value(store, iri, ox.NamedNode(DX + "validFrom"))),
        valid_until=_text(_value(store, iri, ox.NamedNode(DX + "validUntil"))),
        region=terms.optional(region),
        documents=_documents(store, terms, iri),
        agreements=_agreements(store, terms, iri),
        platforms=_platforms(store, terms, iri),
        target_groups=target_groups(targets),
        other_results=result_group(results, targets),
        rankings=rank_histories(facts.rankings(store, terms, province=iri)),
        merged_into=_changes(store, terms, MERGED_INTO, iri, other_side=True),
        formed_from=_changes(store, terms, FORMED_FROM, iri, other_side=False),
    )


def _documents(store: ox.Store, terms: Terms, iri: str) -> tuple[DocumentRow, ...]:
    rows = []
    for doc, group in _grouped(_query(store, DOCUMENTS, iri), "document").items():
        first = group[0]
        types = [r["type"] for r in group if r["type"].value != DX + "Document"] or [first["type"]]
        rows.append(DocumentRow(
            document=terms.iri(doc), type=terms(types[0]), number=_text(first["number"]),
            issued_on=_text(first["issuedOn"]), issuer=terms.optional(first["issuer"]),
            period_start=_text(first["periodStart"]), period_end=_text(first["periodEnd"]),
            vision_year=_text(first["visionYear"]), implements=_unique(terms.optional(r["implements"]) for r in group),
            source=terms.optional(first["source"]),
        ))
    # Dated documents in date order; undated ones after them, by name.
    rows.sort(key=lambda d: (d.when is None, d.when or "", d.document.label("vi")))
    return tuple(rows)


def _agreements(store: ox.Store, terms: Terms, iri: str) -> tuple[AgreementRow, ...]:
    rows = []
    for agreement, group in _grouped(_query(store, AGREEMENTS, iri), "agreement").items():
        first = group[0]
        rows.append(AgreementRow(
            agreement=terms.iri(agreement), partners=_unique(terms.optional(r["partner"]) for r in group),
            parties=_unique(terms.optional(r["party"]) for r in group),
            period_start=_text(first["periodStart"]), period_end=_text(first["periodEnd"]),
            signed_on=_text(first["signedOn"]), source=terms.optional(first["source"]),
        ))
    rows.sort(key=lambda a: (a.period_start or a.signed_on or "9999", a.agreement.label("vi")))
    return tuple(rows)


def _platforms(store: ox.Store, terms: Terms, iri: str) -> tuple[PlatformGroup, ...]:
    by_kind: dict[str | None, list[SystemRow]] = defaultdict(list)
    kinds: dict[str | None, Term | None] = {}
    for system, group in _grouped(_query(store, SYSTEMS, iri), "system").items():
        first = group[0]
        row = SystemRow(terms.iri(system), terms.optional(first["locality"]), terms.optional(first["operator"]),
                        terms.optional(first["provider"]), _text(first["since"]), terms.optional(first["source"]))
        for kind in {r["kind"].value if r["kind"] is not None else None for r in group}:
            kinds[kind] = terms.iri(kind) if kind else None
            by_kind[kind].append(row)
    groups = [PlatformGroup(kinds[k], tuple(sorted(rows, key=lambda s: s.system.label("vi"))))
              for k, rows in by_kind.items()]
    groups.sort(key=lambda g: (g.kind is None, g.kind.label("vi") if g.kind else ""))
    return tuple(groups)


def _changes(store: ox.Store, terms: Terms, query: str, iri: str, other_side: bool) -> tuple[Change, ...]:
    changes = []
    for change, group in _grouped(_query(store, query, iri), "change").items():
        first = group[0]
        unit = first["unit"] if other_side else None
        changes.append(Change(terms.iri(change), first["date"].value, terms.optional(unit),
                              _unique(terms.optional(r["other"]) for r in group),
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


def result_group(results: Sequence[AchievementRow], targets: Sequence[TargetRow]) -> ResultGroup:
    """Return the results not shown beside a target, newest first, with a bar chart of those in percent."""
    shown = {t.latest.achievement.value for t in targets if t.latest is not None}
    rest = tuple(a for a in results if a.achievement.value not in shown)
    drawn = [a for a in rest if a.quantity.unit in CHART_UNITS]
    chart = charts.bar_chart([charts.BarInput(a, indicator_label(a, "vi"), indicator_label(a, "en"), None, None,
                                              a.quantity.number) for a in drawn],
                             floor=100.0) if drawn else None
    return ResultGroup(rest, chart)


def rank_histories(rows: Sequence[RankingRow]) -> tuple[RankHistory, ...]:
    """Return rank statements grouped by index and province, each with a chart of overall ranks by edition.

    One point per edition year: the reference table's statement where there is one, else the first."""
    groups: dict[tuple[str, str], list[RankingRow]] = defaultdict(list)
    for row in rows:
        groups[(row.index.value, row.province.value)].append(row)
    histories = []
    for group in groups.values():
        points: dict[int, RankingRow] = {}
        for row in sorted(group, key=lambda r: r.source_order):
            if row.pillar is None and row.year_kind == "edition" and row.year is not None:
                points.setdefault(row.year, row)
        out_of = max((r.out_of or 0 for r in points.values()), default=0)
        chart = charts.rank_chart([charts.RankInput(r, year, r.rank) for year, r in points.items()],
                                  out_of) if points else None
        histories.append(RankHistory(group[0].index, group[0].province, tuple(group), chart))
    histories.sort(key=lambda h: (h.index.label("vi"), h.province.label("vi")))
    return tuple(histories)
