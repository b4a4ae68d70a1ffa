"""Load test: N concurrent clients for S seconds against dxkg on loopback, mixing SPARQL queries,
entity pages (HTML and Turtle), search and named queries; prints counts, errors and latency
percentiles per kind, and exits 1 when any request failed.

    python bench/loadtest.py                      # starts dxkg itself: 50 clients, 60 s
    python bench/loadtest.py --clients 20 --seconds 10
    python bench/loadtest.py --url http://127.0.0.1:8000   # a dxkg already running

Without --url it starts `python server.py` on a free loopback port with a private var/ folder
(so it builds its own store), waits for /healthz, and stops it at the end. Only loopback
addresses are accepted as targets. Each client sends one request at a time (a closed loop); the
run ends by itself after --seconds plus at most one request timeout.

A `503` with `Retry-After` (the server's cap on queries in flight, by design) is not a failure:
the client waits as told (at most --max-retry-wait s) and sends the request again, up to
--retries times; the latency counts from the first attempt, and the retries are reported. Any
other status of 400 or more, a timeout or a connection error is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
MAX_CLIENTS = 500
MAX_SECONDS = 3600
KINDS = ("sparql", "page", "turtle", "search", "named")
WEIGHTS = (30, 25, 10, 20, 15)
RESULTS_JSON = "application/sparql-results+json"
ENTITIES = """
SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/dxkg/id/") && LANG(?label) = "vi")
} ORDER BY ?s LIMIT 400"""
QUERIES = (
    "SELECT ?province ?name WHERE { ?province a dx:Province ; rdfs:label ?name . FILTER(LANG(?name) = 'vi') } "
    "ORDER BY ?name LIMIT 20",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 10",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { <{iri}> ?p ?o } GROUP BY ?p",
    "SELECT ?s ?p WHERE { ?s ?p <{iri}> } LIMIT 50",
    "CONSTRUCT { <{iri}> ?p ?o } WHERE { <{iri}> ?p ?o }",
    "ASK { <{iri}> rdfs:label ?l }",
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label . FILTER(CONTAINS(LCASE(STR(?label)), '{word}')) } LIMIT 20",
)


@dataclass(slots=True)
class Workload:
    """What the clients ask for: entity paths, search words, named-query URLs."""

    entities: list[tuple[str, str]]  # (IRI, local path)
    words: list[str]
    named: list[str]  # named-query URLs with example parameters


@dataclass(slots=True)
class Tally:
    """The outcome of every request of one kind."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    examples: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with target(args) as (url, log):
        tallies, elapsed = asyncio.run(run(url, args))
        print_report(tallies, elapsed, args.clients)
        failed = any(t.errors for t in tallies.values())
        if failed and log is not None:
            print_server_errors(log)
    return 1 if failed else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a dxkg already running on loopback (default: start one)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to hold them (default 60)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in s (default 30)")
    parser.add_argument("--retries", type=int, default=5, help="503 retries per request (default 5)")
    parser.add_argument("--max-retry-wait", type=float, default=1.0, help="longest wait before a retry, s")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the request mix")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1 to {MAX_CLIENTS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be more than 0 and at most {MAX_SECONDS}")
    if args.url and not is_loopback(args.url):
        parser.error("--url must be a loopback address (127.0.0.0/8, localhost or [::1])")
    return args


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, Path | None]]:
    """Yield the URL under test and the server's log: --url (no log), or a dxkg started here and
    stopped on the way out."""
    if args.url:
        yield args.url.rstrip("/"), None
        return
    with tempfile.TemporaryDirectory(prefix="dxkg-loadtest-") as var:
        port = free_port()
        env = {**os.environ, "DXKG_HOST": "127.0.0.1", "DXKG_PORT": str(port), "DXKG_VAR_DIR": var}
        log = open(Path(var) / "server.log", "wb")  # noqa: SIM115 (closed below, after the process)
        process = subprocess.Popen([sys.executable, str(ROOT / "server.py")], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            started = time.monotonic()
            wait_for_health(url, process, timeout_s=180)
            print(f"dxkg started on {url} in {time.monotonic() - started:.1f} s (var folder {var})")
            yield url, Path(var) / "server.log"
        finally:
            stop(process)
            log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dxkg exited with status {process.returncode} before answering")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"dxkg did not answer /healthz within {timeout_s:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the server we started (its whole process group: the query workers too)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


async def run(url: str, args: argparse.Namespace) -> tuple[dict[str, Tally], float]:
    """Hold the clients for the given time; return the tallies by kind and the elapsed time."""
    # Idle connections are dropped after 2 s, before uvicorn's 5 s keep-alive timeout closes them from
    # its side: with both at 5 s a request could go out on a connection the server was just closing.
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=url, timeout=args.timeout, limits=limits) as client:
        workload = await discover(client)
        print(f"workload: {len(workload.entities)} entities, {len(workload.words)} search words, "
              f"{len(workload.named)} named queries; {args.clients} clients for {args.seconds:g} s")
        tallies = {kind: Tally() for kind in KINDS}
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [one_client(client, workload, tallies, deadline, args, random.Random(args.seed * 1000 + i))
                   for i in range(args.clients)]
        # Every client stops at the deadline plus one request; this bounds even a stuck one.
        await asyncio.wait_for(asyncio.gather(*clients), timeout=args.seconds + args.timeout * (args.retries + 2))
        return tallies, time.monotonic() - started


async def discover(client: httpx.AsyncClient) -> Workload:
    """Read entities, their label words and the named queries from the server itself."""
    response = await client.get("/sparql", params={"query": ENTITIES}, headers={"Accept": RESULTS_JSON})
    response.raise_for_status()
    entities, words = [], set()
    for row in response.json()["results"]["bindings"]:
        iri = row["s"]["value"]
        entities.append((iri, "/" + iri.removeprefix("https://w3id.org/dxkg/")))
        words.update(w for w in row["label"]["value"].split() if len(w) > 2 and w.isalpha())
    catalogue = (await client.get("/queries", headers={"Accept": "application/json"})).json()["queries"]
    named = [q["example_url"] for q in catalogue]
    if not entities or not named:
        raise RuntimeError("the server has no entities or no named queries to load it with")
    return Workload(entities, sorted(words), named)


def request_for(kind: str, workload: Workload, rng: random.Random) -> tuple[str, dict, dict[str, str]]:
    """Return (path, query parameters, headers) of one request of the kind."""
    iri, path = rng.choice(workload.entities)
    if kind == "sparql":
        query = rng.choice(QUERIES).replace("{iri}", iri).replace("{word}", rng.choice(workload.words).lower())
        accept = "text/turtle" if query.startswith("CONSTRUCT") else RESULTS_JSON
        return "/sparql", {"query": query}, {"Accept": accept}
    if kind == "page":
        return path, {}, {"Accept": "text/html"}
    if kind == "turtle":
        return path, {}, {"Accept": "text/turtle"}
    if kind == "search":
        words = rng.sample(workload.words, k=rng.choice((1, 1, 2)))
        return "/search", {"q": " ".join(words)}, {"Accept": rng.choice(("text/html", "application/json"))}
    return rng.choice(workload.named), {}, {"Accept": rng.choice((RESULTS_JSON, "text/html"))}


async def one_client(client: httpx.AsyncClient, workload: Workload, tallies: dict[str, Tally], deadline: float,
                     args: argparse.Namespace, rng: random.Random) -> None:
    """Send one request after another until the deadline."""
    while time.monotonic() < deadline:
        kind = rng.choices(KINDS, WEIGHTS)[0]
        path, params, headers = request_for(kind, workload, rng)
        tally = tallies[kind]
        started = time.perf_counter()
        error = None
        for attempt in range(args.retries + 1):
            try:
                response = await client.get(path, params=params or None, headers=headers)
                await response.aread()
            except httpx.HTTPError as exc:
                error = type(exc).__name__
                if len(tally.examples) < 3:
                    tally.examples.append(f"{error} {path} {str(exc)[:120]!r}")
                break
            if response.status_code == 503 and "retry-after" in response.headers and attempt < args.retries:
                tally.retries += 1
                await asyncio.sleep(min(float(response.headers["retry-after"]), args.max_retry_wait))
                continue
            if response.status_code >= 400:
                error = str(response.status_code)
                if len(tally.examples) < 3:
                    tally.examples.append(f"{response.status_code} {path} {response.text[:120]!r}")
            break
        tally.latencies.append(time.perf_counter() - started)
        if error:
            tally.errors[error] += 1


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def print_report(tallies: dict[str, Tally], elapsed: float, clients: int) -> None:
    print(f"\n{clients} clients, {elapsed:.1f} s")
    header = f"{'kind':<8} {'requests':>9} {'errors':>7} {'retries':>8} {'req/s':>8} " \
             f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    everything: list[float] = []
    for kind in (*KINDS, "all"):
        if kind == "all":
            print("-" * len(header))
            values = sorted(everything)
            errors = sum(sum(t.errors.values()) for t in tallies.values())
            retries = sum(t.retries for t in tallies.values())
        else:
            tally = tallies[kind]
            values = sorted(tally.latencies)
            everything += values
            errors, retries = sum(tally.errors.values()), tally.retries
        ms = [percentile(values, p) * 1000 for p in (50, 90, 99, 100)]
        print(f"{kind:<8} {len(values):>9} {errors:>7} {retries:>8} {len(values) / elapsed:>8.1f} "
              + " ".join(f"{v:>8.1f}" for v in ms))
    failures: defaultdict[str, int] = defaultdict(int)
    for tally in tallies.values():
        for error, n in tally.errors.items():
            failures[error] += n
    if failures:
        print("\nerrors:", ", ".join(f"{error}: {n}" for error, n in sorted(failures.items())))
        for kind, tally in tallies.items():
            for example in tally.examples:
                print(f"  {kind}: {example}")
    else:
        print("\nerrors: none")


def print_server_errors(log: Path, lines: int = 40) -> None:
    """Print the server log's error lines and tracebacks (the last `lines` of them)."""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    picked = [line for line in text if "ERROR" in line or "Traceback" in line or line.startswith(("  ", "E"))]
    if picked:
        print("\nserver log (errors):")
        print("\n".join(picked[-lines:]))


if __name__ == "__main__":
    sys.exit(main())
