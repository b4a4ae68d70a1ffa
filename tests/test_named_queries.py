"""The named queries of queries/*.rq: headers, parameters, and concrete answers on the real data.

Each query is run the way the server runs it: Catalog.from_dir + NamedQuery.bind (the example
values, overridden by explicit ones; an empty value leaves an optional parameter out) +
dxkg.sparql.execute on the real store.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from dxkg.namespaces import GRAPH, ID, PREFIXES
from dxkg.queries import Catalog
from dxkg.sparql import QueryRequest, execute

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
CATALOG = Catalog.from_dir(QUERIES_DIR)
NAMES = [q.name for q in CATALOG]
XSD = "http://www.w3.org/2001/XMLSchema#"
DX = "https://w3id.org/dxkg/ontology#"

REQUIRED_QUERIES = {
    "documents-by-province", "targets-by-year", "targets-vs-achievements", "agreements-by-province",
    "provinces-with-vnpt-and-viettel", "platforms-by-province", "provinces-with-platform",
    "ranking-history", "province-successor", "fact-sources",
}


def iri(curie: str) -> str:
    """`province:gia-lai` -> full IRI (entity prefixes and graph: only)."""
    prefix, _, local = curie.partition(":")
    if prefix == "graph":
        return GRAPH + local
    if prefix == "dx":
        return DX + local
    return f"{ID}{prefix}/{local}"


def py(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> object:
    """A result term as a plain Python value: IRIs and strings as str, numbers as int/Decimal."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "integer":
            return int(term.value)
        if datatype == XSD + "decimal":
            return Decimal(term.value)
        if datatype == XSD + "boolean":
            return term.value == "true"
    return term.value


def run(store: ox.Store, name: str, **values: str) -> list[dict[str, object]]:
    """Rows of a named query bound with its example values overridden by `values`."""
    query = CATALOG.get(name)
    bound = query.bind({**query.example_values(), **values})
    result = execute(store, QueryRequest(query.text, substitutions=bound))
    variables = [v.value for v in result.variables]
    return [{v: py(row[v]) for v in variables} for row in result]


def pick(rows: list[dict[str, object]], **match: object) -> list[dict[str, object]]:
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def one(rows: list[dict[str, object]], **match: object) -> dict[str, object]:
    found = pick(rows, **match)
    assert len(found) == 1, f"expected one row matching {match}, got {len(found)}"
    return found[0]


# --- Generic checks on every query file ----------------------------------------------------------


def test_catalogue_has_the_required_queries() -> None:
    assert len(CATALOG) >= 18
    assert set(NAMES) >= REQUIRED_QUERIES


@pytest.mark.parametrize("name", NAMES)
def test_header_has_title_description_and_vietnamese_first_sentence(name: str) -> None:
    query = CATALOG.get(name)
    assert query.title.strip()
    assert query.description.strip()
    first_sentence = query.description.split(". ")[0]
    assert re.search(r"[^\x00-\x7f]", first_sentence), f"{name}: description should open with the Vietnamese title"
    assert query.tags


@pytest.mark.parametrize("name", NAMES)
def test_every_param_is_a_projected_variable(name: str) -> None:
    query = CATALOG.get(name)
    select = re.search(r"\bSELECT\b(.*?)\bWHERE\b", query.text, re.S | re.I)
    assert select, f"{name}: no SELECT ... WHERE"
    for param in query.parameters:
        assert re.search(rf"[?$]{param.name}\b", query.text), f"{name}: ?{param.name} not in the query"
        # pyoxigraph substitutes only variables of the outer projection
        assert re.search(rf"[?$]{param.name}\b", select.group(1)), f"{name}: ?{param.name} not projected"
        assert param.example, f"{name}: parameter {param.name} has no example"


@pytest.mark.parametrize("name", NAMES)
def test_every_query_answers_its_example(store: ox.Store, name: str) -> None:
    assert run(store, name), f"{name} returned no row for its example parameters"


@pytest.mark.parametrize("name", [q.name for q in CATALOG if any(not p.required for p in q.parameters)])
def test_optional_params_left_out_mean_all(store: ox.Store, name: str) -> None:
    query = CATALOG.get(name)
    unset = {p.name: "" for p in query.parameters if not p.required}
    assert len(run(store, name, **unset)) >= len(run(store, name))


