"""Start, probe, watch and stop the servers under test, each on its own loopback port.

dxkg runs as shipped (`python server.py`, DXKG_* settings pointing at the generated data);
rdflib-endpoint (`rdflib-endpoint serve`) and the minimal FastAPI+pyoxigraph endpoint load the
N-Quads dump dxkg writes of the same store; the Oxigraph server (`oxigraph serve-read-only`)
serves a RocksDB directory that `oxigraph load` builds from that dump.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROBE = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

NAMES = ("dxkg", "dxkg-uncached", "rdflib-endpoint", "oxigraph", "minimal")
LABELS = {"dxkg": "dxkg", "dxkg-uncached": "dxkg, response cache off", "rdflib-endpoint": "rdflib-endpoint",
          "oxigraph": "Oxigraph server", "minimal": "minimal FastAPI+pyoxigraph"}
DXKG_NAMES = ("dxkg", "dxkg-uncached")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tool(name: str) -> str:
    """Return the path of a console script of this venv (or on PATH)."""
    local = BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"`{name}` not found: install the bench extra (pip install -e '.[bench]')")
    return found


@dataclass(slots=True)
class Server:
    """A running server: where its SPARQL endpoint is, its process, and what was measured at start."""

    name: str
    port: int
    sparql_path: str
    process: subprocess.Popen
    log: Path
    build_s: float | None = None
    startup_s: float | None = None
    peak_rss: int = 0
    peak_pss: int = 0
    start_pss: int = 0  # just after the first answer
    workload_pss: int = 0  # peak before the dump downloads
    triples: int | None = None
    dumps: list[dict] | None = None
    cache: dict[str, float] | None = None  # dxkg's response-cache hits and misses over the run

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def sparql_url(self, query: str) -> str:
        return self.url + self.sparql_path + "?" + httpx.QueryParams({"query": query}).__str__()

    def alive(self) -> bool:
        return self.process.poll() is None

    def sample_memory(self) -> None:
        """Add the resident (RSS) and proportional (PSS) memory of the process tree to the peaks."""
        try:
            root = psutil.Process(self.process.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss = pss = 0
        for proc in procs:
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def launch(name: str, command: list[str], sparql_path: str, port: int, work: Path, env: dict[str, str] | None = None,
           timeout_s: float = 600) -> Server:
    """Start a server in its own process group; return it once it answers a SPARQL query."""
    log = work / f"{name}.log"
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, port, sparql_path, process, log)
    wait_ready(server, started, timeout_s)
    return server


def wait_ready(server: Server, started: float, timeout_s: float) -> None:
    """Poll the endpoint until it answers; record the start-up time to the first answer."""
    deadline = started + timeout_s
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() < deadline:
            if not server.alive():
                raise RuntimeError(f"{server.name} exited at start: see {server.log}\n{tail(server.log)}")
            try:
                r = client.get(server.sparql_url(PROBE), headers={"Accept": "application/sparql-results+json"})
                if r.status_code == 200:
                    server.startup_s = time.perf_counter() - started
                    server.sample_memory()
                    server.start_pss = server.peak_pss
                    return
                if r.status_code >= 500:
                    server.stop()
                    raise RuntimeError(f"{server.name} answered {r.status_code} at start: see {server.log}\n"
                                       f"{tail(server.log)}")
            except httpx.HTTPError:
                pass
            server.sample_memory()
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {timeout_s:.0f} s: see {server.log}")


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def dxkg_env(data: Path, var: Path, port: int) -> dict[str, str]:
    return {"DXKG_DATA_DIR": str(data), "DXKG_VAR_DIR": str(var), "DXKG_PORT": str(port), "DXKG_HOST": "127.0.0.1"}


def build_dxkg(data: Path, work: Path) -> tuple[float, Path]:
    """Run `dxkg load --force` on the data; return its time and the N-Quads dump of the store."""
    var = work / "dxkg-var"
    shutil.rmtree(var, ignore_errors=True)  # a cold build, and no dumps left from an earlier run
    env = {**os.environ, **dxkg_env(data, var, 0)}
    started = time.perf_counter()
    subprocess.run([tool("dxkg"), "load", "--force"], env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    dump = work / "dataset.nq"
    subprocess.run([tool("dxkg"), "dump", "--format", "nq", "-o", str(dump)], env=env, check=True, capture_output=True)
    return elapsed, dump


def start_dxkg(data: Path, work: Path, build_s: float, timeout_s: float, name: str = "dxkg") -> Server:
    """Start dxkg as shipped on the built store; `dxkg-uncached` is the same with its response cache off,
    so every request is routed and every query runs (what a request costs on a first visit)."""
    port = free_port()
    env = dxkg_env(data, work / "dxkg-var", port)
    if name == "dxkg-uncached":
        env["DXKG_RESPONSE_CACHE_MB"] = "0"
    server = launch(name, [sys.executable, str(ROOT / "server.py")], "/sparql", port, work, env, timeout_s)
    server.build_s = build_s
    return server


def start_oxigraph(dump: Path, work: Path, timeout_s: float) -> Server:
    location = work / "oxigraph-db"
    shutil.rmtree(location, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([tool("oxigraph"), "load", "--location", str(location), "--file", str(dump)], check=True,
                   capture_output=True)
    build_s = time.perf_counter() - started
    port = free_port()
    server = launch("oxigraph", [tool("oxigraph"), "serve-read-only", "--location", str(location), "--bind",
                                 f"127.0.0.1:{port}", "--union-default-graph"], "/query", port, work, None, timeout_s)
    server.build_s = build_s
    return server


def start_rdflib_endpoint(dump: Path, work: Path, timeout_s: float) -> Server:
    port = free_port()
    server = launch("rdflib-endpoint", [tool("rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
                                        str(dump)], "/", port, work, None, timeout_s)
    server.build_s = server.startup_s  # it parses the data as it starts
    return server


def start_minimal(dump: Path, work: Path, timeout_s: float) -> Server:
    port = free_port()
    server = launch("minimal", [sys.executable, str(ROOT / "bench" / "minimal_endpoint.py"), "--data", str(dump),
                                "--port", str(port)], "/sparql", port, work, None, timeout_s)
    server.build_s = server.startup_s
    return server


class MemoryWatch:
    """Sample the memory of every server's process tree in the background until stopped."""

    def __init__(self, servers: list[Server], interval_s: float = 0.25) -> None:
        self.servers = servers
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            for server in list(self.servers):
                server.sample_memory()

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
