"""Long lists on entity pages over real HTTP, on a small graph built for it: a partner with more agreements
than a hub page shows, the first rows with the total and a link, the complete list page by page, and the
machine-readable twins uncapped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox
import pytest

from dxkg import view_query
from dxkg.config import Settings
from dxkg.lists import HUB_ROWS, PAGE_ROWS, Shown, Window
from dxkg.namespaces import DX, ID
from dxkg.store import build

from conftest import LiveServer
from test_pages import Page, rows_of

HTML = {"Accept": "text/html"}
AGREEMENTS = 130  # more than a hub page shows, and more than one page of the complete list
SYSTEMS = 40
BRANCH_EVERY = 3  # every third agreement is signed by the partner's branch
PREFIXES = """\
@prefix dx: <https://w3id.org/dxkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix partner: <https://w3id.org/dxkg/id/partner/> .
@prefix province: <https://w3id.org/dxkg/id/province/> .
@prefix agreement: <https://w3id.org/dxkg/id/agreement/> .
@prefix system: <https://w3id.org/dxkg/id/system/> .
@prefix platform: <https://w3id.org/dxkg/id/platform/> .
@prefix source: <https://w3id.org/dxkg/id/source/> .
"""


def start_of(i: int) -> str:
    """The start of agreement i: fifteen different years, so that the order is by date, then IRI."""
    return f"{2010 + i % 15}-01-01"


def hub_graph() -> str:
    """A partner (and its branch) with AGREEMENTS agreements in one province and SYSTEMS systems it provides."""
    lines = [PREFIXES, """
partner:acme a dx:Partner ; rdfs:label "Công ty Acme"@vi, "Acme"@en .
partner:acme-north a dx:Partner ; rdfs:label "Acme miền Bắc"@vi, "Acme North"@en ; org:subOrganizationOf partner:acme .
province:alpha a dx:Province ; rdfs:label "Tỉnh Alpha"@vi, "Alpha"@en .
platform:portal a dx:PlatformKind ; rdfs:label "Cổng thông tin"@vi, "Portal"@en .
source:test-article a dx:NewsArticle ; rdfs:label "Bài báo thử"@vi, "Test article"@en .
"""]
    for i in range(AGREEMENTS):
        party = "partner:acme-north" if i % BRANCH_EVERY == 0 else "partner:acme"
        lines.append(f"""agreement:acme-{i:03d} a dx:Agreement ; rdfs:label "Thỏa thuận {i:03d}"@vi, "Agreement {i:03d}"@en ;
    dx:partner {party} ; dx:party {party} ; dx:province province:alpha ;
    dx:periodStart "{start_of(i)}"^^xsd:date ; dcterms:source source:test-article .""")
    for i in range(SYSTEMS):
        lines.append(f"""system:alpha-portal-{i:02d} a dx:InformationSystem ; rdfs:label "Cổng {i:02d}"@vi ;
    dx:province province:alpha ; dx:platformKind platform:portal ; dx:providedBy partner:acme ;
    dcterms:source source:test-article .""")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("hub")
    (root / "data").mkdir()
    (root / "data" / "hub.ttl").write_text(hub_graph())
    settings = Settings(data_dir=root / "data", var_dir=root / "var")
    build(settings)
    with LiveServer(settings) as server:
        yield server


@pytest.fixture()
def client(hub_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub_server.url, timeout=30) as c:
        yield c


def page(client: httpx.Client, path: str, **params: str) -> Page:
    response = client.get(path, params=params or None, headers=HTML)
    assert response.status_code == 200, (path, response.status_code)
    return Page(response.text)


def agreements_in_order() -> list[str]:
    """The partner's agreements as its page orders them: by start date, then IRI."""
    iris = [f"{ID}agreement/acme-{i:03d}" for i in range(AGREEMENTS)]
    return ["/" + iri.removeprefix("https://w3id.org/dxkg/")
            for iri in sorted(iris, key=lambda iri: (start_of(int(iri[-3:])), iri))]


def agreement_links(table) -> list[str]:
    return [tr.find("th").find("a").attrs["href"] for tr in rows_of(table)]


