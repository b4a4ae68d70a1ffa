"""Label search, accent-insensitive for Vietnamese: an in-memory index per store version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from .entities import Labels, labels_of, type_name_of
from .namespaces import DX, ENTITY_TYPES, ID, fold, path_for
from .store import LoadedStore

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INDEXES_KEPT = 2

# Every label of every entity under the id/ namespace (?prefix is bound to it), with its types.
LABELS = """
SELECT ?s ?p ?label ?prefix WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel }
  ?s ?p ?label .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix) && isLiteral(?label))
}"""
TYPES = """
SELECT ?s ?type ?prefix WHERE {
  ?s a ?type .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix))
}"""

RANK_NAMES = {0: "exact", 1: "prefix", 2: "word-prefix", 3: "substring", 4: "all-words"}


@dataclass(frozen=True, slots=True)
class LabelEntry:
    """One label of an entity, with its folded form (offsets back to the label are computed per hit)."""

    text: str
    lang: str
    folded: str


@dataclass(frozen=True, slots=True)
class IndexedEntity:
    iri: str
    labels: Labels
    type_iri: str | None
    type_labels: Labels
    entries: tuple[LabelEntry, ...]


@dataclass(frozen=True, slots=True)
class Snippet:
    """The label that matched, split around the match, and the entity's label in the other language."""

    text: str
    lang: str
    start: int
    end: int
    other: str | None

    @property
    def before(self) -> str:
        return self.text[:self.start]

    @property
    def match(self) -> str:
        return self.text[self.start:self.end]

    @property
    def after(self) -> str:
        return self.text[self.end:]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result."""

    iri: str
    path: str
    labels: Labels
    type_iri: str | None
    type_labels: Labels
    rank: int
    snippet: Snippet

    def label(self, lang: str = "vi") -> str:
        return self.labels.pick(lang)

    def to_json(self, lang: str = "vi") -> dict[str, object]:
        s = self.snippet
        return {
            "iri": self.iri,
            "path": self.path,
            "label": self.labels.pick(lang),
            "labels": {"vi": self.labels.vi, "en": self.labels.en},
            "type": self.type_iri,
            "type_label": self.type_labels.pick(lang) if self.type_iri else None,
            "match": RANK_NAMES[self.rank],
            "snippet": {"text": s.text, "lang": s.lang, "start": s.start, "end": s.end,
                        "marked": f"{s.before}[{s.match}]{s.after}", "other": s.other},
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer to a query: the query as given, its hits, and a message when there is nothing to run."""

    query: str
    hits: tuple[Hit, ...]
    message: str | None = None
    limit: int = DEFAULT_LIMIT

    def to_json(self, lang: str = "vi") -> dict[str, object]:
        return {"query": self.query, "limit": self.limit, "count": len(self.hits),
                "results": [h.to_json(lang) for h in self.hits], "message": self.message}


class SearchIndex:
    """The folded labels of every entity of one store version, with an inverted index of their words.

    Every kind of match (exact, prefix, word-prefix, substring, all words) needs each word of the
    folded query inside some word of the folded label, so a query only scores the entities in the
    postings of the vocabulary words that contain each of its words: a scan of the distinct words,
    not of every label.
    """

    def __init__(self, entities: list[IndexedEntity]) -> None:
        self.entities = entities
        postings: dict[str, set[int]] = {}
        for number, entity in enumerate(entities):
            for entry in entity.entries:
                for word in entry.folded.split():
                    postings.setdefault(word, set()).add(number)
        self._postings = postings
        self._vocabulary = sorted(postings)

    def candidates(self, needle: str) -> set[int]:
        """Return the numbers of the entities whose labels have, for each query word, a word containing it."""
        found: set[int] | None = None
        for word in sorted(set(needle.split()), key=len, reverse=True):  # the rarest words first
            having = set().union(*(self._postings[w] for w in self._vocabulary if word in w))
            found = having if found is None else found & having
            if not found:
                return set()
        return found or set()

    @classmethod
    def build(cls, store: ox.Store) -> SearchIndex:
        """Return the index of every rdfs:label, skos:prefLabel and skos:altLabel under id/."""
        prefix = {ox.Variable("prefix"): ox.Literal(ID)}
        options = {"use_default_graph_as_union": True, "substitutions": prefix,
                   "prefixes": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                                "skos": "http://www.w3.org/2004/02/skos/core#"}}
        labels: dict[str, dict[tuple[str, str], None]] = {}
        for row in store.query(LABELS, **options):
            literal = row["label"]
            labels.setdefault(row["s"].value, {})[(literal.value, (literal.language or "").split("-")[0])] = None
        types: dict[str, list[str]] = {}
        for row in store.query(TYPES, **options):
            types.setdefault(row["s"].value, []).append(row["type"].value)
        type_labels: dict[str, Labels] = {}
        entities = []
        for iri, texts in labels.items():
            type_iri = _main_type(types.get(iri, []))
            if type_iri and type_iri not in type_labels:
                type_labels[type_iri] = labels_of(store, ox.NamedNode(type_iri))
            entries = tuple(_entry(text, lang) for text, lang in texts)
            entities.append(IndexedEntity(iri, labels_of(store, ox.NamedNode(iri)), type_iri,
                                          type_labels.get(type_iri, Labels()) if type_iri else Labels(), entries))
        return cls(entities)

    def search(self, query: str, limit: int = DEFAULT_LIMIT, lang: str = "vi") -> SearchResult:
        """Return the best hits for a query: exact label, then prefix, word-prefix, substring, all words."""
        limit = min(max(limit, 1), MAX_LIMIT)
        text = query.strip()
        if len(query) > MAX_QUERY_LENGTH:
            message = (f"Từ khóa quá dài (tối đa {MAX_QUERY_LENGTH} ký tự)." if lang == "vi"
                       else f"The query is too long (at most {MAX_QUERY_LENGTH} characters).")
            return SearchResult(query[:MAX_QUERY_LENGTH], (), message, limit)
        needle = fold(text)
        if not needle:
            message = ("Nhập tên cần tìm, ví dụ: Hậu Giang." if lang == "vi"
                       else "Type a name to search for, e.g. Hau Giang.")
            return SearchResult(text, (), message, limit)
        scored = []
        for number in self.candidates(needle):
            entity = self.entities[number]
            best = None
            for entry in entity.entries:
                found = _match(entry.folded, needle)
                if found is None:
                    continue
                rank, start, end = found
                key = (rank, 0 if entry.lang == lang else 1, len(entry.folded))
                if best is None or key < best[0]:
                    best = (key, entry, start, end)
            if best is not None:
                key, entry, start, end = best
                order = (key[0], key[2], _type_order(entity.iri), entity.labels.pick(lang).casefold(), entity.iri)
                scored.append((order, entity, entry, start, end))
        scored.sort(key=lambda s: s[0])
        hits = tuple(_hit(entity, entry, start, end, order[0], lang)
                     for order, entity, entry, start, end in scored[:limit])
        message = None
        if not hits:
            message = (f"Không tìm thấy kết quả cho “{text}”." if lang == "vi" else f"Nothing found for “{text}”.")
        return SearchResult(text, hits, message, limit)


