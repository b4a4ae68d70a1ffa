"""Rank statements as typed rows: a province's, or an index's across provinces.

An index holds thousands of statements on a big graph, so its page groups them by edition and
province in the store (`edition_groups`), and reads the details (rank, score, source) only of the
statements it shows (`of`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import pyoxigraph as ox

from . import view_query
from .entities import Term, local_name
from .lists import Shown, Window
from .terms import Terms

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
# An index's statements (bind ?index) grouped by edition (or publication year), province and whether they
# rank a pillar: what the index page's headings and histories need, grouped in the store rather than read
# into Python one by one (IRIs hold no space, so the group's statements are joined by spaces). The
# ontology gives dx:index the domain dx:Ranking: no type pattern (a join per statement).
EDITION_GROUPS = """
SELECT ?editionYear ?publishedYear ?province ?pillared (GROUP_CONCAT(STR(?ranking)) AS ?rankings) WHERE {
  ?ranking dx:index ?index ; dx:province ?province .
  OPTIONAL { ?ranking dx:editionYear ?editionYear }
  OPTIONAL { ?ranking dx:publishedYear ?publishedYear }
  OPTIONAL { ?ranking dx:pillar ?pillar }
} GROUP BY ?editionYear ?publishedYear ?province (BOUND(?pillar) AS ?pillared)"""

# Reference tables first when two sources state the same rank.
SOURCE_KIND_ORDER = {"ReferenceDataset": 0, "CuratedRegistry": 1, "NewsArticle": 2}
YearKind = Literal["edition", "published"]
Node = ox.NamedNode | ox.BlankNode | ox.Literal | None


class RankingFact(NamedTuple):
    """A RANKINGS solution, its values in the query's column order."""

    ranking: ox.NamedNode
    province: ox.NamedNode
    index: ox.NamedNode
    rank: ox.Literal
    out_of: Node
    score: Node
    edition_year: Node
    published_year: Node
    pillar: Node
    rank_change: Node
    source: Node
    source_kind: Node
    url: Node


class EditionGroup(NamedTuple):
    """An EDITION_GROUPS solution: a province's statements in one edition, overall or of pillars."""

    edition_year: Node
    published_year: Node
    province: ox.NamedNode
    pillared: ox.Literal
    rankings: ox.Literal

    @property
    def overall(self) -> bool:
        """Return whether the statements rank the province overall (not a pillar)."""
        return self.pillared.value != "true"

    @property
    def statements(self) -> list[str]:
        return self.rankings.value.split()


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
    year_kind: YearKind
    pillar: Term | None
    rank_change: int | None
    source: Term | None
    source_kind: str
    cited_url: str | None

    @property
    def source_order(self) -> int:
        return SOURCE_KIND_ORDER.get(self.source_kind, 3)


def _text(node: object) -> str | None:
    return node.value if isinstance(node, ox.Literal) else None


def year_of(f: RankingFact | EditionGroup) -> tuple[int | None, YearKind]:
    """Return a statement's year and whether it is the edition's or the publication's."""
    edition, published = _text(f.edition_year), _text(f.published_year)
    year = edition or published
    return (int(year[:4]) if year and year[:4].isdigit() else None), ("edition" if edition else "published")


def source_order(f: RankingFact) -> int:
    kind = f.source_kind
    return SOURCE_KIND_ORDER.get(local_name(kind.value) if isinstance(kind, ox.NamedNode) else "", 3)


def facts(store: ox.Store, province: str | None = None, index: str | None = None) -> list[RankingFact]:
    """Return the statements of a province and/or an index, one record each."""
    return _records(store, RANKINGS, **{k: v for k, v in (("province", province), ("index", index)) if v})


def of(store: ox.Store, rankings: Iterable[str]) -> list[RankingFact]:
    """Return these statements, one record each."""
    found = list(rankings)
    return _records(store, RANKINGS, ranking=found) if found else []


def edition_groups(store: ox.Store, index: str) -> list[EditionGroup]:
    """Return an index's statements grouped by edition, province and whether they rank a pillar."""
    return [EditionGroup._make(r) for r in view_query.select(store, EDITION_GROUPS, index=index)]


def _records(store: ox.Store, query: str, **bindings: view_query.Values) -> list[RankingFact]:
    seen: dict[str, RankingFact] = {}
    for r in view_query.select(store, query, **bindings):
        seen.setdefault(r["ranking"].value, RankingFact._make(r))
    return list(seen.values())


def ordered(terms: Terms, found: Iterable[RankingFact]) -> list[RankingFact]:
    """Return statements by index, year, overall before pillars, province, source kind."""
    found = list(found)
    labels = terms.labels(f.province.value for f in found)

    def key(f: RankingFact) -> tuple:
        pillar = f.pillar.value if isinstance(f.pillar, ox.NamedNode) else None
        return (f.index.value, year_of(f)[0] or 0, pillar is not None, pillar or "", labels[f.province.value],
                source_order(f), f.ranking.value)
    return sorted(found, key=key)


def row(terms: Terms, f: RankingFact) -> RankingRow:
    """Return the display row of a statement."""
    year, year_kind = year_of(f)
    out_of, change = _text(f.out_of), _text(f.rank_change)
    kind = f.source_kind
    return RankingRow(
        ranking=terms(f.ranking), province=terms(f.province), index=terms(f.index),
        rank=int(f.rank.value), out_of=int(out_of) if out_of else None, score=_text(f.score),
        year=year, year_kind=year_kind, pillar=terms.optional(f.pillar),
        rank_change=int(change) if change else None, source=terms.optional(f.source),
        source_kind=local_name(kind.value) if isinstance(kind, ox.NamedNode) else "", cited_url=_text(f.url),
    )


def rows(terms: Terms, found: Sequence[RankingFact], window: Window) -> Shown[RankingRow]:
    """Return the display rows of the window's statements (already ordered)."""
    return Shown(tuple(row(terms, f) for f in window.cut(found)), len(found), window.offset)


def rankings(store: ox.Store, terms: Terms, province: str | None = None,
             index: str | None = None) -> tuple[RankingRow, ...]:
    """Return the rank statements of a province and/or an index, by index, year, pillar and source kind."""
    return tuple(row(terms, f) for f in ordered(terms, facts(store, province, index)))

