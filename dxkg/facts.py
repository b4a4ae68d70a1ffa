"""Targets and achievements as typed rows, by province, indicator or document, each with its source.

A page reads the facts of its province, indicator or document once (`Facts`), each query solution
into a record once; orders the records by the values they carry and the labels of the few provinces
and indicators they name; and builds display rows, with every label, only for the rows it shows
(`lists.Window`). (Reading the keys first and the details of the rows shown after costs one more
query per list: more than it saves at a province's or an indicator's scale.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox

from . import view_query
from .entities import Term, local_name
from .lists import EVERYTHING, Shown, Window
from .namespaces import ID
from .terms import Terms

__all__ = ["AchievementRow", "Facts", "Quantity", "TargetRow", "Terms", "achievements", "latest_for", "targets"]

# The pattern every target matches, and what its row shows besides.
_TARGET = """
  ?target a dx:Target ; dx:province ?province ; dx:indicator ?indicator ; dx:targetValue ?value .
  OPTIONAL { ?target dx:targetValueMax ?valueMax }
  OPTIONAL { ?target dx:unit ?unit }
  OPTIONAL { ?target dx:comparison ?comparison }
  OPTIONAL { ?target dx:targetYear ?year }
  OPTIONAL { ?target dx:level ?level }
  OPTIONAL { ?target dx:setBy ?setBy OPTIONAL { ?setBy dx:documentNumber ?setByNumber } }
  OPTIONAL { ?target dcterms:source ?source }
}"""
_TARGET_COLUMNS = "?target ?province ?indicator ?value ?valueMax ?unit ?comparison ?year ?level ?setBy ?setByNumber ?source"
# Targets with value, range, unit, comparison, year, level, setting document and source.
TARGETS = f"SELECT {_TARGET_COLUMNS} WHERE {{" + _TARGET
# The targets a document sets (bind ?document).
TARGETS_SET_BY = f"SELECT {_TARGET_COLUMNS} WHERE {{\n  ?target dx:setBy ?document ." + _TARGET

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

# Government levels from the top down, for ordering rows.
LEVEL_ORDER = {"province": 1, "department": 2, "district": 3, "commune": 4, "hamlet": 5}
Node = ox.NamedNode | ox.BlankNode | ox.Literal | None


class TargetFact(NamedTuple):
    """A TARGETS solution, its values in the query's column order."""

    target: ox.NamedNode
    province: ox.NamedNode
    indicator: ox.NamedNode
    value: ox.Literal
    value_max: Node
    unit: Node
    comparison: Node
    year: Node
    level: Node
    set_by: Node
    set_by_number: Node
    source: Node


class AchievementFact(NamedTuple):
    """An ACHIEVEMENTS solution, its values in the query's column order."""

    achievement: ox.NamedNode
    province: ox.NamedNode
    indicator: ox.NamedNode
    value: ox.Literal
    unit: Node
    comparison: Node
    observed_on: Node
    period_start: Node
    period_end: Node
    level: Node
    locality: Node
    source: Node


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


def _text(node: object) -> str | None:
    return node.value if isinstance(node, ox.Literal) else None


def _concept(node: object) -> str | None:
    return local_name(node.value) if isinstance(node, ox.NamedNode) else None


def _iri(node: object) -> str | None:
    return node.value if isinstance(node, ox.NamedNode) else None


def _bindings(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}


def _level_order(level: object) -> int:
    return LEVEL_ORDER.get(local_name(level.value), 9) if isinstance(level, ox.NamedNode) else 0


def compatible(result_level: str | None, target_level: str | None) -> bool:
    """Return whether a result's level matches a target's: the same, or either unstated."""
    return result_level is None or target_level is None or result_level == target_level


def latest_for(target: TargetRow, results: Iterable[AchievementRow]) -> AchievementRow | None:
    """Return the latest result of the target's province and indicator at a compatible level (either unstated)."""
    matching = [a for a in results
                if a.province.value == target.province.value and a.indicator.value == target.indicator.value
                and compatible(a.level.value if a.level else None, target.level.value if target.level else None)]
    return max(matching, key=lambda a: a.sort_key, default=None)


def achievement_row(terms: Terms, f: AchievementFact) -> AchievementRow:
    """Return the display row of an achievement."""
    return AchievementRow(
        achievement=terms(f.achievement), province=terms(f.province), indicator=terms(f.indicator),
        quantity=Quantity(f.value.value, None, _concept(f.unit), _concept(f.comparison)),
        observed_on=_text(f.observed_on), period_start=_text(f.period_start), period_end=_text(f.period_end),
        level=terms.optional(f.level), locality=terms.optional(f.locality), source=terms.optional(f.source),
    )


def target_row(terms: Terms, f: TargetFact, latest: AchievementRow | None) -> TargetRow:
    """Return the display row of a target, with its latest result."""
    return TargetRow(
        target=terms(f.target), province=terms(f.province), indicator=terms(f.indicator),
        quantity=Quantity(f.value.value, _text(f.value_max), _concept(f.unit), _concept(f.comparison)),
        year=_text(f.year), level=terms.optional(f.level), set_by=terms.optional(f.set_by),
        set_by_number=_text(f.set_by_number), source=terms.optional(f.source), latest=latest,
    )


