"""describe(store, iri) -> EntityView: labels (vi, en), types, links in and out; class listings."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Literal
from urllib.parse import quote

import pyoxigraph as ox

from . import view_query
from .errors import NotFound
from .formats import Format
from .lists import EVERYTHING, Shown, Window, shown
from .namespaces import DX, GRAPH, ID, ONTOLOGY_IRI, PREFIXES, curie, path_for

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SKOS_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
DX_NAMED_GRAPH = ox.NamedNode(DX + "namedGraph")
XSD_ANY_URI = "http://www.w3.org/2001/XMLSchema#anyURI"
ONTOLOGY_GRAPH = ox.NamedNode(GRAPH + "ontology")
# Labels of the few terms the ontology graph does not label itself.
BUILTIN_LABELS = {
    RDF_TYPE.value: ("loại", "type"),
}
# A blank node in a description is followed this deep (its concise bounded description).
MAX_BNODE_DEPTH = 4

# Subjects under an IRI prefix with their types (?prefix: ".../id/province/", or ".../id/" for all).
ENTITIES_UNDER = """
SELECT DISTINCT ?s ?type ?prefix WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix))
  OPTIONAL { ?s a ?type }
}"""

# How many triples pointing to an entity (?o) each named graph holds.
INCOMING_BY_GRAPH = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""
# How many named graphs hold triples of or pointing to an entity (?o).
GRAPH_COUNT = """
SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { { GRAPH ?g { ?o ?p ?x } } UNION { GRAPH ?g { ?s ?p ?o } } }"""
# How many subjects point to an entity (?o) by each property.
INCOMING_COUNTS = """
SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"""

# Whether any subject lies under an IRI prefix (pyoxigraph binds only projected variables, so no ASK).
ANY_UNDER = """
SELECT ?prefix WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix))
} LIMIT 1"""

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")

TermKind = Literal["iri", "literal", "bnode"]


@dataclass(frozen=True, slots=True)
class Labels:
    """A term's display labels: Vietnamese, English, and what to show when both are missing."""

    vi: str | None = None
    en: str | None = None
    fallback: str = ""

    def pick(self, lang: str = "vi") -> str:
        """Return the label in `lang`, else Vietnamese, else English, else the fallback."""
        first = self.en if lang == "en" else self.vi
        return first or self.vi or self.en or self.fallback

    def other(self, lang: str = "vi") -> str | None:
        """Return the label in the other language when it differs from `pick(lang)`."""
        other = self.vi if lang == "en" else self.en
        return other if other and other != self.pick(lang) else None


@dataclass(frozen=True, slots=True)
class Term:
    """An RDF term ready to display: its value, local page, labels, language or datatype."""

    kind: TermKind
    value: str
    path: str | None = None
    curie: str | None = None
    labels: Labels = Labels()
    language: str | None = None
    datatype: str | None = None
    datatype_curie: str | None = None

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang) if self.kind == "iri" else self.value

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def href(self) -> str | None:
        """Return where a link to this term goes: its local page, or an http(s) IRI or xsd:anyURI value."""
        if self.path:
            return self.path
        linkable = self.kind == "iri" or self.datatype == XSD_ANY_URI
        return self.value if linkable and self.value.startswith(("http://", "https://")) else None

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"


@dataclass(frozen=True, slots=True)
class PropertyValues:
    """One property of an entity and its values (outgoing) or its subjects (incoming): those shown, and the total."""

    predicate: Term
    values: Shown[Term]


@dataclass(frozen=True, slots=True)
class GraphRef:
    """A named graph holding some of an entity's triples, and the source entity describing it."""

    iri: str
    path: str
    outgoing: int
    incoming: int
    source: Term | None


@dataclass(frozen=True, slots=True)
class EntityView:
    """What the entity page shows: labels, types, properties, incoming links, sources, graphs."""

    iri: str
    path: str
    type_name: str
    labels: Labels
    types: tuple[Term, ...]
    outgoing: tuple[PropertyValues, ...]
    incoming: tuple[PropertyValues, ...]
    sources: tuple[Term, ...]
    graphs: Shown[GraphRef]

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang)


@dataclass(frozen=True, slots=True)
class EntityRow:
    """One entity in a class listing."""

    iri: str
    path: str
    labels: Labels
    types: tuple[Term, ...]

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang)


@dataclass(frozen=True, slots=True)
class TypeIndex:
    """The entities under one type prefix (`/id/province`), with the classes they belong to."""

    name: str
    path: str
    labels: Labels
    entities: tuple[EntityRow, ...]
    classes: tuple[tuple[Term, int], ...]

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang)