@pytest.mark.parametrize("name", NAMES)
def test_results_are_ordered(name: str) -> None:
    assert re.search(r"\bORDER BY\b", CATALOG.get(name).text), f"{name}: results need a deterministic order"


def test_readme_lists_every_named_query() -> None:
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    text = readme.read_text(encoding="utf-8")
    # listed as `name`, or as a link or path: /queries/name, name.rq ("sources" alone is just a word)
    listed = {n for n in NAMES if re.search(rf"(`{n}`|queries/{n}(?![\w-])|(?<![\w-]){n}\.rq)", text)}
    missing = [name for name in NAMES if name not in listed]
    assert not missing, f"README.md does not list (as `name`): {', '.join(missing)}"


# --- Concrete answers ------------------------------------------------------------------------------


def test_documents_by_province(store: ox.Store) -> None:
    rows = run(store, "documents-by-province", province="province:gia-lai")
    row = one(rows, document=iri("resolution:gia-lai-04-nq-tu-2022"))
    assert row["issuedOn"] == "2022-01-20"
    assert row["number"] == "04-NQ/TU"
    assert row["issuer"] == iri("body:gia-lai-tinh-uy")
    assert row["issuerLabel_vi"] == "Tỉnh ủy Gia Lai"
    assert row["type"] == iri("dx:PartyResolution")
    plan = one(rows, document=iri("plan:gia-lai-189-kh-ubnd-2022"))
    assert plan["implements"] == iri("decision:06-qd-ttg-2022")
    assert plan["issuedOn"] == "2022-01-26"
    assert {r["province"] for r in rows} == {iri("province:gia-lai")}
    everywhere = run(store, "documents-by-province", province="")
    assert {iri(f"province:{p}") for p in ("an-giang", "hau-giang", "kien-giang", "tien-giang", "gia-lai")} \
        <= {r["province"] for r in everywhere}
    # a project concerning two communes of Hậu Giang is listed once
    assert len(pick(everywhere, document=iri("project:hau-giang-thi-diem-chuyen-doi-so-cap-xa"))) == 1


def test_targets_by_year(store: ox.Store) -> None:
    rows = run(store, "targets-by-year", year="2025", province="province:gia-lai")
    commune = one(rows, target=iri("target:gia-lai-2025-work-records-online-share-commune"))
    assert commune["value"] == Decimal("60")
    assert commune["unit"] == iri("unit:percent")
    assert commune["comparison"] == iri("comparison:exactly")
    assert commune["level"] == iri("level:commune")
    assert commune["setBy"] == iri("resolution:gia-lai-04-nq-tu-2022")
    productivity = one(rows, target=iri("target:gia-lai-2025-labour-productivity-growth"))
    assert (productivity["value"], productivity["valueMax"]) == (Decimal("5"), Decimal("10"))
    assert productivity["comparison"] == iri("comparison:between")
    assert {r["year"] for r in rows} == {"2025"}
    rows_2030 = run(store, "targets-by-year", year="2030", province="")
    rank = one(rows_2030, target=iri("target:tien-giang-2030-digital-transformation-rank"))
    assert (rank["value"], rank["comparison"], rank["unit"]) == (
        Decimal("20"), iri("comparison:at-most"), iri("unit:rank"))


def test_targets_vs_achievements(store: ox.Store) -> None:
    rows = run(store, "targets-vs-achievements", province="province:gia-lai")
    district = one(rows, target=iri("target:gia-lai-2025-video-conference-coverage-district"))
    assert district["targetValue"] == Decimal("100")
    assert district["achievement"] == iri("achievement:gia-lai-video-conference-coverage-2022-04")
    assert district["achievedValue"] == Decimal("98")
    assert district["achievedOn"] == "2022-04"
    no_result = one(rows, target=iri("target:gia-lai-2030-e-payment-account-share"))
    assert no_result["achievement"] is None
    # every target of the province is listed, with or without an achievement
    assert len(rows) == len(run(store, "targets-by-year", year="2025", province="province:gia-lai")) + len(
        run(store, "targets-by-year", year="2030", province="province:gia-lai"))


