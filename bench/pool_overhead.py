"""Measure the query worker pool: per-query overhead, worker replacement, memory sharing.

Prints, in one run, on the shipped data replicated to about --triples triples:
  - latency of a trivial query answered in a server thread (the pre-pool path, one pass and the
    old two passes: count, then serialize) and by the pool (IPC to a worker process and back),
  - the time to start a pool (zygote + workers), to fork one worker, and to get back to full size
    after a query is killed at its deadline,
  - resident memory of the server and of a worker, and how much of the worker is its own (USS):
    the store is shared copy-on-write.
Usage: python bench/pool_overhead.py [--triples 1000000] [--runs 2000] [--workers 2]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.store_choice import replicate  # noqa: E402
from dxkg import formats, sparql  # noqa: E402
from dxkg.config import Settings  # noqa: E402
from dxkg.errors import QueryTimeout  # noqa: E402
from dxkg.pool import Job, Pool  # noqa: E402
from dxkg.sparql import QueryRequest  # noqa: E402
from dxkg.store import discover_sources, parse_sources  # noqa: E402

TRIVIAL = QueryRequest("SELECT ?label WHERE { province:gia-lai rdfs:label ?label }")
RUNAWAY = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
JSON = formats.BY_NAME["json"]


def in_thread_one_pass(store: ox.Store) -> bytes:
    out = io.BytesIO()
    sparql.write_result(sparql.execute(store, TRIVIAL), JSON, out, 100_000)
    return out.getvalue()


def in_thread_two_passes(store: ox.Store) -> bytes:
    """The path before the pool: count the rows, then run again and serialize."""
    sum(1 for _ in sparql.execute(store, TRIVIAL))  # type: ignore[union-attr]
    return in_thread_one_pass(store)


def latencies(call, runs: int) -> list[float]:
    with ThreadPoolExecutor(1) as thread:  # like run_in_threadpool: the caller waits on another thread
        for _ in range(50):
            thread.submit(call).result()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            thread.submit(call).result()
            times.append(time.perf_counter() - started)
    return times


def report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{label:<52} median {median * 1e3:7.3f} ms   p95 {p95 * 1e3:7.3f} ms")
    return median


def memory(pid: int) -> dict[str, int]:
    """Return Rss, Pss and the private (USS) kB of a process, from /proc/<pid>/smaps_rollup."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "uss": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)}


def wait_full(pool: Pool, size: int, before: set[int]) -> None:
    while len(pool.pids()) < size or set(pool.pids()) == before:
        time.sleep(0.0005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=0, help="replicate the data to about this many triples")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    base = parse_sources(discover_sources(Settings()))
    if args.triples > len(base):
        store = ox.Store()
        store.bulk_extend(replicate(base, max(1, args.triples // len(base))))
    else:
        store = base
    print(f"store: {len(store)} triples; {args.workers} workers; {args.runs} runs each\n")
    settings = Settings(query_workers=args.workers)

    started = time.perf_counter()
    pool = Pool.start(store, settings)
    start_s = time.perf_counter() - started

    one = report("in a server thread, one pass", latencies(lambda: in_thread_one_pass(store), args.runs))
    report("in a server thread, two passes (before the pool)", latencies(lambda: in_thread_two_passes(store),
                                                                          args.runs))
    job = Job(TRIVIAL, "data", 100_000)
    pooled = report("in a worker process (pool.run)", latencies(lambda: pool.run(job), args.runs))
    print(f"{'overhead of the pool per query':<52} {(pooled - one) * 1e3:+7.3f} ms\n")

    print(f"{'start a pool (zygote + workers)':<52} {start_s * 1e3:8.1f} ms")
    zygote = pool._zygote
    spawns = []
    for _ in range(20):
        started = time.perf_counter()
        worker = zygote.spawn()
        spawns.append(time.perf_counter() - started)
        worker.kill()
        worker.close()
    report("fork one worker (zygote.spawn)", spawns)
    replacements = []
    strict = Pool.start(store, settings.model_copy(update={"query_timeout_s": 0.5}))
    for _ in range(10):
        before = set(strict.pids())
        try:
            strict.run(Job(RUNAWAY, "data", 10))
        except QueryTimeout:
            killed = time.perf_counter()
        wait_full(strict, args.workers, before)
        replacements.append(time.perf_counter() - killed)
    strict.close()
    report("killed at the deadline -> pool at full size again", replacements)

    server, worker_pid = memory(os.getpid()), pool.pids()[0]
    for _ in range(20):
        pool.run(Job(QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "data", 10))
    worker = memory(worker_pid)
    print(f"\n{'server process':<52} RSS {server['rss'] / 1024:8.1f} MiB")
    print(f"{'one worker, after 20 full scans':<52} RSS {worker['rss'] / 1024:8.1f} MiB   "
          f"PSS {worker['pss'] / 1024:8.1f} MiB   own (USS) {worker['uss'] / 1024:8.1f} MiB")
    zygote_memory = memory(pool.zygote_pid)
    print(f"{'zygote':<52} RSS {zygote_memory['rss'] / 1024:8.1f} MiB   "
          f"own (USS) {zygote_memory['uss'] / 1024:8.1f} MiB")
    pool.close()


if __name__ == "__main__":
    main()
