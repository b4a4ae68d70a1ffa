"""Catalogue of queries/*.rq: NamedQuery, the `#+` header, typed parameter binding.

A header line is `#+ key: value`. Keys: `title`, `description`, `tags` (comma-separated) and,
once per parameter, `param: name | type | required or optional | example | description`.
Parameters are bound as typed RDF terms, never spliced as text: `dxkg.sparql.execute` puts them
in a VALUES row at the top of the query's WHERE group (planned first, unlike SEP-0007
substitutions), so a value can only ever be a value. An optional parameter left out leaves its
variable free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from .errors import BadQuery, DxkgError, NotFound
from .namespaces import PREFIXES

ParamType = Literal["iri", "string", "integer", "decimal", "gYear", "date", "language"]
PARAM_TYPES: tuple[str, ...] = ("iri", "string", "integer", "decimal", "gYear", "date", "language")
XSD = "http://www.w3.org/2001/XMLSchema#"
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_VALUE_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Parameter:
    """A typed query parameter, bound to the SPARQL variable of the same name."""

    name: str
    type: ParamType
    required: bool
    example: str
    description: str

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """Return the RDF term for a raw query-string value; raise BadQuery naming the parameter."""
        value = raw.strip()
        if not value or len(value) > MAX_VALUE_LENGTH:
            raise BadQuery(f"parameter '{self.name}': empty or longer than {MAX_VALUE_LENGTH} characters")
        try:
            return _TERM_BUILDERS[self.type](value)
        except (ValueError, InvalidOperation):
            raise BadQuery(f"parameter '{self.name}': '{value[:80]}' is not a valid {self.type}") from None


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One `queries/NAME.rq` file: its public name, header and SPARQL text."""

    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Return substitutions for the given raw values; unknown names are ignored."""
        bound = {}
        for param in self.parameters:
            raw = values.get(param.name)
            if raw is None or raw == "":
                if param.required:
                    raise BadQuery(f"missing required parameter '{param.name}' ({param.type}), "
                                   f"e.g. {param.name}={param.example}")
                continue
            bound[param.name] = param.bind(raw)
        return bound

    def example_values(self) -> dict[str, str]:
        return {p.name: p.example for p in self.parameters if p.example}


def expand_iri(value: str) -> str:
    """Return a full IRI for `prefix:local` (known prefixes) or `<iri>` or an absolute IRI."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$", value):
        return value
    raise ValueError(value)


def _integer(value: str) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))


def _decimal(value: str) -> ox.Literal:
    number = Decimal(value.replace(",", "."))
    if not number.is_finite():
        raise ValueError(value)
    return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))  # never 1E+5


def _gyear(value: str) -> ox.Literal:
    if not re.fullmatch(r"-?[0-9]{4}", value):
        raise ValueError(value)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))


def _date(value: str) -> ox.Literal:
    return ox.Literal(date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date"))


def _language(value: str) -> ox.Literal:
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*", value):
        raise ValueError(value)
    return ox.Literal(value.lower())


_TERM_BUILDERS = {
    "iri": lambda v: ox.NamedNode(expand_iri(v)),
    "string": lambda v: ox.Literal(v),
    "integer": _integer,
    "decimal": _decimal,
    "gYear": _gyear,
    "date": _date,
    "language": _language,
}


def parse_named_query(path: Path) -> NamedQuery:
    """Return the NamedQuery of one file; raise DxkgError naming the file when its header is wrong."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        key, sep, value = line[2:].partition(":")
        key, value = key.strip(), value.strip()
        if not sep:
            raise DxkgError(f"{path}:{number}: header line needs 'key: value'")
        if key == "param":
            params.append(_parse_param(path, number, value))
        else:
            header[key] = value
    name = path.stem
    if not NAME.match(name):
        raise DxkgError(f"{path}: query names are kebab-case ASCII")
    if "title" not in header:
        raise DxkgError(f"{path}: missing '#+ title:' header")
    try:  # the text must parse, so a broken file fails at start-up, not on first use
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise DxkgError(f"{path}: {exc}") from None
    return NamedQuery(
        name=name,
        title=header["title"],
        description=header.get("description", ""),
        tags=tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip()),
        parameters=tuple(params),
        text=text,
    )


def _parse_param(path: Path, number: int, value: str) -> Parameter:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) != 5:
        raise DxkgError(f"{path}:{number}: param needs 'name | type | required|optional | example | description'")
    name, kind, required, example, description = parts
    if not VARIABLE.match(name) or kind not in PARAM_TYPES or required not in ("required", "optional"):
        raise DxkgError(f"{path}:{number}: bad param '{value}' (types: {', '.join(PARAM_TYPES)})")
    return Parameter(name, kind, required == "required", example, description)  # type: ignore[arg-type]


class Catalog:
    """The named queries of a folder, by name, in name order."""

    def __init__(self, queries: list[NamedQuery]) -> None:
        self._by_name = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    @classmethod
    def from_dir(cls, folder: Path) -> Catalog:
        return cls([parse_named_query(p) for p in sorted(folder.glob("*.rq"))])

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> NamedQuery:
        try:
            return self._by_name[name]
        except KeyError:
            raise NotFound(f"no named query '{name[:80]}'") from None
