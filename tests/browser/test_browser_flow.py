"""A person's path through dxkg in headless chromium: search, a province page, the language switch,
the query editor, sortable tables, the keyboard. Every test also checks (the `tab` fixture) that no
request left the server and that no console error, uncaught exception or CSP violation occurred."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from .conftest import Tab

PROVINCE = "/id/province/hau-giang"
EXAMPLE = "dti-2022-ranking"  # 63 rows, a numeric first column
RESULT_MEDIA_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                      "text/tab-separated-values"}


def column_keys(table: Locator, index: int) -> list[str]:
    """The sort keys of one column, top to bottom: each cell's data-sort-value, else its text."""
    return table.evaluate(
        """(table, index) => Array.from(table.tBodies[0].rows, (row) => {
             const cell = row.cells[index];
             return cell ? (cell.dataset.sortValue ?? cell.textContent.trim()) : "";
           })""", index)


def tab_until(page: Page, selector: str, limit: int = 60) -> bool:
    """Press Tab from the top of the page until `selector` has the focus; return whether it did."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return True
    return False


def accept(page: Page, option: Locator) -> None:
    """Select a completion option and accept it with Enter."""
    expect(option).to_be_visible()
    expect(option).to_have_attribute("aria-selected", "true")
    # CodeMirror ignores Enter for 75 ms after the list opens (interactionDelay), so that a fast
    # typist's newline is not taken for a choice; a person pauses longer than that before choosing.
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")


# --- Search to a province ------------------------------------------------------------------------


def test_browser_search_from_home_to_the_province(tab: Tab) -> None:
    page = tab.page
    assert tab.open("/").status == 200
    search = page.locator("main").get_by_role("searchbox")
    search.fill("hau giang")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["hau giang"]
    link = page.get_by_role("link", name="Hậu Giang", exact=True).first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(re.escape(PROVINCE) + r"(\?|$)"))
    expect(page.locator("h1")).to_contain_text("Hậu Giang")
    assert page.evaluate("document.documentElement.lang") == "vi"


def test_browser_province_chart_bars_and_their_source(tab: Tab) -> None:
    # Hậu Giang's article reports results and sets no targets: its chart draws achieved bars.
    page = tab.page
    assert tab.open(PROVINCE).status == 200
    chart = page.locator("svg.chart-targets").first
    expect(chart).to_be_visible()
    bars = chart.locator(".bar-target, .bar-achieved")
    assert bars.count() >= 1
    for i in range(bars.count()):  # every bar says its number
        assert re.search(r"\d", bars.nth(i).locator("title").text_content() or "")
    # The chart is an image with a name and a description that reads out what it draws.
    assert chart.get_attribute("role") == "img"
    described = (chart.get_attribute("aria-labelledby") or "").split()
    assert described and all(page.locator(f"#{i}").count() == 1 for i in described)
    figure = page.locator("figure", has=page.locator("svg.chart-targets")).first
    source = figure.locator("a.source-link").first
    expect(source).to_be_visible()
    href = source.get_attribute("href") or ""
    assert href.startswith("/id/source/"), href
    with page.expect_navigation() as navigation:
        source.click()
    assert navigation.value is not None and navigation.value.status == 200
    assert urlsplit(page.url).path == href
    expect(page.locator("h1")).to_be_visible()


def test_browser_province_target_bars_beside_the_results(tab: Tab) -> None:
    # Gia Lai sets targets for 2025 and reports results: a target bar and an achieved bar side by side.
    page = tab.page
    assert tab.open("/id/province/gia-lai").status == 200
    chart = page.locator("svg.chart-targets", has=page.locator(".bar-target")).filter(
        has=page.locator(".bar-achieved")).first
    expect(chart).to_be_visible()
    target = chart.locator(".bar-target").first
    assert float(target.get_attribute("data-value") or "nan") > 0
    assert re.search(r"\d", target.locator("title").text_content() or "")
    figure = page.locator("figure", has=chart)
    expect(figure.locator("a.source-link").first).to_be_visible()


def test_browser_language_switch_to_english_and_back(tab: Tab) -> None:
    page = tab.page
    tab.open(PROVINCE)
    assert page.evaluate("document.documentElement.lang") == "vi"
    switch = page.locator("a.lang-switch").first
    expect(switch).to_be_visible()
    switch.click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert urlsplit(page.url).path == PROVINCE
    expect(page.locator("h1")).to_contain_text("Hau Giang")
    back = page.locator("a.lang-switch").first
    expect(back).to_be_visible()
    back.click()
    page.wait_for_function("document.documentElement.lang === 'vi'")


# --- The query editor ----------------------------------------------------------------------------


def test_browser_query_editor_runs_an_example_and_shares_it(tab: Tab) -> None:
    page = tab.page
    tab.open("/sparql?lang=en")
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(page.locator("textarea#query")).to_be_hidden()
    page.locator(f'button.load-example[data-example="example-{EXAMPLE}"]').click()
    expect(page.locator(".cm-content")).to_contain_text("dx:Ranking")
    page.get_by_role("button", name="Run query").click()
    rows = page.locator("#results table tbody tr")
    expect(rows).to_have_count(63)
    expect(page.locator("#results-status")).to_contain_text("63")
    assert page.locator('#results tbody a[href^="/id/province/"]').count() >= 63  # entity links
    # The page URL now holds the query: the link to share, shown with a copy button.
    shared = page.url
    assert "dx:Ranking" in parse_qs(urlsplit(shared).query)["query"][0]
    expect(page.locator("#share-url")).to_have_value(shared)
    # Downloads in every results format, each answering with its own media type.
    links = page.locator("#downloads li:not([hidden]) a")
    offered = set()
    for i in range(links.count()):
        link = links.nth(i)
        answer = page.request.get(tab.base + link.get_attribute("href"))
        assert answer.status == 200, link.get_attribute("href")
        media = answer.headers["content-type"].split(";")[0]
        assert media == link.get_attribute("type")
        offered.add(media)
    assert offered == RESULT_MEDIA_TYPES
    # Opening the shared link shows the query and its results again.
    tab.open(urlsplit(shared).path + "?" + urlsplit(shared).query)
    expect(page.locator(".cm-content")).to_contain_text("dx:Ranking")
    expect(rows).to_have_count(63)
    assert page.evaluate("document.documentElement.lang") == "en"
    # The language switch keeps the query run in place: back to Vietnamese with the same results.
    page.get_by_role("button", name="Run query").click()
    expect(page.locator("#results-status")).to_contain_text("63")
    switch = page.locator("a.lang-switch").first
    back_to = parse_qs(urlsplit(switch.get_attribute("href") or "").query)["next"][0]
    assert "dx:Ranking" in parse_qs(urlsplit(back_to).query)["query"][0]
    switch.click()
    page.wait_for_function("document.documentElement.lang === 'vi'")
    expect(page.locator(".cm-content")).to_contain_text("dx:Ranking")
    expect(rows).to_have_count(63)


def test_browser_query_editor_sorts_results_by_a_column(tab: Tab) -> None:
    page = tab.page
    query = 'SELECT ?n ?s WHERE { VALUES (?n ?s) { (10 "b") (9 "a") (100 "c") } }'
    tab.open("/sparql?" + urlencode({"lang": "en", "query": query}))
    table = page.locator("#results table")
    expect(table.locator("tbody tr")).to_have_count(3)
    header = table.locator("thead th").nth(0)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert column_keys(table, 0) == ["9", "10", "100"]  # as numbers, not as text
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert column_keys(table, 0) == ["100", "10", "9"]
    # The keyboard does the same: the header is a button.
    second = table.locator("thead th").nth(1)
    second.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(second).to_have_attribute("aria-sort", "ascending")
    assert header.get_attribute("aria-sort") is None
    assert column_keys(table, 1) == ["a", "b", "c"]


def test_browser_query_editor_highlights_and_completes(tab: Tab) -> None:
    page = tab.page
    tab.open("/sparql?lang=en")
    content = page.locator(".cm-content")
    keyword = content.get_by_text("PREFIX", exact=True).first
    plain = page.evaluate("getComputedStyle(document.body).color")
    assert keyword.evaluate("(e) => getComputedStyle(e).color") != plain  # highlighted
    content.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # A prefix declaration completes to the namespace the server predeclares.
    page.keyboard.type("PREFIX sko")
    accept(page, page.locator(".cm-tooltip-autocomplete li", has_text="skos:").first)
    expect(content).to_contain_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>")
    # A prefixed name completes to the entities under it, with their labels.
    page.keyboard.press("Enter")
    page.keyboard.type("SELECT ?label WHERE { province:hau-gi")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="hau-giang").first
    expect(option).to_contain_text("Hau Giang")  # its English label: the page is in English
    accept(page, option)
    page.keyboard.type(" rdfs:label ?label }")
    expect(content).to_contain_text("province:hau-giang rdfs:label ?label")
    # Ctrl+Enter runs it.
    page.keyboard.press("Control+Enter")
    expect(page.locator("#results table tbody tr")).to_have_count(2)
    expect(page.locator("#results tbody")).to_contain_text("Hậu Giang")


def test_browser_query_editor_shows_a_query_error_in_place(tab: Tab) -> None:
    page = tab.page
    tab.open("/sparql?lang=en")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("SELECT ?x WHERE ")
    page.get_by_role("button", name="Run query").click()
    alert = page.locator("#results [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("error")
    expect(page.locator("#downloads")).to_be_hidden()
    # The 400 is the answer the editor asked for; chromium logs it. Nothing else may go wrong.
    expected = [p for p in tab.record.problems() if "400" in p and "/sparql" in p]
    assert expected and len(expected) == len(tab.record.problems()), tab.record.problems()
    tab.record.errors.clear()


# --- Sortable tables -----------------------------------------------------------------------------

SAMPLE_TABLE = """
<table data-sortable id="sample">
  <thead><tr><th>name</th><th>share</th><th data-sort-type="text">code</th><th data-sort="none">note</th></tr></thead>
  <tbody>
    <tr><td>Đà Nẵng</td><td>98,96 %</td><td>A10</td><td>x</td></tr>
    <tr><td>An Giang</td><td></td><td>A9</td><td>y</td></tr>
    <tr><td>Bắc Ninh</td><td data-sort-value="1234.5">1.234,5</td><td>B2</td><td>z</td></tr>
    <tr><td>Cà Mau</td><td>7</td><td>A100</td><td>w</td></tr>
  </tbody>
