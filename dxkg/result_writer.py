"""Streaming SPARQL results writers: JSON, XML, CSV and TSV, one solution at a time.

pyoxigraph serializes a `QuerySolutions` only whole, so a result-size limit could not stop it
part-way. These writers take the solutions as an iterable of rows instead, and the caller counts
them (dxkg.sparql.write_result). They follow the W3C formats:

- JSON: https://www.w3.org/TR/sparql11-results-json/
- XML: https://www.w3.org/TR/rdf-sparql-XMLres/
- CSV and TSV: https://www.w3.org/TR/sparql11-results-csv-tsv/

and, where the recommendations leave a choice, what pyoxigraph writes (compact JSON and XML, CRLF
after CSV rows, RDF 1.2 triple terms and base directions), so clients see the same bytes as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

import pyoxigraph as ox

Row = Sequence[object]  # one term (or None when unbound) per variable, in the variables' order

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
ITS_NS = "http://www.w3.org/2005/11/its"
# Lexical forms TSV may write bare, as Turtle does (sparql11-results-csv-tsv §4; Turtle §2.5.2).
TSV_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
FLUSH_ROWS = 256


def write_solutions(fmt_name: str, variables: Sequence[str], rows: Iterable[Row], out: BinaryIO) -> None:
    """Write solutions as SPARQL results in `json`, `xml`, `csv` or `tsv`, flushing as rows come."""
    start, row, end = WRITERS[fmt_name]
    parts = [start(variables)]
    write_row = row(variables)
    for i, values in enumerate(rows):
        parts.append(write_row(values, i))
        if len(parts) >= FLUSH_ROWS:
            out.write("".join(parts).encode())
            parts.clear()
    parts.append(end(variables))
    out.write("".join(parts).encode())


# --- JSON -----------------------------------------------------------------------------------------


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        node: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            node["xml:lang"] = term.language
            if term.direction is not None:
                node["its:dir"] = str(term.direction)
        elif term.datatype.value != XSD_STRING:
            node["datatype"] = term.datatype.value
        return node
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _json_start(variables: Sequence[str]) -> str:
    return '{"head":{"vars":' + _dumps(list(variables)) + '},"results":{"bindings":['


def _json_row(variables: Sequence[str]) -> Callable[[Row, int], str]:
    def row(values: Row, index: int) -> str:
        binding = {name: _json_term(v) for name, v in zip(variables, values, strict=True) if v is not None}
        return ("," if index else "") + _dumps(binding)
    return row


def _json_end(variables: Sequence[str]) -> str:
    return "]}}"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- XML ------------------------------------------------------------------------------------------


def _xml_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


_EDGE_SPACE = re.compile(r"^[ \t\n]+|[ \t\n]+$")


def _xml_text(text: str) -> str:
    """Escape a literal's value so that every XML reader gets it back exactly: a raw CR would be read
    as LF (XML 1.0 §2.11), and readers that trim text (pyoxigraph's does) keep character references."""
    escaped = _xml_escape(text).replace("\r", "&#13;")
    if escaped[:1] in (" ", "\t", "\n") or escaped[-1:] in (" ", "\t", "\n"):
        escaped = _EDGE_SPACE.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), escaped)
    return escaped


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attrs = f' xml:lang="{_xml_escape(term.language)}"'
            if term.direction is not None:
                attrs += f' its:dir="{term.direction}" xmlns:its="{ITS_NS}" its:version="2.0"'
        elif term.datatype.value != XSD_STRING:
            attrs = f' datatype="{_xml_escape(term.datatype.value)}"'
        else:
            attrs = ""
        return f"<literal{attrs}>{_xml_text(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_start(variables: Sequence[str]) -> str:
    head = "".join(f'<variable name="{_xml_escape(v)}"/>' for v in variables)
    return f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}"><head>{head}</head><results>'


def _xml_row(variables: Sequence[str]) -> Callable[[Row, int], str]:
    names = [_xml_escape(v) for v in variables]

    def row(values: Row, index: int) -> str:
        bindings = "".join(f'<binding name="{name}">{_xml_term(v)}</binding>'
                           for name, v in zip(names, values, strict=True) if v is not None)
        return f"<result>{bindings}</result>"
    return row


def _xml_end(variables: Sequence[str]) -> str:
    return "</results></sparql>"


# --- CSV (lossy by design: values only) -------------------------------------------------------------


def _csv_field(text: str) -> str:
    if any(c in text for c in '",\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return _csv_field(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return _csv_field(term.value)
    if isinstance(term, ox.Triple):
        return " ".join(_csv_term(t) for t in (term.subject, term.predicate, term.object))
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_start(variables: Sequence[str]) -> str:
    return ",".join(variables)


def _csv_row(variables: Sequence[str]) -> Callable[[Row, int], str]:
    def row(values: Row, index: int) -> str:
        return "\r\n" + ",".join("" if v is None else _csv_term(v) for v in values)
    return row


def _csv_end(variables: Sequence[str]) -> str:
    return "\r\n"


# --- TSV (terms in Turtle / N-Triples syntax) ------------------------------------------------------------


def _tsv_term(term: object) -> str:
    if isinstance(term, ox.Literal) and not term.language:
        bare = TSV_BARE.get(term.datatype.value)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return str(term)  # N-Triples syntax, escapes included (\t, \n, \r, \", \\)
    raise TypeError(f"not an RDF term: {term!r}")


def _tsv_start(variables: Sequence[str]) -> str:
    return "\t".join("?" + v for v in variables)


def _tsv_row(variables: Sequence[str]) -> Callable[[Row, int], str]:
    def row(values: Row, index: int) -> str:
        return "\n" + "\t".join("" if v is None else _tsv_term(v) for v in values)
    return row


def _tsv_end(variables: Sequence[str]) -> str:
    return "\n"


WRITERS: dict[str, tuple[Callable[[Sequence[str]], str], Callable[[Sequence[str]], Callable[[Row, int], str]],
                         Callable[[Sequence[str]], str]]] = {
    "json": (_json_start, _json_row, _json_end),
    "xml": (_xml_start, _xml_row, _xml_end),
    "csv": (_csv_start, _csv_row, _csv_end),
    "tsv": (_tsv_start, _tsv_row, _tsv_end),
}