_LOCK = threading.Lock()
_INDEXES: OrderedDict[str, SearchIndex] = OrderedDict()


def index_for(loaded: LoadedStore) -> SearchIndex:
    """Return the index of this store version, built on first use and kept while it is recent."""
    with _LOCK:
        index = _INDEXES.get(loaded.version)
        if index is not None:
            _INDEXES.move_to_end(loaded.version)
            return index
    index = SearchIndex.build(loaded.store)
    with _LOCK:
        _INDEXES[loaded.version] = index
        while len(_INDEXES) > INDEXES_KEPT:
            _INDEXES.popitem(last=False)
    return index


def search(loaded: LoadedStore, query: str, limit: int = DEFAULT_LIMIT, lang: str = "vi") -> SearchResult:
    """Return the hits for a query in the store version's index."""
    return index_for(loaded).search(query, limit, lang)


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """Return the folded form of one character (labels share a small alphabet, so this is cached)."""
    return fold(char) or " "


def _entry(text: str, lang: str) -> LabelEntry:
    """Return a label with its folded form: folded characters, single spaces, no edge spaces."""
    return LabelEntry(text, lang or "", " ".join("".join(map(_fold_char, text)).split()))


def _offsets(text: str) -> tuple[list[int], list[int]]:
    """Return, for each character of the folded label, where it starts and ends in the original."""
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(text):
        for c in _fold_char(char):
            if c == " " and (not folded or folded[-1] == " "):
                continue
            folded.append(c)
            starts.append(i)
            ends.append(i + 1)
    while folded and folded[-1] == " ":
        folded.pop(), starts.pop(), ends.pop()
    return starts, ends


def _match(folded: str, needle: str) -> tuple[int, int, int] | None:
    """Return (rank, start, end) of the needle in a folded label, in folded offsets, or None."""
    if folded == needle:
        return (0, 0, len(folded))
    if folded.startswith(needle):
        return (1, 0, len(needle))
    at = (" " + folded).find(" " + needle)
    if at >= 0:
        return (2, at, at + len(needle))
    at = folded.find(needle)
    if at >= 0:
        return (3, at, at + len(needle))
    words = needle.split()
    label_words = folded.split()
    if len(words) > 1 and all(any(lw.startswith(w) for lw in label_words) for w in words):
        first = (" " + folded).find(" " + words[0])
        return (4, first, first + len(words[0]))
    return None


def _hit(entity: IndexedEntity, entry: LabelEntry, start: int, end: int, rank: int, lang: str) -> Hit:
    starts, ends = _offsets(entry.text)
    original_start = starts[start] if start < len(starts) else len(entry.text)
    original_end = ends[end - 1] if 0 < end <= len(ends) else original_start
    other = entity.labels.en if entry.lang == "vi" else entity.labels.vi
    if other == entry.text:
        other = None
    return Hit(entity.iri, path_for(entity.iri) or entity.iri, entity.labels, entity.type_iri, entity.type_labels,
               rank, Snippet(entry.text, entry.lang, original_start, original_end, other))


def _main_type(types: list[str]) -> str | None:
    """Return the type to show: a dx: class before any other, then by IRI."""
    return min(types, key=lambda t: (not t.startswith(DX), t)) if types else None


def _type_order(iri: str) -> int:
    name = type_name_of(iri)
    return ENTITY_TYPES.index(name) if name in ENTITY_TYPES else len(ENTITY_TYPES)

