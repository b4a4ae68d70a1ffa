"""The VoID description of the dataset: counts, class and property partitions, graphs, dumps.

`dataset_stats(loaded)` computes the figures once per store version; `describe(...)` turns them
into VoID triples (https://www.w3.org/TR/void/) for `/.well-known/void`, and the same figures
feed the HTML page. Every count is taken over the named graphs, so `void:triples` equals the
number of quads in the store (each triple lives in exactly one graph).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from .formats import Format
from .entities import local_path
from .namespaces import curie
from .namespaces import BASE, DX, ID, ONTOLOGY_IRI, PREFIXES
from .store import LoadedStore

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
VOID_DOCUMENT = BASE + ".well-known/void"
DATASET = VOID_DOCUMENT + "#dxkg"
FEATURES = ("Turtle", "N-Triples", "N-Quads", "RDF_XML", "JSON-LD")

DATASET_COUNTS = """
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?p) AS ?properties)
WHERE { GRAPH ?g { ?s ?p ?o } }
"""
ENTITY_COUNT = f"""
SELECT (COUNT(DISTINCT ?s) AS ?n)
WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}
"""
CLASS_PARTITIONS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { GRAPH ?g { ?s rdf:type ?class } FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY ?class
"""
PROPERTY_PARTITIONS = """
SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?p ORDER BY ?p
"""
GRAPH_SOURCES = """
SELECT ?graph ?source (SAMPLE(?vi) AS ?label_vi) (SAMPLE(?en) AS ?label_en)
WHERE {
  GRAPH ?any { ?source dx:namedGraph ?graph }
  OPTIONAL { GRAPH ?l1 { ?source rdfs:label ?vi } FILTER(LANGMATCHES(LANG(?vi), "vi")) }
  OPTIONAL { GRAPH ?l2 { ?source rdfs:label ?en } FILTER(LANGMATCHES(LANG(?en), "en")) }
}
GROUP BY ?graph ?source
"""


@dataclass(frozen=True, slots=True)
class ClassPartition:
    """The instances of one class: `void:class` and `void:entities`."""

    iri: str
    curie: str
    href: str | None
    entities: int


@dataclass(frozen=True, slots=True)
class PropertyPartition:
    """The triples with one predicate: `void:property`, `void:triples` and distinct ends."""

    iri: str
    curie: str
    href: str | None
    triples: int
    distinct_subjects: int
    distinct_objects: int


@dataclass(frozen=True, slots=True)
class Subset:
    """One named graph: its triple count and the source document it was loaded from."""

    graph: str
    curie: str
    triples: int
    source: str | None
    source_href: str | None
    label_vi: str | None
    label_en: str | None


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """The figures of one store version that the VoID description states."""

    version: str
    built_at: str
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    class_partitions: tuple[ClassPartition, ...]
    property_partitions: tuple[PropertyPartition, ...]
    subsets: tuple[Subset, ...]

    @property
    def classes(self) -> int:
        return len(self.class_partitions)


_cache: dict[str, DatasetStats] = {}
_cache_lock = threading.Lock()


def dataset_stats(loaded: LoadedStore) -> DatasetStats:
    """Return the figures of a store version, computed on first use and kept per version."""
    with _cache_lock:
        cached = _cache.get(loaded.version)
    if cached is not None:
        return cached
    stats = compute_stats(loaded)
    with _cache_lock:
        if len(_cache) > 8:  # a server holds one version at a time; tests build a few
            _cache.clear()
        _cache[loaded.version] = stats
    return stats


def compute_stats(loaded: LoadedStore) -> DatasetStats:
    """Return the figures of a store, counted over its named graphs."""
    store = loaded.store
    counts = next(iter(_select(store, DATASET_COUNTS)))
    entities = next(iter(_select(store, ENTITY_COUNT)))
    classes = tuple(
        ClassPartition(row["class"].value, _compact(row["class"].value), local_path(row["class"].value),
                       _int(row["n"]))
        for row in _select(store, CLASS_PARTITIONS)
    )
    properties = tuple(
        PropertyPartition(row["p"].value, _compact(row["p"].value), local_path(row["p"].value),
                          _int(row["n"]), _int(row["subjects"]), _int(row["objects"]))
        for row in _select(store, PROPERTY_PARTITIONS)
    )
    sources = {row["graph"].value: row for row in _select(store, GRAPH_SOURCES)}
    subsets = []
    for graph, triples in sorted(loaded.manifest.graphs.items()):
        row = sources.get(graph)
        source = row["source"].value if row else (ONTOLOGY_IRI if graph.endswith("/ontology") else None)
        subsets.append(Subset(
            graph=graph,
            curie=_compact(graph),
            triples=triples,
            source=source,
            source_href=local_path(source) if source else None,
            label_vi=_text(row, "label_vi"),
            label_en=_text(row, "label_en"),
        ))
    return DatasetStats(
        version=loaded.version,
        built_at=loaded.manifest.built_at,
        triples=loaded.manifest.triples,  # counting the store would scan all of it
        entities=_int(entities["n"]),
        distinct_subjects=_int(counts["subjects"]),
        distinct_objects=_int(counts["objects"]),
        properties=_int(counts["properties"]),
        class_partitions=classes,
        property_partitions=properties,
        subsets=tuple(subsets),
    )


