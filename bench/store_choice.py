"""Measure the store choices on this machine: in-memory vs on-disk, Turtle vs snapshot.

Replicates the shipped dataset (every IRI under the id/ namespace renamed per copy) up to
about --triples triples, then prints, in one run:
  - Turtle parse into memory (what a build does) and N-Quads snapshot load,
  - opening an on-disk store that already holds the data, and copying it into memory,
  - a scan + aggregate and a label scan on each store,
  - peak resident memory of the process.
Usage: python bench/store_choice.py [--triples 1000000]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dxkg.config import Settings  # noqa: E402
from dxkg.namespaces import ID, PREFIXES  # noqa: E402
from dxkg.store import discover_sources, parse_sources  # noqa: E402

AGGREGATE = "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"
LABEL_SCAN = 'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "giang")) }'
DESCRIBE = "SELECT ?p ?o WHERE { province:gia-lai-c7 ?p ?o }"
TWO_HOP = """SELECT ?province (COUNT(?target) AS ?n) WHERE {
  ?target a dx:Target ; dx:province ?province . ?province dx:region ?region }
GROUP BY ?province"""


def replicate(base: ox.Store, copies: int) -> list[ox.Quad]:
    """Return `copies` renamed copies of every quad (IRIs under id/ get a /c{n} suffix)."""
    def rename(term, n):
        if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
            return ox.NamedNode(f"{term.value}-c{n}")
        return term
    quads = list(base)
    return [ox.Quad(rename(q.subject, n), q.predicate, rename(q.object, n), q.graph_name)
            for n in range(copies) for q in quads]


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"{label:<48} {time.perf_counter() - started:8.3f} s")
    return result


def query_time(store: ox.Store, query: str, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        rows = list(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True))
        best = min(best, time.perf_counter() - started)
    assert rows
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args()
    base = parse_sources(discover_sources(Settings()))
    copies = max(1, args.triples // len(base))
    work = Path(tempfile.mkdtemp(prefix="dxkg-bench-"))
    try:
        quads = replicate(base, copies)
        print(f"dataset: {len(quads):,} quads ({copies} copies of {len(base):,})")
        ttl, nq = work / "data.trig", work / "data.nq"
        ox.serialize(quads, str(ttl), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        ox.serialize(quads, str(nq), format=ox.RdfFormat.N_QUADS)
        del quads

        memory = ox.Store()
        timed("build: parse TriG/Turtle into memory", lambda: memory.bulk_load(path=ttl, format=ox.RdfFormat.TRIG))
        restart = ox.Store()
        timed("restart: load N-Quads snapshot into memory", lambda: restart.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS))
        disk = ox.Store(str(work / "disk"))
        timed("on-disk: bulk load (one-off)", lambda: disk.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS))
        del disk
        disk = timed("on-disk: reopen read-only", lambda: ox.Store.read_only(str(work / "disk")))
        copy = ox.Store()
        timed("restart: copy on-disk store into memory", lambda: copy.bulk_extend(disk))

        for label, query in (("entity lookup", DESCRIBE), ("two-hop join + group", TWO_HOP),
                             ("aggregate by class", AGGREGATE), ("label scan (CONTAINS)", LABEL_SCAN)):
            mem_t, disk_t = query_time(memory, query), query_time(disk, query)
            print(f"{label:<30} memory {mem_t * 1000:8.2f} ms   disk {disk_t * 1000:8.2f} ms   "
                  f"disk/memory {disk_t / mem_t:5.1f}x")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory: {peak_mb:,.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