def test_partner_page_shows_the_first_agreements_the_total_and_a_link_to_all(client: httpx.Client) -> None:
    doc = page(client, "/id/partner/acme")
    section = doc.root.find("section", **{"aria-labelledby": "agreements"})
    assert section.find("span", class_="badge").text == str(AGREEMENTS)
    shown = agreement_links(section.find("table"))
    assert shown == agreements_in_order()[:HUB_ROWS]
    more = section.find("p", class_="more")
    assert f"{HUB_ROWS} trên {AGREEMENTS}" in more.text
    assert more.find("a").attrs["href"] == "/id/partner/acme/agreements"
    # The party named is the partner itself, or its branch when the branch signed.
    first = rows_of(section.find("table"))[0]
    assert first.find_all("a", href="/id/partner/acme-north") or first.find_all("a", href="/id/partner/acme")


def test_the_link_leads_to_every_agreement_page_by_page(client: httpx.Client) -> None:
    first = page(client, "/id/partner/acme/agreements")
    assert first.root.find("p", class_="kicker").find("a").attrs["href"] == "/id/partner/acme"
    listed = agreement_links(first.root.find("section", class_="list-rows").find("table"))
    assert len(listed) == PAGE_ROWS
    next_link = first.root.find("nav", class_="pager").find("a", rel="next").attrs["href"]
    assert parse_qs(urlsplit(next_link).query)["page"] == ["2"]
    second = Page(client.get(next_link, headers=HTML).text)
    listed += agreement_links(second.root.find("section", class_="list-rows").find("table"))
    assert listed == agreements_in_order()  # every one, once, in the hub page's order
    assert second.root.find("nav", class_="pager").find("a", rel="prev")
    assert "101–130" in second.root.find("header", class_="page-head").text
    assert client.get("/id/partner/acme/agreements", params={"page": "3"}, headers=HTML).status_code == 404
    assert client.get("/id/partner/acme/agreements", params={"page": "0"}, headers=HTML).status_code == 400
    assert client.get("/id/partner/acme/nothing", headers=HTML).status_code == 404


def test_systems_and_generic_links_are_capped_with_their_complete_lists(client: httpx.Client) -> None:
    doc = page(client, "/id/partner/acme", lang="en")
    systems = doc.root.find("section", **{"aria-labelledby": "systems"})
    assert len(rows_of(systems.find("table"))) == HUB_ROWS
    assert systems.find("p", class_="more").find("a").attrs["href"] == "/id/partner/acme/systems"
    assert f"Showing {HUB_ROWS} of {SYSTEMS}" in systems.find("p", class_="more").text
    # The generic description counts the agreements pointing to the partner and links to all of them.
    facts = doc.root.find("section", class_="all-facts")
    [partner_of] = [d for d in facts.find_all("details", class_="incoming") if "dx:partner" in d.text]
    count = sum(1 for i in range(AGREEMENTS) if i % BRANCH_EVERY)
    assert partner_of.find("span", class_="badge").text == str(count)
    href = partner_of.find("p", class_="more").find("a").attrs["href"]
    assert href == "/id/partner/acme/linked-from?property=dx%3Apartner"
    linked = page(client, href).root.find("section", class_="list-rows").find_all("a")
    assert [a.attrs["href"] for a in linked] == sorted(f"/id/agreement/acme-{i:03d}"
                                                       for i in range(AGREEMENTS) if i % BRANCH_EVERY)


def test_province_page_caps_its_lists_and_counts_all(client: httpx.Client) -> None:
    doc = page(client, "/id/province/alpha")
    glance = doc.root.find("nav", class_="glance")
    assert f"{SYSTEMS} " in glance.text
    partners = doc.root.find("section", **{"aria-labelledby": "partners"})
    assert len(rows_of(partners.find("table"))) == HUB_ROWS
    assert partners.find("p", class_="more").find("a").attrs["href"] == "/id/province/alpha/agreements"
    platforms = doc.root.find("section", **{"aria-labelledby": "platforms"})
    assert platforms.find("span", class_="badge").text == str(SYSTEMS)  # the kind's heading counts them all
    assert len(platforms.find_all("li")) == HUB_ROWS
    systems = page(client, "/id/province/alpha/systems")
    assert len(systems.root.find("section", class_="list-rows").find_all("li")) == SYSTEMS


