"""`dxkg load | validate | query | dump | serve`: the command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .config import Settings
from .dumps import CLI_FORMATS, GZIP_LEVEL, write_dump, write_dump_file
from .errors import BadQuery, DxkgError
from .formats import FORMATS, by_name
from .store import LoadedStore, build, current_manifest, discover_sources, is_current, open_current, snapshot_dir
from .validation import compact, validate

QUERY_FORMATS = ["table"] + [f.name for f in FORMATS if f.kind in ("results", "graph")]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return its exit status (errors: one line on stderr, status 1)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        return args.run(args, settings)
    except DxkgError as exc:
        print(f"dxkg {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dxkg", description="dxkg: knowledge graph of Vietnam's provincial digital-government programmes.")
    parser.add_argument("--version", action="version", version=f"dxkg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("load", help="build the store from ontology/ and data/ (atomically)",
                       description="Parse every source into its named graph, write the snapshot with its dumps "
                                   "and search index, and switch the store to the new version only when all of "
                                   "them parsed. Unchanged sources are not reparsed (missing dumps or search "
                                   "index of the current version are written).")
    p.add_argument("--force", action="store_true", help="rebuild even if the sources are unchanged")
    p.set_defaults(run=cmd_load)

    p = sub.add_parser("validate", help="run the SHACL shapes and the curator checks",
                       description="Check every source: SHACL shapes (ontology/shapes.ttl), labels in vi and en, "
                                   "types, dangling links, sources of facts, triples stated twice. "
                                   "Exits 1 with a report when anything fails.")
    p.add_argument("--no-shacl", action="store_true", help="skip the SHACL shapes (faster)")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("query", help="run a SPARQL query on the store",
                       description="Run a SPARQL query given as an argument, a file (-f) or '-' for stdin. "
                                   "Prefixes dx:, rdfs:, skos:, province:, ... are predefined.")
    p.add_argument("query", nargs="?", help="the query text, or '-' to read it from stdin")
    p.add_argument("-f", "--file", type=Path, help="read the query from this file")
    p.add_argument("-n", "--named", metavar="NAME", help="run the named query queries/NAME.rq")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter of the named query (repeatable), e.g. province=province:gia-lai")
    p.add_argument("--format", default="table", choices=QUERY_FORMATS,
                   help="output format (default: table for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE)")
    p.set_defaults(run=cmd_query)

    p = sub.add_parser("dump", help="write the whole dataset as Turtle, N-Triples, N-Quads or TriG",
                       description="Write every triple (Turtle, N-Triples: all graphs merged) or every quad "
                                   "(N-Quads, TriG: source graphs kept).")
    p.add_argument("--format", default="nq", choices=sorted(CLI_FORMATS), help="default: nq")
    p.add_argument("--gzip", action="store_true", help="gzip-compress the output")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.set_defaults(run=cmd_dump)

    p = sub.add_parser("serve", help="serve the SPARQL endpoint and pages over HTTP",
                       description="Start the web server on the store, loading it first if the sources changed.")
    p.add_argument("--host", help="interface to bind (default: DXKG_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: DXKG_PORT or 8000)")
    p.set_defaults(run=cmd_serve)
    return parser


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from .derived import write_missing

    started = time.perf_counter()
    sources = discover_sources(settings)
    if not args.force and is_current(settings, sources):
        loaded = open_current(settings)
        written = write_missing(snapshot_dir(settings, loaded.version), loaded.manifest, loaded.store)
        also = f"; wrote its {' and '.join(written)}" if written else ""
        print(f"up to date: version {loaded.version}, {loaded.manifest.triples} triples{also}")
        return 0
    loaded = build(settings, sources)
    elapsed = time.perf_counter() - started
    print(f"loaded {loaded.manifest.triples} triples from {len(sources)} files into "
          f"{len(loaded.manifest.graphs)} graphs in {elapsed:.2f} s: version {loaded.version}")
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    shapes = None if args.no_shacl else settings.ontology_dir / "shapes.ttl"
    report = validate(discover_sources(settings), shapes)
    print(report.render())
    return 0 if report.ok else 1


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from .sparql import QueryRequest, execute, result_kind, serialize

    request = named_query_request(args, settings) if args.named else QueryRequest(read_query_text(args))
    loaded = open_store_for_reading(settings)
    result = execute(loaded.store, request)
    kind = result_kind(result)
    if args.format == "table":
        if kind == "graph":
            sys.stdout.buffer.write(serialize(result, by_name("ttl", ("graph",))))
        else:
            print(render_table(result))
        return 0
    fmt = by_name(args.format, (kind,)) if args.format in {f.name for f in FORMATS if f.kind == kind} else None
    if fmt is None:
        raise BadQuery(f"--format {args.format} does not fit a {'CONSTRUCT/DESCRIBE' if kind == 'graph' else 'SELECT/ASK'} query")
    sys.stdout.buffer.write(serialize(result, fmt))
    return 0


def cmd_dump(args: argparse.Namespace, settings: Settings) -> int:
    loaded = open_store_for_reading(settings)
    rdf_format = CLI_FORMATS[args.format]
    if args.output:
        write_dump_file(loaded.store, args.output, rdf_format, args.gzip)
        print(f"wrote {args.output} ({len(loaded.store)} quads, version {loaded.version})", file=sys.stderr)
    elif args.gzip:
        import gzip
        with gzip.GzipFile(fileobj=sys.stdout.buffer, mode="wb", mtime=0, compresslevel=GZIP_LEVEL) as out:
            write_dump(loaded.store, out, rdf_format)
    else:
        write_dump(loaded.store, sys.stdout.buffer, rdf_format)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from .web.server import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    serve(settings.model_copy(update=overrides))
    return 0


def named_query_request(args: argparse.Namespace, settings: Settings):
    """Return the request for `--named NAME -p k=v ...`, parameters bound as substitutions."""
    from .queries import Catalog
    from .sparql import QueryRequest

    if args.query or args.file:
        raise BadQuery("give either a query or --named NAME, not both")
    values = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadQuery(f"--param '{item}' is not NAME=VALUE")
        values[name.strip()] = value
    named = Catalog.from_dir(settings.queries_dir).get(args.named)
    return QueryRequest(named.text, substitutions=named.bind(values))


def read_query_text(args: argparse.Namespace) -> str:
    if args.file and args.query:
        raise BadQuery("give the query as an argument or with -f, not both")
    if args.file:
        try:
            return args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise DxkgError(f"{args.file}: {exc.strerror}") from None
    if args.query == "-" or (args.query is None and not sys.stdin.isatty()):
        return sys.stdin.read()
    if not args.query:
        raise BadQuery("no query: give it as an argument, with -f FILE, or on stdin")
    return args.query


def open_store_for_reading(settings: Settings) -> LoadedStore:
    """Return the store in service (built first if there is none); note when sources changed."""
    if current_manifest(settings) is None:
        return build(settings)
    loaded = open_current(settings)
    if not is_current(settings):
        print("dxkg: note: the sources changed since the last `dxkg load`; answering from version "
              f"{loaded.version}", file=sys.stderr)
    return loaded


def render_table(result: ox.QuerySolutions | ox.QueryBoolean) -> str:
    """Return SELECT rows as an aligned text table (prefixed names), or `true`/`false` for ASK."""
    if isinstance(result, ox.QueryBoolean):
        return "true" if bool(result) else "false"
    names = [v.value for v in result.variables]
    rows = [[term_text(solution[name]) for name in names] for solution in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return f"{term.value}@{term.language}"
    return term.value


if __name__ == "__main__":
    sys.exit(main())
