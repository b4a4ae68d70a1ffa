"""Linked data over real HTTP: entity pages and descriptions, class listings, the ontology, home."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from dxkg.namespaces import DX, ID

GIA_LAI = ID + "province/gia-lai"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DX_PROVINCE = ox.NamedNode(DX + "province")
RDF_FORMATS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE, "turtle"),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD, "json-ld"),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES, "nt"),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML, "xml"),
}


def triples(response: httpx.Response, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(response.content, format=fmt)}


class Links(HTMLParser):
    """Collects <a href>, <link rel=alternate> and the JSON-LD data block of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.alternates: dict[str, str] = {}
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a.get("type") or ""] = a.get("href") or ""
        self._in_jsonld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)


def parse_html(text: str) -> Links:
    parser = Links()
    parser.feed(text)
    return parser


@pytest.mark.parametrize("name", list(RDF_FORMATS))
def test_entity_negotiates_rdf(http: httpx.Client, name: str) -> None:
    media_type, fmt, _ = RDF_FORMATS[name]
    response = http.get("/id/province/gia-lai", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = triples(response, fmt)
    assert ox.Triple(ox.NamedNode(GIA_LAI), RDFS_LABEL, ox.Literal("Gia Lai", language="vi")) in graph


def test_entity_twins_describe_the_same_graph(http: httpx.Client) -> None:
    graphs = {}
    for name, (media_type, fmt, rdflib_format) in RDF_FORMATS.items():
        response = http.get(f"/id/province/gia-lai.{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        graphs[name] = triples(response, fmt)
        rdflib_graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
        graphs[name + "-rdflib"] = rdflib_graph
    assert graphs["ttl"] == graphs["jsonld"] == graphs["nt"] == graphs["rdf"]
    assert isomorphic(graphs["ttl-rdflib"], graphs["jsonld-rdflib"])
    assert isomorphic(graphs["ttl-rdflib"], graphs["nt-rdflib"])


def test_entity_description_has_incoming_links_and_neighbour_labels(http: httpx.Client) -> None:
    graph = triples(http.get("/id/province/gia-lai.ttl"), ox.RdfFormat.TURTLE)
    target = ox.NamedNode(ID + "target/gia-lai-2025-work-records-online-share-commune")
    assert ox.Triple(target, DX_PROVINCE, ox.NamedNode(GIA_LAI)) in graph
    # The target's, the predicate's and the region's labels travel with the description.
    assert any(t.subject == target and t.predicate == RDFS_LABEL for t in graph)
    assert ox.Triple(DX_PROVINCE, RDFS_LABEL, ox.Literal("tỉnh, thành phố", language="vi")) in graph
    region = ox.NamedNode(ID + "region/central-highlands")
    assert ox.Triple(ox.NamedNode(GIA_LAI), ox.NamedNode(DX + "region"), region) in graph
    assert any(t.subject == region and t.predicate == RDFS_LABEL for t in graph)


def test_entity_format_parameter(http: httpx.Client) -> None:
    for name, (media_type, fmt, _) in RDF_FORMATS.items():
        response = http.get("/id/resolution/gia-lai-04-nq-tu-2022", params={"format": name})
        assert response.headers["content-type"].split(";")[0] == media_type
        issued = [t.object for t in triples(response, fmt)
                  if t.subject.value.endswith("/gia-lai-04-nq-tu-2022") and t.predicate.value == DX + "issuedOn"]
        assert issued == [ox.Literal("2022-01-20", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))]


def test_entity_page_html(http: httpx.Client) -> None:
    response = http.get("/id/province/gia-lai", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Gia Lai</h1>" in response.text
    page = parse_html(response.text)
    assert "/id/target/gia-lai-2025-work-records-online-share-commune" in page.hrefs
    assert "/id/province/gia-lai-2025" in page.hrefs  # dx:mergedInto, an outgoing link
    assert "/ontology#Province" in page.hrefs  # its type, labelled from the ontology
    assert "/id/source/article-004-gia-lai" in page.hrefs  # a graph holding facts about it
    assert "tỉnh, thành phố" in response.text  # dx:province labelled in Vietnamese
    assert set(page.alternates) == {"text/turtle", "application/ld+json", "application/n-triples",
                                    "application/rdf+xml"}
    assert page.alternates["text/turtle"].endswith("/id/province/gia-lai.ttl")
    # The embedded JSON-LD is a data block describing the same entity.
    [block] = page.jsonld
    assert "</" not in block
    embedded = {q.triple for q in ox.parse(block.encode(), format=ox.RdfFormat.JSON_LD)}
    assert embedded == triples(http.get("/id/province/gia-lai.nt"), ox.RdfFormat.N_TRIPLES)


def test_entity_page_english(http: httpx.Client) -> None:
    response = http.get("/id/person/dang-quang-khanh", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert "<h1>Đặng Quang Khanh</h1>" in response.text
    assert ">person</a>" in response.text and "<summary>holder " in response.text


def test_entity_link_headers(http: httpx.Client) -> None:
    response = http.get("/id/province/gia-lai", headers={"Accept": "text/html"})
    link = response.headers["link"]
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"):
        assert re.search(rf'<[^>]+>; rel="alternate"; type="{re.escape(media_type)}"', link)
    assert '/id/province/gia-lai.jsonld>; rel="alternate"; type="application/ld+json"' in link
    turtle = http.get("/id/province/gia-lai.ttl")
    assert 'type="text/html"' in turtle.headers["link"]


def test_entity_unknown_is_404(http: httpx.Client) -> None:
    page = http.get("/id/province/khong-ton-tai", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "khong-ton-tai" in page.text
    assert http.get("/id/province/khong-ton-tai.ttl").status_code == 404
    assert http.get("/id/province/khong-ton-tai", headers={"Accept": "text/turtle"}).status_code == 404


def test_entity_unacceptable_is_406(http: httpx.Client) -> None:
    assert http.get("/id/province/gia-lai", headers={"Accept": "image/png"}).status_code == 406
    assert http.get("/id/province/gia-lai", params={"format": "png"}).status_code == 406


def test_entity_etag_and_304(http: httpx.Client) -> None:
    first = http.get("/id/province/gia-lai.ttl")
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = http.get("/id/province/gia-lai.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    html = http.get("/id/province/gia-lai", headers={"Accept": "text/html"})
    assert html.headers["etag"] != etag  # each representation has its own tag
    assert http.get("/id/province/gia-lai", headers={"Accept": "text/html", "If-None-Match": etag}).status_code == 200


def test_class_index_lists_every_province(http: httpx.Client, store: ox.Store) -> None:
    expected = {q.subject.value for q in store.quads_for_pattern(None, None, None)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID + "province/")}
    response = http.get("/id/province", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = parse_html(response.text)
    listed = {h for h in page.hrefs if h.startswith("/id/province/")}
    assert listed == {"/id/province/" + iri.rsplit("/", 1)[1] for iri in expected}
    assert len(listed) == 87
    assert "Gia Lai" in response.text and "tỉnh" in response.text
    assert "text/turtle" in response.headers["link"]
    twin = http.get("/id/province.ttl")
    subjects = {t.subject.value for t in triples(twin, ox.RdfFormat.TURTLE) if t.subject.value.startswith(ID)}
    assert subjects == expected


def test_class_index_unknown_is_404(http: httpx.Client) -> None:
    assert http.get("/id/khong-ton-tai", headers={"Accept": "text/html"}).status_code == 404


def test_ontology_page_documents_target(http: httpx.Client) -> None:
    response = http.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'id="Target"' in response.text
    section = response.text.split('id="Target"', 1)[1].split("</section>", 1)[0]
    assert "mục tiêu" in section and "dx:Target" in section and "prov:Entity" in section
    assert 'id="province"' in response.text
    assert "text/turtle" in response.headers["link"]


def test_ontology_turtle(http: httpx.Client, settings) -> None:
    negotiated = http.get("/ontology", headers={"Accept": "text/turtle"})
    assert negotiated.status_code == 200 and negotiated.headers["content-type"].startswith("text/turtle")
    assert negotiated.content == (settings.ontology_dir / "dxkg.ttl").read_bytes()
    graph = triples(negotiated, ox.RdfFormat.TURTLE)
    assert ox.Triple(ox.NamedNode(DX + "Target"), RDFS_LABEL, ox.Literal("mục tiêu", language="vi")) in graph
    suffix = http.get("/ontology.ttl")
    assert suffix.content == negotiated.content
    assert http.get("/ontology.ttl", headers={"If-None-Match": suffix.headers["etag"]}).status_code == 304
    nt = http.get("/ontology", params={"format": "nt"})
    assert triples(nt, ox.RdfFormat.N_TRIPLES) >= {t for t in graph if not isinstance(t.subject, ox.BlankNode)
                                                    and not isinstance(t.object, ox.BlankNode)}


def test_home_page(http: httpx.Client) -> None:
    response = http.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = parse_html(response.text)
    assert {"/id/province/gia-lai", "/id/province/hau-giang", "/id/province/an-giang"} <= set(page.hrefs)
    assert any(h.endswith("/id/province") for h in page.hrefs)
    assert "/id/source/article-004-gia-lai" in page.hrefs
    assert 'name="q"' in response.text
    assert http.get("/", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_entity_jsonld_is_json(http: httpx.Client) -> None:
    body = json.loads(http.get("/id/province/gia-lai.jsonld").content)
    assert any(node.get("@id") == GIA_LAI for node in body)


def test_entity_head(http: httpx.Client) -> None:
    response = http.head("/id/province/gia-lai.ttl")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/turtle") and response.headers["etag"]
    assert http.head("/id/province/khong-ton-tai").status_code == 404
