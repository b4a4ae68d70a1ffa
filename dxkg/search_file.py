"""The search index of a snapshot as a file: its columns, each string stored once, numbers as arrays.

`search-index.bin` in the snapshot folder: a line naming the format, a JSON header line listing the
sections, then the sections one after the other: `strings`, every distinct string in UTF-8 end to
end, and `string_ends`, where each ends; one column of 32-bit numbers per string column (a position
in `strings`, -1 for none); and the number columns (label and posting offsets, postings). Reading it
creates each string once, straight from the bytes, so equal labels share one object as they did when
the index was built, and nothing is held on the way but the file's bytes (about 45 MiB at 1 M
triples; a JSON file would be decoded whole into text first, twice that). It is data, not code: no
pickle.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .entities import Labels

SEARCH_INDEX_FILE = "search-index.bin"
MAGIC = b"dxkg search index 2\n"
NUMBER_COLUMNS = ("entry_start", "posting_start", "postings")


@dataclass(frozen=True, slots=True)
class IndexColumns:
    """What a search index holds, column by column (see dxkg.search.SearchIndex)."""

    iris: list[str]
    labels: list[Labels]
    types: list[str | None]
    type_labels: dict[str, Labels]
    entry_start: array
    entry_text: list[str]
    entry_lang: list[str]
    entry_folded: list[str]
    vocabulary: list[str]
    posting_start: array
    postings: array


def path_in(snapshot: Path) -> Path:
    """Return where the search index of the snapshot in this folder is kept."""
    return snapshot / SEARCH_INDEX_FILE


def is_readable(path: Path) -> bool:
    """Return whether `path` holds a search index in this format."""
    try:
        with open(path, "rb") as f:
            return f.readline() == MAGIC
    except OSError:
        return False


def write(columns: IndexColumns, path: Path) -> None:
    """Write the columns to `path`, atomically (a reader sees the whole file or none)."""
    table: dict[str, int] = {}

    def refs(texts: list[str | None]) -> array:
        return array("i", (-1 if t is None else table.setdefault(t, len(table)) for t in texts))

    type_iris = sorted(columns.type_labels)
    sections: dict[str, array | bytes] = {
        "iris": refs(columns.iris),
        "vi": refs([labels.vi for labels in columns.labels]),
        "en": refs([labels.en for labels in columns.labels]),
        "fallback": refs([labels.fallback for labels in columns.labels]),
        "types": refs(columns.types),
        "type_iris": refs(type_iris),
        "type_vi": refs([columns.type_labels[t].vi for t in type_iris]),
        "type_en": refs([columns.type_labels[t].en for t in type_iris]),
        "type_fallback": refs([columns.type_labels[t].fallback for t in type_iris]),
        "entry_text": refs(columns.entry_text),
        "entry_lang": refs(columns.entry_lang),
        "entry_folded": refs(columns.entry_folded),
        "vocabulary": refs(columns.vocabulary),
        "entry_start": columns.entry_start,
        "posting_start": columns.posting_start,
        "postings": columns.postings,
    }
    encoded = [text.encode("utf-8") for text in table]
    ends, end = array("I"), 0
    for data in encoded:
        end += len(data)
        ends.append(end)
    sections["string_ends"] = ends
    sections["strings"] = b"".join(encoded)
    blobs = {name: data if isinstance(data, bytes) else data.tobytes() for name, data in sections.items()}
    header = {"byteorder": sys.byteorder, "sections": [[name, len(blob)] for name, blob in blobs.items()]}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + json.dumps(header).encode("ascii") + b"\n")
            for blob in blobs.values():
                f.write(blob)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def read(path: Path) -> IndexColumns:
    """Return the columns kept in `path`; raise FileNotFoundError when there is none (or an older one)."""
    with open(path, "rb") as f:
        if f.readline() != MAGIC:
            raise FileNotFoundError(f"{path}: not a search index of this format")
        header = json.loads(f.readline())
        sections = {name: _read_section(f, name, size, header["byteorder"]) for name, size in header["sections"]}
    blob = memoryview(sections.pop("strings"))
    ends = sections.pop("string_ends")
    strings = [str(blob[start:end], "utf-8") for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    del blob

    def texts(name: str) -> list:
        return [None if i < 0 else strings[i] for i in sections[name]]

    labels = [Labels(vi, en, fallback or "") for vi, en, fallback in zip(texts("vi"), texts("en"), texts("fallback"),
                                                                         strict=True)]
    type_labels = {iri: Labels(vi, en, fallback or "") for iri, vi, en, fallback in zip(
        texts("type_iris"), texts("type_vi"), texts("type_en"), texts("type_fallback"), strict=True)}
    return IndexColumns(
        iris=texts("iris"), labels=labels, types=texts("types"), type_labels=type_labels,
        entry_start=sections["entry_start"], entry_text=texts("entry_text"), entry_lang=texts("entry_lang"),
        entry_folded=texts("entry_folded"), vocabulary=texts("vocabulary"),
        posting_start=sections["posting_start"], postings=sections["postings"],
    )


def _read_section(f: BinaryIO, name: str, size: int, byteorder: str) -> array | bytes:
    data = f.read(size)
    if len(data) != size:
        raise FileNotFoundError(f"{name}: the search index file is cut short")
    if name == "strings":
        return data
    column = array("I" if name in NUMBER_COLUMNS or name == "string_ends" else "i")
    column.frombytes(data)
    if byteorder != sys.byteorder:
        column.byteswap()
    return column
