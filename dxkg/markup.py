"""The HTML a page writes for a term or a figure: a link by its label in the page language, a date in
<time>, a period, a quantity, a source.

Functions rather than template macros: a page writes them once per table cell, hundreds of times,
and a Jinja macro call costs several times a function call. `i18n.install` makes each a template
global that reads the page language from the context."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from .i18n import format_date, format_period, format_quantity

EMPTY = Markup("")


def link(lang: str, t: Any) -> Markup:
    """Return a link to an entity's page, by its label (the label alone when it has no page here)."""
    if not t:
        return EMPTY
    label = escape(t.label(lang))
    return Markup(f'<a href="{escape(t.path)}">{label}</a>') if t.path else label


def links(lang: str, items: Iterable[Any]) -> Markup:
    """Return links to several entities, comma-separated."""
    return Markup(", ").join(link(lang, t) for t in items)


def source(lang: str, s: Any) -> Markup:
    """Return the link to the source a figure comes from."""
    if not s:
        return EMPTY
    return Markup(f'<a class="source-link" href="{escape(s.path or s.value)}">{escape(s.label(lang))}</a>')


def when(lang: str, value: str | None) -> Markup:
    """Return an xsd date, gYearMonth, gYear or gMonthDay formatted for the language, machine-readable in <time>."""
    if not value:
        return EMPTY
    machine = value[2:] if value.startswith("--") else value
    return Markup(f'<time datetime="{escape(machine)}">{escape(format_date(value, lang))}</time>')


def period(lang: str, start: str | None, end: str | None) -> Markup:
    """Return a period `2021–2025`; either end may be missing."""
    if not (start or end):
        return EMPTY
    return Markup(f'<span class="num">{escape(format_period(start, end, lang))}</span>')


def qty(lang: str, q: Any) -> Markup:
    """Return a target or result: comparison sign, value or range, unit (`≥ 80 %` in vi, `≥ 80%` in en)."""
    return Markup(f'<span class="num">{escape(format_quantity(q.value, lang, q.unit, q.comparison, q.value_max))}</span>')


def result(lang: str, a: Any) -> Markup:
    """Return the latest result next to a target, or a dash."""
    return qty(lang, a.quantity) if a else Markup('<span class="muted">—</span>')


HELPERS = {"link": link, "links": links, "source": source, "when": when, "period": period, "qty": qty,
           "result": result}
