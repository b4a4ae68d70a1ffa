"""BASE IRI, PREFIXES, slugify, iri_for(path) / path_for(iri): the only IRI<->URL mapping."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

BASE = "https://w3id.org/dxkg/"
DX = "https://w3id.org/dxkg/ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
ONTOLOGY_IRI = "https://w3id.org/dxkg/ontology"

# Entity types that have their own IRI prefix (`province:gia-lai`), in the order pages list them.
ENTITY_TYPES: tuple[str, ...] = (
    "province", "district", "commune", "change", "body", "resolution", "plan", "decision",
    "decree", "law", "dispatch", "project", "programme", "partner", "agreement", "platform",
    "system", "indicator", "target", "achievement", "ranking", "index", "pillar", "person",
    "post", "source", "publisher", "scheme", "unit", "comparison", "level", "role", "topic",
    "region", "collection", "confidence",
)

PREFIXES: dict[str, str] = {
    "dx": DX,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
    "graph": GRAPH,
    **{t: f"{ID}{t}/" for t in ENTITY_TYPES},
}

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Return the ASCII slug of a Vietnamese name: diacritics folded, đ -> d, words joined by '-'."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


def graph_for(stem: str) -> str:
    """Return the named-graph IRI of the source file with this stem."""
    return GRAPH + stem


def source_for(stem: str) -> str:
    """Return the IRI of the source entity described by the file with this stem."""
    return f"{ID}source/{stem}"


def iri_for(path: str, base: str = BASE) -> str:
    """Return the canonical IRI served at a local path such as `id/province/gia-lai`."""
    return base + path.lstrip("/")


def path_for(iri: str, base: str = BASE) -> str | None:
    """Return the local path (`/id/province/gia-lai`) of an IRI under the base, or None."""
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return None


def sparql_prologue(prefixes: dict[str, str] = PREFIXES) -> str:
    """Return PREFIX declarations for the given prefixes, for query editors and files."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())


_NON_WORD = re.compile(r"[^0-9a-z]+")
_D_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """Return text folded for matching: lower case, diacritics and đ/Đ -> d, non-alphanumerics -> one space.

    The folding rule of `slugify`, with spaces instead of '-', so that `Đặng Quang Khanh`,
    `dang quang khanh` and `dang-quang-khanh` all fold to `dang quang khanh`.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D_FOLD))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", ascii_text).strip()


@lru_cache(maxsize=65536)
def curie(iri: str) -> str | None:
    """Return `prefix:local` for an IRI in a known namespace (the longest wins), else None; cached,
    since pages compact the same few thousand IRIs over and over."""
    best: tuple[str, str] | None = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best is None:
        return None
    local = iri[len(best[1]):]
    return f"{best[0]}:{local}" if local and "/" not in local and "#" not in local else None
