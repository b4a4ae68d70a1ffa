"""Content negotiation: Accept header, `format=` or suffix -> Format; the formats dxkg speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .errors import NotAcceptable

Kind = Literal["results", "graph", "dataset", "html", "text"]


@dataclass(frozen=True, slots=True)
class Format:
    """A serialization: its short name (`format=` value and suffix), media type and kind."""

    name: str
    media_type: str
    kind: Kind
    suffix: str
    label: str

    @property
    def is_html(self) -> bool:
        return self.kind == "html"

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        return _RESULTS[self.name]

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return _RDF[self.name]


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", "srj", "SPARQL JSON"),
    Format("xml", "application/sparql-results+xml", "results", "srx", "SPARQL XML"),
    Format("csv", "text/csv", "results", "csv", "CSV"),
    Format("tsv", "text/tab-separated-values", "results", "tsv", "TSV"),
    Format("ttl", "text/turtle", "graph", "ttl", "Turtle"),
    Format("nt", "application/n-triples", "graph", "nt", "N-Triples"),
    Format("jsonld", "application/ld+json", "graph", "jsonld", "JSON-LD"),
    Format("rdf", "application/rdf+xml", "graph", "rdf", "RDF/XML"),
    Format("nq", "application/n-quads", "dataset", "nq", "N-Quads"),
    Format("trig", "application/trig", "dataset", "trig", "TriG"),
    Format("html", "text/html", "html", "html", "HTML"),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
# Media types clients send that mean one of ours.
ALIASES = {
    "application/json": "json",
    "application/sparql-results+json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "text/plain": "nt",
    "application/json+ld": "jsonld",
    "application/xhtml+xml": "html",
    "application/x-trig": "trig",
    "text/x-nquads": "nq",
}
NAME_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "rdfxml": "rdf",
                "nquads": "nq", "n-quads": "nq", "srj": "json", "srx": "xml", "tab": "tsv"}

_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_RDF = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
        "rdf": ox.RdfFormat.RDF_XML, "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
# What a client gets when it accepts anything (SPARQL 1.1 Protocol leaves the choice to the server).
DEFAULTS: dict[Kind, str] = {"results": "json", "graph": "ttl", "dataset": "nq", "html": "html", "text": "nt"}
MAX_ACCEPT_ITEMS = 64


def by_name(name: str, kinds: tuple[Kind, ...]) -> Format:
    """Return the format named by `format=` or a suffix, if it is one of `kinds`."""
    key = name.strip().lower()
    fmt = BY_NAME.get(NAME_ALIASES.get(key, key)) or _media_type_format(key)
    if fmt is None or fmt.kind not in kinds:
        offered = ", ".join(f.name for f in FORMATS if f.kind in kinds)
        raise NotAcceptable(f"format '{name[:40]}' is not offered here; choose one of: {offered}")
    return fmt


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Return (media range, q) pairs in the order of preference, highest q first."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, item in enumerate(header.split(",")[:MAX_ACCEPT_ITEMS]):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                    q = min(max(q, 0.0), 1.0) if q == q else 0.0  # NaN counts as refused
                except ValueError:
                    q = 0.0
        # More specific ranges win ties (RFC 9110 §12.5.1), then the client's order.
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, specificity, position))
    ranges.sort(key=lambda r: (-r[1], -r[2], r[3]))
    return [(media, q) for media, q, _, _ in ranges]


def negotiate(accept: str | None, kinds: tuple[Kind, ...]) -> Format:
    """Return the best format of the given kinds for an Accept header; raise NotAcceptable."""
    candidates = [f for f in FORMATS if f.kind in kinds]
    ranges = parse_accept(accept)
    refused = {media for media, q in ranges if q == 0.0}
    for media, q in ranges:
        if q == 0.0:
            continue
        if media == "*/*" or media.endswith("/*"):
            major = media.split("/")[0]
            for kind in kinds:
                default = BY_NAME[DEFAULTS[kind]]
                if (media == "*/*" or default.media_type.startswith(major + "/")) and default.media_type not in refused:
                    return default
            match = next((f for f in candidates if (media == "*/*" or f.media_type.startswith(major + "/"))
                          and f.media_type not in refused), None)
            if match:
                return match
            continue
        fmt = _media_type_format(media)
        if fmt is not None and fmt.kind in kinds:
            return fmt
    offered = ", ".join(f.media_type for f in candidates)
    raise NotAcceptable(f"none of the accepted media types is offered here; offered: {offered}")


def _media_type_format(media: str) -> Format | None:
    return BY_MEDIA_TYPE.get(media) or BY_NAME.get(ALIASES.get(media, ""))
