"""Screenshots of the main pages at desktop (1280x800) and phone (390x844) widths, in Vietnamese and
English, saved under test-output/screenshots/ for a person to look at. Each page must also load
cleanly (the fixtures check requests and console), have its language and a main heading, and fit
the phone's width without scrolling sideways (wide tables scroll inside their own box)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from .conftest import Tab

EDITOR_QUERY = """SELECT ?class (COUNT(?entity) AS ?entities) WHERE {
  ?entity a ?class .
  FILTER(STRSTARTS(STR(?class), STR(dx:)))
}
GROUP BY ?class
ORDER BY DESC(?entities)
LIMIT 12"""
PAGES = {
    "home": "/",
    "search": "/search?" + urlencode({"q": "hau giang"}),
    "province": "/id/province/hau-giang",
    "entity-list": "/id/source/article-004-gia-lai/linked-from?" + urlencode({"property": "dcterms:source"}),
    "query-editor": "/sparql?" + urlencode({"query": EDITOR_QUERY}),
}


def shoot(tab: Tab, path: str, lang: str, out: Path) -> None:
    """Open a page in a language, check it, and save a full-page screenshot."""
    separator = "&" if "?" in path else "?"
    response = tab.open(path + separator + f"lang={lang}")
    assert response.status == 200, path
    page = tab.page
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.locator("h1").first).to_be_visible()
    if page.locator(".cm-editor").count():
        expect(page.locator("#results table tbody tr").first).to_be_visible()
    # The emulated phone widens its layout viewport to fit wide content, so compare with the device.
    width = page.viewport_size["width"] if page.viewport_size else page.evaluate("window.innerWidth")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 5_000
    assert overflow <= width, f"{path} is {overflow}px wide in a {width}px window"


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_browser_screenshot_desktop(tab: Tab, screenshots: Path, name: str, lang: str) -> None:
    shoot(tab, PAGES[name], lang, screenshots / f"{name}-{lang}-desktop.png")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_browser_screenshot_phone(phone: Tab, screenshots: Path, name: str, lang: str) -> None:
    shoot(phone, PAGES[name], lang, screenshots / f"{name}-{lang}-phone.png")
