#!/usr/bin/env python3
"""Build data/reference/*.ttl from the shared reference CSVs.

Reads the five CSVs in ``../shared/reference/`` (relative to the repo root, override with
``--reference-dir``) and writes one Turtle file per CSV to ``data/reference/`` with the same
stem. Output is deterministic: subjects, predicates and objects are sorted.

The data model is ``docs/data-model.md``. A triple lives in exactly one file, so facts that
two CSVs share are written once (see ``build_index_observations``).

Note: the project's canonical ``slugify`` lives in ``dxkg/namespaces.py``. The copy below
follows the same rule (NFD-decompose, drop combining marks, đ/Đ → d, lower-case,
non-alphanumerics → '-', collapse and strip '-') and must stay identical in behaviour.

Usage: python scripts/build_reference.py [--reference-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE_DIR = "../shared/reference"
DEFAULT_OUT_DIR = "data/reference"

# --------------------------------------------------------------------------- namespaces

DX = "https://w3id.org/dxkg/ontology#"
ID = "https://w3id.org/dxkg/id/"
GRAPH = "https://w3id.org/dxkg/graph/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"

# Prefixes available to the writer; only those used in a file are declared.
PREFIXES: dict[str, str] = {
    "dx": DX,
    "graph": GRAPH,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
}
ID_TYPES = ["body", "change", "collection", "confidence", "decision", "decree", "dispatch", "index", "law", "pillar", "province", "ranking", "region", "resolution", "scheme", "source"]
for _t in ID_TYPES:
    PREFIXES[_t] = f"{ID}{_t}/"

# Seed article files → source stems (docs/data-model.md).
SEED_STEMS: dict[str, str] = {
    "000_3fb3b05063157b9a.txt": "article-000-an-giang",
    "001_256477717902c520.txt": "article-001-hau-giang",
    "002_e2b2c055c0d1e114.txt": "article-002-kien-giang",
    "003_bb5ee0d34e5e64b2.txt": "article-003-tien-giang",
    "004_70b9b0391aee3797.txt": "article-004-gia-lai",
}


# --------------------------------------------------------------------------- slugs


def slugify(text: str) -> str:
    """ASCII slug: NFD, drop combining marks, đ→d, lower, non-alnum→'-', collapse/strip."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


# --------------------------------------------------------------------------- RDF terms


@dataclass(frozen=True, order=True)
class IRI:
    value: str


@dataclass(frozen=True, order=True)
class Literal:
    value: str
    lang: str = ""
    datatype: str = ""  # full IRI; "" = xsd:string (or lang string)


Term = IRI | Literal
Triple = tuple[IRI, IRI, Term]


def dx(name: str) -> IRI:
    return IRI(DX + name)


def ent(kind: str, slug: str) -> IRI:
    return IRI(f"{ID}{kind}/{slug}")


def vi(text: str) -> Literal:
    return Literal(text, lang="vi")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def plain(text: str) -> Literal:
    return Literal(text)


def typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=XSD + datatype)


def integer(n: int) -> Literal:
    return typed(str(n), "integer")


A = IRI(RDF + "type")
LABEL = IRI(RDFS + "label")
COMMENT = IRI(RDFS + "comment")
SEE_ALSO = IRI(RDFS + "seeAlso")
SOURCE = IRI(DCTERMS + "source")
TITLE = IRI(DCTERMS + "title")
IDENTIFIER = IRI(DCTERMS + "identifier")
ALTERNATIVE = IRI(DCTERMS + "alternative")
IS_REPLACED_BY = IRI(DCTERMS + "isReplacedBy")
NOTATION = IRI(SKOS + "notation")
PREF_LABEL = IRI(SKOS + "prefLabel")
IN_SCHEME = IRI(SKOS + "inScheme")
MEMBER = IRI(SKOS + "member")
DEFINITION = IRI(SKOS + "definition")
SKOS_CONCEPT = IRI(SKOS + "Concept")
SKOS_SCHEME = IRI(SKOS + "ConceptScheme")
SKOS_COLLECTION = IRI(SKOS + "Collection")


class Graph:
    """A set of triples for one output file."""

    def __init__(self) -> None:
        self.triples: set[Triple] = set()

    def add(self, s: IRI, p: IRI, o: Term) -> None:
        self.triples.add((s, p, o))

    def labels(self, s: IRI, label_vi: str, label_en: str, *, pref: bool = False) -> None:
        self.add(s, LABEL, vi(label_vi))
        self.add(s, LABEL, en(label_en))
        if pref:
            self.add(s, PREF_LABEL, vi(label_vi))
            self.add(s, PREF_LABEL, en(label_en))


