"""page_kind(store, iri) and the document-like pages: a document, a partner, a platform kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from . import facts
from .entities import Labels, Term
from .facts import TargetRow, Terms
from .namespaces import DX, PREFIXES

PageKind = Literal["province", "document", "partner", "platform", "indicator", "index", "entity"]
# The dx: class whose instances (directly or through a subclass) get each specialised page, in precedence order.
KIND_CLASSES: tuple[tuple[PageKind, str], ...] = (
    ("province", DX + "ProvincialUnit"), ("document", DX + "Document"), ("partner", DX + "Partner"),
    ("platform", DX + "PlatformKind"), ("indicator", DX + "Indicator"), ("index", DX + "Index"),
)

# The specialised classes an entity belongs to, through rdfs:subClassOf*.
KINDS = """
SELECT ?entity ?kind WHERE {
  ?entity a ?class . ?class rdfs:subClassOf* ?kind .
  VALUES ?kind { dx:ProvincialUnit dx:Document dx:Partner dx:PlatformKind dx:Indicator dx:Index }
}"""

# Agreements of a partner or of one of its branches, with the province, period and source.
PARTNER_AGREEMENTS = """
SELECT DISTINCT ?partner ?agreement ?party ?province ?periodStart ?periodEnd ?signedOn ?source WHERE {
  ?agreement a dx:Agreement . { ?agreement dx:partner ?party } UNION { ?agreement dx:party ?party }
  ?party org:subOrganizationOf* ?partner .
  OPTIONAL { ?agreement dx:province ?province }
  OPTIONAL { ?agreement dx:periodStart ?periodStart }
  OPTIONAL { ?agreement dx:periodEnd ?periodEnd }
  OPTIONAL { ?agreement dx:signedOn ?signedOn }
  OPTIONAL { ?agreement dcterms:source ?source }
}"""

# What the system pages show of each system: province, operator, provider, start, source.
_SYSTEM_DETAILS = """
  OPTIONAL { ?system dx:province ?province }
  OPTIONAL { ?system dx:operatedBy ?operator }
  OPTIONAL { ?system dx:providedBy ?provider }
  OPTIONAL { ?system dx:inServiceSince ?since }
  OPTIONAL { ?system dcterms:source ?source }
}"""
# Systems a partner, or one of its branches, provides.
SYSTEMS_PROVIDED = """
SELECT DISTINCT ?partner ?system ?province ?operator ?provider ?since ?source WHERE {
  ?system a dx:InformationSystem ; dx:providedBy ?branch . ?branch org:subOrganizationOf* ?partner .""" + _SYSTEM_DETAILS
# Systems of one platform kind.
SYSTEMS_OF_KIND = """
SELECT DISTINCT ?kind ?system ?province ?operator ?provider ?since ?source WHERE {
  ?system a dx:InformationSystem ; dx:platformKind ?kind .""" + _SYSTEM_DETAILS

RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SKOS_DEFINITION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#definition")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
ORG_SUB = ox.NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def dx(name: str) -> ox.NamedNode:
    return ox.NamedNode(DX + name)


@dataclass(frozen=True, slots=True)
class Note:
    """A comment on an entity in one language."""

    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class AgreementItem:
    """An agreement a partner (or its branch) is party to."""

    agreement: Term
    party: Term
    province: Term | None
    period_start: str | None
    period_end: str | None
    signed_on: str | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class SystemItem:
    """An information system with its province, operator, provider, start and source."""

    system: Term
    province: Term | None
    operator: Term | None
    provider: Term | None
    since: str | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class DocumentProfile:
    """A resolution, plan, decision or programme read as a document: what, who, where, which targets, sources."""

    document: Term
    types: tuple[Term, ...]
    number: str | None
    title: Labels
    issued_on: str | None
    issuers: tuple[Term, ...]
    concerns: tuple[Term, ...]
    period_start: str | None
    period_end: str | None
    vision_year: str | None
    implements: tuple[Term, ...]
    implemented_by: tuple[Term, ...]
    topics: tuple[Term, ...]
    targets: tuple[TargetRow, ...]
    basis_of: tuple[Term, ...]
    notes: tuple[Note, ...]
    sources: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """A partner: its group, branches, agreements and provinces, systems it provides, people, sources."""

    partner: Term
    types: tuple[Term, ...]
    parents: tuple[Term, ...]
    branches: tuple[Term, ...]
    agreements: tuple[AgreementItem, ...]
    systems: tuple[SystemItem, ...]
    posts: tuple[Term, ...]
    notes: tuple[Note, ...]
    sources: tuple[Term, ...]

    @property
    def provinces(self) -> tuple[Term, ...]:
        return _unique([a.province for a in self.agreements] + [s.province for s in self.systems])


@dataclass(frozen=True, slots=True)
class PlatformProfile:
    """A platform kind: what it is and every system of that kind, by province."""

    platform: Term
    notes: tuple[Note, ...]
    systems: tuple[SystemItem, ...]

    @property
    def provinces(self) -> tuple[Term, ...]:
        return _unique(s.province for s in self.systems)


def _unique(terms: Iterable[Term | None]) -> tuple[Term, ...]:
    seen: dict[str, Term] = {}
    for t in terms:
        if t is not None:
            seen.setdefault(t.value, t)
    return tuple(sorted(seen.values(), key=lambda t: t.label("vi")))


def page_kind(store: ox.Store, iri: str) -> PageKind:
    """Return which page an entity gets: a specialised one for provinces, documents, partners, platform
    kinds, indicators and indices, else the generic entity page."""
    rows = store.query(KINDS, use_default_graph_as_union=True, prefixes=PREFIXES,
                       substitutions={ox.Variable("entity"): ox.NamedNode(iri)})
    found = {row["kind"].value for row in rows}
    return next((kind for kind, cls in KIND_CLASSES if cls in found), "entity")


def _objects(store: ox.Store, iri: str, predicate: ox.NamedNode) -> list[ox.NamedNode | ox.Literal]:
    seen: dict[str, ox.NamedNode | ox.Literal] = {}
    for quad in store.quads_for_pattern(ox.NamedNode(iri), predicate, None):
        seen.setdefault(str(quad.object), quad.object)
    return list(seen.values())


def _subjects(store: ox.Store, predicate: ox.NamedNode, iri: str) -> list[ox.NamedNode]:
    return list({str(q.subject): q.subject for q in store.quads_for_pattern(None, predicate, ox.NamedNode(iri))
                 if isinstance(q.subject, ox.NamedNode)}.values())


def _literal(store: ox.Store, iri: str, predicate: ox.NamedNode) -> str | None:
    return next((o.value for o in _objects(store, iri, predicate) if isinstance(o, ox.Literal)), None)


def _texts(store: ox.Store, iri: str, predicate: ox.NamedNode) -> Labels:
    found: dict[str, str] = {}
    for o in _objects(store, iri, predicate):
        if isinstance(o, ox.Literal):
            found.setdefault((o.language or "vi").split("-")[0], o.value)
    return Labels(found.get("vi"), found.get("en"))


def _notes(store: ox.Store, iri: str) -> tuple[Note, ...]:
    return tuple(Note((o.language or "").split("-")[0], o.value)
                 for predicate in (SKOS_DEFINITION, RDFS_COMMENT) for o in _objects(store, iri, predicate)
                 if isinstance(o, ox.Literal))


def _terms(terms: Terms, nodes: Iterable[object]) -> tuple[Term, ...]:
    return _unique(terms(n) for n in nodes if isinstance(n, ox.NamedNode))


def _dx_types(terms: Terms, store: ox.Store, iri: str) -> tuple[Term, ...]:
    return tuple(t for t in _terms(terms, _objects(store, iri, RDF_TYPE)) if t.value.startswith(DX))


def document_profile(store: ox.Store, iri: str) -> DocumentProfile:
    """Return a document's page: number, title, dates, issuer, units, links to other documents, targets."""
    terms = Terms(store)
    return DocumentProfile(
        document=terms.iri(iri),
        types=_dx_types(terms, store, iri),
        number=_literal(store, iri, dx("documentNumber")),
        title=_texts(store, iri, DCT_TITLE),
        issued_on=_literal(store, iri, dx("issuedOn")),
        issuers=_terms(terms, _objects(store, iri, dx("issuedBy"))),
        concerns=_terms(terms, _objects(store, iri, dx("concerns"))),
        period_start=_literal(store, iri, dx("periodStart")),
        period_end=_literal(store, iri, dx("periodEnd")),
        vision_year=_literal(store, iri, dx("visionYear")),
        implements=_terms(terms, _objects(store, iri, dx("implements"))),
        implemented_by=_terms(terms, _subjects(store, dx("implements"), iri)),
        topics=_terms(terms, _objects(store, iri, dx("topic"))),
        targets=facts.targets(store, terms, set_by=iri),
        basis_of=_terms(terms, _subjects(store, dx("legalBasis"), iri)),
        notes=_notes(store, iri),
        sources=_terms(terms, _objects(store, iri, DCT_SOURCE)),
    )


def _systems(store: ox.Store, terms: Terms, query: str, variable: str, iri: str) -> tuple[SystemItem, ...]:
    rows = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES,
                       substitutions={ox.Variable(variable): ox.NamedNode(iri)})
    items: dict[str, SystemItem] = {}
    for r in rows:
        items.setdefault(r["system"].value, SystemItem(
            terms(r["system"]), terms.optional(r["province"]), terms.optional(r["operator"]),
            terms.optional(r["provider"]), r["since"].value if r["since"] is not None else None,
            terms.optional(r["source"])))
    return tuple(sorted(items.values(), key=lambda s: (s.province is None, s.province.label("vi") if s.province
                                                      else "", s.system.label("vi"))))


def partner_profile(store: ox.Store, iri: str) -> PartnerProfile:
    """Return a partner's page: its group and branches, agreements, provinces, systems and people."""
    terms = Terms(store)
    agreements: dict[str, AgreementItem] = {}
    rows = store.query(PARTNER_AGREEMENTS, use_default_graph_as_union=True, prefixes=PREFIXES,
                       substitutions={ox.Variable("partner"): ox.NamedNode(iri)})
    by_agreement: dict[str, list[ox.QuerySolution]] = defaultdict(list)
    for r in rows:
        by_agreement[r["agreement"].value].append(r)
    for agreement, group in by_agreement.items():
        # The party named is the partner itself when it is a party, else its branch.
        first = next((r for r in group if r["party"].value == iri), group[0])
        agreements[agreement] = AgreementItem(
            terms(first["agreement"]), terms(first["party"]), terms.optional(first["province"]),
            _value(first["periodStart"]), _value(first["periodEnd"]), _value(first["signedOn"]),
            terms.optional(first["source"]))
    return PartnerProfile(
        partner=terms.iri(iri),
        types=_dx_types(terms, store, iri),
        parents=_terms(terms, _objects(store, iri, ORG_SUB)),
        branches=_terms(terms, _subjects(store, ORG_SUB, iri)),
        agreements=tuple(sorted(agreements.values(), key=lambda a: (a.period_start or a.signed_on or "9999",
                                                                   a.agreement.label("vi")))),
        systems=_systems(store, terms, SYSTEMS_PROVIDED, "partner", iri),
        posts=_terms(terms, _subjects(store, dx("postIn"), iri)),
        notes=_notes(store, iri),
        sources=_terms(terms, _objects(store, iri, DCT_SOURCE)),
    )


def _value(node: object) -> str | None:
    return node.value if isinstance(node, ox.Literal) else None


def platform_profile(store: ox.Store, iri: str) -> PlatformProfile:
    """Return a platform kind's page: what it is and every system of that kind with its province."""
    terms = Terms(store)
    return PlatformProfile(terms.iri(iri), _notes(store, iri), _systems(store, terms, SYSTEMS_OF_KIND, "kind", iri))
