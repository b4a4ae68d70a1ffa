"""The load generator: wrk (Debian package `wrk`) driven by bench/wrk_paths.lua.

wrk is written in C and costs the 2-core machine far less CPU per request than a Python
client would, so the faster servers are not held back by the client. The Lua script cycles
through a file of request paths (one workload's parameters) with the workload's Accept header
and prints the summary as JSON: requests, errors, p50/p99 latency.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

LUA = Path(__file__).resolve().parent / "wrk_paths.lua"
INSTALL_HINT = "wrk is not installed: `sudo apt-get install wrk` (Debian/Ubuntu package `wrk`)"


def require_wrk() -> str:
    """Return the wrk executable, or raise with how to install it."""
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError(INSTALL_HINT)
    return found


@dataclass(frozen=True, slots=True)
class Measurement:
    """One server under one workload at one concurrency."""

    requests: int  # answered with 2xx/3xx
    duration_s: float
    errors: int  # non-2xx/3xx answers (dxkg's 503 "too many queries"), timeouts, socket errors
    p50_ms: float
    p99_ms: float
    single: bool = False  # too slow to load: one request timed instead

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def run_wrk(base_url: str, paths: list[str], accept: str, connections: int, duration_s: float,
            timeout_s: float) -> Measurement:
    """Load base_url with `connections` keep-alive connections for `duration_s`, cycling through `paths`."""
    threads = min(connections, 2)
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        paths_file = f.name
    try:
        command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(duration_s, 1):.0f}s",
                   f"--timeout={timeout_s:.0f}s", "-s", str(LUA), base_url, "--", paths_file, accept]
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration_s + timeout_s + 30)
    finally:
        Path(paths_file).unlink(missing_ok=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    s = json.loads(line[len("WRK-JSON "):])
    # wrk counts a non-2xx/3xx answer both as a request and as a status error: only the others count here.
    errors = s["connect"] + s["read"] + s["write"] + s["status"] + s["timeout"]
    return Measurement(s["requests"] - s["status"], s["duration_us"] / 1e6, errors, s["p50_us"] / 1000,
                       s["p99_us"] / 1000)


def time_one(client: httpx.Client, url: str, accept: str) -> tuple[float, httpx.Response]:
    """Return the seconds one request took and its response."""
    started = time.perf_counter()
    response = client.get(url, headers={"Accept": accept})
    return time.perf_counter() - started, response