# --------------------------------------------------------------------------- Turtle writer

PREDICATE_ORDER = [A, LABEL, PREF_LABEL]
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def _iri(term: IRI, used: set[str]) -> str:
    if term == A:
        return "a"
    best = ""
    for prefix, ns in PREFIXES.items():
        if term.value.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = term.value[len(ns):]
            if LOCAL_NAME.match(local):
                best = prefix
    if best:
        used.add(best)
        return f"{best}:{term.value[len(PREFIXES[best]):]}"
    return f"<{term.value}>"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )


def _term(term: Term, used: set[str]) -> str:
    if isinstance(term, IRI):
        return _iri(term, used)
    out = f'"{_escape(term.value)}"'
    if term.lang:
        return f"{out}@{term.lang}"
    if term.datatype == XSD + "integer" and re.fullmatch(r"-?\d+", term.value):
        return term.value
    if term.datatype:
        return f"{out}^^{_iri(IRI(term.datatype), used)}"
    return out


def _object_key(term: Term) -> tuple[int, str, str, str]:
    if isinstance(term, IRI):
        return (0, term.value, "", "")
    numeric = term.datatype == XSD + "integer"
    value = f"{int(term.value):020d}" if numeric else term.value
    return (1, term.datatype, term.lang, value)


def serialize(graph: Graph, header: str, source_subject: IRI) -> str:
    by_subject: dict[IRI, dict[IRI, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in graph.triples:
        by_subject[s][p].append(o)

    def predicate_key(p: IRI) -> tuple[int, str]:
        return (PREDICATE_ORDER.index(p), "") if p in PREDICATE_ORDER else (len(PREDICATE_ORDER), p.value)

    # The source entity first, then every subject in IRI order.
    subjects = sorted(by_subject, key=lambda s: (s != source_subject, s.value))
    used: set[str] = set()
    blocks: list[str] = []
    for s in subjects:
        lines = []
        preds = sorted(by_subject[s], key=predicate_key)
        for i, p in enumerate(preds):
            objs = ", ".join(_term(o, used) for o in sorted(by_subject[s][p], key=_object_key))
            end = " ." if i == len(preds) - 1 else " ;"
            lines.append(f"    {_iri(p, used)} {objs}{end}")
        blocks.append(_term(s, used) + "\n" + "\n".join(lines))
    prefix_lines = [f"@prefix {p}: <{PREFIXES[p]}> ." for p in sorted(used)]
    return f"# {header}\n\n" + "\n".join(prefix_lines) + "\n\n" + "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------- helpers


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def source_iri(stem: str) -> IRI:
    return ent("source", stem)


def describe_source(
    g: Graph,
    stem: str,
    *,
    label_vi: str,
    label_en: str,
    title: str,
    comment: str,
    urls: list[str] | tuple[str, ...] = (),
) -> IRI:
    s = source_iri(stem)
    g.add(s, A, dx("ReferenceDataset"))
    g.labels(s, label_vi, label_en)
    g.add(s, IDENTIFIER, plain(f"{stem}.csv"))
    g.add(s, TITLE, en(title))
    g.add(s, dx("namedGraph"), IRI(GRAPH + stem))
    g.add(s, COMMENT, en(comment))
    for url in urls:
        g.add(s, dx("citedUrl"), typed(url, "anyURI"))
    return s


URL_RE = re.compile(r"https?://[^\s;,()]+")
SEED_RE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def join_comments(parts: list[str]) -> str:
    """One English comment from several notes: capitalised sentences ending with '.'."""
    return " ".join(f"{p[0].upper()}{p[1:].rstrip('.')}." for p in parts)


def add_source_column(g: Graph, s: IRI, text: str, comments: list[str], *, derived: bool = False) -> None:
    """A CSV `source` cell: URLs → dx:citedUrl, seed files → rdfs:seeAlso, other text → comment."""
    urls = URL_RE.findall(text)
    seeds = SEED_RE.findall(text)
    for url in urls:
        g.add(s, dx("citedUrl"), typed(url, "anyURI"))
    for seed in seeds:
        g.add(s, SEE_ALSO, source_iri(SEED_STEMS[seed]))
    rest = SEED_RE.sub("", URL_RE.sub("", text))
    if derived:
        comments.append(f"Derived value, not stated directly by a source (reference table: {text})")
    elif re.sub(r"[\s;,]|\bseed\b", "", rest):  # more than bare URLs / seed file names
        comments.append(f"Source as given in the reference table: {text}")


# --------------------------------------------------------------------------- provinces

TYPE_CLASS = {"tỉnh": "Province", "thành phố trực thuộc trung ương": "Municipality"}
TYPE_WORD = {"Province": ("tỉnh", "province"), "Municipality": ("thành phố", "City")}
NAME_PREFIX = re.compile(r"^(Tỉnh|Thành phố|TP\.?)\s+")
REGION_RE = re.compile(r"^(?P<vi>.+?)\s*\((?P<en>[^)]+)\)$")
MERGER_DATE = "2025-07-01"
LAST_DAY_BEFORE_MERGER = "2025-06-30"
HUE_CODE = "46"
HUE_FROM = "2025-01-01"
THUA_THIEN_HUE_UNTIL = "2024-12-31"
MERGER_RESOLUTION = ent("resolution", "202-2025-qh15")


def short_name(name: str) -> str:
    return NAME_PREFIX.sub("", name).strip()


@dataclass(frozen=True)
class OldUnit:
    code: str
    iri: IRI
    name_vi: str
    name_en: str
    row: dict[str, str]


@dataclass(frozen=True)
class NewUnit:
    code: str
    iri: IRI
    kind: str  # "merged", "unchanged" or "hue"
    name_vi: str
    name_en: str
    cls: str
    old_codes: tuple[str, ...]
    row: dict[str, str]


@dataclass
class Provinces:
    old: dict[str, OldUnit]  # by pre-2025 code
    new: dict[str, NewUnit]  # by 2025 code


def load_provinces(rows63: list[dict[str, str]], rows34: list[dict[str, str]]) -> Provinces:
    old = {
        r["gso_code"]: OldUnit(r["gso_code"], ent("province", slugify(r["name_vi"])), r["name_vi"], r["name_en"], r)
        for r in rows63
    }
    assert len(old) == 63 == len(rows63), "expected 63 distinct pre-2025 codes"
    by_slug = {slugify(u.name_vi): u for u in old.values()}
    new: dict[str, NewUnit] = {}
    for r in rows34:
        code, n_old = r["new_code"], int(r["n_old"])
        old_codes = tuple(part.split()[0] for part in r["merged_from"].split(";"))
        assert len(old_codes) == n_old, f"{code}: n_old {n_old} vs merged_from {old_codes}"
        name = short_name(r["new_name"])
        namesake = by_slug.get(slugify(name))
        name_en = namesake.name_en if namesake else slugify(name).replace("-", " ").title()
        cls = TYPE_CLASS[r["type_vi"]]
        if code == HUE_CODE:
            kind, iri = "hue", ent("province", "hue")
        elif n_old == 1:
            kind, iri = "unchanged", old[old_codes[0]].iri
        else:
            kind, iri = "merged", ent("province", f"{slugify(name)}-2025")
        new[code] = NewUnit(code, iri, kind, name, name_en, cls, old_codes, r)
    assert len(new) == 34, "expected 34 units from 2025-07-01"
    # Cross-check: the 63 list's merged_into_code agrees with the 34 list's merged_from.
    for unit in new.values():
        for oc in unit.old_codes:
            assert old[oc].row["merged_into_code_2025"] == unit.code, f"{oc} → {unit.code} mismatch"
    return Provinces(old, new)


def region_concept(text: str) -> tuple[IRI, str, str]:
    m = REGION_RE.match(text)
    assert m, f"region not in 'vi (en)' form: {text!r}"
    return ent("region", slugify(m["en"])), m["vi"], m["en"]


def build_provinces_63(p: Provinces, stem: str) -> Graph:
    g = Graph()
    src = describe_source(
        g,
        stem,
        label_vi="Danh mục 63 đơn vị hành chính cấp tỉnh (đến 30/6/2025)",
        label_en="The 63 provincial-level units up to 2025-06-30",
        title="Provincial-level units of Viet Nam up to 2025-06-30: codes, names, types, regions, 2025 successors",
        comment=(
            "Official statistics-office (GSO) codes, vi/en names, unit types and regions of the 63 "
            "provincial-level units, as published in the MIT-licensed datasets "
            "thanglequoc/vietnamese-provinces-database (commit b77a9274) and daohoangson/dvhcvn, which agree "
            "on all 63 codes; the 2025 successor columns come from dvhcvn 20250701 mapping/merges.json. "
            "Confidence: high (two agreeing published datasets). English names are the datasets' romanisations."
        ),
        urls=(
            "https://github.com/thanglequoc/vietnamese-provinces-database/tree/b77a9274",
            "https://github.com/daohoangson/dvhcvn",
        ),
    )
    scheme = ent("scheme", "regions")
    g.add(scheme, A, SKOS_SCHEME)
    g.labels(scheme, "Vùng kinh tế - xã hội", "Socio-economic regions", pref=True)
    g.add(scheme, SOURCE, src)

    collection = ent("collection", "provincial-units-63")
    g.add(collection, A, SKOS_COLLECTION)
    g.labels(collection, "63 đơn vị hành chính cấp tỉnh (đến 30/6/2025)", "The 63 provincial-level units (to 2025-06-30)")
    g.add(collection, SOURCE, src)

    new_of_old = {oc: u for u in p.new.values() for oc in u.old_codes}
    for unit in p.old.values():
        r, s = unit.row, unit.iri
        g.add(s, A, dx(TYPE_CLASS[r["type_vi"]]))
        g.labels(s, unit.name_vi, unit.name_en)
        g.add(s, NOTATION, plain(unit.code))
        g.add(s, dx("fullName"), vi(r["full_name_vi"]))
        g.add(s, dx("fullName"), en(r["full_name_en"]))
        region, region_vi, region_en = region_concept(r["region"])
        g.add(s, dx("region"), region)
        g.add(region, A, SKOS_CONCEPT)
        g.add(region, A, dx("Region"))
        g.labels(region, region_vi, region_en, pref=True)
        g.add(region, IN_SCHEME, scheme)
        g.add(region, SOURCE, src)
        g.add(s, SOURCE, src)
        g.add(collection, MEMBER, s)
        if r["note"]:
            g.add(s, COMMENT, en(r["note"]))
        successor = new_of_old[unit.code]
        if successor.kind == "hue":
            g.add(s, dx("validUntil"), typed(THUA_THIEN_HUE_UNTIL, "date"))
            g.add(s, IS_REPLACED_BY, successor.iri)
        elif successor.kind == "merged":
            g.add(s, dx("validUntil"), typed(LAST_DAY_BEFORE_MERGER, "date"))
            g.add(s, dx("mergedInto"), successor.iri)
    return g


def build_provinces_34(p: Provinces, stem: str) -> Graph:
    g = Graph()
    src = describe_source(
        g,
        stem,
        label_vi="Danh mục 34 đơn vị hành chính cấp tỉnh (từ 1/7/2025)",
        label_en="The 34 provincial-level units from 2025-07-01",
        title="Provincial-level units of Viet Nam from 2025-07-01: codes, names, types, constituents, commune counts, seats",
        comment=(
            "Codes from statistics-office letter 915/CTK-CSCL, seats from the annex of Resolution 60-NQ/TW, "
            "commune-level unit counts from the 2025 commune-level resolutions. Each merged unit took the code "
            "of the former province that hosts its seat, so a code is not an identity: old and new units are "
            "different entities linked by the change events here (Resolution 202/2025/QH15, new governments "
            "from 2025-07-01). Thừa Thiên Huế became the centrally-run city of Huế on 2025-01-01. "
            "Seats are resolved by name among each unit's former units."
        ),
    )
    collection = ent("collection", "provincial-units-34")
    g.add(collection, A, SKOS_COLLECTION)
    g.labels(collection, "34 đơn vị hành chính cấp tỉnh (từ 1/7/2025)", "The 34 provincial-level units (from 2025-07-01)")
    g.add(collection, SOURCE, src)

    for unit in p.new.values():
        r, s = unit.row, unit.iri
        g.add(collection, MEMBER, s)
        g.add(s, dx("communeLevelUnitCount"), integer(int(r["commune_level_units"])))
        if unit.kind == "unchanged":
            continue  # same entity as in the 63 list, described there
        word_vi, word_en = TYPE_WORD[unit.cls]
        full_en = f"{unit.name_en} {'City' if unit.cls == 'Municipality' else 'Province'}"
        g.add(s, A, dx(unit.cls))
        g.add(s, NOTATION, plain(unit.code))
        g.add(s, dx("fullName"), vi(r["new_name"]))
        g.add(s, dx("fullName"), en(full_en))
        g.add(s, SOURCE, src)
        change = ent("change", f"{MERGER_DATE if unit.kind == 'merged' else HUE_FROM}-{s.value.rsplit('/', 1)[1]}")
        g.add(change, A, dx("AdministrativeChange"))
        g.add(change, dx("establishedUnit"), s)
        g.add(change, SOURCE, src)
        for oc in unit.old_codes:
            g.add(change, dx("abolishedUnit"), p.old[oc].iri)
        if unit.kind == "hue":
            g.labels(s, unit.name_vi, unit.name_en)
            g.add(s, dx("validFrom"), typed(HUE_FROM, "date"))
            g.add(change, dx("changeDate"), typed(HUE_FROM, "date"))
            g.labels(
                change,
                "Thừa Thiên Huế trở thành thành phố Huế trực thuộc trung ương (2025)",
                "Thua Thien Hue becomes the centrally-run city of Hue (2025)",
            )
            g.add(change, COMMENT, en("The reference tables do not give the legal basis of this change."))
            continue
        g.labels(s, f"{unit.name_vi} (từ 2025)", f"{unit.name_en} (from 2025)")
        g.add(s, dx("validFrom"), typed(MERGER_DATE, "date"))
        g.add(s, dx("seatInFormerUnit"), seat_unit(p, unit).iri)
        g.add(change, dx("changeDate"), typed(MERGER_DATE, "date"))
        g.add(change, dx("legalBasis"), MERGER_RESOLUTION)
        g.labels(
            change,
            f"Hợp nhất thành {word_vi} {unit.name_vi} mới (2025)",
            f"Merger forming the new {unit.name_en} {word_en} (2025)",
        )
    return g


def seat_unit(p: Provinces, unit: NewUnit) -> OldUnit:
    seat = slugify(short_name(unit.row["seat_in_former_unit_per_60-NQ-TW"]))
    matches = [p.old[oc] for oc in unit.old_codes if slugify(p.old[oc].name_vi) == seat]
    assert len(matches) == 1, f"{unit.code}: seat {seat!r} not among {unit.old_codes}"
    if matches[0].code != unit.code:
        print(f"note: {unit.code} seat {matches[0].code} differs from its code", file=sys.stderr)
    return matches[0]


# --------------------------------------------------------------------------- national documents

DOC_KINDS: dict[str, tuple[str, str, str, str]] = {
    # kind: (class, IRI type, vi label word, en label word)
    "party resolution": ("PartyResolution", "resolution", "Nghị quyết", "Resolution"),
    "resolution": ("StateResolution", "resolution", "Nghị quyết", "Resolution"),
    "decision": ("Decision", "decision", "Quyết định", "Decision"),
    "decree": ("Decree", "decree", "Nghị định", "Decree"),
    "law": ("Law", "law", "Luật", "Law"),
    "dispatch": ("Dispatch", "dispatch", "Công điện", "Dispatch"),
}
ISSUERS: dict[str, str] = {
    "Politburo (Bộ Chính trị)": "bo-chinh-tri",
    "Prime Minister (Thủ tướng Chính phủ)": "thu-tuong",
    "Government (Chính phủ)": "chinh-phu",
    "Ministry of Information and Communications (Bộ TT&TT)": "bo-tttt",
    "Ministry of Science and Technology (Bộ KH&CN)": "bo-khcn",
    "Party Central Committee (Ban Chấp hành Trung ương)": "ban-chap-hanh-trung-uong",
    "National Assembly (Quốc hội)": "quoc-hoi",
}
CONFIDENCE: dict[str, tuple[str, str, str, str]] = {
    "high": (
        "Độ tin cậy cao",
        "High confidence",
        "Văn bản chính thức hoặc nhiều nguồn thống nhất.",
        "An official publication or several agreeing sources.",
    ),
    "medium": (
        "Độ tin cậy trung bình",
        "Medium confidence",
        "Một nguồn duy nhất, hoặc suy ra từ các thay đổi được nêu.",
        "One source, or derived from stated changes.",
    ),
}
YEAR_IN_NUMBER = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
# Checked on NFD text: đ, and the combining marks Vietnamese uses (tones, circumflex, breve, horn).
VIETNAMESE_LETTERS = re.compile("[đĐ\u0300-\u0303\u0306\u0309\u031b\u0323]")
ENGLISH_WORDS = re.compile(r"\b(the|of|and|for|to|on|in|from|after|with|into|used|is|becomes|ends)\b", re.I)
TRAILING_PAREN = re.compile(r"^(?P<main>.+?)\s*\((?P<paren>[^()]+)\)$")


def is_vietnamese(text: str) -> bool:
    """Vietnamese letters and no English function words (mixed prose counts as English)."""
    return bool(VIETNAMESE_LETTERS.search(unicodedata.normalize("NFD", text))) and not ENGLISH_WORDS.search(text)


def split_title(text: str) -> tuple[Literal, list[Literal], list[Literal]]:
    """title_or_content → (title, alternatives, comments).

    The column mixes Vietnamese titles, English names and English notes. A trailing
    English parenthesis after a Vietnamese title is an alternative name when capitalised
    ("Project 06") and a note otherwise; an English tail after "Vietnamese title: " is a note.
    """
    alternatives: list[Literal] = []
    comments: list[Literal] = []
    m = TRAILING_PAREN.match(text)
    if m and is_vietnamese(m["main"]) and not is_vietnamese(m["paren"]):
        text, paren = m["main"], m["paren"]
        (alternatives if paren[0].isupper() else comments).append(en(paren))
    head, sep, tail = text.partition(": ")
    if sep and is_vietnamese(head) and not is_vietnamese(tail):
        text = head
        comments.append(en(tail))
    return (vi(text) if is_vietnamese(text) else en(text)), alternatives, comments


def document_iri(number: str, kind: str, date: str) -> IRI:
    slug = slugify(number)
    if date and not YEAR_IN_NUMBER.search(number):
        slug = f"{slug}-{date[:4]}"
    return ent(DOC_KINDS[kind][1], slug)


def build_national_documents(rows: list[dict[str, str]], stem: str) -> Graph:
    g = Graph()
    src = describe_source(
        g,
        stem,
        label_vi="Văn bản quy phạm cấp quốc gia về chuyển đổi số",
        label_en="National documents of the digital-transformation domain",
        title="National legal documents of the domain: number, kind, date, issuer, content",
        comment=(
            "National legal and party documents with number, kind, date, issuer and a title or content note, "
            "each verified against the source cited per row (dx:citedUrl or a comment on the document). "
            "Titles in English are the table's descriptive renderings, not official translations. "
            "Confidence per row: high = an official publication or several agreeing sources; "
            "medium = one source, or derived from stated changes."
        ),
    )
    scheme = ent("scheme", "confidence")
    g.add(scheme, A, SKOS_SCHEME)
    g.labels(scheme, "Độ tin cậy của dữ kiện tham chiếu", "Confidence of reference facts", pref=True)
    g.add(scheme, SOURCE, src)
    for key, (lvi, len_, dvi, den) in CONFIDENCE.items():
        c = ent("confidence", key)
        g.add(c, A, SKOS_CONCEPT)
        g.add(c, A, dx("Confidence"))
        g.labels(c, lvi, len_, pref=True)
        g.add(c, IN_SCHEME, scheme)
        g.add(c, DEFINITION, vi(dvi))
        g.add(c, DEFINITION, en(den))
        g.add(c, SOURCE, src)

    for r in rows:
        number, kind, date = r["number"], r["kind"], r["date"]
        cls, _, word_vi, word_en = DOC_KINDS[kind]
        s = document_iri(number, kind, date)
        g.add(s, A, dx(cls))
        g.labels(s, f"{word_vi} {number}", f"{word_en} {number}")
        g.add(s, dx("documentNumber"), plain(number))
        if date:
            g.add(s, dx("issuedOn"), typed(date, "date"))
        g.add(s, dx("issuedBy"), ent("body", ISSUERS[r["issuer"]]))
        title, alternatives, notes = split_title(r["title_or_content"])
        g.add(s, TITLE, title)
        for alt in alternatives:
            g.add(s, ALTERNATIVE, alt)
        comments = [n.value for n in notes]
        add_source_column(g, s, r["source"], comments)
        if comments:
            g.add(s, COMMENT, en(join_comments(comments)))
        g.add(s, dx("confidence"), ent("confidence", r["confidence"]))
        g.add(s, SOURCE, src)
    return g


# --------------------------------------------------------------------------- rankings

INDEX_SLUGS = {
    "DTI": "dti",
    "ICT Index": "ict-index",
    "Service index (Cổng DVC quốc gia)": "public-service-index",
}
INDEX_NAMES = {  # short names for ranking labels: (vi, en)
    "dti": ("DTI", "DTI"),
    "ict-index": ("ICT Index", "Vietnam ICT Index"),
    "public-service-index": ("chỉ số phục vụ người dân, doanh nghiệp", "public service index"),
}
PILLARS = (  # order of the pillar_ranks_cqs_kts_xhs column
    ("digital-government", "trụ cột chính quyền số", "digital government pillar"),
    ("digital-economy", "trụ cột kinh tế số", "digital economy pillar"),
    ("digital-society", "trụ cột xã hội số", "digital society pillar"),
)
RANK_CHANGE = re.compile(r"\b(?P<dir>up|down) (?P<n>\d+) places?\b(?: on (?P<year>\d{4}))?")
NEW_UNIT_MARK = re.compile(r"\(from 2025-07-01\)")


@dataclass(frozen=True)
class Place:
    iri: IRI
    label_vi: str
    label_en: str


def place_of_old(p: Provinces, code: str) -> Place:
    u = p.old[code]
    return Place(u.iri, u.name_vi, u.name_en)


def ranking_labels(place: Place, index: str, edition: str, rank: str, out_of: str, pillar: int | None = None) -> tuple[str, str]:
    ivi, ien = INDEX_NAMES[index]
    if pillar is None:
        return f"{place.label_vi}: hạng {rank}/{out_of} {ivi} {edition}", f"{place.label_en}: rank {rank}/{out_of}, {ien} {edition}"
    _, pvi, pen = PILLARS[pillar]
    return (
        f"{place.label_vi}: hạng {rank}/{out_of} {pvi}, {ivi} {edition}",
        f"{place.label_en}: rank {rank}/{out_of}, {pen}, {ien} {edition}",
    )


def add_ranking(g: Graph, s: IRI, src: IRI, place: Place, index: str, edition: str, rank: str, out_of: str, pillar: int | None = None) -> None:
    g.add(s, A, dx("Ranking"))
    g.labels(s, *ranking_labels(place, index, edition, rank, out_of, pillar))
    g.add(s, dx("index"), ent("index", index))
    g.add(s, dx("editionYear"), typed(edition, "gYear"))
    g.add(s, dx("rank"), integer(int(rank)))
    g.add(s, dx("outOf"), integer(int(out_of)))
    g.add(s, dx("province"), place.iri)
    g.add(s, SOURCE, src)
    if pillar is not None:
        g.add(s, dx("pillar"), ent("pillar", PILLARS[pillar][0]))


def build_dti_2022(p: Provinces, rows: list[dict[str, str]], stem: str) -> tuple[Graph, dict[IRI, tuple[str, str]]]:
    g = Graph()
    urls = sorted({r["source"] for r in rows})
    src = describe_source(
        g,
        stem,
        label_vi="Xếp hạng DTI 2022 của 63 tỉnh, thành phố",
        label_en="DTI 2022 ranking of the 63 provinces",
        title="Provincial Digital Transformation Index (DTI) 2022: overall rank of all 63 provinces",
        comment=(
            "Overall DTI 2022 ranks of the 63 provincial-level units as published at dti.gov.vn/xep-hang-2022 "
            "(the 2022 edition uses the method of 922/QĐ-BTTTT). Provinces are resolved by the pre-2025 "
            "statistics-office code, not by the name as published. Two provinces share rank 15, so there is "
            "no rank 16. The table has no confidence column; its single source is the official ranking page."
        ),
        urls=urls,
    )
    ranks: dict[IRI, tuple[str, str]] = {}
    for r in rows:
        assert r["year"] == "2022"
        place = place_of_old(p, r["gso_code"])
        s = ent("ranking", f"{slugify(place.label_vi)}-dti-{r['year']}")
        assert s not in ranks, f"duplicate ranking {s}"
        add_ranking(g, s, src, place, "dti", r["year"], r["rank"], "63")
        ranks[s] = (r["rank"], "63")
    assert len(ranks) == 63
    return g, ranks


def build_index_observations(p: Provinces, rows: list[dict[str, str]], stem: str, dti2022: dict[IRI, tuple[str, str]]) -> Graph:
    g = Graph()
    src = describe_source(
        g,
        stem,
        label_vi="Các kết quả xếp hạng DTI, ICT Index và chỉ số phục vụ của các tỉnh trong bài báo nguồn",
        label_en="DTI, ICT Index and public-service-index ranks of the seed provinces",
        title="Other DTI, ICT Index and public-service-index ranks for the five seed provinces",
        comment=(
            "Ranks gathered per row from official rankings, news reports, provincial documents and the seed "
            "articles; each ranking carries its confidence (high or medium) and its cited URL, seed article "
            "(rdfs:seeAlso) or source note. Rows marked derived are computed from a stated change, not stated "
            "directly. Index editions changed method (1726/QĐ-BTTTT for 2020, 922/QĐ-BTTTT from 2022, "
            "405/QĐ-BKHCN for 2024), so scores are not comparable across editions. DTI 2022 ranks already in "
            "dti-2022-rank are not restated here; only the scores this table adds are."
        ),
    )
    for r in rows:
        index, edition, rank, out_of = INDEX_SLUGS[r["index"]], r["edition_year"], r["rank"], r["out_of"]
        if NEW_UNIT_MARK.search(r["province"]):
            unit = p.new[r["gso_code_pre2025"]]
            assert slugify(unit.name_vi) == slugify(NEW_UNIT_MARK.sub("", r["province"]))
            place = Place(unit.iri, f"{unit.name_vi} (từ 2025)", f"{unit.name_en} (from 2025)")
        else:
            place = place_of_old(p, r["gso_code_pre2025"])
            assert slugify(place.label_vi) == slugify(r["province"]), r
        slug = f"{place.iri.value.rsplit('/', 1)[1]}-{index}-{edition}"
        s = ent("ranking", slug)
        if s in dti2022:
            # Same ranking as in dti-2022-rank: add only the new facts (the score).
            assert dti2022[s] == (rank, out_of), f"{slug}: rank differs from dti-2022-rank"
            if r["score"]:
                g.add(s, dx("score"), typed(r["score"], "decimal"))
            continue
        targets = [(s, None, rank)]
        if r["pillar_ranks_cqs_kts_xhs"]:
            for i, pr in enumerate(r["pillar_ranks_cqs_kts_xhs"].split("/")):
                targets.append((ent("ranking", f"{slug}-{PILLARS[i][0]}"), i, pr))
        derived = r["note"] == "derived"
        comments = [r["note"]] if r["note"] and not derived else []
        for t, pillar, t_rank in targets:
            add_ranking(g, t, src, place, index, edition, t_rank, out_of, pillar)
            if r["score"] and pillar is None:
                g.add(t, dx("score"), typed(r["score"], "decimal"))
            g.add(t, dx("confidence"), ent("confidence", r["confidence"]))
            t_comments = list(comments)
            add_source_column(g, t, r["source"], t_comments, derived=derived)
            if t_comments:
                g.add(t, COMMENT, en(join_comments(t_comments)))
        m = RANK_CHANGE.search(r["note"])
        if m and (not m["year"] or int(m["year"]) == int(edition) - 1):
            g.add(s, dx("rankChange"), integer(int(m["n"]) * (1 if m["dir"] == "up" else -1)))
    return g


# --------------------------------------------------------------------------- main

STEMS = (
    "provinces-63-pre2025",
    "provinces-34-from-2025-07-01",
    "national-documents",
    "dti-2022-rank",
    "index-observations",
)


def build(reference_dir: Path) -> dict[str, Graph]:
    rows = {stem: read_csv(reference_dir / f"{stem}.csv") for stem in STEMS}
    p = load_provinces(rows["provinces-63-pre2025"], rows["provinces-34-from-2025-07-01"])
    dti_graph, dti_ranks = build_dti_2022(p, rows["dti-2022-rank"], "dti-2022-rank")
    return {
        "provinces-63-pre2025": build_provinces_63(p, "provinces-63-pre2025"),
        "provinces-34-from-2025-07-01": build_provinces_34(p, "provinces-34-from-2025-07-01"),
        "national-documents": build_national_documents(rows["national-documents"], "national-documents"),
        "dti-2022-rank": dti_graph,
        "index-observations": build_index_observations(p, rows["index-observations"], "index-observations", dti_ranks),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-dir", default=DEFAULT_REFERENCE_DIR, help="CSV folder (relative to the repo root)")
    parser.add_argument("--out-dir", default=DEFAULT_OUT_DIR, help="output folder (relative to the repo root)")
    args = parser.parse_args(argv)
    reference_dir = REPO_ROOT / args.reference_dir
    out_dir = REPO_ROOT / args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, graph in build(reference_dir).items():
        # The header names the shared folder as the project sees it, wherever the CSVs were read from.
        header = f"Generated by scripts/build_reference.py from ../shared/reference/{stem}.csv — do not edit by hand"
        path = out_dir / f"{stem}.ttl"
        path.write_text(serialize(graph, header, source_iri(stem)), encoding="utf-8")
        shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        print(f"{shown}: {len(graph.triples)} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