def test_twins_describe_every_link_and_the_page_embeds_the_entity_itself(client: httpx.Client) -> None:
    twin = {q.triple for q in ox.parse(client.get("/id/partner/acme.nt").content, format=ox.RdfFormat.N_TRIPLES)}
    acme = ox.NamedNode(ID + "partner/acme")
    pointing = {t.subject.value for t in twin if t.object == acme}
    assert {f"{ID}agreement/acme-{i:03d}" for i in range(AGREEMENTS) if i % BRANCH_EVERY} <= pointing
    response = client.get("/id/partner/acme", headers=HTML)
    [block] = [line for line in response.text.splitlines() if line.startswith('<script type="application/ld+json">')]
    data = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    embedded = {q.triple for q in ox.parse(data.encode(), format=ox.RdfFormat.JSON_LD)}
    own = {t for t in twin if t.subject == acme}
    assert own <= embedded <= twin
    assert not any(t.object == acme for t in embedded)  # too many to embed: the twin has them
    assert ox.Triple(acme, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Acme", language="en")) in embedded


def test_window_and_shown() -> None:
    assert Window.page(1) == Window(0, PAGE_ROWS)
    assert Window.page(3, 10).cut(list(range(100))) == list(range(20, 30))
    rows = Shown(("a", "b"), 5, 2)
    assert (rows.first, rows.last, rows.complete, list(rows), rows[1]) == (3, 4, False, ["a", "b"], "b")
    assert Shown(("a",), 1).complete and not Shown((), 0)


def test_page_queries_bind_values_not_text() -> None:
    query = view_query.bound("SELECT ?s WHERE { ?s ?p ?o }", {"o": ["https://example.org/a", "https://example.org/b"]})
    assert query == ("SELECT ?s WHERE { VALUES ?o { <https://example.org/a> <https://example.org/b> } "
                     "?s ?p ?o }")
    with pytest.raises(ValueError):
        view_query.bound("SELECT ?s WHERE { ?s ?p ?o }", {"o": "https://example.org/> } ; DROP ALL ; #"})
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(ID + "x"), ox.NamedNode(DX + "province"), ox.NamedNode(ID + "p"),
                      ox.NamedNode("https://w3id.org/dxkg/graph/g")))
    assert [r["s"].value for r in view_query.select(store, "SELECT ?s WHERE { ?s dx:province ?p }", p=ID + "p")] \
        == [ID + "x"]


def test_hub_graph_is_valid_turtle(tmp_path: Path) -> None:
    path = tmp_path / "hub.ttl"
    path.write_text(hub_graph())
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    assert len(store) > AGREEMENTS * 7


@pytest.mark.parametrize("path", [
    "/id/province/gia-lai/documents", "/id/province/gia-lai/agreements", "/id/province/gia-lai/systems",
    "/id/province/gia-lai/targets", "/id/province/gia-lai/results", "/id/province/hau-giang/rankings?index=index:dti",
    "/id/partner/vnpt/agreements", "/id/partner/vnpt/systems", "/id/platform/lgsp/systems",
    "/id/indicator/work-records-online-share/targets", "/id/indicator/work-records-online-share/results",
    "/id/index/dti/editions", "/id/index/dti/histories", "/id/resolution/gia-lai-04-nq-tu-2022/targets",
    "/id/decision/06-qd-ttg-2022/implemented-by", "/id/province/gia-lai/linked-from?property=dx:province",
    "/id/province/gia-lai/values?property=rdfs:label", "/id/province/gia-lai/graphs",
])
def test_every_complete_list_of_the_real_pages(http: httpx.Client, path: str) -> None:
    response = http.get(path, headers=HTML)
    assert response.status_code == 200, path
    doc = Page(response.text)
    assert doc.inline == []
    rows = doc.root.find("section", class_="list-rows")
    empty = "Danh sách trống." in doc.root.find("header", class_="page-head").text
    assert empty or rows.find_all("a") or rows.find_all("span", class_="literal")


def test_index_page_links_every_edition_to_its_ranks(http: httpx.Client) -> None:
    doc = Page(http.get("/id/index/dti", headers=HTML).text)
    links = [a.attrs["href"] for a in doc.root.find("nav", class_="glance").find_all("a")]
    on_page = [href for href in links if href.startswith("#")]
    assert "#edition-edition-2022" in on_page and doc.root.find("table", id="ranks-edition-2022")
    elsewhere = [href for href in links if not href.startswith("#")]
    assert elsewhere, "the older editions have their own pages"
    for href in elsewhere:
        edition = Page(http.get(href, headers=HTML).text)
        assert edition.root.find("table", class_="ranks")


def test_a_list_of_another_kind_of_page_is_not_found(http: httpx.Client) -> None:
    assert http.get("/id/person/dang-quang-khanh/agreements", headers=HTML).status_code == 404
    assert http.get("/id/province/khong-ton-tai/agreements", headers=HTML).status_code == 404
    assert http.get("/id/province/gia-lai/linked-from", headers=HTML).status_code == 400
    assert http.get("/id/province/gia-lai/linked-from", params={"property": "no such"},
                    headers=HTML).status_code == 400