def _first_per(facts: Iterable[tuple]) -> list:
    """Keep the first record per subject (its first value): a second source or comparison must not duplicate
    a fact."""
    seen: dict[str, tuple] = {}
    for fact in facts:
        seen.setdefault(fact[0].value, fact)
    return list(seen.values())


class Facts:
    """The targets and results of one province, indicator or document, read once per page.

    They are ordered as the pages list them: targets by year, province, indicator and level; results
    by province and indicator, newest first. Display rows, with their labels, are built per window."""

    def __init__(self, store: ox.Store, terms: Terms, province: str | None = None, indicator: str | None = None,
                 set_by: str | None = None) -> None:
        self.terms = terms
        scope = _bindings(province=province, indicator=indicator)
        if set_by is not None:
            found = view_query.select(store, TARGETS_SET_BY, document=set_by, **scope)
            self._targets: list[TargetFact] = _first_per(TargetFact._make(r) for r in found)
            # The results that can stand beside these targets: those of their provinces and indicators.
            scope = {"province": {t.province.value for t in self._targets},
                     "indicator": {t.indicator.value for t in self._targets}}
        else:
            self._targets = _first_per(TargetFact._make(r) for r in view_query.select(store, TARGETS, **scope))
        results = view_query.select(store, ACHIEVEMENTS, **scope) if self._targets or set_by is None else ()
        self._results: list[AchievementFact] = _first_per(AchievementFact._make(r) for r in results)
        self._as_of = {f.achievement.value: _text(f.observed_on) or _text(f.period_end) or "" for f in self._results}
        self._order()
        self._latest = self._latest_results()
        self._built: dict[str, AchievementRow] = {}

    def _order(self) -> None:
        facts = (*self._targets, *self._results)
        labels = self.terms.labels(iri for f in facts for iri in (f.province.value, f.indicator.value))
        as_of = self._as_of
        # Newest first, kept by the stable sort that follows.
        self._results.sort(key=lambda f: (as_of[f.achievement.value], f.achievement.value), reverse=True)
        self._results.sort(key=lambda f: (labels[f.province.value], labels[f.indicator.value]))
        self._targets.sort(key=lambda f: (_text(f.year) or "9999", labels[f.province.value],
                                          labels[f.indicator.value], _level_order(f.level), f.target.value))

    def _latest_results(self) -> dict[str, AchievementFact]:
        """Return, per target, its latest result of the same province and indicator at a compatible level."""
        by_subject: dict[tuple[str, str], list[AchievementFact]] = defaultdict(list)
        for f in self._results:
            by_subject[(f.province.value, f.indicator.value)].append(f)
        latest = {}
        for t in self._targets:
            level = _iri(t.level)
            matching = [f for f in by_subject.get((t.province.value, t.indicator.value), ())
                        if compatible(_iri(f.level), level)]
            best = max(matching, key=lambda f: (self._as_of[f.achievement.value], f.achievement.value), default=None)
            if best is not None:
                latest[t.target.value] = best
        return latest

    def _result(self, f: AchievementFact) -> AchievementRow:
        key = f.achievement.value
        if key not in self._built:
            self._built[key] = achievement_row(self.terms, f)
        return self._built[key]

    def targets(self, window: Window = EVERYTHING) -> Shown[TargetRow]:
        """Return the targets in the window, each with its latest compatible result."""
        rows = []
        for t in window.cut(self._targets):
            latest = self._latest.get(t.target.value)
            rows.append(target_row(self.terms, t, self._result(latest) if latest is not None else None))
        return Shown(tuple(rows), len(self._targets), window.offset)

    def results(self, window: Window = EVERYTHING, beside_targets: bool = True) -> Shown[AchievementRow]:
        """Return the results in the window; without `beside_targets`, only those no target shows as its latest."""
        found = self._results
        if not beside_targets:
            shown = {f.achievement.value for f in self._latest.values()}
            found = [f for f in found if f.achievement.value not in shown]
        return Shown(tuple(self._result(f) for f in window.cut(found)), len(found), window.offset)


def achievements(store: ox.Store, terms: Terms, province: str | None = None,
                 indicator: str | None = None) -> tuple[AchievementRow, ...]:
    """Return the achievements of a province and/or an indicator, newest first within each indicator."""
    return Facts(store, terms, province, indicator).results().rows


def targets(store: ox.Store, terms: Terms, province: str | None = None, indicator: str | None = None,
            set_by: str | None = None) -> tuple[TargetRow, ...]:
    """Return the targets of a province, an indicator and/or a document, each with its latest compatible result."""
    return Facts(store, terms, province, indicator, set_by).targets().rows


def index_iri(slug: str) -> str:
    """Return the IRI of an index concept (`dti` -> `.../id/index/dti`)."""
    return f"{ID}index/{slug}"
