"""The ontology and shapes: every term documented in vi and en, every class under a shape."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, URIRef

ROOT = Path(__file__).resolve().parent.parent
DX = "https://w3id.org/dxkg/ontology#"
ONTOLOGY = URIRef("https://w3id.org/dxkg/ontology")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
REUSED_WITH_LABELS = ("rdfs:label", "skos:prefLabel", "skos:notation", "skos:inScheme", "dcterms:source",
                      "dcterms:title", "dcterms:identifier", "dcterms:publisher", "dcterms:issued",
                      "org:subOrganizationOf")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "dxkg.ttl")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")


def declared(graph: rdflib.Graph, kind: URIRef) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(DX)}


def languages(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, rdflib.Literal)}


def test_ontology_header(ontology):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    for predicate in (OWL.versionInfo, rdflib.DCTERMS.license, rdflib.DCTERMS.creator, rdflib.DCTERMS.created):
        assert ontology.value(ONTOLOGY, predicate) is not None, predicate


def test_ontology_every_term_has_vi_en_label_and_comment(ontology):
    terms = declared(ontology, OWL.Class) | declared(ontology, OWL.ObjectProperty) | declared(ontology, OWL.DatatypeProperty)
    assert len(terms) > 100
    missing = [(t, p) for t in terms for p in (RDFS.label, RDFS.comment)
               if not {"vi", "en"} <= languages(ontology, t, p)]
    assert missing == []


def test_ontology_every_property_has_domain_and_range(ontology):
    properties = declared(ontology, OWL.ObjectProperty) | declared(ontology, OWL.DatatypeProperty)
    missing = [(p, d) for p in properties for d in (RDFS.domain, RDFS.range) if ontology.value(p, d) is None]
    assert missing == []


def test_ontology_every_dx_term_used_is_declared(ontology, shapes):
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(DX)}
    used = {t for g in (ontology, shapes) for triple in g for t in triple
            if isinstance(t, URIRef) and str(t).startswith(DX)}
    assert used - terms == set()


def test_ontology_reuses_standard_vocabularies(ontology):
    supers = {str(o) for o in ontology.objects(None, RDFS.subClassOf)} | {
        str(o) for o in ontology.objects(None, RDFS.subPropertyOf)}
    for namespace in ("http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#",
                      "http://www.w3.org/ns/org#", "http://data.europa.eu/eli/ontology#",
                      "http://purl.org/linked-data/cube#"):
        assert any(s.startswith(namespace) for s in supers), namespace


def test_ontology_reused_terms_have_vi_en_labels(ontology):
    for curie in REUSED_WITH_LABELS:
        term = ontology.namespace_manager.expand_curie(curie)
        assert {"vi", "en"} <= languages(ontology, term, RDFS.label), curie


def test_shapes_cover_every_class(ontology, shapes):
    targets = set(shapes.objects(None, SH.targetClass))

    def covered(cls: URIRef) -> bool:
        return cls in targets or any(covered(s) for s in ontology.objects(cls, RDFS.subClassOf))

    assert [c for c in declared(ontology, OWL.Class) if not covered(c)] == []