@dataclass(frozen=True, slots=True)
class TypeCount:
    """How many entities one type prefix holds, and of which classes."""

    name: str
    path: str
    labels: Labels
    count: int
    classes: tuple[tuple[Term, int], ...]

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang)


def local_path(iri: str) -> str | None:
    """Return the page of an IRI this server answers for: entities, the ontology, named graphs."""
    if iri.startswith(ID) or iri.startswith(ONTOLOGY_IRI):
        return path_for(iri)
    if iri.startswith(GRAPH):
        return "/store?graph=" + quote(iri, safe="")
    return None


def local_name(iri: str) -> str:
    """Return the last segment of an IRI, after `#` or `/`."""
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def labels_of(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> Labels:
    """Return the vi and en labels of a node (rdfs:label, then skos:prefLabel) from every graph."""
    found: dict[str, str] = {}
    for predicate in (RDFS_LABEL, SKOS_PREF_LABEL):
        for quad in store.quads_for_pattern(node, predicate, None):
            literal = quad.object
            if isinstance(literal, ox.Literal):
                lang = (literal.language or "").split("-")[0] or "vi"
                found.setdefault(lang, literal.value)
        if "vi" in found and "en" in found:
            break
    iri = node.value if isinstance(node, ox.NamedNode) else ""
    builtin = BUILTIN_LABELS.get(iri, (None, None))
    fallback = (curie(iri) or local_name(iri)) if iri else "_:" + node.value
    return Labels(found.get("vi") or builtin[0], found.get("en") or builtin[1], fallback)


def term(store: ox.Store, node: ox.NamedNode | ox.BlankNode | ox.Literal, with_labels: bool = True) -> Term:
    """Return the display form of an RDF term, with its labels looked up in the store."""
    if isinstance(node, ox.Literal):
        language = node.language
        datatype = None if language else node.datatype.value
        return Term("literal", node.value, language=language, datatype=datatype,
                    datatype_curie=curie(datatype) if datatype else None)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value, labels=labels_of(store, node) if with_labels else Labels())
    labels = labels_of(store, node) if with_labels else Labels(fallback=curie(node.value) or local_name(node.value))
    return Term("iri", node.value, local_path(node.value), curie(node.value), labels)