def describe(stats: DatasetStats, sparql_endpoint: str, dump_urls: Sequence[str]) -> list[ox.Triple]:
    """Return the VoID description of the dataset as triples."""
    dataset = ox.NamedNode(DATASET)
    document = ox.NamedNode(VOID_DOCUMENT)
    out = [
        ox.Triple(document, RDF_TYPE, _void("DatasetDescription")),
        ox.Triple(document, _term(FOAF, "primaryTopic"), dataset),
        ox.Triple(dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(dataset, _term(DCTERMS, "title"), ox.Literal("dxkg", language="en")),
        ox.Triple(dataset, _term(DCTERMS, "title"), ox.Literal("dxkg", language="vi")),
        ox.Triple(dataset, _term(DCTERMS, "description"), ox.Literal(
            "Đồ thị tri thức về chương trình chuyển đổi số của các tỉnh, thành phố Việt Nam.",
            language="vi")),
        ox.Triple(dataset, _term(DCTERMS, "description"), ox.Literal(
            "Knowledge graph of Vietnam's provincial digital-government programmes.", language="en")),
        ox.Triple(dataset, _term(DCTERMS, "license"), ox.NamedNode(LICENSE)),
        ox.Triple(dataset, _term(DCTERMS, "modified"),
                  ox.Literal(stats.built_at, datatype=_term(XSD, "dateTime"))),
        ox.Triple(dataset, _term(DCTERMS, "hasVersion"), ox.Literal(stats.version)),
        ox.Triple(dataset, _void("sparqlEndpoint"), ox.NamedNode(sparql_endpoint)),
        ox.Triple(dataset, _void("vocabulary"), ox.NamedNode(DX)),
        ox.Triple(dataset, _void("uriSpace"), ox.Literal(ID)),
        ox.Triple(dataset, _void("exampleResource"), ox.NamedNode(ID + "province/gia-lai")),
        ox.Triple(dataset, _void("triples"), _integer(stats.triples)),
        ox.Triple(dataset, _void("entities"), _integer(stats.entities)),
        ox.Triple(dataset, _void("classes"), _integer(stats.classes)),
        ox.Triple(dataset, _void("properties"), _integer(stats.properties)),
        ox.Triple(dataset, _void("distinctSubjects"), _integer(stats.distinct_subjects)),
        ox.Triple(dataset, _void("distinctObjects"), _integer(stats.distinct_objects)),
    ]
    out += [ox.Triple(dataset, _void("feature"), ox.NamedNode(f"http://www.w3.org/ns/formats/{name}"))
            for name in FEATURES]
    out += [ox.Triple(dataset, _void("dataDump"), ox.NamedNode(url)) for url in dump_urls]
    # Each node's triples are kept together, so Turtle writes one block per node.
    nodes: list[ox.Triple] = []
    for part in stats.class_partitions:
        node = _part_node("class", part.iri)
        out.append(ox.Triple(dataset, _void("classPartition"), node))
        nodes += [ox.Triple(node, _void("class"), ox.NamedNode(part.iri)),
                  ox.Triple(node, _void("entities"), _integer(part.entities))]
    for prop in stats.property_partitions:
        node = _part_node("property", prop.iri)
        out.append(ox.Triple(dataset, _void("propertyPartition"), node))
        nodes += [ox.Triple(node, _void("property"), ox.NamedNode(prop.iri)),
                  ox.Triple(node, _void("triples"), _integer(prop.triples)),
                  ox.Triple(node, _void("distinctSubjects"), _integer(prop.distinct_subjects)),
                  ox.Triple(node, _void("distinctObjects"), _integer(prop.distinct_objects))]
    for subset in stats.subsets:
        node = ox.NamedNode(subset.graph)
        out.append(ox.Triple(dataset, _void("subset"), node))
        nodes += [ox.Triple(node, RDF_TYPE, _void("Dataset")),
                  ox.Triple(node, _void("triples"), _integer(subset.triples))]
        if subset.source:
            nodes.append(ox.Triple(node, _term(DCTERMS, "source"), ox.NamedNode(subset.source)))
        if subset.label_vi:
            nodes.append(ox.Triple(node, _term(DCTERMS, "title"), ox.Literal(subset.label_vi, language="vi")))
        if subset.label_en:
            nodes.append(ox.Triple(node, _term(DCTERMS, "title"), ox.Literal(subset.label_en, language="en")))
    return out + nodes


def serialize(triples: Iterable[ox.Triple], fmt: Format) -> bytes:
    """Return the triples in an RDF graph format, with the prefixes they use declared."""
    triples = list(triples)
    used = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
            if isinstance(t, ox.NamedNode)} | {t.datatype.value for triple in triples
                                                for t in (triple.object,) if isinstance(t, ox.Literal)}
    prefixes = {name: ns for name, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in used)}
    return ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes) or b""


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _compact(iri: str) -> str:
    return curie(iri) or iri


def _int(term: object) -> int:
    return int(term.value) if term is not None else 0  # type: ignore[attr-defined]


def _text(row: ox.QuerySolution | None, name: str) -> str | None:
    term = row[name] if row is not None else None
    return term.value if term is not None else None


def _term(namespace: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + local)


def _void(local: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + local)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _part_node(kind: str, iri: str) -> ox.NamedNode:
    # Hash IRIs, not blank nodes, so the same version always serializes to the same bytes (ETag).
    return ox.NamedNode(f"{VOID_DOCUMENT}#{kind}-{hashlib.sha1(iri.encode()).hexdigest()[:12]}")
