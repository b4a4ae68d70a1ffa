"""The workload: what each server is asked, with parameters drawn from the generated data.

Every SPARQL workload sends the same query text (full PREFIX declarations, no server-side
prefixes relied on) to every server by GET; its parameter (an entity, a class, a region, a
name) rotates through a list picked from the data, the same list for every server. The
dxkg-only workloads (/search, the entity page, a named query) have no peer equivalent.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from dxkg.namespaces import PREFIXES, fold, path_for

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
PROLOGUE = "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in ("dx", "rdfs", "xsd"))

DESCRIBE = "DESCRIBE <{entity}>"
LISTING = """SELECT ?s ?label WHERE {{
  ?s a <{cls}> ; rdfs:label ?label . FILTER(LANG(?label) = "vi")
}} ORDER BY ?label LIMIT 50"""
AGGREGATE = """SELECT ?province (SAMPLE(?name) AS ?label) (COUNT(?fact) AS ?facts) WHERE {{
  ?fact a <{cls}> ; dx:province ?province . ?province rdfs:label ?name . FILTER(LANG(?name) = "vi")
}} GROUP BY ?province ORDER BY DESC(?facts) ?province"""
TWO_HOP = """SELECT ?indicator (COUNT(?fact) AS ?facts) WHERE {{
  ?fact dx:indicator ?indicator ; dx:province ?province . ?province dx:region <{region}>
}} GROUP BY ?indicator ORDER BY DESC(?facts) ?indicator"""
LABEL_SCAN = """SELECT ?s ?label WHERE {{
  ?s rdfs:label ?label . FILTER(CONTAINS(LCASE(STR(?label)), "{term}"))
}} LIMIT 20"""

# Parameters, drawn from the data: entities of several types, classes, regions, people's names.
PICK_ENTITIES = """SELECT ?s WHERE { VALUES ?c { dx:Target dx:Achievement dx:InformationSystem dx:Agreement
  dx:Ranking dx:Province dx:Plan dx:PartyResolution dx:Person } ?s a ?c } ORDER BY ?s"""
PICK_REGIONS = "SELECT DISTINCT ?r WHERE { ?p dx:region ?r } ORDER BY ?r"
PICK_NAMES = """SELECT ?name WHERE { ?p a dx:Person ; rdfs:label ?name . FILTER(LANG(?name) = "vi") } ORDER BY ?p"""
PICK_PROVINCES = "SELECT DISTINCT ?p WHERE { ?t a dx:Target ; dx:targetYear ?y ; dx:province ?p } ORDER BY ?p"
CLASSES_LISTED = ("Target", "Achievement", "InformationSystem", "Agreement", "Ranking", "Person", "Plan", "Province")
CLASSES_COUNTED = ("Target", "Achievement", "InformationSystem", "Ranking", "Agreement")


@dataclass(frozen=True, slots=True)
class Workload:
    """One kind of request: a title, who answers it, and the requests (a rotation) per server."""

    key: str
    title: str
    accept: str
    queries: tuple[str, ...] = ()  # SPARQL, sent to every server
    paths: tuple[str, ...] = ()  # dxkg-only HTTP paths

    @property
    def sparql(self) -> bool:
        return bool(self.queries)

    def requests(self, sparql_path: str) -> list[str]:
        """Return the request paths for a server whose SPARQL endpoint is at sparql_path."""
        if self.paths:
            return list(self.paths)
        return [f"{sparql_path}?{urlencode({'query': q}, quote_via=quote)}" for q in self.queries]


def spread(items: list[str], n: int) -> list[str]:
    """Return up to n items evenly spaced through the list (deterministic)."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def build_workloads(store: ox.Store, rotation: int = 64) -> list[Workload]:
    """Return the workload for a store holding the generated data."""
    def values(query: str) -> list[str]:
        return [row[0].value for row in store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)]

    entities = spread(values(PICK_ENTITIES), rotation)
    regions = values(PICK_REGIONS)
    names = spread(values(PICK_NAMES), 16) or ["giang"]
    provinces = spread(values(PICK_PROVINCES), rotation)
    dx = PREFIXES["dx"]
    sparql = [
        Workload("describe", "entity DESCRIBE", NTRIPLES, tuple(DESCRIBE.format(entity=e) for e in entities)),
        Workload("listing", "class listing with labels, ORDER BY label LIMIT 50", JSON,
                 tuple(PROLOGUE + LISTING.format(cls=dx + c) for c in CLASSES_LISTED)),
        Workload("aggregate", "aggregate per province (facts of a class)", JSON,
                 tuple(PROLOGUE + AGGREGATE.format(cls=dx + c) for c in CLASSES_COUNTED)),
        Workload("join", "two-hop join: facts by indicator in a region", JSON,
                 tuple(PROLOGUE + TWO_HOP.format(region=r) for r in regions)),
        Workload("scan", "label search, SPARQL CONTAINS scan", JSON,
                 tuple(PROLOGUE + LABEL_SCAN.format(term=n.lower()) for n in names)),
    ]
    dxkg_only = [
        Workload("search", "label search, dxkg /search (JSON)", "application/json",
                 paths=tuple(f"/search?{urlencode({'q': fold(n), 'limit': 20})}" for n in names)),
        Workload("page", "entity HTML page, dxkg /id/…", "text/html",
                 paths=tuple(path_for(e) or "/" for e in entities)),
        Workload("named", "named query with a parameter, dxkg /queries/targets-by-year", JSON,
                 paths=tuple(f"/queries/targets-by-year?{urlencode({'year': 2025, 'province': 'province:' + p.rsplit('/', 1)[1]})}"
                             for p in provinces)),
    ]
    return sparql + dxkg_only


def load_dump(dump: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    return store


def in_process_ms(store: ox.Store, workload: Workload) -> float:
    """Return the median time of running and serializing the workload's queries in-process (pyoxigraph)."""
    times = []
    for query in workload.queries:
        started = time.perf_counter()
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.N_TRIPLES)
        else:
            result.serialize(format=ox.QueryResultsFormat.JSON)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000 if times else 0.0
