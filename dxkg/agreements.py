"""Agreements as the province and partner pages list them: partners, parties, period, signing date, source.

Each list is chosen in two steps: the keys of every agreement (its IRI and start), cheap enough for
thousands, then the details and labels of the rows a page shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from . import view_query
from .entities import Term
from .lists import Shown, Window, shown
from .partners import group
from .terms import Terms

# The agreements of a provincial unit, with the partners they name and when they start (the order of
# the lists: the period's start, else the signing date, undated last).
OF_PROVINCE = """
SELECT ?agreement ?partner ?when WHERE {
  ?agreement dx:province ?province ; a dx:Agreement .
  OPTIONAL { ?agreement dx:partner ?partner }
  OPTIONAL { ?agreement dx:periodStart ?periodStart }
  OPTIONAL { ?agreement dx:signedOn ?signedOn }
  BIND(COALESCE(STR(?periodStart), STR(?signedOn), "9999") AS ?when)
}"""
# The agreements a partner's group (bind ?party to each of its members) is partner or party to, grouped
# by province and start (a partner has thousands; `view_query.grouped`). The ontology gives dx:partner and
# dx:party the domain dx:Agreement: no type pattern (a join per agreement).
OF_PARTNER = """
SELECT ?province ?when (GROUP_CONCAT(STR(?agreement)) AS ?agreements) WHERE {
  ?agreement dx:partner|dx:party ?party .
  OPTIONAL { ?agreement dx:province ?province }
  OPTIONAL { ?agreement dx:periodStart ?periodStart }
  OPTIONAL { ?agreement dx:signedOn ?signedOn }
  BIND(COALESCE(STR(?periodStart), STR(?signedOn), "9999") AS ?when)
} GROUP BY ?province ?when"""
# What a row shows of the agreements bound to ?agreement.
DETAILS = """
SELECT ?agreement ?province ?partner ?party ?periodStart ?periodEnd ?signedOn ?source WHERE {
  OPTIONAL { ?agreement dx:province ?province }
  OPTIONAL { ?agreement dx:partner ?partner }
  OPTIONAL { ?agreement dx:party ?party }
  OPTIONAL { ?agreement dx:periodStart ?periodStart }
  OPTIONAL { ?agreement dx:periodEnd ?periodEnd }
  OPTIONAL { ?agreement dx:signedOn ?signedOn }
  OPTIONAL { ?agreement dcterms:source ?source }
}"""


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """An agreement: the provinces, partners and parties it names, its period, signing date and source.

    On a partner's page `parties` holds the one party of the partner's own group: the partner itself
    when it is a party, else its branch."""

    agreement: Term
    provinces: tuple[Term, ...]
    partners: tuple[Term, ...]
    parties: tuple[Term, ...]
    period_start: str | None
    period_end: str | None
    signed_on: str | None
    source: Term | None


@dataclass(frozen=True, slots=True)
class ProvinceAgreements:
    """A province's agreements (the rows shown) and every partner they name."""

    rows: Shown[AgreementRow]
    partners: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class PartnerAgreements:
    """A partner's agreements (the rows shown) and every province they concern."""

    rows: Shown[AgreementRow]
    provinces: tuple[Term, ...]


def _order(keys: dict[str, str], window: Window) -> tuple[list[str], int]:
    """Return the window's agreements in start order (undated last, then by IRI) and how many there are."""
    return shown(keys, window, lambda iri: (keys[iri], iri))


def of_province(store: ox.Store, terms: Terms, province: str, window: Window) -> ProvinceAgreements:
    """Return a provincial unit's agreements in `window`, and the partners of all of them."""
    keys: dict[str, str] = {}
    partners: set[str] = set()
    for row in view_query.select(store, OF_PROVINCE, province=province):
        agreement, when = row["agreement"].value, row["when"].value
        keys[agreement] = min(keys.get(agreement, when), when)
        if isinstance(row["partner"], ox.NamedNode):
            partners.add(row["partner"].value)
    page, total = _order(keys, window)
    rows = _rows(store, terms, page, parties_of=None)
    return ProvinceAgreements(Shown(tuple(rows), total, window.offset), terms.sorted(partners))


def of_partner(store: ox.Store, terms: Terms, partner: str, window: Window) -> PartnerAgreements:
    """Return the agreements of a partner or its branches in `window`, and the provinces of all of them."""
    members = group(store, partner)
    keys: dict[str, str] = {}
    provinces: set[str] = set()
    for row, found in view_query.grouped(store, OF_PARTNER, "agreements", party=members):
        when = row["when"].value
        for agreement in found:
            keys[agreement] = min(keys.get(agreement, when), when)
        if isinstance(row["province"], ox.NamedNode):
            provinces.add(row["province"].value)
    page, total = _order(keys, window)
    rows = _rows(store, terms, page, parties_of=members)
    return PartnerAgreements(Shown(tuple(rows), total, window.offset), terms.sorted(provinces))


def _rows(store: ox.Store, terms: Terms, agreements: list[str], parties_of: list[str] | None) -> list[AgreementRow]:
    """Return the rows of these agreements, in this order. With `parties_of` (a partner's group), each row's
    parties are the one party of that group, the first in the group's order."""
    if not agreements:
        return []
    found: dict[str, list[ox.QuerySolution]] = defaultdict(list)
    for row in view_query.select(store, DETAILS, agreement=agreements):
        found[row["agreement"].value].append(row)
    rank = {iri: i for i, iri in enumerate(parties_of or ())}
    rows = []
    for agreement in agreements:
        group_rows = found[agreement]
        first = group_rows[0] if group_rows else None
        parties = _nodes(r["party"] for r in group_rows) | _nodes(r["partner"] for r in group_rows)
        if parties_of is not None:
            ours = sorted((p for p in parties if p in rank), key=rank.__getitem__)
            party_terms: tuple[Term, ...] = (terms.iri(ours[0]),) if ours else ()
        else:
            party_terms = terms.sorted(_nodes(r["party"] for r in group_rows))
        rows.append(AgreementRow(
            agreement=terms.iri(agreement),
            provinces=terms.sorted(_nodes(r["province"] for r in group_rows)),
            partners=terms.sorted(_nodes(r["partner"] for r in group_rows)),
            parties=party_terms,
            period_start=_text(first, "periodStart"), period_end=_text(first, "periodEnd"),
            signed_on=_text(first, "signedOn"),
            source=terms.optional(first["source"]) if first is not None else None,
        ))
    return rows


def _nodes(values: Iterable[object]) -> set[str]:
    return {v.value for v in values if isinstance(v, ox.NamedNode)}


def _text(row: ox.QuerySolution | None, name: str) -> str | None:
    value = row[name] if row is not None else None
    return value.value if isinstance(value, ox.Literal) else None

