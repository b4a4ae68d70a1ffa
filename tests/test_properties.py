"""Property-based tests (hypothesis) of the pure parts: content negotiation, slugs and folding,
typed parameter binding, search, and the query guard.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dxkg import formats
from dxkg.errors import BadQuery, NotAcceptable
from dxkg.formats import FORMATS, Format, negotiate, parse_accept
from dxkg.namespaces import PREFIXES, fold, slugify
from dxkg.queries import XSD, Parameter
from dxkg.query_guard import MAX_DEPTH, check_complexity, complexity, mask
from dxkg.search import SearchIndex

KINDS = ("results", "graph", "dataset", "html")
MEDIA_TYPES = sorted({f.media_type for f in FORMATS} | set(formats.ALIASES))
RANGES = MEDIA_TYPES + ["*/*", "text/*", "application/*", "image/png", "x/y", "TEXT/HTML", "application/JSON"]
Q_VALUES = ["0", "0.0", "0.000", "1", "1.0", "0.5", "0.9", "0.001", "abc", ""]


def media_range(media: str, q: str | None, extra: str | None) -> str:
    return media + (f";q={q}" if q is not None else "") + (f";{extra}" if extra else "")


ranges = st.builds(media_range, st.sampled_from(RANGES), st.none() | st.sampled_from(Q_VALUES),
                   st.none() | st.sampled_from(["charset=utf-8", "level=1", "profile=x"]))
accept_headers = st.one_of(
    st.lists(ranges, max_size=8).map(", ".join),
    st.text(max_size=80),
    st.lists(st.sampled_from(RANGES + [";", ",", "q=", "=", " "]), max_size=12).map("".join),
)
kind_sets = st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True).map(tuple)


def names_of(fmt: Format) -> set[str]:
    """The media types that name a format: its own and its aliases."""
    return {fmt.media_type} | {alias for alias, name in formats.ALIASES.items() if name == fmt.name}


# --- content negotiation -------------------------------------------------------------------------

@given(accept_headers, kind_sets)
@settings(max_examples=500)
def test_negotiate_answers_a_format_of_the_kinds_asked_or_not_acceptable(accept: str, kinds: tuple) -> None:
    try:
        fmt = negotiate(accept, kinds)
    except NotAcceptable:
        return
    assert fmt in FORMATS and fmt.kind in kinds


@given(accept_headers)
def test_parse_accept_reads_any_text(accept: str) -> None:
    pairs = parse_accept(accept)
    assert all("/" in media and media == media.lower() for media, _ in pairs)
    qs = [q for _, q in pairs]
    assert qs == sorted(qs, reverse=True)


@given(accept_headers, kind_sets)
@settings(max_examples=500)
def test_negotiate_never_answers_a_refused_media_type(accept: str, kinds: tuple) -> None:
    """q=0 means "not acceptable" (RFC 9110 §12.4.2): a format named only with q=0 is never chosen."""
    try:
        fmt = negotiate(accept, kinds)
    except NotAcceptable:
        return
    pairs = parse_accept(accept)
    refused = {media for media, q in pairs if q == 0}
    accepted = {media for media, q in pairs if q > 0}
    if fmt.media_type in refused:  # then the client also named it (or an alias of it) with q > 0
        assert names_of(fmt) & accepted, (accept, fmt.name)


@given(st.sampled_from([f for f in FORMATS]), st.sampled_from(["*/*", "WILDCARD"]),
       st.sampled_from(["1", "0.8", "0.5"]), st.booleans())
def test_negotiate_a_more_specific_range_wins_a_tie(fmt: Format, wildcard: str, q: str, specific_first: bool) -> None:
    """Same q: `application/ld+json` beats `application/*` and `*/*` whatever the order (RFC 9110 §12.5.1)."""
    if wildcard == "WILDCARD":
        wildcard = fmt.media_type.split("/")[0] + "/*"
    pair = [f"{fmt.media_type};q={q}", f"{wildcard};q={q}"]
    header = ", ".join(pair if specific_first else pair[::-1])
    assert negotiate(header, (fmt.kind,)) == fmt


@given(st.lists(st.sampled_from([f for f in FORMATS if f.kind in ("results", "graph")]), min_size=1, max_size=6,
                unique=True), st.data())
def test_negotiate_the_highest_q_wins(offered: list[Format], data: st.DataObject) -> None:
    qs = data.draw(st.lists(st.integers(1, 1000), min_size=len(offered), max_size=len(offered), unique=True))
    header = ", ".join(f"{f.media_type};q={q / 1000}" for f, q in zip(offered, qs, strict=True))
    best = max(zip(qs, offered, strict=True), key=lambda pair: pair[0])[1]
    assert negotiate(header, ("results", "graph")) == best


@given(st.lists(st.sampled_from(MEDIA_TYPES), min_size=1, max_size=6), kind_sets)
def test_negotiate_nothing_acceptable_when_everything_is_refused(refused: list[str], kinds: tuple) -> None:
    with pytest.raises(NotAcceptable):
        negotiate(", ".join(f"{media};q=0" for media in refused), kinds)


@given(st.sampled_from(KINDS[:3]))
@example("results")
def test_negotiate_anything_but_the_default_gives_another_format(kind: str) -> None:
    default = formats.BY_NAME[formats.DEFAULTS[kind]]  # type: ignore[index]
    fmt = negotiate(f"*/*, {default.media_type};q=0", (kind,))  # type: ignore[arg-type]
    assert fmt.kind == kind and fmt != default


@given(st.sampled_from(["nan", "NaN", "-nan"]))
@example("nan")
def test_parse_accept_q_is_between_0_and_1(q: str) -> None:
    assert all(0.0 <= value <= 1.0 for _, value in parse_accept(f"text/turtle;q={q}"))


# --- slugs and folding ---------------------------------------------------------------------------

BASE_LETTERS = "abcdeghiklmnopqrstuvxy"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # huyền, sắc, ngã, hỏi, nặng
VOWEL_MARKS = {"a": ("", "\u0302", "\u0306"), "e": ("", "\u0302"), "o": ("", "\u0302", "\u031b"), "u": ("", "\u031b")}
SEPARATORS = (" ", "  ", "-", ", ", ".", "(", ")", "/", "0", "7", "–", "\u00a0")


@st.composite
def vietnamese_letter(draw: st.DrawFn) -> tuple[str, str]:
    """A letter as written in Vietnamese, and the ASCII letter it folds to."""
    base = draw(st.sampled_from(BASE_LETTERS + "đ"))
    if base == "đ":
        letter, plain = "đ", "d"
    else:
        letter = base + draw(st.sampled_from(VOWEL_MARKS.get(base, ("",))))
        if base in "aeiouy":
            letter += draw(st.sampled_from(TONES))
        plain = base
    if draw(st.booleans()):
        letter, plain = letter.upper(), plain.upper()
    return unicodedata.normalize("NFC", letter), plain


@st.composite
def vietnamese_text(draw: st.DrawFn) -> tuple[str, str]:
    """Vietnamese-ish text (NFC, as in the data) and the same text without its diacritics."""
    pieces = draw(st.lists(st.one_of(vietnamese_letter(), st.sampled_from(SEPARATORS).map(lambda s: (s, s))),
                           max_size=40))
    return "".join(p[0] for p in pieces), "".join(p[1] for p in pieces)


SLUG = re.compile(r"([a-z0-9]+(-[a-z0-9]+)*)?")
FOLDED = re.compile(r"([a-z0-9]+( [a-z0-9]+)*)?")
any_text = st.one_of(st.text(), vietnamese_text().map(lambda pair: pair[0]))


@given(any_text)
def test_slugify_is_ascii_lower_case_and_hyphenated(text: str) -> None:
    slug = slugify(text)
    assert SLUG.fullmatch(slug), slug  # ASCII, lower case, no leading, trailing or double '-'
    assert slugify(slug) == slug


@given(any_text)
def test_fold_is_ascii_lower_case_single_spaced(text: str) -> None:
    folded = fold(text)
    assert FOLDED.fullmatch(folded), folded
    assert fold(folded) == folded
    assert fold(text.upper()) == fold(text.lower()) == folded or not text.isascii()


@given(vietnamese_text())
def test_vietnamese_diacritics_fold_away(pair: tuple[str, str]) -> None:
    text, plain = pair
    assert slugify(text) == slugify(plain)
    assert fold(text) == fold(plain) == slugify(text).replace("-", " ")
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_slugify_examples() -> None:
    assert slugify("Hậu Giang") == "hau-giang"
    assert slugify("  Đắk Lắk – 2025 ") == "dak-lak-2025"
    assert fold("ĐẶNG Quang-Khánh") == "dang quang khanh"


# --- search --------------------------------------------------------------------------------------

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ENTITY = ox.NamedNode("https://w3id.org/dxkg/id/province/x")
OTHER = ox.NamedNode("https://w3id.org/dxkg/id/province/y")
GRAPH = ox.NamedNode("https://w3id.org/dxkg/graph/test")


def index_of(labels: dict[ox.NamedNode, str]) -> SearchIndex:
    store = ox.Store()
    for entity, label in labels.items():
        store.add(ox.Quad(entity, LABEL, ox.Literal(label, language="vi"), GRAPH))
    return SearchIndex.build(store)


@given(vietnamese_text(), st.sampled_from([str.lower, str.upper, str.title, lambda s: s]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_search_finds_a_label_without_its_diacritics(pair: tuple[str, str], case) -> None:
    text, plain = pair
    result = index_of({ENTITY: text, OTHER: "Zzz Qqq"}).search(case(plain))
    if not fold(plain):
        assert result.hits == () and result.message
        return
    assert result.hits and result.hits[0].iri == ENTITY.value
    snippet = result.hits[0].snippet
    assert snippet.text == text
    assert fold(snippet.match) == fold(plain)  # the highlighted part is what was searched for


@given(vietnamese_text(), vietnamese_text())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_search_highlight_is_the_matched_words(label: tuple[str, str], query: tuple[str, str]) -> None:
    result = index_of({ENTITY: label[0]}).search(query[0])
    for hit in result.hits:
        s = hit.snippet
        assert 0 <= s.start <= s.end <= len(s.text)
        if hit.rank <= 3:  # exact, prefix, word prefix, substring: one contiguous match
            assert fold(s.match) == fold(query[0])


def test_search_labels_in_the_data_are_nfc(store: ox.Store) -> None:
    """The search folds labels character by character, which assumes composed (NFC) text."""
    literals = {q.object.value for q in store if isinstance(q.object, ox.Literal)}
    assert literals and all(unicodedata.is_normalized("NFC", text) for text in literals)


# --- parameter binding ---------------------------------------------------------------------------

def param(kind: str) -> Parameter:
    return Parameter("p", kind, True, "", "")  # type: ignore[arg-type]


DATATYPES = {"integer": XSD + "integer", "decimal": XSD + "decimal", "gYear": XSD + "gYear", "date": XSD + "date",
             "string": XSD + "string", "language": XSD + "string"}
LEXICAL = {
    "integer": re.compile(r"[+-]?[0-9]+"),
    "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    "gYear": re.compile(r"-?[0-9]{4,}"),
    "date": re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}"),
}
spaces = st.sampled_from(["", " ", "\t", "  "])


@given(st.integers(), spaces)
def test_bind_integer_round_trips(n: int, space: str) -> None:
    term = param("integer").bind(f"{space}{n}{space}")
    assert isinstance(term, ox.Literal) and int(term.value) == n and term.datatype.value == DATATYPES["integer"]


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9))
def test_bind_decimal_round_trips(number: Decimal) -> None:
    term = param("decimal").bind(format(number, "f"))
    assert Decimal(term.value) == number and term.datatype.value == DATATYPES["decimal"]


@given(st.integers(0, 9999), st.booleans())
def test_bind_gyear_round_trips(year: int, bce: bool) -> None:
    text = ("-" if bce else "") + f"{year:04d}"
    term = param("gYear").bind(text)
    assert term.value == text and term.datatype.value == DATATYPES["gYear"]


@given(st.dates())
def test_bind_date_round_trips(day: date) -> None:
    term = param("date").bind(day.isoformat())
    assert date.fromisoformat(term.value) == day and term.datatype.value == DATATYPES["date"]


@given(st.from_regex(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,3}", fullmatch=True))
def test_bind_language_round_trips(tag: str) -> None:
    term = param("language").bind(tag)
    assert term.value == tag.lower() and term.datatype.value == DATATYPES["language"]


@given(st.text(min_size=1, max_size=300).filter(lambda s: s == s.strip() and s))
def test_bind_string_round_trips(text: str) -> None:
    term = param("string").bind(text)
    assert term == ox.Literal(text)


@given(st.sampled_from(sorted(PREFIXES)), st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True),
       st.sampled_from(["prefixed", "bracketed", "absolute"]))
def test_bind_iri_round_trips(prefix: str, local: str, form: str) -> None:
    iri = PREFIXES[prefix] + local
    raw = {"prefixed": f"{prefix}:{local}", "bracketed": f"<{iri}>", "absolute": iri}[form]
    assert param("iri").bind(raw) == ox.NamedNode(iri)


@given(st.sampled_from(sorted(DATATYPES) + ["iri"]), st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\s*[+-]?[0-9٠-٩_.,eE]{0,12}\s*", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}:[^\s]{0,20}", fullmatch=True),
    st.text(alphabet="<>\"{}|^`\\ \x00:/#", max_size=20),
))
@settings(max_examples=1000, deadline=None)  # a pure function; a pause of the shared machine is no failure
def test_bind_any_text_gives_a_term_of_the_type_or_bad_query(kind: str, raw: str) -> None:
    try:
        term = param(kind).bind(raw)
    except BadQuery as exc:
        assert "'p'" in str(exc)  # names the parameter
        return
    if kind == "iri":
        assert isinstance(term, ox.NamedNode)
    else:
        assert isinstance(term, ox.Literal) and term.datatype.value == DATATYPES[kind]


@given(st.sampled_from(sorted(LEXICAL)), st.one_of(
    st.from_regex(r"[+-]?[0-9٠-٩]{1,6}([.,][0-9]{0,8})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
    st.dates().map(date.isoformat)))
@example("decimal", "1e5")
@example("decimal", "0.0000001")
@example("gYear", "٢٠٢٤")
def test_bind_gives_a_valid_lexical_form(kind: str, raw: str) -> None:
    try:
        term = param(kind).bind(raw)
    except BadQuery:
        return
    assert LEXICAL[kind].fullmatch(term.value), (raw, term.value)


# --- the query guard -----------------------------------------------------------------------------

sparql_ish = st.text(alphabet="{}()[]\"'<>#\\\n .;,?xAS-+*/!|^&=", max_size=300)


@given(sparql_ish)
@settings(max_examples=500)
def test_query_guard_reads_any_text_or_finds_an_open_string(text: str) -> None:
    try:
        found = complexity(text)
    except BadQuery as exc:
        assert "never ends" in str(exc)
        return
    assert found.depth >= 0 and found.operators >= 0
    assert found.depth <= text.count("{") + text.count("(") + text.count("[")


@given(st.text(alphabet=st.characters(blacklist_characters="\"'\\\n\r", blacklist_categories=("Cs",)), max_size=80),
       st.integers(0, 3 * MAX_DEPTH))
def test_query_guard_ignores_brackets_in_strings_iris_and_comments(text: str, depth: int) -> None:
    braces, parentheses = "{" * depth + "}" * depth, "(" * depth + ")" * depth
    long_string = "'''" + text + braces + "'''"
    for hidden in (f'"{text}{braces}"', long_string, f"<http://x/{parentheses}>"):
        assert mask(hidden).strip() == ""
        check_complexity(f"ASK {{ ?s ?p {hidden} }}")
    comment = f"# {text}{braces}\n"
    assert mask(comment).strip() == ""
    check_complexity(f"ASK {{ {comment} }}")


@given(st.integers(1, 3 * MAX_DEPTH), st.sampled_from(["{", "(", "["]))
def test_query_guard_measures_nesting(depth: int, opener: str) -> None:
    closer = {"{": "}", "(": ")", "[": "]"}[opener]
    query = "ASK " + opener * depth + closer * depth
    assert complexity(query).depth == depth
    if depth > MAX_DEPTH:
        with pytest.raises(BadQuery, match="nests"):
            check_complexity(query)
    else:
        check_complexity(query)
