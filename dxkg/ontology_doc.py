"""The ontology documentation view model, read from the graph https://w3id.org/dxkg/graph/ontology."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .entities import Labels, Term, labels_of, local_name, term
from .namespaces import curie
from .namespaces import DX, GRAPH, ONTOLOGY_IRI, PREFIXES

ONTOLOGY_GRAPH = ox.NamedNode(GRAPH + "ontology")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST = ox.NamedNode(RDF + "first")
RDF_REST = ox.NamedNode(RDF + "rest")
RDF_NIL = ox.NamedNode(RDF + "nil")
RDFS_LABEL = ox.NamedNode(RDFS + "label")
RDFS_COMMENT = ox.NamedNode(RDFS + "comment")
RDFS_DOMAIN = ox.NamedNode(RDFS + "domain")
RDFS_RANGE = ox.NamedNode(RDFS + "range")
RDFS_SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
RDFS_SUBPROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")
RDFS_SEE_ALSO = ox.NamedNode(RDFS + "seeAlso")
OWL_UNION_OF = ox.NamedNode(OWL + "unionOf")
OWL_EQUIVALENT_CLASS = ox.NamedNode(OWL + "equivalentClass")
OWL_VERSION_INFO = ox.NamedNode(OWL + "versionInfo")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
DCT_DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
DCT_LICENSE = ox.NamedNode("http://purl.org/dc/terms/license")

TermKindName = Literal["class", "object-property", "datatype-property", "property", "datatype"]
KINDS: dict[str, TermKindName] = {
    OWL + "Class": "class",
    RDFS + "Class": "class",
    OWL + "ObjectProperty": "object-property",
    OWL + "DatatypeProperty": "datatype-property",
    RDF + "Property": "property",
    OWL + "AnnotationProperty": "property",
    RDFS + "Datatype": "datatype",
}


@dataclass(frozen=True, slots=True)
class TermDoc:
    """One dx: class, property or datatype as documented: labels, comments and its relations."""

    iri: str
    curie: str
    anchor: str
    kind: TermKindName
    labels: Labels
    comments: Labels
    types: tuple[Term, ...]
    parents: tuple[Term, ...]
    children: tuple[Term, ...]
    domains: tuple[Term, ...]
    ranges: tuple[Term, ...]
    see_also: tuple[Term, ...]
    union_of: tuple[Term, ...]

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang)


@dataclass(frozen=True, slots=True)
class ClassNode:
    """A class in the sub-class tree, with its dx: sub-classes."""

    term: TermDoc
    children: tuple[ClassNode, ...]


@dataclass(frozen=True, slots=True)
class Reuse:
    """A term of another vocabulary that dx: terms specialise (sub-class or sub-property of it)."""

    term: Term
    vocabulary: str
    used_by: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class OntologyDoc:
    """The ontology page: metadata, classes (as a list and a tree), properties, datatypes, reuse."""

    iri: str
    title: Labels
    description: Labels
    version: str | None
    license: str | None
    classes: tuple[TermDoc, ...]
    class_tree: tuple[ClassNode, ...]
    object_properties: tuple[TermDoc, ...]
    datatype_properties: tuple[TermDoc, ...]
    other_properties: tuple[TermDoc, ...]
    datatypes: tuple[TermDoc, ...]
    reused: tuple[Reuse, ...]

    def find(self, local: str) -> TermDoc | None:
        """Return the documented term with this local name (`Target`), or None."""
        for doc in (*self.classes, *self.object_properties, *self.datatype_properties,
                    *self.other_properties, *self.datatypes):
            if doc.anchor == local:
                return doc
        return None


def document(store: ox.Store) -> OntologyDoc:
    """Return the documentation of every dx: class, property and datatype in the ontology graph."""
    graph = _Graph(store)
    docs: list[TermDoc] = []
    for iri in sorted(graph.dx_terms()):
        node = ox.NamedNode(iri)
        type_iris = [t.value for t in graph.objects(node, RDF_TYPE) if isinstance(t, ox.NamedNode)]
        kind = next((KINDS[t] for t in type_iris if t in KINDS), None)
        if kind is None:
            continue
        parent_predicate = RDFS_SUBCLASS_OF if kind == "class" else RDFS_SUBPROPERTY_OF
        docs.append(TermDoc(
            iri=iri,
            curie=curie(iri) or iri,
            anchor=local_name(iri),
            kind=kind,
            labels=labels_of(store, node),
            comments=graph.texts(node, RDFS_COMMENT),
            types=tuple(graph.term(ox.NamedNode(t)) for t in sorted(type_iris)),
            parents=graph.terms(graph.objects(node, parent_predicate)),
            children=graph.terms(graph.subjects(parent_predicate, node)),
            domains=graph.terms(graph.expand(graph.objects(node, RDFS_DOMAIN))),
            ranges=graph.terms(graph.expand(graph.objects(node, RDFS_RANGE))),
            see_also=graph.terms(graph.objects(node, RDFS_SEE_ALSO)),
            union_of=graph.terms(graph.expand(graph.objects(node, OWL_EQUIVALENT_CLASS))),
        ))
    classes = tuple(sorted((d for d in docs if d.kind == "class"), key=lambda d: d.anchor.lower()))
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    licence = next(iter(graph.objects(ontology, DCT_LICENSE)), None)
    version = next(iter(graph.objects(ontology, OWL_VERSION_INFO)), None)
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        title=graph.texts(ontology, DCT_TITLE),
        description=graph.texts(ontology, DCT_DESCRIPTION),
        version=version.value if version is not None else None,
        license=licence.value if isinstance(licence, ox.NamedNode) else None,
        classes=classes,
        class_tree=_tree(classes),
        object_properties=_of_kind(docs, "object-property"),
        datatype_properties=_of_kind(docs, "datatype-property"),
        other_properties=_of_kind(docs, "property"),
        datatypes=_of_kind(docs, "datatype"),
        reused=_reused(docs),
    )


class _Graph:
    """Reads the ontology graph only, with term display cached."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._terms: dict[str, Term] = {}

    def dx_terms(self) -> set[str]:
        return {q.subject.value for q in self.store.quads_for_pattern(None, RDF_TYPE, None, ONTOLOGY_GRAPH)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(DX)}

    def objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> list:
        return [q.object for q in self.store.quads_for_pattern(subject, predicate, None, ONTOLOGY_GRAPH)]

    def subjects(self, predicate: ox.NamedNode, obj: ox.NamedNode) -> list:
        return [q.subject for q in self.store.quads_for_pattern(None, predicate, obj, ONTOLOGY_GRAPH)]

    def texts(self, subject: ox.NamedNode, predicate: ox.NamedNode) -> Labels:
        found: dict[str, str] = {}
        for literal in self.objects(subject, predicate):
            if isinstance(literal, ox.Literal):
                found.setdefault((literal.language or "vi").split("-")[0], literal.value)
        return Labels(found.get("vi"), found.get("en"))

    def expand(self, nodes: list) -> list:
        """Replace each `[ owl:unionOf ( ... ) ]` blank node by the members of its list."""
        expanded = []
        for node in nodes:
            if isinstance(node, ox.BlankNode):
                for union in self.objects(node, OWL_UNION_OF):
                    expanded.extend(self._list(union))
            else:
                expanded.append(node)
        return expanded

    def _list(self, head) -> list:
        items = []
        seen = set()
        while isinstance(head, ox.BlankNode) and head.value not in seen:
            seen.add(head.value)
            items.extend(self.objects(head, RDF_FIRST))
            rest = self.objects(head, RDF_REST)
            head = rest[0] if rest else RDF_NIL
        return items

    def term(self, node: ox.NamedNode) -> Term:
        if node.value not in self._terms:
            self._terms[node.value] = term(self.store, node)
        return self._terms[node.value]

    def terms(self, nodes: list) -> tuple[Term, ...]:
        unique = {n.value: n for n in nodes if isinstance(n, ox.NamedNode)}
        return tuple(self.term(unique[k]) for k in sorted(unique))


