"""A small Turtle writer for the generator: entities as subject -> [(predicate, object)] in file order."""

from __future__ import annotations

from dataclasses import dataclass, field

from dxkg.namespaces import PREFIXES

FILE_PREFIXES = ("dx", "rdfs", "skos", "dcterms", "org", "xsd", "graph", "source", "publisher", "province",
                 "body", "partner", "resolution", "plan", "decision", "agreement", "system", "platform",
                 "indicator", "unit", "comparison", "level", "role", "topic", "index", "pillar", "target",
                 "achievement", "ranking", "person", "post")


def text(value: str, lang: str) -> str:
    """Return a language-tagged Turtle literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}'


def plain(value: str) -> str:
    """Return a plain string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    """Return a typed literal, e.g. typed(2025, "gYear") -> "2025"^^xsd:gYear."""
    return f'"{value}"^^xsd:{datatype}'


@dataclass(slots=True)
class TurtleFile:
    """One source file: a header comment and its entities; counts the triples it holds."""

    comment: str
    entities: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, subject: str, *pairs: tuple[str, str | list[str] | None]) -> None:
        """Add (predicate, object) pairs to a subject; a list object adds one triple each, None adds none."""
        rows = self.entities.setdefault(subject, [])
        for predicate, obj in pairs:
            if obj is None:
                continue
            for one in obj if isinstance(obj, list) else [obj]:
                rows.append((predicate, one))

    @property
    def triples(self) -> int:
        return sum(len(rows) for rows in self.entities.values())

    def render(self) -> str:
        """Return the file as Turtle text."""
        lines = [f"# {line}" for line in self.comment.splitlines()]
        lines += [f"@prefix {name}: <{PREFIXES[name]}> ." for name in FILE_PREFIXES]
        for subject, rows in self.entities.items():
            lines.append("")
            grouped: dict[str, list[str]] = {}
            for predicate, obj in rows:
                grouped.setdefault(predicate, []).append(obj)
            parts = [f"    {p} {', '.join(objs)}" for p, objs in grouped.items()]
            lines.append(f"{subject}\n" + " ;\n".join(parts) + " .")
        return "\n".join(lines) + "\n"