def test_agreements_by_province(store: ox.Store) -> None:
    rows = run(store, "agreements-by-province", province="province:an-giang")
    assert {r["agreement"] for r in rows} == {
        iri("agreement:an-giang-vnpt-2016-2020"), iri("agreement:an-giang-vnpt-2020-2025"),
        iri("agreement:an-giang-viettel-2020-2025")}
    first = one(rows, agreement=iri("agreement:an-giang-vnpt-2016-2020"))
    assert (first["partner"], first["periodStart"], first["periodEnd"]) == (iri("partner:vnpt"), "2016", "2020")
    gia_lai = run(store, "agreements-by-province", province="province:gia-lai")
    vess = one(gia_lai, agreement=iri("agreement:gia-lai-viettel-gia-lai-2022-2026"))
    assert vess["partner"] == iri("partner:viettel-gia-lai")
    assert vess["parentPartner"] == iri("partner:viettel")
    post = one(gia_lai, agreement=iri("agreement:gia-lai-buu-dien-gia-lai-2022"))
    assert post["signedOn"] == "2022-04-13"


def test_provinces_with_vnpt_and_viettel(store: ox.Store) -> None:
    rows = run(store, "provinces-with-vnpt-and-viettel")
    assert {r["province"] for r in rows} == {iri("province:an-giang"), iri("province:hau-giang")}
    an_giang = one(rows, province=iri("province:an-giang"))
    assert an_giang["provinceLabel_vi"] == "An Giang"
    assert iri("agreement:an-giang-viettel-2020-2025") in str(an_giang["viettelEvidence"])
    hau_giang = one(rows, province=iri("province:hau-giang"))
    assert hau_giang["provinceLabel_vi"] == "Hậu Giang"
    assert (hau_giang["vnptLinks"], hau_giang["viettelLinks"]) == (1, 1)


def test_platforms_by_province(store: ox.Store) -> None:
    rows = run(store, "platforms-by-province", province="province:hau-giang")
    lgsp = one(rows, system=iri("system:hau-giang-lgsp"))
    assert lgsp["platform"] == iri("platform:lgsp")
    portal = one(rows, system=iri("system:hau-giang-public-service-portal"))
    assert portal["connectedTo"] == iri("system:national-public-service-portal")
    assert {iri("platform:ioc"), iri("platform:soc"), iri("platform:lgsp")} <= {r["platform"] for r in rows}


def test_provinces_with_platform(store: ox.Store) -> None:
    lgsp = run(store, "provinces-with-platform", platform="platform:lgsp")
    assert {r["province"] for r in lgsp} == {iri("province:hau-giang"), iri("province:kien-giang")}
    assert one(lgsp, system=iri("system:kien-giang-lgsp"))["connectedTo"] == iri("system:ndxp")
    ioc = run(store, "provinces-with-platform", platform="platform:ioc")
    assert {iri("province:an-giang"), iri("province:hau-giang"), iri("province:gia-lai")} \
        <= {r["province"] for r in ioc}


def test_ranking_history(store: ox.Store) -> None:
    rows = run(store, "ranking-history", province="province:hau-giang", index="index:dti")
    triples = {(r["year"], r["rank"], r["outOf"]) for r in rows}
    assert {("2020", 28, 63), ("2021", 17, 63)} <= triples
    # both statements of the 2020 rank stay, each with its own source and graph
    rank_2020 = pick(rows, year="2020", rank=28)
    assert {(r["source"], r["graph"]) for r in rank_2020} == {
        (iri("source:article-001-hau-giang"), iri("graph:article-001-hau-giang")),
        (iri("source:index-observations"), iri("graph:index-observations"))}
    assert one(rows, year="2022")["source"] == iri("source:dti-2022-rank")
    every_index = run(store, "ranking-history", province="province:hau-giang", index="")
    assert one(every_index, index=iri("index:ict-index"), year="2020")["rank"] == 32
    gia_lai = run(store, "ranking-history", province="province:gia-lai", index="index:dti")
    published = one(gia_lai, ranking=iri("ranking:gia-lai-dti-2021-a004"))
    assert (published["year"], published["yearKind"], published["rank"]) == ("2021", "published", 19)


