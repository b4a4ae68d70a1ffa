"""Language choice and number, quantity and date formatting for vi and en (dxkg.i18n, no HTTP)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from jinja2 import Environment

from dxkg import i18n


@pytest.mark.parametrize(("value", "vi", "en"), [
    ("98.96", "98,96", "98.96"),
    ("400345", "400.345", "400,345"),
    (1234567.5, "1.234.567,5", "1,234,567.5"),
    (Decimal("80"), "80", "80"),
    ("80.50", "80,5", "80.5"),
    ("-15", "-15", "-15"),
    ("0.5796", "0,5796", "0.5796"),
    ("abc", "abc", "abc"),
])
def test_format_number(value: object, vi: str, en: str) -> None:
    assert i18n.format_number(value, "vi") == vi
    assert i18n.format_number(value, "en") == en


def test_format_percent() -> None:
    assert i18n.format_percent("98.96", "vi") == "98,96 %"
    assert i18n.format_percent("98.96", "en") == "98.96%"


@pytest.mark.parametrize(("args", "vi", "en"), [
    (("80", "percent", "at-least"), "≥ 80 %", "≥ 80%"),
    (("50", "percent", "more-than"), "> 50 %", "> 50%"),
    (("97", "percent", "approximately"), "≈ 97 %", "≈ 97%"),
    (("100", "percent", "exactly"), "100 %", "100%"),
    (("5", "percent-per-year", "between", "10"), "5–10 %/năm", "5–10%/yr"),
    (("400345", "count", "more-than"), "> 400.345", "> 400,345"),
    (("15", "rank", "at-most"), "trong nhóm 15 đầu", "top 15"),
    (("15", "rank", None), "hạng 15", "rank 15"),
])
def test_format_quantity(args: tuple, vi: str, en: str) -> None:
    value, unit, comparison, *rest = args
    value_max = rest[0] if rest else None
    assert i18n.format_quantity(value, "vi", unit, comparison, value_max) == vi
    assert i18n.format_quantity(value, "en", unit, comparison, value_max) == en


@pytest.mark.parametrize(("value", "vi", "en"), [
    ("2022-01-20", "20/01/2022", "20 Jan 2022"),
    ("2022-01-20Z", "20/01/2022", "20 Jan 2022"),
    ("2025-07-01T00:00:00", "01/07/2025", "1 Jul 2025"),
    ("2022-04", "04/2022", "Apr 2022"),
    ("2021", "2021", "2021"),
    ("--04-13", "13/04", "13 Apr"),
    ("sometime", "sometime", "sometime"),
    ("2022-13", "2022-13", "2022-13"),
])
def test_format_date(value: str, vi: str, en: str) -> None:
    assert i18n.format_date(value, "vi") == vi
    assert i18n.format_date(value, "en") == en


def test_format_period() -> None:
    assert i18n.format_period("2021", "2025", "vi") == "2021–2025"
    assert i18n.format_period(None, "2030", "en") == "–2030"
    assert i18n.format_period("2021", "2021", "en") == "2021"
    assert i18n.format_period(None, None, "vi") == ""


@pytest.mark.parametrize(("query", "cookie", "accept", "chosen"), [
    (None, None, None, "vi"),
    (None, None, "en-US,en;q=0.9", "en"),
    (None, None, "fr-FR, de;q=0.9", "vi"),
    (None, None, "fr, en;q=0.5, vi;q=0.8", "vi"),
    (None, None, "vi;q=0, en", "en"),
    (None, None, "*", "vi"),
    (None, None, "en;q=abc, vi;q=0.1", "vi"),
    (None, "en", "vi", "en"),
    ("vi", "en", "en", "vi"),
    ("fr", None, "en", "en"),
    (None, "xx", None, "vi"),
])
def test_choose_language(query: str | None, cookie: str | None, accept: str | None, chosen: str) -> None:
    assert i18n.choose_language(query, cookie, accept) == chosen


def test_every_message_has_both_languages() -> None:
    for key, (vi, en) in i18n.MESSAGES.items():
        assert vi and en, key
        assert vi.count("{") == en.count("{"), key


def test_templates_helpers_read_the_page_language() -> None:
    env = Environment(autoescape=True)
    i18n.install(env, lambda request: "en")
    template = env.from_string("{{ t('home') }}|{{ '98.96' | percent }}|{{ '2022-01-20' | date }}|{{ page_lang() }}"
                               "|{{ t('province.merged_into.short', date='<b>') }}")
    assert template.render(lang="vi") == "Trang chủ|98,96 %|20/01/2022|vi|Từ ngày &lt;b&gt; đã hợp nhất vào"
    assert template.render(request=object()) == "Home|98.96%|20 Jan 2022|en|Merged on &lt;b&gt; into"
