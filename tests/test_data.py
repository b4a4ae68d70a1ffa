"""Concrete facts of the curated data, asserted through SPARQL on the real store."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from dxkg.namespaces import GRAPH, ID
from dxkg.sparql import QueryRequest, execute

XSD = "http://www.w3.org/2001/XMLSchema#"
DX = "https://w3id.org/dxkg/ontology#"

# The article graphs and their seed files (docs/data-model.md).
ARTICLE_SEEDS = {
    "article-000-an-giang": "000_3fb3b05063157b9a.txt",
    "article-001-hau-giang": "001_256477717902c520.txt",
    "article-002-kien-giang": "002_e2b2c055c0d1e114.txt",
    "article-003-tien-giang": "003_bb5ee0d34e5e64b2.txt",
    "article-004-gia-lai": "004_70b9b0391aee3797.txt",
}

# Classes whose instances are facts that must cite the source of the graph stating them.
FACT_CLASSES = ("Target", "Achievement", "Ranking", "Agreement", "Post", "AdministrativeChange",
                "InformationSystem", "Document")

NUMERIC_PROPERTIES = ("value", "targetValue", "targetValueMax", "rank", "outOf", "score", "rankChange",
                      "communeLevelUnitCount")


def select(store: ox.Store, query: str) -> list[dict[str, object]]:
    result = execute(store, QueryRequest(query))
    variables = [v.value for v in result.variables]
    rows = []
    for row in result:
        values: dict[str, object] = {}
        for v in variables:
            term = row[v]
            if isinstance(term, ox.Literal) and term.datatype.value == XSD + "integer":
                values[v] = int(term.value)
            elif isinstance(term, ox.Literal) and term.datatype.value == XSD + "decimal":
                values[v] = Decimal(term.value)
            else:
                values[v] = None if term is None else term.value
        rows.append(values)
    return rows


def ask(store: ox.Store, query: str) -> bool:
    return bool(execute(store, QueryRequest(query)))


def scalar(store: ox.Store, query: str) -> object:
    rows = select(store, query)
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return next(iter(rows[0].values()))


# --- Documents -----------------------------------------------------------------------------------


def test_gia_lai_resolution_04_issued_by_the_party_committee(store: ox.Store) -> None:
    rows = select(store, """
        SELECT ?number ?date ?issuerLabel ?issuerType WHERE {
          resolution:gia-lai-04-nq-tu-2022 a dx:PartyResolution ;
              dx:documentNumber ?number ; dx:issuedOn ?date ; dx:issuedBy ?issuer ;
              dx:concerns province:gia-lai ; dcterms:source source:article-004-gia-lai .
          ?issuer rdfs:label ?issuerLabel ; a ?issuerType .
          FILTER(LANG(?issuerLabel) = "vi")
        }""")
    assert rows == [{"number": "04-NQ/TU", "date": "2022-01-20", "issuerLabel": "Tỉnh ủy Gia Lai",
                     "issuerType": DX + "PartyCommittee"}]
    assert ask(store, 'ASK { resolution:gia-lai-04-nq-tu-2022 dx:issuedOn "2022-01-20"^^xsd:date ; '
                      'dx:issuedBy body:gia-lai-tinh-uy }')


def test_gia_lai_plan_189_implements_decision_06(store: ox.Store) -> None:
    assert ask(store, """ASK {
        plan:gia-lai-189-kh-ubnd-2022 dx:implements decision:06-qd-ttg-2022 ;
            dx:issuedBy body:gia-lai-ubnd ; dx:issuedOn "2022-01-26"^^xsd:date .
        decision:06-qd-ttg-2022 dx:documentNumber "06/QĐ-TTg" ; dx:issuedBy body:thu-tuong }""")


# --- Rankings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "rank"), [("2020", 28), ("2021", 17)])
def test_hau_giang_dti_rank_stated_by_the_article_and_the_reference(store: ox.Store, year: str, rank: int) -> None:
    rows = select(store, f"""
        SELECT ?g ?rank ?outOf WHERE {{
          GRAPH ?g {{ ?r a dx:Ranking ; dx:province province:hau-giang ; dx:index index:dti ;
                         dx:editionYear "{year}"^^xsd:gYear ; dx:rank ?rank ; dx:outOf ?outOf }}
          FILTER NOT EXISTS {{ ?r dx:pillar ?pillar }}
        }} ORDER BY ?g""")
    assert rows == [
        {"g": GRAPH + "article-001-hau-giang", "rank": rank, "outOf": 63},
        {"g": GRAPH + "index-observations", "rank": rank, "outOf": 63},
    ]


def test_dti_2022_table_ranks_all_63_units(store: ox.Store) -> None:
    rows = select(store, """
        SELECT (COUNT(DISTINCT ?p) AS ?provinces) (MIN(?rank) AS ?first) (MAX(?rank) AS ?last) WHERE {
          GRAPH graph:dti-2022-rank { ?r a dx:Ranking ; dx:province ?p ; dx:rank ?rank ; dx:outOf 63 }
          collection:provincial-units-63 skos:member ?p .
        }""")
    assert rows == [{"provinces": 63, "first": 1, "last": 63}]


# --- Achievements: numbers as written ---------------------------------------------------------------


def test_kien_giang_procedures_and_fully_online_services(store: ox.Store) -> None:
    rows = select(store, """
        SELECT ?indicator ?value ?observed WHERE {
          ?a a dx:Achievement ; dx:province province:kien-giang ; dx:indicator ?indicator ;
             dx:value ?value ; dx:observedOn ?observed ; dx:unit unit:count .
          VALUES ?indicator { indicator:admin-procedures-count indicator:fully-online-services-count }
        } ORDER BY ?indicator""")
    assert rows == [
        {"indicator": ID + "indicator/admin-procedures-count", "value": 1925, "observed": "2023-12"},
        {"indicator": ID + "indicator/fully-online-services-count", "value": 1414, "observed": "2023-12"},
    ]
    assert ask(store, 'ASK { achievement:kien-giang-admin-procedures-count-2023-12 dx:value "1925"^^xsd:integer }')


def test_vietnamese_decimal_comma_read_as_a_point(store: ox.Store) -> None:
    """"98,96%" is 98.96."""
    value = scalar(store, "SELECT ?v WHERE { achievement:gia-lai-on-time-settlement-share-2022-q1 dx:value ?v }")
    assert value == Decimal("98.96")
    assert ask(store, 'ASK { achievement:gia-lai-on-time-settlement-share-2022-q1 dx:value "98.96"^^xsd:decimal ; '
                      'dx:unit unit:percent }')


def test_vietnamese_thousands_dot_read_as_grouping(store: ox.Store) -> None:
    """"400.345" is 400345, not 400.345."""
    assert scalar(store, "SELECT ?v WHERE { achievement:gia-lai-e-documents-count-2022-q1 dx:value ?v }") == 400345
    assert scalar(store, "SELECT ?v WHERE { achievement:gia-lai-one-stop-records-received-count-2022-q1 "
                         "dx:value ?v }") == 95289


@pytest.mark.parametrize("prop", NUMERIC_PROPERTIES)
def test_numbers_are_typed(store: ox.Store, prop: str) -> None:
    rows = select(store, f"""
        SELECT ?s ?o WHERE {{ ?s dx:{prop} ?o
          FILTER(!isLiteral(?o) || DATATYPE(?o) NOT IN (xsd:integer, xsd:decimal)) }}""")
    assert rows == [], f"dx:{prop} values that are not xsd:integer/xsd:decimal: {rows[:5]}"


def test_no_string_typed_values(store: ox.Store) -> None:
    assert not ask(store, """ASK { VALUES ?p { dx:value dx:targetValue dx:rank }
        ?s ?p ?o FILTER(DATATYPE(?o) = xsd:string) }""")


def test_ranks_and_counts_are_integers(store: ox.Store) -> None:
    assert not ask(store, """ASK { VALUES ?p { dx:rank dx:outOf dx:rankChange dx:communeLevelUnitCount }
        ?s ?p ?o FILTER(DATATYPE(?o) != xsd:integer) }""")
    assert not ask(store, "ASK { ?t dx:targetValue ?o FILTER(DATATYPE(?o) != xsd:decimal) }")


# --- Administrative units and the 2025 merger ------------------------------------------------------


def test_kien_giang_merged_into_the_new_an_giang(store: ox.Store) -> None:
    assert ask(store, "ASK { province:kien-giang dx:mergedInto province:an-giang-2025 }")
    rows = select(store, """
        SELECT ?change ?date ?basis ?number WHERE {
          ?change a dx:AdministrativeChange ; dx:abolishedUnit province:kien-giang ;
              dx:establishedUnit province:an-giang-2025 ; dx:changeDate ?date ; dx:legalBasis ?basis .
          ?basis dx:documentNumber ?number .
        }""")
    assert rows == [{"change": ID + "change/2025-07-01-an-giang-2025", "date": "2025-07-01",
                     "basis": ID + "resolution/202-2025-qh15", "number": "202/2025/QH15"}]
    assert ask(store, 'ASK { province:an-giang-2025 dx:validFrom "2025-07-01"^^xsd:date ; skos:notation "91" ; '
                      'dx:seatInFormerUnit province:kien-giang . '
                      'province:kien-giang dx:validUntil "2025-06-30"^^xsd:date }')


def test_63_units_in_the_pre_2025_collection(store: ox.Store) -> None:
    assert scalar(store, "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { collection:provincial-units-63 skos:member ?u }") \
        == 63
    # every member is either valid to 2025-06-30 (merged), unchanged (also a member of the 34), or
    # Thừa Thiên Huế, which became the city of Huế on 2025-01-01
    rows = select(store, """
        SELECT ?u ?until WHERE {
          collection:provincial-units-63 skos:member ?u .
          OPTIONAL { ?u dx:validUntil ?until }
          FILTER NOT EXISTS { ?u dx:validUntil "2025-06-30"^^xsd:date }
          FILTER NOT EXISTS { collection:provincial-units-34 skos:member ?u }
        }""")
    assert rows == [{"u": ID + "province/thua-thien-hue", "until": "2024-12-31"}]
    merged = scalar(store, """SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {
        collection:provincial-units-63 skos:member ?u . ?u dx:validUntil "2025-06-30"^^xsd:date }""")
    unchanged = scalar(store, """SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {
        collection:provincial-units-63 skos:member ?u . collection:provincial-units-34 skos:member ?u }""")
    assert (merged, unchanged, merged + unchanged + 1) == (52, 10, 63)


def test_34_units_from_2025_07_01(store: ox.Store) -> None:
    assert scalar(store, "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { collection:provincial-units-34 skos:member ?u }") \
        == 34


UNITS_IN_SERVICE = """
    SELECT DISTINCT ?u WHERE {{
      ?u a ?c . ?c rdfs:subClassOf* dx:ProvincialUnit .
      OPTIONAL {{ ?u dx:validFrom ?from }}
      OPTIONAL {{ ?u dx:validUntil ?until }}
      FILTER(COALESCE(?from <= "{day}"^^xsd:date, true) && COALESCE(?until >= "{day}"^^xsd:date, true))
    }}"""


@pytest.mark.parametrize(("day", "collection", "count"), [
    ("2024-12-31", "provincial-units-63", 63),
    ("2025-07-01", "provincial-units-34", 34),
])
def test_validity_agrees_with_the_collections(store: ox.Store, day: str, collection: str, count: int) -> None:
    in_service = {r["u"] for r in select(store, UNITS_IN_SERVICE.format(day=day))}
    members = {r["u"] for r in select(store, f"SELECT ?u WHERE {{ collection:{collection} skos:member ?u }}")}
    assert len(in_service) == count
    assert in_service == members


def test_63_units_on_2025_06_30_with_hue_as_a_city(store: ox.Store) -> None:
    in_service = {r["u"] for r in select(store, UNITS_IN_SERVICE.format(day="2025-06-30"))}
    assert len(in_service) == 63
    assert ID + "province/hue" in in_service and ID + "province/thua-thien-hue" not in in_service


def test_every_merged_unit_has_its_change_event(store: ox.Store) -> None:
    assert not ask(store, """ASK { ?old dx:mergedInto ?new
        FILTER NOT EXISTS { ?c dx:abolishedUnit ?old ; dx:establishedUnit ?new } }""")
    assert not ask(store, """ASK { ?c dx:abolishedUnit ?old ; dx:establishedUnit ?new ;
        dx:changeDate "2025-07-01"^^xsd:date FILTER NOT EXISTS { ?old dx:mergedInto ?new } }""")


# --- Sources and named graphs ------------------------------------------------------------------------


def test_every_graph_cites_only_its_own_source(store: ox.Store) -> None:
    rows = select(store, """
        SELECT ?g ?s ?cited WHERE {
          GRAPH ?g { ?s dcterms:source ?cited }
          FILTER NOT EXISTS { ?cited dx:namedGraph ?g }
        } LIMIT 20""")
    assert rows == [], f"facts citing another graph's source: {rows}"


def test_every_fact_cites_the_source_of_its_graph(store: ox.Store) -> None:
    classes = " ".join(f"dx:{c}" for c in FACT_CLASSES)
    rows = select(store, f"""
        SELECT ?g ?s WHERE {{
          VALUES ?top {{ {classes} }}
          GRAPH ?g {{ ?s a ?c }}
          ?c rdfs:subClassOf* ?top .
          FILTER NOT EXISTS {{ GRAPH ?g {{ ?s dcterms:source ?src }} ?src dx:namedGraph ?g }}
        }} LIMIT 20""")
    assert rows == [], f"facts without the source of their graph: {rows}"


def test_every_data_graph_describes_its_source(store: ox.Store) -> None:
    rows = select(store, """
        SELECT ?g (COUNT(DISTINCT ?src) AS ?sources) WHERE {
          GRAPH ?g { ?x ?p ?o }
          FILTER(?g != graph:ontology)
          OPTIONAL { GRAPH ?g { ?src dx:namedGraph ?g ; dcterms:identifier ?id } }
        } GROUP BY ?g""")
    assert len(rows) >= 12
    assert {r["g"]: r["sources"] for r in rows if r["sources"] != 1} == {}


def test_article_graphs_identify_their_seed_files(store: ox.Store) -> None:
    rows = select(store, """
        SELECT ?g ?source ?identifier WHERE {
          GRAPH ?g { ?source a dx:NewsArticle ; dx:namedGraph ?g ; dcterms:identifier ?identifier }
        } ORDER BY ?g""")
    assert {r["g"]: r["identifier"] for r in rows} == {GRAPH + stem: seed for stem, seed in ARTICLE_SEEDS.items()}
    assert {r["source"] for r in rows} == {ID + "source/" + stem for stem in ARTICLE_SEEDS}
    # the graph of each article is named after its stem and about a seed province
    for stem in ARTICLE_SEEDS:
        assert ask(store, f"ASK {{ GRAPH graph:{stem} {{ source:{stem} dx:about ?p ; dcterms:language \"vi\" }} }}")


def test_no_triple_is_stated_in_two_graphs(store: ox.Store) -> None:
    assert not ask(store, """ASK { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } FILTER(?g1 != ?g2) }""")


def test_every_entity_has_vi_and_en_labels(store: ox.Store) -> None:
    rows = select(store, """
        SELECT DISTINCT ?s WHERE {
          ?s a ?t FILTER(STRSTARTS(STR(?s), "https://w3id.org/dxkg/id/"))
          FILTER NOT EXISTS { ?s rdfs:label ?vi FILTER(LANG(?vi) = "vi") ?s rdfs:label ?en FILTER(LANG(?en) = "en") }
        } LIMIT 20""")
    assert rows == []


def test_no_dangling_entity_references(store: ox.Store) -> None:
    rows = select(store, """
        SELECT DISTINCT ?o WHERE {
          ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "https://w3id.org/dxkg/id/"))
          FILTER NOT EXISTS { ?o a ?type }
        } LIMIT 20""")
    assert rows == [], f"IRIs used but never described: {rows}"
