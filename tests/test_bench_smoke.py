"""Smoke run of the benchmark runner (bench/run.py): tiny data, 1 s per workload, 1 connection.

The benchmark is a script, not a test; this only keeps it from rotting: the generator, the
four servers (dxkg as shipped and with its response cache off, rdflib-endpoint, the Oxigraph server), wrk and the report must
work together. Results go to a temporary folder, never to bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("dxkg", "dxkg-uncached", "rdflib-endpoint", "oxigraph")


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the benchmark once at the tiny size; return its output folder."""
    if shutil.which("wrk") is None and not os.environ.get("CI"):
        pytest.skip("wrk is not installed (apt-get install wrk); CI installs it")
    out = tmp_path_factory.mktemp("bench")
    runner = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "tiny", "--duration", "1", "--connections", "1",
         "--servers", ",".join(SERVERS), "--timeout", "60", "--work-dir", str(out / "work"),
         "--results-dir", str(out / "results"), "--output", str(out / "RESULTS.md")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        output, _ = runner.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        runner.terminate()  # the runner stops its servers on SIGTERM
        output, _ = runner.communicate(timeout=60)
        pytest.fail("the smoke run took more than 240 s:\n" + output[-3000:])
    assert runner.returncode == 0, output[-3000:]
    return out


def test_bench_smoke_writes_a_results_table(smoke_run: Path) -> None:
    text = (smoke_run / "RESULTS.md").read_text()
    assert "| workload | conns | dxkg | dxkg, response cache off | rdflib-endpoint | Oxigraph server |" in text
    assert "response cache over the run (hits / misses)" in text
    for title in ("entity DESCRIBE", "label search, dxkg /search (JSON)", "entity HTML page",
                  "named query with a parameter"):
        assert title in text
    assert "## Goals (issue 6)" in text


def test_bench_smoke_measures_every_server_on_the_same_data(smoke_run: Path) -> None:
    result = json.loads((smoke_run / "results" / "tiny.json").read_text())
    assert set(result["servers"]) == set(SERVERS)
    counts = {name: s["triples"] for name, s in result["servers"].items()}
    assert len(set(counts.values())) == 1 and result["triples"] in counts.values(), counts
    measured = {(m["workload"], m["server"]) for m in result["measurements"] if m["requests"] > 0 and not m["errors"]}
    for server in SERVERS:
        assert ("describe", server) in measured
        assert result["servers"][server]["startup_s"] > 0
        assert result["servers"][server]["peak_rss"] > 0
    for workload in ("search", "page", "named"):
        assert (workload, "dxkg") in measured and (workload, "dxkg-uncached") in measured
    assert result["servers"]["dxkg"]["cache"]["hits"] > 0  # repeats were answered from the cache...
    assert not result["servers"]["dxkg-uncached"]["cache"]  # ...and the other dxkg had none
    assert not [n for n in result["notes"] if "failed" in n], result["notes"]