def exists(store: ox.Store, iri: str) -> bool:
    """Return whether the IRI is the subject or the object of any triple in any graph."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all, so certainly not one of ours
        return False
    return (next(iter(store.quads_for_pattern(node, None, None)), None) is not None
            or next(iter(store.quads_for_pattern(None, None, node)), None) is not None)


def type_name_of(iri: str) -> str:
    """Return the `{type}` segment of an entity IRI (`province` for `.../id/province/gia-lai`)."""
    return iri[len(ID):].split("/", 1)[0] if iri.startswith(ID) else ""


def describe(store: ox.Store, iri: str, window: Window = EVERYTHING) -> EntityView:
    """Return the view model of one entity; raise NotFound when no triple mentions it.

    `window` cuts each property's values and the list of graphs (their totals are kept). Values that
    fit in the window are in label order, a longer list of them in IRI order, so that a window of it
    costs no label look-up per item; a property pointing to the entity from more subjects than the
    window holds shows only how many (its complete list is a page of its own, `lists`)."""
    if not exists(store, iri):
        raise NotFound(f"no entity {iri}")
    node = ox.NamedNode(iri)
    out_quads = list(store.quads_for_pattern(node, None, None))
    cached = _term_cache(store)
    type_nodes = {q.object for q in out_quads if q.predicate == RDF_TYPE and not isinstance(q.object, ox.Literal)}
    types = tuple(sorted((cached(t) for t in type_nodes), key=_dx_first))
    outgoing = _group((q.predicate, q.object) for q in out_quads if q.predicate != RDF_TYPE)
    incoming = _incoming(store, node, window, cached)
    sources = tuple(sorted({cached(q.object) for q in out_quads if q.predicate == DCT_SOURCE},
                           key=lambda t: t.value))
    return EntityView(
        iri=iri,
        path=path_for(iri) or iri,
        type_name=type_name_of(iri),
        labels=labels_of(store, node),
        types=types,
        outgoing=tuple(PropertyValues(cached(p), _values(vs, window, cached)) for p, vs in outgoing),
        incoming=tuple(PropertyValues(cached(p), values) for p, values in incoming),
        sources=sources,
        graphs=_graphs(store, node, out_quads, window, cached, sum(values.total for _, values in incoming)),
    )


def graphs(store: ox.Store, iri: str, window: Window) -> Shown[GraphRef]:
    """Return the named graphs holding triples about the entity, in `window` (by IRI)."""
    node = ox.NamedNode(iri)
    return _graphs(store, node, list(store.quads_for_pattern(node, None, None)), window, _term_cache(store))


def linked(store: ox.Store, iri: str, predicate: str, window: Window, incoming: bool = True) -> Shown[Term]:
    """Return the subjects pointing to the entity by `predicate` (or, not `incoming`, its values), in `window`."""
    node, prop = ox.NamedNode(iri), ox.NamedNode(predicate)
    cached = _term_cache(store)
    quads = store.quads_for_pattern(None, prop, node) if incoming else store.quads_for_pattern(node, prop, None)
    return _values([q.subject if incoming else q.object for q in quads], window, cached)


def describe_graph(store: ox.Store, iri: str, incoming_limit: int | None = None) -> list[ox.Triple]:
    """Return the entity's description: outgoing and incoming triples, labels of neighbours and predicates.

    Blank nodes it points to are described too (a concise bounded description), so a client
    can render the entity from this one document. With `incoming_limit`, an entity that more
    triples point to is described by its own triples alone (a page embeds that much; the
    complete description is its twin). Raises NotFound for an unknown IRI.
    """
    if not exists(store, iri):
        raise NotFound(f"no entity {iri}")
    node = ox.NamedNode(iri)
    triples: dict[ox.Triple, None] = {}
    for quad in _closure(store, node):
        triples.setdefault(quad.triple, None)
    incoming = store.quads_for_pattern(None, None, node)
    if incoming_limit is not None:
        incoming = list(islice(incoming, incoming_limit + 1))
        if len(incoming) > incoming_limit:
            incoming = []
    for quad in incoming:
        triples.setdefault(quad.triple, None)
    neighbours: dict[ox.NamedNode, None] = {}
    for triple in list(triples):
        neighbours.setdefault(triple.predicate, None)
        for end in (triple.subject, triple.object):
            if isinstance(end, ox.NamedNode) and end != node:
                neighbours.setdefault(end, None)
    for neighbour in neighbours:
        for quad in store.quads_for_pattern(neighbour, RDFS_LABEL, None):
            triples.setdefault(quad.triple, None)
    return list(triples)


def serialize(triples: Iterable[ox.Triple], fmt: Format) -> bytes:
    """Return triples in an RDF format, with the project's prefixes where the format has them."""
    triples = list(triples)
    prefixes = None
    if fmt.name in ("ttl", "rdf"):
        iris = {n.value for t in triples for n in (t.subject, t.predicate, t.object) if isinstance(n, ox.NamedNode)}
        iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
        prefixes = {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}
    return ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes) or b""


def type_exists(store: ox.Store, type_name: str) -> bool:
    """Return whether any entity lies under `/id/{type_name}/`."""
    if not _SEGMENT.fullmatch(type_name):
        return False
    rows = store.query(ANY_UNDER, use_default_graph_as_union=True,
                       substitutions={ox.Variable("prefix"): ox.Literal(f"{ID}{type_name}/")})
    return next(iter(rows), None) is not None


def list_type(store: ox.Store, type_name: str) -> TypeIndex:
    """Return the entities under `/id/{type_name}/`; raise NotFound when there are none."""
    if not _SEGMENT.fullmatch(type_name):
        raise NotFound(f"no entity type '{type_name[:60]}'")
    members = _members(store, f"{ID}{type_name}/")
    if not members:
        raise NotFound(f"no entity type '{type_name[:60]}'")
    class_terms = {c: term(store, ox.NamedNode(c)) for types in members.values() for c in types}
    rows = [EntityRow(iri, path_for(iri) or iri, labels_of(store, ox.NamedNode(iri)),
                      tuple(sorted((class_terms[c] for c in types), key=_dx_first)))
            for iri, types in members.items()]
    rows.sort(key=lambda r: (r.labels.pick("vi").casefold(), r.iri))
    return TypeIndex(type_name, f"/id/{type_name}", _type_labels(store, type_name, members, class_terms),
                     tuple(rows), _class_counts(members, class_terms))


