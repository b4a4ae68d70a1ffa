"""overview(loaded) -> Overview: what the graph holds, for the home page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from .entities import Term, TypeCount, term, type_counts
from .namespaces import DX, PREFIXES
from .store import LoadedStore

# Provinces the news articles are about, with the articles.
ARTICLE_PROVINCES = """
SELECT ?province ?article WHERE { ?article a dx:NewsArticle ; dx:about ?province }"""
# Facts (targets, achievements, rankings, agreements, systems, documents) about each province, by class.
FACTS_BY_PROVINCE = """
SELECT ?province ?class (COUNT(DISTINCT ?fact) AS ?n) WHERE {
  ?fact dx:province ?province ; a ?class .
  FILTER(STRSTARTS(STR(?class), STR(dx:)))
} GROUP BY ?province ?class"""
# Every source with its class, named graph and date where stated.
SOURCES = """
SELECT ?source ?class ?graph (SAMPLE(?date) AS ?issued) WHERE {
  ?source dx:namedGraph ?graph ; a ?class .
  OPTIONAL { ?source dcterms:issued ?date }
} GROUP BY ?source ?class ?graph"""
# Articles first, then the reference datasets, then the curated registries.
SOURCE_ORDER = {DX + "NewsArticle": 0, DX + "ReferenceDataset": 1, DX + "CuratedRegistry": 2}


@dataclass(frozen=True, slots=True)
class ProvinceFacts:
    """A province an article is about, the articles, and how many facts of each class concern it."""

    province: Term
    articles: tuple[Term, ...]
    facts: tuple[tuple[Term, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.facts)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source document (article, reference dataset, registry) and its named graph."""

    source: Term
    kind: Term
    graph: str
    triples: int
    issued: str | None


@dataclass(frozen=True, slots=True)
class Overview:
    """The home page: counts by type, the provinces articles are about, the sources."""

    version: str
    triples: int
    graphs: int
    types: tuple[TypeCount, ...]
    provinces: tuple[ProvinceFacts, ...]
    sources: tuple[SourceRow, ...]

    @property
    def entities(self) -> int:
        return sum(t.count for t in self.types)

    def latest_sources(self, n: int = 5) -> tuple[SourceRow, ...]:
        """Return the `n` most recently issued sources that state a date, newest first."""
        dated = [s for s in self.sources if s.issued]
        return tuple(sorted(dated, key=lambda s: s.issued or "", reverse=True)[:n])


def overview(loaded: LoadedStore) -> Overview:
    """Return the figures and lists of the home page for one store version."""
    store = loaded.store
    cache: dict[str, Term] = {}

    def cached(node: ox.NamedNode) -> Term:
        if node.value not in cache:
            cache[node.value] = term(store, node)
        return cache[node.value]

    articles: dict[str, list[Term]] = defaultdict(list)
    for row in _query(store, ARTICLE_PROVINCES):
        articles[row["province"].value].append(cached(row["article"]))
    facts: dict[str, list[tuple[Term, int]]] = defaultdict(list)
    for row in _query(store, FACTS_BY_PROVINCE):
        if row["province"].value in articles:
            facts[row["province"].value].append((cached(row["class"]), int(row["n"].value)))
    provinces = [ProvinceFacts(cached(ox.NamedNode(p)), tuple(sorted(a, key=lambda t: t.value)),
                               tuple(sorted(facts[p], key=lambda f: (-f[1], f[0].value))))
                 for p, a in articles.items()]
    provinces.sort(key=lambda p: p.province.label("vi"))
    sources = [SourceRow(cached(row["source"]), cached(row["class"]), row["graph"].value,
                         loaded.manifest.graphs.get(row["graph"].value, 0),
                         row["issued"].value if row["issued"] is not None else None)
               for row in _query(store, SOURCES)]
    sources.sort(key=lambda s: (SOURCE_ORDER.get(s.kind.value, len(SOURCE_ORDER)), s.source.value))
    return Overview(loaded.version, loaded.manifest.triples, len(loaded.manifest.graphs), type_counts(store),
                    tuple(provinces), tuple(sources))


def _query(store: ox.Store, query: str) -> ox.QuerySolutions:
    return store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