def test_province_successor(store: ox.Store) -> None:
    rows = run(store, "province-successor", province="province:kien-giang")
    row = one(rows)
    assert row["successor"] == iri("province:an-giang-2025")
    assert row["changeDate"] == "2025-07-01"
    assert row["change"] == iri("change:2025-07-01-an-giang-2025")
    assert row["legalBasis"] == iri("resolution:202-2025-qh15")
    assert row["legalBasisNumber"] == "202/2025/QH15"
    assert row["otherUnit"] == iri("province:an-giang")
    assert row["successorCode"] == "91"
    assert row["seat"] == iri("province:kien-giang")
    hau_giang = run(store, "province-successor", province="province:hau-giang")
    assert {r["successor"] for r in hau_giang} == {iri("province:can-tho-2025")}
    assert {r["otherUnit"] for r in hau_giang} == {iri("province:can-tho"), iri("province:soc-trang")}
    hue = one(run(store, "province-successor", province="province:thua-thien-hue"))
    assert (hue["successor"], hue["changeDate"], hue["legalBasis"]) == (iri("province:hue"), "2025-01-01", None)


def test_fact_sources(store: ox.Store) -> None:
    rows = run(store, "fact-sources", fact="ranking:hau-giang-dti-2020-a001")
    row = one(rows)
    assert row["graph"] == iri("graph:article-001-hau-giang")
    assert row["source"] == iri("source:article-001-hau-giang")
    assert row["identifier"] == "001_256477717902c520.txt"
    assert row["sourceType"] == iri("dx:NewsArticle")
    kien_giang = one(run(store, "fact-sources", fact="achievement:kien-giang-admin-procedures-count-2023-12"))
    assert kien_giang["issued"] == "2023-12-15T09:50:00"
    assert kien_giang["publisher"] == iri("publisher:bao-kien-giang")
    # a ranking of the DTI 2022 table whose score another reference table adds: two graphs
    can_tho = run(store, "fact-sources", fact="ranking:can-tho-dti-2022")
    assert {r["graph"] for r in can_tho} == {iri("graph:dti-2022-rank"), iri("graph:index-observations")}
    assert one(can_tho, graph=iri("graph:dti-2022-rank"))["citedUrls"] == "https://dti.gov.vn/xep-hang-2022"
    assert one(can_tho, graph=iri("graph:index-observations"))["graphSource"] == iri("source:index-observations")


def test_current_provincial_units(store: ox.Store) -> None:
    rows = run(store, "current-provincial-units")
    assert len(rows) == 34
    assert len({r["code"] for r in rows}) == 34
    an_giang = one(rows, unit=iri("province:an-giang-2025"))
    assert (an_giang["code"], an_giang["validFrom"], an_giang["formerUnitCount"]) == ("91", "2025-07-01", 2)
    assert an_giang["formerUnits_vi"] == "An Giang, Kiên Giang"
    assert one(rows, unit=iri("province:ha-noi"))["code"] == "01"
    assert one(rows, unit=iri("province:hue"))["type"] == iri("dx:Municipality")


def test_dti_2022_ranking(store: ox.Store) -> None:
    rows = run(store, "dti-2022-ranking")
    assert len(rows) == 63
    assert len({r["province"] for r in rows}) == 63
    assert rows[0]["province"] == iri("province:da-nang") and rows[0]["rank"] == 1
    assert one(rows, province=iri("province:hau-giang"))["rank"] == 17
    assert one(rows, province=iri("province:can-tho"))["score"] == Decimal("0.6924")
    ranks = [r["rank"] for r in rows]
    assert ranks == sorted(ranks) and ranks.count(15) == 2 and 16 not in ranks
    assert one(rows, province=iri("province:kien-giang"))["mergedInto"] == iri("province:an-giang-2025")


