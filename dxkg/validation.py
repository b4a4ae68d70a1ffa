"""Curator checks and SHACL validation of the sources, as one readable report.

The checks run on a freshly parsed store (pyoxigraph, fast); SHACL runs in pyshacl on an
rdflib copy, since pyoxigraph has no SHACL engine. Neither runs on the request path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .namespaces import DX, GRAPH, ID, PREFIXES, curie, graph_for, source_for
from .store import ONTOLOGY_STEM, SourceFile, parse_sources

FACT_CLASSES = ("Target", "Achievement", "Ranking", "Agreement", "Post", "AdministrativeChange", "InformationSystem")

CHECKS: dict[str, tuple[str, str]] = {
    "label": ("Entities without an rdfs:label in both Vietnamese and English", f"""
        SELECT DISTINCT ?item ?detail WHERE {{
          ?item ?p ?o . FILTER(isIRI(?item) && STRSTARTS(STR(?item), "{ID}"))
          OPTIONAL {{ ?item rdfs:label ?vi FILTER(LANG(?vi) = "vi") }}
          OPTIONAL {{ ?item rdfs:label ?en FILTER(LANG(?en) = "en") }}
          FILTER(!BOUND(?vi) || !BOUND(?en))
          BIND(IF(BOUND(?vi), "no @en label", IF(BOUND(?en), "no @vi label", "no label")) AS ?detail)
        }} ORDER BY ?item"""),
    "type": ("Entities without a type", f"""
        SELECT DISTINCT ?item ("no rdf:type" AS ?detail) WHERE {{
          ?item ?p ?o . FILTER(isIRI(?item) && STRSTARTS(STR(?item), "{ID}"))
          FILTER NOT EXISTS {{ ?item a ?type }}
        }} ORDER BY ?item"""),
    "dangling": ("Links to entities that nothing describes", f"""
        SELECT DISTINCT ?item (CONCAT("linked from ", STR(?s), " by ", STR(?p)) AS ?detail) WHERE {{
          ?s ?p ?item . FILTER(isIRI(?item) && STRSTARTS(STR(?item), "{ID}"))
          FILTER NOT EXISTS {{ ?item ?anyp ?anyo }}
        }} ORDER BY ?item"""),
    "source": ("Facts without a source (dcterms:source)", f"""
        SELECT DISTINCT ?item (CONCAT("a ", STR(?class)) AS ?detail) WHERE {{
          VALUES ?class {{ {" ".join(f"dx:{c}" for c in FACT_CLASSES)} }}
          ?item a ?class . FILTER NOT EXISTS {{ ?item dcterms:source ?src }}
        }} ORDER BY ?item"""),
    "graph": ("Facts whose source is not the document of the graph they live in", f"""
        SELECT DISTINCT ?item (CONCAT("in ", STR(?g), ", cites ", STR(?src)) AS ?detail) WHERE {{
          GRAPH ?g {{ ?item dcterms:source ?src }}
          FILTER(?g != <{GRAPH}{ONTOLOGY_STEM}>)
          FILTER(STR(?src) != CONCAT("{ID}source/", STRAFTER(STR(?g), "{GRAPH}")))
        }} ORDER BY ?item"""),
    "duplicate": ("Triples stated in more than one file (the union default graph would count them twice)", """
        SELECT ?item (CONCAT(STR(?p), " ", STR(?o), " in ", STR(?n), " graphs") AS ?detail) WHERE {
          { SELECT ?item ?p ?o (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?item ?p ?o } }
            GROUP BY ?item ?p ?o HAVING (COUNT(DISTINCT ?g) > 1) }
        } ORDER BY ?item"""),
    "term": ("Ontology terms used in the data but not declared in the ontology", f"""
        SELECT DISTINCT ?item ("not declared in ontology/dxkg.ttl" AS ?detail) WHERE {{
          {{ GRAPH ?g {{ ?s ?item ?o }} }} UNION {{ GRAPH ?g {{ ?s a ?item }} }}
          FILTER(?g != <{GRAPH}{ONTOLOGY_STEM}> && STRSTARTS(STR(?item), "{DX}"))
          FILTER NOT EXISTS {{ GRAPH <{GRAPH}{ONTOLOGY_STEM}> {{ ?item a ?kind }} }}
        }} ORDER BY ?item"""),
}


@dataclass(frozen=True, slots=True)
class Problem:
    check: str
    item: str
    detail: str


@dataclass(slots=True)
class Report:
    """The problems found, grouped by check, and what was checked."""

    problems: list[Problem] = field(default_factory=list)
    triples: int = 0
    files: int = 0
    shacl_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        """Return the report as text for a curator: one section per failing check."""
        head = (f"checked {self.files} files, {self.triples} triples"
                + (", SHACL shapes" if self.shacl_run else ""))
        if self.ok:
            return f"dxkg validate: OK ({head})"
        lines = [f"dxkg validate: {len(self.problems)} problem(s) ({head})"]
        titles = {**{k: t for k, (t, _) in CHECKS.items()}, "shacl": "SHACL shapes not satisfied",
                  "file": "Source files that do not describe their own source"}
        for check in dict.fromkeys(p.check for p in self.problems):
            found = [p for p in self.problems if p.check == check]
            lines.append(f"\n{titles.get(check, check)} ({len(found)}):")
            lines += [f"  {compact(p.item)}: {p.detail}" for p in found]
        return "\n".join(lines)


def compact(iri: str) -> str:
    """Return `prefix:local` for an IRI under a known prefix, else the IRI."""
    return curie(iri) or iri


def check_store(store: ox.Store, sources: list[SourceFile]) -> list[Problem]:
    """Return the curator-check problems of a parsed store."""
    problems = []
    for check, (_, query) in CHECKS.items():
        for row in store.query(query, prefixes=PREFIXES, use_default_graph_as_union=check not in ("graph", "duplicate", "term")):
            problems.append(Problem(check, row["item"].value, row["detail"].value))
    for source in sources:
        if source.stem == ONTOLOGY_STEM:
            continue
        described = store.query(
            "ASK { GRAPH ?g { ?src dx:namedGraph ?g } }", prefixes=PREFIXES,
            substitutions={ox.Variable("g"): ox.NamedNode(graph_for(source.stem)),
                           ox.Variable("src"): ox.NamedNode(source_for(source.stem))})
        if not bool(described):
            problems.append(Problem("file", str(source.path),
                                    f"no `<{source_for(source.stem)}> dx:namedGraph <{graph_for(source.stem)}>`"))
    return problems


def check_shapes(store: ox.Store, shapes_path: Path) -> list[Problem]:
    """Return the SHACL violations of the union of all graphs against the shapes file."""
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    data.parse(data=ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", advanced=True,
                                            allow_warnings=True)
    if conforms:
        return []
    sh = rdflib.Namespace(PREFIXES["sh"])
    problems = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        if results.value(result, sh.resultSeverity) != sh.Violation:
            continue
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage)
        value = results.value(result, sh.value)
        detail = f"{compact(str(path)) if path else ''} {message or ''}".strip()
        if value is not None:
            detail += f" (value: {str(value)[:80]})"
        problems.append(Problem("shacl", str(focus), detail))
    return sorted(problems, key=lambda p: (p.item, p.detail))


def validate(sources: list[SourceFile], shapes_path: Path | None) -> Report:
    """Parse the sources and return every problem the curator checks and the shapes find."""
    store = parse_sources(sources)
    report = Report(triples=len(store), files=len(sources))
    report.problems += check_store(store, sources)
    if shapes_path is not None and shapes_path.exists():
        report.problems += check_shapes(store, shapes_path)
        report.shacl_run = True
    return report
