"""Label search, accent-insensitive for Vietnamese: an in-memory index per store version.

The index of a snapshot is built with it (dxkg.derived) and kept in its folder (dxkg.search_file);
the server only reads it. Building it reads every label of the store, which would make most of the
server's copy of the store private to the server (pyoxigraph writes while it reads) and leave
hundreds of MiB of garbage behind; the file costs one read of about 60 MiB.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .entities import Labels, labels_of, type_name_of
from . import search_file
from .errors import NotReady
from .namespaces import DX, ENTITY_TYPES, ID, fold, path_for
from .search_file import IndexColumns
from .store import LoadedStore

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INDEXES_KEPT = 2
NOT_READY_RETRY_S = 10

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

    The index is held in columns (lists of shared strings, arrays of numbers) rather than an object
    per entity and label: at 1 M triples (98 k entities, 196 k labels, 2 M postings) that is about
    60 MiB instead of 280. Entity `n` has the labels `entry_start[n]` to `entry_start[n + 1] - 1`;
    vocabulary word `w` the postings `posting_start[w]` to `posting_start[w + 1] - 1`.
    """

    def __init__(self, columns: IndexColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns.iris)

    def candidates(self, needle: str) -> set[int]:
        """Return the numbers of the entities whose labels have, for each query word, a word containing it."""
        c = self.columns
        found: set[int] | None = None
        for word in sorted(set(needle.split()), key=len, reverse=True):  # the rarest words first
            having: set[int] = set()
            for number, vocabulary_word in enumerate(c.vocabulary):
                if word in vocabulary_word:
                    having.update(c.postings[c.posting_start[number]:c.posting_start[number + 1]])
            found = having if found is None else found & having
            if not found:
                return set()
        return found or set()

    @classmethod
    def build(cls, store: ox.Store) -> SearchIndex:
        """Return the index of every rdfs:label, skos:prefLabel and skos:altLabel under id/.

        Only those labels, rdf:type and the labels of the types are read, so a store holding just
        those quads gives the same index as the whole store.
        """
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
        builder = _ColumnsBuilder()
        for iri, texts in labels.items():
            type_iri = _main_type(types.get(iri, []))
            if type_iri and type_iri not in builder.type_labels:
                builder.type_labels[type_iri] = builder.shared_labels(labels_of(store, ox.NamedNode(type_iri)))
            builder.add(iri, labels_of(store, ox.NamedNode(iri)), type_iri, texts)
        return cls(builder.finish())

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
        c = self.columns
        scored = []
        for number in self.candidates(needle):
            best = None
            for entry in range(c.entry_start[number], c.entry_start[number + 1]):
                folded = c.entry_folded[entry]
                found = _match(folded, needle)
                if found is None:
                    continue
                rank, start, end = found
                key = (rank, 0 if c.entry_lang[entry] == lang else 1, len(folded))
                if best is None or key < best[0]:
                    best = (key, entry, start, end)
            if best is not None:
                key, entry, start, end = best
                iri = c.iris[number]
                order = (key[0], key[2], _type_order(iri), c.labels[number].pick(lang).casefold(), iri)
                scored.append((order, number, entry, start, end))
        scored.sort(key=lambda s: s[0])
        hits = tuple(self._hit(number, entry, start, end, order[0])
                     for order, number, entry, start, end in scored[:limit])
        message = None
        if not hits:
            message = (f"Không tìm thấy kết quả cho “{text}”." if lang == "vi" else f"Nothing found for “{text}”.")
        return SearchResult(text, hits, message, limit)

    def _hit(self, number: int, entry: int, start: int, end: int, rank: int) -> Hit:
        c = self.columns
        text, lang = c.entry_text[entry], c.entry_lang[entry]
        starts, ends = _offsets(text)
        original_start = starts[start] if start < len(starts) else len(text)
        original_end = ends[end - 1] if 0 < end <= len(ends) else original_start
        iri, labels, type_iri = c.iris[number], c.labels[number], c.types[number]
        other = labels.en if lang == "vi" else labels.vi
        if other == text:
            other = None
        type_labels = c.type_labels.get(type_iri, Labels()) if type_iri else Labels()
        return Hit(iri, path_for(iri) or iri, labels, type_iri, type_labels, rank,
                   Snippet(text, lang, original_start, original_end, other))


class _ColumnsBuilder:
    """Collects entities into IndexColumns; equal strings are kept once."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.type_labels: dict[str, Labels] = {}
        self.iris: list[str] = []
        self.labels: list[Labels] = []
        self.types: list[str | None] = []
        self.entry_start = array("I", [0])
        self.entry_text: list[str] = []
        self.entry_lang: list[str] = []
        self.entry_folded: list[str] = []
        self.words: dict[str, list[int]] = {}

    def share(self, text: str) -> str:
        return self.strings.setdefault(text, text)

    def shared_labels(self, labels: Labels) -> Labels:
        return Labels(labels.vi and self.share(labels.vi), labels.en and self.share(labels.en), labels.fallback)

    def add(self, iri: str, labels: Labels, type_iri: str | None, texts: Iterable[tuple[str, str]]) -> None:
        number = len(self.iris)
        self.iris.append(iri)
        self.labels.append(self.shared_labels(labels))
        self.types.append(type_iri and self.share(type_iri))
        seen_words: set[str] = set()
        for text, lang in texts:
            folded = self.share(_folded(text))
            self.entry_text.append(self.share(text))
            self.entry_lang.append(self.share(lang or ""))
            self.entry_folded.append(folded)
            seen_words.update(folded.split())
        self.entry_start.append(len(self.entry_text))
        for word in seen_words:
            self.words.setdefault(word, []).append(number)

    def finish(self) -> IndexColumns:
        vocabulary = sorted(self.words)
        posting_start = array("I", [0])
        postings = array("I")
        for word in vocabulary:
            postings.extend(sorted(self.words[word]))
            posting_start.append(len(postings))
        return IndexColumns(self.iris, self.labels, self.types, self.type_labels, self.entry_start, self.entry_text,
                            self.entry_lang, self.entry_folded, vocabulary, posting_start, postings)


_LOCK = threading.Lock()
_INDEXES: OrderedDict[tuple[str, Path | None], SearchIndex] = OrderedDict()


def index_for(loaded: LoadedStore) -> SearchIndex:
    """Return the index of this store version, read from its snapshot once and kept while it is recent.

    Raise NotReady while the snapshot's index is still being written. A store that does not come
    from a snapshot (no folder) gets its index built from the store itself.
    """
    with _LOCK:
        key = (loaded.version, loaded.folder)  # the same version may sit in two var/ folders
        index = _INDEXES.get(key)
        if index is not None:
            _INDEXES.move_to_end(key)
            return index
        if loaded.folder is None:
            index = SearchIndex.build(loaded.store)
        else:
            try:
                index = SearchIndex(search_file.read(search_file.path_in(loaded.folder)))
            except FileNotFoundError:
                raise NotReady(f"the search index of data version {loaded.version} is being written; "
                               f"try again in a few seconds", NOT_READY_RETRY_S) from None
        _INDEXES[key] = index
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


def _folded(text: str) -> str:
    """Return a label's folded form: folded characters, single spaces, no edge spaces."""
    return " ".join("".join(map(_fold_char, text)).split())


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


def _main_type(types: list[str]) -> str | None:
    """Return the type to show: a dx: class before any other, then by IRI."""
    return min(types, key=lambda t: (not t.startswith(DX), t)) if types else None


def _type_order(iri: str) -> int:
    name = type_name_of(iri)
    return ENTITY_TYPES.index(name) if name in ENTITY_TYPES else len(ENTITY_TYPES)

