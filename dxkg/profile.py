"""page_kind(store, iri) and the document-like pages: a document, a partner, a platform kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from . import agreements, facts, systems, view_query
from .agreements import AgreementRow
from .entities import Labels, Term
from .facts import TargetRow
from .lists import FIRST, Shown, Window, shown
from .namespaces import DX
from .systems import SystemRow
from .terms import Terms, unique_terms

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
    implemented_by: Shown[Term]
    topics: tuple[Term, ...]
    targets: Shown[TargetRow]
    basis_of: Shown[Term]
    notes: tuple[Note, ...]
    sources: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """A partner: its group, branches, agreements and provinces, systems it provides, people, sources."""

    partner: Term
    types: tuple[Term, ...]
    parents: tuple[Term, ...]
    branches: tuple[Term, ...]
    agreements: Shown[AgreementRow]
    systems: Shown[SystemRow]
    provinces: tuple[Term, ...]
    posts: tuple[Term, ...]
    notes: tuple[Note, ...]
    sources: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class PlatformProfile:
    """A platform kind: what it is and the systems of that kind, by province."""

    platform: Term
    notes: tuple[Note, ...]
    systems: Shown[SystemRow]
    provinces: tuple[Term, ...]


def page_kind(store: ox.Store, iri: str) -> PageKind:
    """Return which page an entity gets: a specialised one for provinces, documents, partners, platform
    kinds, indicators and indices, else the generic entity page."""
    found = {row["kind"].value for row in view_query.select(store, KINDS, entity=iri)}
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
    return unique_terms(terms(n) for n in nodes if isinstance(n, ox.NamedNode))


def _dx_types(terms: Terms, store: ox.Store, iri: str) -> tuple[Term, ...]:
    return tuple(t for t in _terms(terms, _objects(store, iri, RDF_TYPE)) if t.value.startswith(DX))


def linked_from(store: ox.Store, terms: Terms, predicate: ox.NamedNode, iri: str, window: Window) -> Shown[Term]:
    """Return, in `window`, the entities that point to `iri` by `predicate`: by label when they all fit,
    else by IRI (no label look-up per entity)."""
    page, total = shown({s.value for s in _subjects(store, predicate, iri)}, window)
    rows = tuple(terms.iri(s) for s in page)
    return Shown(unique_terms(rows) if window.offset == 0 and total <= window.limit else rows, total, window.offset)


def implemented_by(store: ox.Store, iri: str, window: Window) -> Shown[Term]:
    """Return the documents implementing a document, in `window`."""
    return linked_from(store, Terms(store), dx("implements"), iri, window)


def basis_of(store: ox.Store, iri: str, window: Window) -> Shown[Term]:
    """Return what a document is the legal basis of, in `window`."""
    return linked_from(store, Terms(store), dx("legalBasis"), iri, window)


def document_targets(store: ox.Store, iri: str, window: Window) -> Shown[TargetRow]:
    """Return the targets a document sets, in `window`, each with its latest result."""
    return facts.Facts(store, Terms(store), set_by=iri).targets(window)


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
        implemented_by=linked_from(store, terms, dx("implements"), iri, FIRST),
        topics=_terms(terms, _objects(store, iri, dx("topic"))),
        targets=facts.Facts(store, terms, set_by=iri).targets(FIRST),
        basis_of=linked_from(store, terms, dx("legalBasis"), iri, FIRST),
        notes=_notes(store, iri),
        sources=_terms(terms, _objects(store, iri, DCT_SOURCE)),
    )


def partner_profile(store: ox.Store, iri: str) -> PartnerProfile:
    """Return a partner's page: its group and branches, agreements, provinces, systems and people."""
    terms = Terms(store)
    deals = agreements.of_partner(store, terms, iri, FIRST)
    provided = systems.provided_by(store, terms, iri, FIRST)
    return PartnerProfile(
        partner=terms.iri(iri),
        types=_dx_types(terms, store, iri),
        parents=_terms(terms, _objects(store, iri, ORG_SUB)),
        branches=_terms(terms, _subjects(store, ORG_SUB, iri)),
        agreements=deals.rows,
        systems=provided.rows,
        provinces=unique_terms((*deals.provinces, *provided.provinces)),
        posts=_terms(terms, _subjects(store, dx("postIn"), iri)),
        notes=_notes(store, iri),
        sources=_terms(terms, _objects(store, iri, DCT_SOURCE)),
    )


def platform_profile(store: ox.Store, iri: str) -> PlatformProfile:
    """Return a platform kind's page: what it is and the systems of that kind with their province."""
    terms = Terms(store)
    found = systems.of_kind(store, terms, iri, FIRST)
    return PlatformProfile(terms.iri(iri), _notes(store, iri), found.rows, found.provinces)