def describe_type(store: ox.Store, type_name: str) -> list[ox.Triple]:
    """Return the RDF twin of a class listing: each entity's types and labels, and the types' labels."""
    index = list_type(store, type_name)
    triples: dict[ox.Triple, None] = {}
    for row in index.entities:
        node = ox.NamedNode(row.iri)
        for predicate in (RDF_TYPE, RDFS_LABEL):
            for quad in store.quads_for_pattern(node, predicate, None):
                triples.setdefault(quad.triple, None)
    for cls, _count in index.classes:
        for quad in store.quads_for_pattern(ox.NamedNode(cls.value), RDFS_LABEL, None):
            triples.setdefault(quad.triple, None)
    return list(triples)


def type_counts(store: ox.Store) -> tuple[TypeCount, ...]:
    """Return, for each type prefix that has entities, its count and classes, largest first."""
    by_type: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for iri, types in _members(store, ID).items():
        name = type_name_of(iri)
        if name and iri != f"{ID}{name}":
            by_type[name][iri] = types
    class_terms = {c: term(store, ox.NamedNode(c)) for members in by_type.values()
                   for types in members.values() for c in types}
    counts = [TypeCount(name, f"/id/{name}", _type_labels(store, name, members, class_terms), len(members),
                        _class_counts(members, class_terms))
              for name, members in by_type.items()]
    counts.sort(key=lambda c: (-c.count, c.name))
    return tuple(counts)


def _members(store: ox.Store, prefix: str) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    rows = store.query(ENTITIES_UNDER, use_default_graph_as_union=True,
                       substitutions={ox.Variable("prefix"): ox.Literal(prefix)})
    for row in rows:
        types = members.setdefault(row["s"].value, set())
        if row["type"] is not None:
            types.add(row["type"].value)
    return members


def _class_counts(members: dict[str, set[str]], class_terms: dict[str, Term]) -> tuple[tuple[Term, int], ...]:
    counter = Counter(c for types in members.values() for c in types)
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], not kv[0].startswith(DX), kv[0]))
    return tuple((class_terms[c], n) for c, n in ordered)


def _type_labels(store: ox.Store, name: str, members: dict[str, set[str]], class_terms: dict[str, Term]) -> Labels:
    """Label a type prefix with the most specific dx: class all its members share."""
    shared: set[str] | None = None
    for types in members.values():
        ancestors = set().union(*(_ancestors(store, c) for c in types if c.startswith(DX))) if types else set()
        shared = ancestors if shared is None else shared & ancestors
    if shared:
        best = max(shared, key=lambda c: (len(_ancestors(store, c)), c))
        labels = labels_of(store, ox.NamedNode(best))
    else:
        counter = Counter(c for types in members.values() for c in types)
        labels = class_terms[counter.most_common(1)[0][0]].labels if counter else Labels()
    return Labels(labels.vi, labels.en, name)


def _ancestors(store: ox.Store, cls: str) -> set[str]:
    """Return the class and its dx: superclasses, transitively (from the ontology graph)."""
    seen = {cls}
    todo = [cls]
    while todo:
        for quad in store.quads_for_pattern(ox.NamedNode(todo.pop()), RDFS_SUBCLASS_OF, None, ONTOLOGY_GRAPH):
            parent = quad.object
            if isinstance(parent, ox.NamedNode) and parent.value.startswith(DX) and parent.value not in seen:
                seen.add(parent.value)
                todo.append(parent.value)
    return seen


def _closure(store: ox.Store, node: ox.NamedNode) -> Iterator[ox.Quad]:
    """Yield the node's quads and those of the blank nodes it reaches (bounded depth)."""
    frontier: list[tuple[ox.NamedNode | ox.BlankNode, int]] = [(node, 0)]
    seen: set[str] = set()
    while frontier:
        subject, depth = frontier.pop()
        if str(subject) in seen:
            continue
        seen.add(str(subject))
        for quad in store.quads_for_pattern(subject, None, None):
            yield quad
            if isinstance(quad.object, ox.BlankNode) and depth < MAX_BNODE_DEPTH:
                frontier.append((quad.object, depth + 1))


def _term_cache(store: ox.Store) -> Callable[[ox.NamedNode | ox.BlankNode | ox.Literal], Term]:
    """Return `term` for one page: each term's labels looked up once."""
    cache: dict[str, Term] = {}

    def cached(n: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
        key = str(n)
        if key not in cache:
            cache[key] = term(store, n)
        return cache[key]

    return cached


def _values(nodes: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal], window: Window,
            cached: Callable[[ox.NamedNode | ox.BlankNode | ox.Literal], Term]) -> Shown[Term]:
    """Return the window's values, deduplicated: in label order when all fit, else in the order of their
    N-Triples form (literals, then IRIs, then blank nodes, each lexically), which needs no label."""
    unique = {str(n): n for n in nodes}
    if window.offset == 0 and len(unique) <= window.limit:
        return Shown(tuple(sorted((cached(n) for n in unique.values()), key=_value_order)), len(unique))
    return Shown(tuple(cached(unique[key]) for key in window.cut(sorted(unique))), len(unique), window.offset)


