"""The SPARQL 1.1 Service Description of /sparql: endpoint, language, formats, dataset, counts.

https://www.w3.org/TR/sparql11-service-description/ — served when a client asks `/sparql` for RDF
without a query. Blank nodes get fixed labels, so the same data always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .formats import FORMATS, Format
from .namespaces import PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"
# The W3C's IRIs for the formats /sparql speaks (https://www.w3.org/ns/formats/).
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdf": "RDF_XML",
}
SD_PREFIXES = {"sd": SD, "formats": W3C_FORMATS, "void": VOID, "dcterms": DCTERMS, "graph": PREFIXES["graph"]}


def result_formats() -> tuple[Format, ...]:
    """Return the formats /sparql answers in (SPARQL results and RDF graphs)."""
    return tuple(f for f in FORMATS if f.name in FORMAT_IRIS)


def describe_service(endpoint: str, graphs: dict[str, int], title: str = "dxkg SPARQL endpoint") -> list[ox.Triple]:
    """Return the Service Description of the endpoint at `endpoint`, with each graph's triple count."""
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, ox.NamedNode(DCTERMS + "title"), ox.Literal(title, language="en")),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), ox.NamedNode(ENTAILMENT_SIMPLE)),
        *(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(W3C_FORMATS + FORMAT_IRIS[f.name]))
          for f in result_formats()),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(DCTERMS + "description"),
                  ox.Literal("The union of all named graphs.", language="en")),
        ox.Triple(default_graph, ox.NamedNode(DCTERMS + "description"),
                  ox.Literal("Hợp của tất cả các đồ thị có tên.", language="vi")),
        ox.Triple(default_graph, ox.NamedNode(VOID + "triples"), _integer(sum(graphs.values()))),
    ]
    triples += _named_graphs(dataset, graphs)
    return triples


def _named_graphs(dataset: ox.BlankNode, graphs: dict[str, int]) -> Iterable[ox.Triple]:
    for number, (name, count) in enumerate(sorted(graphs.items()), start=1):
        named = ox.BlankNode(f"namedGraph{number}")
        graph = ox.BlankNode(f"graph{number}")
        yield ox.Triple(dataset, _sd("namedGraph"), named)
        yield ox.Triple(named, RDF_TYPE, _sd("NamedGraph"))
        yield ox.Triple(named, _sd("name"), ox.NamedNode(name))
        yield ox.Triple(named, _sd("graph"), graph)
        yield ox.Triple(graph, RDF_TYPE, _sd("Graph"))
        yield ox.Triple(graph, ox.NamedNode(VOID + "triples"), _integer(count))


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Return the description in an RDF format."""
    prefixes = SD_PREFIXES if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes) or b""


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