def test_indicators_catalogue(store: ox.Store) -> None:
    rows = run(store, "indicators-catalogue")
    work_records = one(rows, indicator=iri("indicator:work-records-online-share"))
    assert (work_records["provincesWithTargets"], work_records["targets"]) == (2, 9)
    assert work_records["defaultUnit"] == iri("unit:percent")
    video = one(rows, indicator=iri("indicator:video-conference-coverage"))
    assert (video["targets"], video["achievements"]) == (2, 1)
    assert one(rows, indicator=iri("indicator:admin-procedures-count"))["provincesWithTargets"] == 0
    assert len(rows) == len({r["indicator"] for r in rows})


def test_officials_and_posts(store: ox.Store) -> None:
    rows = run(store, "officials-and-posts", province="province:gia-lai")
    khanh = one(rows, person=iri("person:dang-quang-khanh"))
    assert (khanh["role"], khanh["organisation"]) == (iri("role:vice-director"), iri("body:gia-lai-so-tttt"))
    assert khanh["personName"] == "Đặng Quang Khanh"
    assert one(rows, person=iri("person:pham-nhuan"))["organisation"] == iri("partner:hoi-nong-dan-gia-lai")
    everyone = run(store, "officials-and-posts", province="")
    chair = one(everyone, person=iri("person:dong-van-thanh"))
    assert (chair["province"], chair["role"]) == (iri("province:hau-giang"), iri("role:chair"))
    # a commune official belongs to the province, not also to the district and commune
    assert one(everyone, person=iri("person:le-minh-duong"))["province"] == iri("province:kien-giang")


def test_documents_implementing(store: ox.Store) -> None:
    rows = run(store, "documents-implementing", document="decision:06-qd-ttg-2022")
    row = one(rows)
    assert row["implementing"] == iri("plan:gia-lai-189-kh-ubnd-2022")
    assert (row["number"], row["issuedOn"], row["province"], row["direct"]) == (
        "189/KH-UBND", "2022-01-26", iri("province:gia-lai"), True)
    party = run(store, "documents-implementing", document="resolution:hau-giang-dai-hoi-xix-2021-2025")
    assert one(party)["implementing"] == iri("resolution:hau-giang-02-nq-tu-2020")


def test_achievements_by_province(store: ox.Store) -> None:
    rows = run(store, "achievements-by-province", province="province:kien-giang", indicator="")
    procedures = one(rows, indicator=iri("indicator:admin-procedures-count"))
    assert procedures["value"] == 1925
    assert procedures["observedOn"] == "2023-12"
    assert one(rows, indicator=iri("indicator:fully-online-services-count"))["value"] == 1414
    assert one(rows, indicator=iri("indicator:partially-online-services-count"))["value"] == 864
    dong_yen = one(rows, indicator=iri("indicator:records-received-count"))
    assert (dong_yen["value"], dong_yen["locality"]) == (12884, iri("commune:kien-giang-dong-yen"))
    gia_lai = run(store, "achievements-by-province", province="province:gia-lai", indicator="")
    on_time = one(gia_lai, indicator=iri("indicator:on-time-settlement-share"))
    assert on_time["value"] == Decimal("98.96")
    assert (on_time["periodStart"], on_time["periodEnd"]) == ("2022-01-01", "2022-03-31")
    e_docs = one(gia_lai, indicator=iri("indicator:e-documents-count"))
    assert (e_docs["value"], e_docs["comparison"]) == (400345, iri("comparison:more-than"))


def test_entity_counts(store: ox.Store) -> None:
    rows = run(store, "entity-counts")
    counts = {r["class"]: r["entities"] for r in rows}
    # 63 units to 2025-06-30 + Huế + 23 units formed on 2025-07-01
    assert counts[iri("dx:Province")] + counts[iri("dx:Municipality")] == 87
    assert counts[iri("dx:AdministrativeChange")] == 24
    assert counts[iri("dx:NewsArticle")] == 5
    assert counts[iri("dx:Ranking")] >= 63
    assert one(rows, **{"class": iri("dx:Target")})["classLabel_en"] == "target"