def _incoming(store: ox.Store, node: ox.NamedNode, window: Window, cached: Callable[..., Term],
              ) -> list[tuple[ox.NamedNode, Shown[Term]]]:
    """Return, per property pointing to the node, the subjects in the window.

    The properties are counted first (in the store, not in Python). A property with more subjects
    than the window holds shows none of them: its count and a link to its complete list, in IRI
    order, where reading thousands of subjects is asked for."""
    counts = {row["p"].value: int(row["n"].value) for row in view_query.select(store, INCOMING_COUNTS, o=node.value)}
    found = []
    for predicate in sorted((ox.NamedNode(p) for p in counts), key=_predicate_order):
        if window.offset == 0 and counts[predicate.value] <= window.limit:
            values = _values([q.subject for q in store.quads_for_pattern(None, predicate, node)], window, cached)
        else:
            values = Shown((), counts[predicate.value], window.offset)
        found.append((predicate, values))
    return found


def _group(pairs: Iterable[tuple[ox.NamedNode, object]]) -> list[tuple[ox.NamedNode, list]]:
    """Group (predicate, value) pairs by predicate, values deduplicated (a triple may be in two graphs)."""
    grouped: dict[ox.NamedNode, dict[str, object]] = {}
    for predicate, value in pairs:
        grouped.setdefault(predicate, {}).setdefault(str(value), value)
    order = sorted(grouped, key=_predicate_order)
    return [(p, list(grouped[p].values())) for p in order]


def _predicate_order(predicate: ox.NamedNode) -> tuple[int, str]:
    # Labels first, then the project's own properties, then reused vocabularies, each by name.
    if predicate == RDFS_LABEL:
        return (0, "")
    return (1 if predicate.value.startswith(DX) else 2, local_name(predicate.value).lower())


LANGUAGE_ORDER = {"vi": "0", "en": "1"}


def _value_order(t: Term) -> tuple[int, str, str]:
    if t.is_literal:
        return (0, LANGUAGE_ORDER.get(t.language or "", "2" + (t.language or "")), t.value)
    return (1, t.labels.pick("vi").casefold(), t.value)


def _dx_first(t: Term) -> tuple[int, str]:
    return (0 if t.value.startswith(DX) else 1, t.value)


def _graphs(store: ox.Store, node: ox.NamedNode, out_quads: list[ox.Quad], window: Window,
            cached: Callable[..., Term], incoming: int | None = None) -> Shown[GraphRef]:
    """Return the named graphs holding the entity's triples in `window`, by IRI, with the triples each holds.

    Given how many triples point to the entity (`incoming`), when more graphs than the window holds
    may mention it (a partner named by thousands of articles), the window shows those holding its
    own triples, where it is described, and the total."""
    out_counts = Counter(q.graph_name.value for q in out_quads if isinstance(q.graph_name, ox.NamedNode))
    if incoming is not None and window.offset == 0 and incoming + len(out_counts) > window.limit:
        total = view_query.count(store, GRAPH_COUNT, o=node.value)
        if total > window.limit:
            page = sorted(out_counts)[:window.limit]
            in_counts = {g: sum(1 for _ in store.quads_for_pattern(None, None, node, ox.NamedNode(g))) for g in page}
            return Shown(_graph_refs(store, page, out_counts, in_counts, cached), total)
    in_counts = {row["g"].value: int(row["n"].value)
                 for row in view_query.select(store, INCOMING_BY_GRAPH, o=node.value)}
    page, total = shown(set(out_counts) | set(in_counts), window)
    return Shown(_graph_refs(store, page, out_counts, in_counts, cached), total, window.offset)


def _graph_refs(store: ox.Store, graphs: Iterable[str], out_counts: Counter[str], in_counts: dict[str, int],
                cached: Callable[..., Term]) -> tuple[GraphRef, ...]:
    refs = []
    for graph in graphs:
        source = next((q.subject for q in store.quads_for_pattern(None, DX_NAMED_GRAPH, ox.NamedNode(graph))), None)
        refs.append(GraphRef(graph, local_path(graph) or graph, out_counts[graph], in_counts.get(graph, 0),
                             cached(source) if isinstance(source, ox.NamedNode) else None))
    return tuple(refs)
