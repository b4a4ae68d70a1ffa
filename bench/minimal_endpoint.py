"""The minimal FastAPI + pyoxigraph SPARQL endpoint the issue's goals are measured against.

No limits, no isolation, no content negotiation beyond SPARQL JSON for SELECT/ASK and
N-Triples for CONSTRUCT/DESCRIBE: the floor for a Python endpoint on pyoxigraph, so that the
runner can report what dxkg's limits and isolation cost per request.

Usage: python bench/minimal_endpoint.py --data dataset.nq --port 7000
"""

from __future__ import annotations

import argparse

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool


def create_app(store: ox.Store) -> FastAPI:
    """Return an app answering GET /sparql?query= on the store (default graph: the union)."""
    app = FastAPI()

    def run(query: str) -> tuple[bytes, str]:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
        return result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"

    @app.get("/sparql")
    async def sparql(query: str = Query(...)) -> Response:
        try:
            body, media_type = await run_in_threadpool(run, query)
        except SyntaxError as exc:
            return Response(str(exc), status_code=400, media_type="text/plain")
        return Response(body, media_type=media_type)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="an N-Quads file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7000)
    args = parser.parse_args()
    store = ox.Store()
    store.bulk_load(path=args.data, format=ox.RdfFormat.N_QUADS)
    uvicorn.run(create_app(store), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