def test_provinces_compared(store: ox.Store) -> None:
    rows = run(store, "provinces-compared")
    by_province = {r["province"]: r for r in rows}
    assert set(by_province) >= {iri(f"province:{p}") for p in
                                ("an-giang", "hau-giang", "kien-giang", "tien-giang", "gia-lai")}
    gia_lai = by_province[iri("province:gia-lai")]
    assert gia_lai["dti2022Rank"] == 62
    assert (gia_lai["documents"], gia_lai["agreements"], gia_lai["targets"]) == (4, 4, 25)
    hau_giang = by_province[iri("province:hau-giang")]
    assert (hau_giang["dti2022Rank"], hau_giang["partners"], hau_giang["targets"]) == (17, 2, 0)
    assert by_province[iri("province:kien-giang")]["achievements"] == 11


def test_targets_by_level(store: ox.Store) -> None:
    rows = run(store, "targets-by-level", indicator="indicator:work-records-online-share", province="", level="")
    an_giang = pick(rows, province=iri("province:an-giang"), year="2025")
    assert [(r["level"], r["value"]) for r in an_giang] == [
        (iri("level:province"), Decimal("90")), (iri("level:district"), Decimal("80")),
        (iri("level:commune"), Decimal("65"))]
    assert one(rows, province=iri("province:gia-lai"), year="2030", level=iri("level:commune"))["value"] == 70
    assert len(rows) == 9
    commune = run(store, "targets-by-level", indicator="indicator:work-records-online-share",
                  province="province:gia-lai", level="level:commune")
    assert [(r["year"], r["value"]) for r in commune] == [("2025", Decimal("60")), ("2030", Decimal("70"))]


def test_ranking_statements_compared(store: ox.Store) -> None:
    rows = run(store, "ranking-statements-compared", province="")
    hau_giang = one(rows, articleRanking=iri("ranking:hau-giang-dti-2020-a001"))
    assert hau_giang["referenceRanking"] == iri("ranking:hau-giang-dti-2020")
    assert (hau_giang["articleRank"], hau_giang["referenceRank"], hau_giang["agree"]) == (28, 28, True)
    # the Gia Lai article gives the publication year 2021 of the 2020 edition
    gia_lai = one(rows, articleRanking=iri("ranking:gia-lai-dti-2021-a004"))
    assert (gia_lai["referenceRanking"], gia_lai["referenceYear"]) == (iri("ranking:gia-lai-dti-2020"), "2020")
    assert all(r["agree"] is True for r in rows)
    assert len({r["articleRanking"] for r in rows}) == 9


def test_sources(store: ox.Store) -> None:
    rows = run(store, "sources")
    articles = pick(rows, type=iri("dx:NewsArticle"))
    assert {r["identifier"] for r in articles} == {
        "000_3fb3b05063157b9a.txt", "001_256477717902c520.txt", "002_e2b2c055c0d1e114.txt",
        "003_bb5ee0d34e5e64b2.txt", "004_70b9b0391aee3797.txt"}
    gia_lai = one(rows, source=iri("source:article-004-gia-lai"))
    assert (gia_lai["graph"], gia_lai["about"], gia_lai["issued"]) == (
        iri("graph:article-004-gia-lai"), iri("province:gia-lai"), "2022-04")
    assert gia_lai["triples"] > 0 and gia_lai["citingEntities"] > 0
    assert len(pick(rows, type=iri("dx:ReferenceDataset"))) == 5


def test_administrative_changes(store: ox.Store) -> None:
    rows = run(store, "administrative-changes-2025", changeDate="2025-07-01")
    assert len(rows) == 23
    assert {r["legalBasisNumber"] for r in rows} == {"202/2025/QH15"}
    can_tho = one(rows, established=iri("province:can-tho-2025"))
    assert can_tho["abolishedCount"] == 3
    assert can_tho["abolished_vi"] == "Cần Thơ, Hậu Giang, Sóc Trăng"
    everything = run(store, "administrative-changes-2025", changeDate="")
    assert everything[0]["change"] == iri("change:2025-01-01-hue")
    assert len(everything) == 24


