"""Pages for staff over real HTTP: province dashboards, indicator and index pages, home comparison,
language choice and formatting, charts whose numbers match the data, no inline script or style."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest

from dxkg.namespaces import ID, PREFIXES

HTML = {"Accept": "text/html"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    """An element of a parsed page: tag, attributes, and its content (text and elements) in order."""

    tag: str
    attrs: dict[str, str]
    content: list[str | Node] = field(default_factory=list)
    parent: Node | None = None

    @property
    def children(self) -> list[Node]:
        return [c for c in self.content if isinstance(c, Node)]

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.content]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Return descendants with this tag whose attributes have the given values (`class_`: one of the classes)."""
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if all((v in node.attrs.get("class", "").split()) if k == "class_" else node.attrs.get(k) == v
                   for k, v in attrs.items()):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        [node, *_] = self.find_all(tag, **attrs) or [None]
        assert node is not None, f"no <{tag} {attrs}>"
        return node

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class Page(HTMLParser):
    """A page as a tree (html.parser), plus what a Content-Security-Policy without 'unsafe-inline' forbids."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root
        self.inline: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in a:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script" and not a.get("src") and a.get("type") != "application/ld+json":
            self.inline.append("<script> without src")
        node = Node(tag, a, parent=self.current)
        self.current.content.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent or self.root

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent or self.root
        if node is not self.root:
            self.current = node.parent or self.root

    def handle_data(self, data: str) -> None:
        self.current.content.append(data)

    @property
    def lang(self) -> str:
        return self.root.find("html").attrs.get("lang", "")


def page(http: httpx.Client, path: str, **kwargs) -> Page:
    headers = HTML | kwargs.pop("headers", {})
    response = http.get(path, headers=headers, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    names = [v.value for v in solutions.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in solutions]


def rows_of(table: Node) -> list[Node]:
    return [tr for tr in table.find_all("tr") if tr.ancestor("thead") is None]


# --- Province dashboard --------------------------------------------------------------------------


def test_province_timeline_dates_per_language(http: httpx.Client) -> None:
    for params, headers, shown in (({}, {}, "20/01/2022"), ({"lang": "en"}, {}, "20 Jan 2022"),
                                   ({}, {"Accept-Language": "en-GB,en;q=0.9"}, "20 Jan 2022")):
        doc = page(http, "/id/province/gia-lai", params=params, headers=headers)
        timeline = doc.root.find("ol", class_="timeline")
        [item] = [li for li in timeline.find_all("li") if "04-NQ/TU" in li.text]
        time = item.find("time")
        assert time.attrs["datetime"] == "2022-01-20"
        assert time.text == shown
        assert item.find("a", href="/id/resolution/gia-lai-04-nq-tu-2022")
        assert item.find("a", class_="source-link").attrs["href"] == "/id/source/article-004-gia-lai"


TARGETS_2025 = """
SELECT ?target ?value ?max ?comparison WHERE {
  ?target a dx:Target ; dx:province province:gia-lai ; dx:targetYear "2025"^^xsd:gYear ; dx:targetValue ?value ;
          dx:unit unit:percent .
  OPTIONAL { ?target dx:targetValueMax ?max }
  OPTIONAL { ?target dx:comparison ?comparison }
}"""
SIGNS = {"at-least": "≥ ", "more-than": "> ", "at-most": "≤ ", "approximately": "≈ "}


def expected_percent(row: dict[str, str], lang: str) -> str:
    """The value as a Vietnamese or English reader writes it: `≥ 98,96 %` / `≥ 98.96%`."""
    number = row["value"].replace(".", ",") if lang == "vi" else row["value"]
    sign = SIGNS.get(row.get("comparison", "").rsplit("/", 1)[-1], "")
    return f"{sign}{number}{' %' if lang == 'vi' else '%'}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_province_2025_targets_formatted_and_charted(http: httpx.Client, store: ox.Store, lang: str) -> None:
    data = {r["target"]: r for r in select(store, TARGETS_2025)}
    assert len(data) >= 14
    doc = page(http, "/id/province/gia-lai", params={"lang": lang})
    assert doc.lang == lang
    section = doc.root.find("section", **{"aria-labelledby": "targets-2025"})
    svg = section.find("svg", class_="chart-targets")
    desc = svg.find("desc").text
    title = svg.find("title").text
    assert "2025" in title and "Gia Lai" in title
    table = section.find("table")
    cells = {tr.find("a").attrs["href"]: tr for tr in rows_of(table)}
    drawn = {}
    for row in svg.find_all("g", class_="bar-row"):
        iri = ID + row.attrs["data-entity"].removeprefix("/id/")
        drawn[iri] = row.find("rect", class_="bar-target").attrs["data-value"]
    # The chart draws exactly the percent targets, with the data's values.
    assert drawn == {iri: r["value"] for iri, r in data.items()}
    for iri, r in data.items():
        shown = expected_percent(r, lang)
        assert shown in desc, shown
        tr = cells["/" + iri.removeprefix("https://w3id.org/dxkg/")]
        assert shown in tr.text
        # Every figure links to the article that states it.
        assert tr.find("a", class_="source-link").attrs["href"] == "/id/source/article-004-gia-lai"
    # The one target with a result: video conferencing at 98 % (April 2022) against 100 %.
    achieved = [r for r in svg.find_all("rect", class_="bar-achieved")]
    assert {a.attrs["data-value"] for a in achieved} == {"98"}
    assert ("98 % (04/2022)" if lang == "vi" else "98% (Apr 2022)") in desc


def test_province_figures_link_to_their_sources(http: httpx.Client) -> None:
    doc = page(http, "/id/province/gia-lai")
    for section_id in ("partners", "targets", "rankings"):
        section = doc.root.find("section", **{"aria-labelledby": section_id})
        for table in section.find_all("table"):
            for tr in rows_of(table):
                assert tr.find_all("a", class_="source-link"), (section_id, tr.text)
    sources = {a.attrs["href"] for a in doc.root.find_all("a", class_="source-link")}
    assert "/id/source/article-004-gia-lai" in sources
    for href in sources:
        assert http.get(href, headers=HTML).status_code == 200


def test_province_results_without_target_are_charted(http: httpx.Client) -> None:
    doc = page(http, "/id/province/hau-giang")
    svg = doc.root.find("svg", class_="chart-targets")
    assert {r.attrs["data-value"] for r in svg.find_all("rect", class_="bar-achieved")} == {"100"}
    assert not svg.find_all("rect", class_="bar-target")  # Hậu Giang's article states no target
    figure = svg.ancestor("figure")
    assert figure is not None and figure.find("a", class_="source-link").attrs["href"] == "/id/source/article-001-hau-giang"


def test_province_ranking_chart(http: httpx.Client) -> None:
    doc = page(http, "/id/province/hau-giang")
    section = doc.root.find("section", **{"aria-labelledby": "rankings"})
    dti = next(fig for fig in section.find_all("figure") if fig.find_all("a", href="/id/index/dti")
               or "DTI" in (fig.find_all("svg") or [Node("", {})])[0].text)
    svg = dti.find("svg", class_="chart-ranks")
    points = {(c.attrs["data-year"], c.attrs["data-rank"]): c for c in svg.find_all("circle")}
    assert {("2020", "28"), ("2021", "17")} <= set(points)
    assert points[("2020", "28")].find("title").text == "2020: hạng 28/63"
    assert "2021: hạng 17/63" in svg.find("desc").text
    # Rank 1 is at the top: the better rank (17) is drawn higher than 28.
    assert float(points[("2021", "17")].attrs["cy"]) < float(points[("2020", "28")].attrs["cy"])


def test_province_merged_into_new_unit(http: httpx.Client) -> None:
    doc = page(http, "/id/province/kien-giang")
    notice = doc.root.find("p", class_="merger-notice")
    assert notice.find("a", href="/id/province/an-giang-2025")
    assert notice.find("time", datetime="2025-07-01").text == "01/07/2025"
    merger = doc.root.find("section", **{"aria-labelledby": "merger"})
    assert merger.find("a", href="/id/province/an-giang")  # merged together with the old An Giang
    assert merger.find("a", href="/id/resolution/202-2025-qh15")
    english = page(http, "/id/province/kien-giang", params={"lang": "en"})
    assert "Merged on 1 Jul 2025 into" in english.root.find("p", class_="merger-notice").text


def test_province_formed_from_former_units(http: httpx.Client) -> None:
    doc = page(http, "/id/province/an-giang-2025")
    notice = doc.root.find("p", class_="merger-notice")
    assert {a.attrs["href"] for a in notice.find_all("a")} == {"/id/province/an-giang", "/id/province/kien-giang"}
    assert "01/07/2025" in notice.text


def test_province_page_keeps_the_generic_description(http: httpx.Client) -> None:
    response = http.get("/id/province/gia-lai", headers=HTML)
    doc = Page(response.text)
    assert doc.root.find("h1").text == "Gia Lai"
    assert doc.root.find("section", class_="all-facts").find("a", href="/ontology#Province")
    assert 'type="application/ld+json"' in response.text
    assert "text/turtle" in response.headers["link"]


# --- Indicator, index, documents ---------------------------------------------------------------


LEVEL_TARGETS = """
SELECT ?province ?level ?value WHERE {
  ?t a dx:Target ; dx:indicator indicator:work-records-online-share ; dx:targetYear "2025"^^xsd:gYear ;
     dx:province ?province ; dx:level ?level ; dx:targetValue ?value .
}"""
LEVELS = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


def test_indicator_page_lists_targets_by_province_and_level(http: httpx.Client, store: ox.Store) -> None:
    expected = {(r["province"].rsplit("/", 1)[1], LEVELS[r["level"].rsplit("/", 1)[1]], r["value"])
                for r in select(store, LEVEL_TARGETS)}
    assert {p for p, _, _ in expected} == {"gia-lai", "an-giang"}
    doc = page(http, "/id/indicator/work-records-online-share")
    section = doc.root.find("section", **{"aria-labelledby": "targets-2025"})
    shown = set()
    for tr in rows_of(section.find("table")):
        province = tr.find("th").find("a").attrs["href"].rsplit("/", 1)[1]
        level, target = [td.text for td in tr.find_all("td")][:2]
        shown.add((province, level, re.sub(r"[^\d,]", "", target)))
    assert shown == expected
    drawn = {row.find("rect", class_="bar-target").attrs["data-value"]
             for row in section.find("svg", class_="chart-targets").find_all("g", class_="bar-row")}
    assert drawn == {v for _, _, v in expected}


def test_index_page_dti_2022_ranks_sorted(http: httpx.Client, store: ox.Store) -> None:
    ranks = select(store, "SELECT ?province ?rank WHERE { ?r dx:index index:dti ; dx:editionYear \"2022\"^^xsd:gYear ;"
                          " dcterms:source source:dti-2022-rank ; dx:province ?province ; dx:rank ?rank }")
    assert len(ranks) == 63
    doc = page(http, "/id/index/dti")
    table = doc.root.find("table", id="ranks-edition-2022")
    rows = rows_of(table)
    shown = [(int(tr.find("td").attrs["data-sort-value"]), tr.find("th").find("a").attrs["href"]) for tr in rows]
    assert len(shown) == 63
    assert [r for r, _ in shown] == sorted(r for r, _ in shown)
    assert {(r, p) for r, p in shown} == {(int(x["rank"]), "/id/province/" + x["province"].rsplit("/", 1)[1])
                                          for x in ranks}
    assert (62, "/id/province/gia-lai") in shown


def test_resolution_page_reads_as_a_document(http: httpx.Client) -> None:
    doc = page(http, "/id/resolution/gia-lai-04-nq-tu-2022")
    meta = doc.root.find("dl", class_="meta")
    assert "04-NQ/TU" in meta.text and "20/01/2022" in meta.text and "2021–2025" in meta.text
    assert meta.find("a", href="/id/body/gia-lai-tinh-uy")
    targets = doc.root.find("section", **{"aria-labelledby": "targets"})
    assert len(rows_of(targets.find("table"))) == 25  # every target the resolution sets


def test_partner_and_platform_pages(http: httpx.Client) -> None:
    vnpt = page(http, "/id/partner/vnpt")
    agreements = vnpt.root.find("section", **{"aria-labelledby": "agreements"})
    provinces = {a.attrs["href"] for tr in rows_of(agreements.find("table")) for a in tr.find_all("a")
                 if a.attrs["href"].startswith("/id/province/")}
    assert {"/id/province/an-giang", "/id/province/hau-giang"} <= provinces
    lgsp = page(http, "/id/platform/lgsp")
    systems = lgsp.root.find("section", **{"aria-labelledby": "systems"})
    assert {"/id/system/hau-giang-lgsp"} <= {a.attrs["href"] for a in systems.find_all("a")}


# --- Home -----------------------------------------------------------------------------------------


def test_home_comparison_table(http: httpx.Client) -> None:
    doc = page(http, "/")
    table = doc.root.find("table", class_="comparison")
    assert "data-sortable" in table.attrs
    ranks = {}
    for tr in rows_of(table):
        province = tr.find("th").find("a").attrs["href"].rsplit("/", 1)[1]
        dti = tr.find_all("td")[0]
        ranks[province] = int(dti.attrs["data-sort-value"])
        assert all(re.fullmatch(r"\d+", td.attrs["data-sort-value"]) for td in tr.find_all("td")[2:])
    assert ranks == {"hau-giang": 17, "tien-giang": 20, "kien-giang": 32, "an-giang": 54, "gia-lai": 62}
    assert list(ranks) == sorted(ranks, key=ranks.get)
    assert doc.root.find("form", role="search").find("input", type="search")


# --- Language --------------------------------------------------------------------------------------


def test_page_language_choice(http: httpx.Client) -> None:
    assert page(http, "/").lang == "vi"
    assert page(http, "/", params={"lang": "en"}).lang == "en"
    assert page(http, "/", headers={"Accept-Language": "en-US,en;q=0.8"}).lang == "en"
    assert page(http, "/", headers={"Accept-Language": "fr, vi;q=0.5, en;q=0.4"}).lang == "vi"
    assert page(http, "/", headers={"Cookie": "dxkg_lang=en"}).lang == "en"
    # `?lang=` wins over the cookie, the cookie over Accept-Language.
    assert page(http, "/", params={"lang": "vi"}, headers={"Cookie": "dxkg_lang=en"}).lang == "vi"
    assert page(http, "/", headers={"Cookie": "dxkg_lang=vi", "Accept-Language": "en"}).lang == "vi"
    english = page(http, "/id/province/gia-lai", params={"lang": "en"})
    assert english.root.find("nav", class_="languages").find("a", class_="lang-switch").attrs["hreflang"] == "vi"
    assert english.root.find("h2", id="targets").text == "Targets and results"


def test_language_switch_sets_cookie_and_returns(http: httpx.Client) -> None:
    doc = page(http, "/id/province/gia-lai", params={"x": "1"})
    switch = doc.root.find("a", class_="lang-switch")
    assert switch.attrs["hreflang"] == "en" and switch.text == "English"
    response = http.get(switch.attrs["href"])
    assert response.status_code == 303
    assert response.headers["location"] == "/id/province/gia-lai?x=1&lang=en"
    assert "dxkg_lang=en" in response.headers["set-cookie"]
    with httpx.Client(base_url=str(http.base_url), follow_redirects=True) as browser:
        browser.get("/lang/en", params={"next": "/"}, headers=HTML)
        assert Page(browser.get("/id/index/dti", headers=HTML).text).lang == "en"  # remembered


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "relative"])
def test_language_switch_stays_on_this_server(http: httpx.Client, target: str) -> None:
    response = http.get("/lang/en", params={"next": target})
    assert response.status_code == 303 and response.headers["location"] == "/?lang=en"


def test_language_switch_unknown_language(http: httpx.Client) -> None:
    assert http.get("/lang/fr", params={"next": "/"}).status_code == 404


def test_html_varies_on_language_and_etag_per_language(http: httpx.Client) -> None:
    vi = http.get("/id/province/gia-lai", headers=HTML)
    en = http.get("/id/province/gia-lai", headers=HTML | {"Accept-Language": "en"})
    for response in (vi, en, http.get("/", headers=HTML)):
        vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary
    assert vi.headers["etag"] != en.headers["etag"]
    assert http.get("/id/province/gia-lai", headers=HTML | {"If-None-Match": vi.headers["etag"]}).status_code == 304
    assert http.get("/id/province/gia-lai", headers=HTML | {"Accept-Language": "en",
                                                          "If-None-Match": vi.headers["etag"]}).status_code == 200


# --- Content-Security-Policy: no inline script, style or handlers ----------------------------------


PAGES = ["/", "/id/province/gia-lai", "/id/province/hau-giang", "/id/province/an-giang-2025",
         "/id/indicator/work-records-online-share", "/id/index/dti", "/id/resolution/gia-lai-04-nq-tu-2022",
         "/id/partner/vnpt", "/id/platform/lgsp", "/id/target/gia-lai-2025-e-payment-account-share",
         "/id/province", "/search?q=hau+giang", "/ontology", "/queries", "/queries/targets-by-year", "/sparql",
         "/dumps"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_have_no_inline_script_or_style(http: httpx.Client, path: str, lang: str) -> None:
    response = http.get(path, params={"lang": lang}, headers=HTML)
    assert response.status_code == 200
    doc = Page(response.text)
    assert doc.inline == [], path
    assert doc.lang == lang


def test_error_page_has_no_inline_script_or_style(http: httpx.Client) -> None:
    response = http.get("/id/province/khong-ton-tai", headers=HTML | {"Accept-Language": "en"})
    assert response.status_code == 404
    doc = Page(response.text)
    assert doc.inline == [] and doc.lang == "en"
