"""Run the benchmark: dxkg, rdflib-endpoint, the Oxigraph server (and a minimal FastAPI+pyoxigraph
endpoint) on the same generated data, measured in one interleaved run; write bench/RESULTS.md.

For each size: generate the data (bench/generate.py), build dxkg's store and dump it as N-Quads,
start every server on its own loopback port (timing the build and the start-up to the first
answer), check they hold the same number of triples, then for each workload and each
concurrency (1, 16) load each server in turn with wrk for --duration seconds. Afterwards the
full dump is downloaded from each. Peak memory is sampled throughout (process tree, psutil).
Results go to bench/results/SIZE.json and are rendered into bench/RESULTS.md.

Usage: python bench/run.py --sizes 10k,100k [--duration 10] [--servers dxkg,rdflib-endpoint,oxigraph,minimal]
Needs: pip install -e '.[bench]' and wrk (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report, servers  # noqa: E402
from bench.generate import SIZES, generate  # noqa: E402
from bench.load import Measurement, require_wrk, run_wrk, time_one  # noqa: E402
from bench.workloads import Workload, build_workloads, in_process_ms, load_dump  # noqa: E402

STARTERS = {"rdflib-endpoint": servers.start_rdflib_endpoint, "oxigraph": servers.start_oxigraph,
            "minimal": servers.start_minimal}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def answer_size(response: httpx.Response) -> int | None:
    """Return the number of rows (SPARQL JSON) or triples (N-Triples) of an answer, else None."""
    kind = response.headers.get("content-type", "")
    if "sparql-results+json" in kind:
        return len(response.json()["results"]["bindings"])
    if "n-triples" in kind:
        return sum(1 for line in response.text.splitlines() if line.strip() and not line.startswith("#"))
    return None


def probe(server: servers.Server, workload: Workload, slow_s: float,
          timeout_s: float) -> tuple[float | None, int | None, str | None]:
    """Send the workload's first request: (seconds, answer size, error). A slow first answer is timed
    again, so that a cache or index built on first use (dxkg's search index) does not count."""
    path = workload.requests(server.sparql_path)[0]
    try:
        with httpx.Client(timeout=timeout_s) as client:
            seconds, response = time_one(client, server.url + path, workload.accept)
            if seconds > slow_s and response.status_code == 200:
                seconds, response = time_one(client, server.url + path, workload.accept)
    except httpx.TimeoutException:
        return None, None, f"no answer within {timeout_s:.0f} s"
    except httpx.HTTPError as exc:
        alive = "running" if server.alive() else f"exited with {server.process.returncode}"
        return None, None, f"{exc.__class__.__name__}: {exc} (server {alive}; see {server.log})"
    if response.status_code != 200:
        return seconds, None, f"status {response.status_code}: {response.text[:200]}"
    return seconds, answer_size(response), None


def count_triples(server: servers.Server, timeout_s: float) -> int | None:
    try:
        with httpx.Client(timeout=timeout_s) as client:
            r = client.get(server.sparql_url(servers.COUNT), headers={"Accept": "application/sparql-results+json"})
        return int(r.json()["results"]["bindings"][0]["n"]["value"]) if r.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, IndexError):
        return None


DUMPS = {
    "dxkg": [("/dumps/dxkg.nq.gz", "*/*", "/dumps/dxkg.nq.gz, first request (written by dxkg load)"),
             ("/dumps/dxkg.nq.gz", "*/*", "/dumps/dxkg.nq.gz again"),
             ("/store", "application/n-quads", "/store as N-Quads")],
    "oxigraph": [("/store", "application/n-quads", "/store as N-Quads")],
    "rdflib-endpoint": [(None, "application/n-triples", "CONSTRUCT of every triple, N-Triples")],
}