def _of_kind(docs: list[TermDoc], kind: TermKindName) -> tuple[TermDoc, ...]:
    return tuple(sorted((d for d in docs if d.kind == kind), key=lambda d: d.anchor.lower()))


def _tree(classes: tuple[TermDoc, ...]) -> tuple[ClassNode, ...]:
    by_iri = {c.iri: c for c in classes}
    children: dict[str, list[TermDoc]] = defaultdict(list)
    roots = []
    for cls in classes:
        dx_parents = [p.value for p in cls.parents if p.value in by_iri]
        for parent in dx_parents:
            children[parent].append(cls)
        if not dx_parents:
            roots.append(cls)

    def node(cls: TermDoc, path: frozenset[str]) -> ClassNode:
        kids = tuple(node(k, path | {k.iri}) for k in children[cls.iri] if k.iri not in path)
        return ClassNode(cls, kids)

    return tuple(node(r, frozenset({r.iri})) for r in roots)


def _reused(docs: list[TermDoc]) -> tuple[Reuse, ...]:
    users: dict[str, list[Term]] = defaultdict(list)
    terms: dict[str, Term] = {}
    for doc in docs:
        for parent in doc.parents:
            if not parent.value.startswith(DX):
                terms[parent.value] = parent
                users[parent.value].append(Term("iri", doc.iri, "/ontology#" + doc.anchor, doc.curie, doc.labels))
    return tuple(Reuse(terms[iri], _vocabulary(iri), tuple(users[iri]))
                 for iri in sorted(terms, key=lambda i: (_vocabulary(i), i)))


def _vocabulary(iri: str) -> str:
    c = curie(iri)
    if c:
        return c.split(":", 1)[0]
    return next((p for p, ns in PREFIXES.items() if iri.startswith(ns)), iri)