</table>
"""


def test_browser_sortable_table_numbers_text_and_empty_cells(tab: Tab) -> None:
    page = tab.page
    tab.open("/sparql")  # Vietnamese: 98,96 is ninety-eight point nine six
    page.evaluate("""(html) => {
        document.querySelector("main").insertAdjacentHTML("beforeend", html);
        window.DxkgSortable.enhance(document.getElementById("sample"));
    }""", SAMPLE_TABLE)
    table = page.locator("#sample")
    buttons = table.locator("thead button")
    expect(buttons).to_have_count(3)  # data-sort="none" stays a plain header

    def names() -> list[str]:
        return column_keys(table, 0)

    buttons.nth(1).click()
    assert names() == ["Cà Mau", "Đà Nẵng", "Bắc Ninh", "An Giang"]  # 7 < 98.96 < 1234.5; empty last
    buttons.nth(1).click()
    assert names() == ["Bắc Ninh", "Đà Nẵng", "Cà Mau", "An Giang"]  # empty still last
    buttons.nth(0).click()
    assert names() == ["An Giang", "Bắc Ninh", "Cà Mau", "Đà Nẵng"]  # Vietnamese collation
    buttons.nth(2).click()
    assert column_keys(table, 2) == ["A9", "A10", "A100", "B2"]  # text, digits in natural order
    assert table.locator("th[aria-sort]").count() == 1


# --- Keyboard ------------------------------------------------------------------------------------


def test_browser_tab_reaches_the_search_box(tab: Tab) -> None:
    tab.open("/")
    assert tab_until(tab.page, "input[type=search]")


def test_browser_tab_reaches_the_language_switch(tab: Tab) -> None:
    tab.open("/")
    assert tab_until(tab.page, "a.lang-switch")


def test_browser_home_comparison_table_sorts_by_column(tab: Tab) -> None:
    page = tab.page
    tab.open("/")
    table = page.locator("table.comparison[data-sortable]")
    expect(table).to_be_visible()
    headers = table.locator("thead th")
    numeric = None
    for i in range(headers.count()):
        keys = column_keys(table, i)
        if keys and all(re.fullmatch(r"-?\d+(\.\d+)?", k) for k in keys if k) and len(set(keys)) > 1:
            numeric = i
            break
    assert numeric is not None, "no numeric column with data-sort-value"
    button = headers.nth(numeric).get_by_role("button")
    button.click()
    values = [float(k) for k in column_keys(table, numeric) if k]
    assert values == sorted(values)
    button.click()
    values = [float(k) for k in column_keys(table, numeric) if k]
    assert values == sorted(values, reverse=True)
    expect(headers.nth(numeric)).to_have_attribute("aria-sort", "descending")