def test_facts_by_successor_province(store: ox.Store) -> None:
    rows = run(store, "facts-by-successor-province", successor="province:an-giang-2025")
    assert {r["formerUnit"] for r in rows} == {iri("province:an-giang"), iri("province:kien-giang")}
    assert one(rows, formerUnit=iri("province:kien-giang"), kind=iri("dx:Achievement"))["facts"] == 11
    assert one(rows, formerUnit=iri("province:an-giang"), kind=iri("dx:Target"))["facts"] == 11
    gia_lai_2025 = run(store, "facts-by-successor-province", successor="province:gia-lai-2025")
    # the DTI 2024 rank of the new Gia Lai is recorded for the new unit itself
    assert one(gia_lai_2025, formerUnit=iri("province:gia-lai-2025"), kind=iri("dx:Ranking"))["facts"] == 1


def test_national_documents(store: ox.Store) -> None:
    rows = run(store, "national-documents", type="")
    decision = one(rows, document=iri("decision:06-qd-ttg-2022"))
    assert (decision["number"], decision["issuedOn"], decision["implementedBy"]) == ("06/QĐ-TTg", "2022-01-06", 1)
    assert decision["issuer"] == iri("body:thu-tuong")
    merger = one(rows, document=iri("resolution:202-2025-qh15"))
    assert (merger["number"], merger["legalBasisOfChanges"], merger["type"]) == (
        "202/2025/QH15", 23, iri("dx:StateResolution"))
    decisions = run(store, "national-documents", type="dx:Decision")
    assert decisions and {r["type"] for r in decisions} == {iri("dx:Decision")}


def test_connections_to_national_systems(store: ox.Store) -> None:
    rows = run(store, "connections-to-national-systems", connectedTo="")
    lgsp = one(rows, system=iri("system:kien-giang-lgsp"))
    assert (lgsp["connectedTo"], lgsp["national"], lgsp["province"]) == (
        iri("system:ndxp"), True, iri("province:kien-giang"))
    cameras = one(rows, system=iri("system:gia-lai-pleiku-traffic-cameras"))
    assert (cameras["connectedTo"], cameras["national"]) == (iri("system:gia-lai-pleiku-ioc"), False)
    portal = run(store, "connections-to-national-systems")
    assert {r["system"] for r in portal} == {
        iri("system:hau-giang-public-service-portal"), iri("system:kien-giang-procedure-information-system")}


def test_every_query_has_a_concrete_test() -> None:
    tested = {re.sub(r"^test_", "", n).replace("_", "-") for n in globals() if n.startswith("test_")}
    aliases = {"administrative-changes": "administrative-changes-2025"}
    tested |= {aliases[t] for t in tested if t in aliases}
    assert not [n for n in NAMES if n not in tested], "add a concrete test for each named query"


def test_parameters_are_inlined_as_a_values_row_in_the_outer_where() -> None:
    from dxkg.sparql import inline_bindings

    gia_lai = ox.NamedNode(ID + "province/gia-lai")
    year = ox.Literal("2025", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))
    query = ('# a comment with WHERE { in it\nSELECT ?t (" WHERE {" AS ?s) WHERE {\n'
             '  ?t dx:province ?p ; dx:targetYear ?y . { SELECT ?x WHERE { ?x a dx:Target } LIMIT 1 } }')
    inlined = inline_bindings(query, {"p": gia_lai, "y": year})
    assert inlined is not None
    head, _, rest = inlined.partition('AS ?s) WHERE {')
    assert rest.startswith(f' VALUES (?p ?y) {{ (<{gia_lai.value}> "2025"^^<http://www.w3.org/2001/XMLSchema#gYear>) }} ')
    assert inlined.count("VALUES") == 1
    assert inline_bindings("CONSTRUCT WHERE { ?s dx:province ?p }", {"p": gia_lai}) is None
    assert inline_bindings("SELECT * { ?s dx:province ?p }", {"p": gia_lai}) is None


def test_inlined_parameters_answer_as_substitutions_did(store: ox.Store) -> None:
    query = Catalog.from_dir(ROOT / "queries").get("targets-by-year")
    bound = query.bind({"year": "2025", "province": "province:gia-lai"})
    inlined = [tuple(row) for row in execute(store, QueryRequest(query.text, substitutions=bound))]
    plain = [tuple(row) for row in store.query(query.text, use_default_graph_as_union=True, prefixes=PREFIXES,
                                               substitutions={ox.Variable(k): v for k, v in bound.items()})]
    assert inlined and inlined == plain