def cache_counters(server: servers.Server, timeout_s: float) -> dict[str, float] | None:
    """Return dxkg's response-cache hits and misses over the run (from /metrics), or None."""
    if server.name not in servers.DXKG_NAMES:
        return None
    try:
        text = httpx.get(server.url + "/metrics", timeout=timeout_s).text
    except httpx.HTTPError:
        return None
    found = {}
    for line in text.splitlines():
        for key in ("hits", "misses"):
            if line.startswith(f"dxkg_response_cache_{key}_total "):
                found[key] = float(line.split()[1])
    return found or None


def download_dumps(server: servers.Server, timeout_s: float) -> list[dict]:
    """Download the whole dataset the ways each server offers it; return seconds, bytes and what, for each."""
    found = []
    for path, accept, what in DUMPS.get(server.name, []):
        url = server.url + path if path else server.sparql_url("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        got = download(url, accept, what, timeout_s)
        if got:
            found.append(got)
    return found


def download(url: str, accept: str, what: str, timeout_s: float) -> dict | None:
    started = time.perf_counter()
    size = 0
    try:
        with httpx.Client(timeout=timeout_s) as client, client.stream("GET", url, headers={"Accept": accept}) as r:
            if r.status_code != 200:
                return None
            for chunk in r.iter_raw():
                size += len(chunk)
    except httpx.HTTPError as exc:
        return {"seconds": time.perf_counter() - started, "bytes": size, "what": f"{what}: failed ({exc.__class__.__name__})"}
    return {"seconds": time.perf_counter() - started, "bytes": size, "what": what}


def run_size(size: str, names: list[str], connections: tuple[int, ...], duration_s: float, rounds: int, slow_s: float,
             timeout_s: float, work_root: Path, results_dir: Path, reuse: bool) -> dict:
    """Measure every server at one size; write results_dir/SIZE.json and return the result."""
    base = work_root / size
    data, work = base / "data", base / "work"
    work.mkdir(parents=True, exist_ok=True)
    if not (reuse and data.exists()):
        log(f"{size}: generating data")
        generate(size, data)
    log(f"{size}: building dxkg's store and its N-Quads dump")
    build_s, dump = servers.build_dxkg(data, work)
    store = load_dump(dump)
    triples, graphs = len(store), len(list(store.named_graphs()))
    workloads = build_workloads(store)
    inproc = {w.key: in_process_ms(store, w) for w in workloads if w.sparql}
    del store
    notes: list[str] = []
    load_before = f"{os.getloadavg()[0]:.2f}"
    running: list[servers.Server] = []
    measurements: list[dict] = []
    try:
        with servers.MemoryWatch(running):
            for name in names:
                log(f"{size}: starting {name}")
                server = (servers.start_dxkg(data, work, build_s, timeout_s, name) if name in servers.DXKG_NAMES
                          else STARTERS[name](dump, work, timeout_s))
                running.append(server)
                log(f"{size}: {name} answers after {server.startup_s:.2f} s (build {server.build_s:.2f} s)")
            for server in running:
                server.triples = count_triples(server, timeout_s)
            counts = {s.name: s.triples for s in running}
            if len({c for c in counts.values() if c is not None}) > 1:
                notes.append(f"triple counts differ: {counts}")
            log(f"{size}: triples per server {counts}")
            for workload in workloads:
                measurements += measure_workload(size, workload, running, connections, duration_s, rounds, slow_s,
                                                 timeout_s, notes)
            for server in running:
                server.workload_pss = server.peak_pss
                server.cache = cache_counters(server, timeout_s)
            for server in running:
                log(f"{size}: downloading the dump from {server.name}")
                server.dumps = download_dumps(server, timeout_s)
    finally:
        for server in running:
            server.stop()
    result = {
        "size": size, "triples": triples, "graphs": graphs, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_before": load_before, "load_after": f"{os.getloadavg()[0]:.2f}", "duration_s": duration_s, "rounds": rounds, "connections": list(connections), "machine": report.machine(),
        "versions": report.versions(), "notes": notes, "measurements": measurements,
        "workloads": [{"key": w.key, "title": w.title, "sparql": w.sparql, "in_process_ms": inproc.get(w.key)}
                      for w in workloads],
        "servers": {s.name: {"build_s": s.build_s, "startup_s": s.startup_s, "peak_rss": s.peak_rss,
                             "peak_pss": s.peak_pss, "start_pss": s.start_pss, "workload_pss": s.workload_pss, "triples": s.triples, "dumps": s.dumps,
                             "cache": s.cache}
                    for s in running},
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{size}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return result


def measure_workload(size: str, workload: Workload, running: list[servers.Server], connections: tuple[int, ...],
                     duration_s: float, rounds: int, slow_s: float, timeout_s: float, notes: list[str]) -> list[dict]:
    """Probe each server once, then load each in turn at each concurrency, `rounds` times; keep each
    server's best round (the one least disturbed by anything else on the machine)."""
    targets = [s for s in running if workload.sparql or s.name in servers.DXKG_NAMES]
    probes = {}
    for server in targets:
        seconds, answer, error = probe(server, workload, slow_s, timeout_s)
        probes[server.name] = seconds
        if error:
            notes.append(f"{workload.title}: {server.label} failed the first request: {error}")
            probes[server.name] = None
        elif answer is not None:
            probes[f"{server.name}/size"] = answer
    sizes = {probes.get(f"{s.name}/size") for s in targets} - {None}
    if len(sizes) > 1:
        notes.append(f"{workload.title}: answers differ in size: "
                     + ", ".join(f"{s.label} {probes.get(s.name + '/size')}" for s in targets))
    best: dict[tuple[int, str], Measurement] = {}
    for _ in range(rounds):
        for conns in connections:
            for server in targets:
                seconds = probes[server.name]
                if seconds is None:
                    continue
                m = None
                if seconds <= slow_s:
                    m = run_wrk(server.url, workload.requests(server.sparql_path), workload.accept, conns,
                                duration_s, timeout_s)
                if m is None or m.requests == 0:  # too slow for the time window: one request timed instead
                    m = Measurement(1, seconds, 0, seconds * 1000, seconds * 1000, single=True)
                log(f"{size}: {workload.key:<9} c={conns:<2} {server.name:<16} {m.rps:10.1f} req/s  "
                    f"p50 {m.p50_ms:8.2f} ms  p99 {m.p99_ms:8.2f} ms" + (f"  errors {m.errors}" if m.errors else "")
                    + ("  (one request)" if m.single else ""))
                kept = best.get((conns, server.name))
                if kept is None or m.rps > kept.rps:
                    best[(conns, server.name)] = m
    return [{"workload": workload.key, "connections": conns, "server": name, "rps": m.rps, **asdict(m)}
            for (conns, name), m in best.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: tiny, 10k, 100k, 1m")
    parser.add_argument("--servers", default=",".join(servers.NAMES), help="comma-separated subset of " + ",".join(servers.NAMES))
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per server, workload and concurrency")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat each workload's interleaved measurements; each server's best round is kept")
    parser.add_argument("--connections", default="1,16", help="comma-separated concurrencies (default: 1,16)")
    parser.add_argument("--slow", type=float, default=3.0,
                        help="a server whose first answer takes longer than this many seconds is timed on one request")
    parser.add_argument("--timeout", type=float, default=600, help="bound on any start-up or single request, seconds")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench",
                        help="where the generated data, stores and logs go (default: var/bench)")
    parser.add_argument("--reuse-data", action="store_true", help="keep already generated data")
    args = parser.parse_args(argv)
    require_wrk()
    # Stop the servers (the finally in run_size) when terminated, not only on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    names = [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES] + [n for n in names if n not in servers.NAMES]
    if unknown:
        parser.error(f"unknown size or server: {', '.join(unknown)}")
    connections = tuple(int(c) for c in args.connections.split(",") if c.strip())
    for size in sizes:
        run_size(size, names, connections, args.duration, args.rounds, args.slow, args.timeout, args.work_dir, args.results_dir,
                 args.reuse_data)
    report.write(args.results_dir, args.output, "python bench/run.py " + shlex.join(argv if argv is not None else sys.argv[1:]))
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
