"""Reload without downtime: a new snapshot goes into service while requests keep being answered."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dxkg.config import Settings
from dxkg.errors import LoadError
from dxkg.store import CURRENT_FILE, build

from conftest import ROOT, LiveServer, free_port
from test_workers import exists, running, wait_until

MARKER = "https://w3id.org/dxkg/id/test/reload-marker"
MARKER_TTL = f'<{MARKER}> <http://www.w3.org/2000/01/rdf-schema#label> "reload marker"@en .\n'
HAS_MARKER = f"ASK {{ <{MARKER}> ?p ?o }}"
JSON = {"Accept": "application/sparql-results+json"}
# What the traffic during a reload asks for: SPARQL (worker pool), a named query, pages (server threads).
TRAFFIC = (
    ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, JSON),
    ("/queries/administrative-changes-2025", {}, JSON),
    ("/id/province/gia-lai", {}, {"Accept": "text/turtle"}),
    ("/search", {"q": "gia lai"}, {"Accept": "application/json"}),
)


@pytest.fixture()
def private(tmp_path: Path, settings: Settings) -> Settings:
    """Settings on a private copy of data/ and a private var/, checked for new snapshots every 0.2 s."""
    shutil.copytree(settings.data_dir, tmp_path / "data")
    return settings.model_copy(update={"data_dir": tmp_path / "data", "var_dir": tmp_path / "var",
                                       "reload_poll_s": 0.2, "query_workers": 1})


def has_marker(client: httpx.Client) -> bool:
    response = client.get("/sparql", params={"query": HAS_MARKER}, headers=JSON)
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


class Traffic:
    """Requests in a loop on another thread, recording every failure and every version seen."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.failures: list[tuple[str, int, str]] = []
        self.versions: list[str] = []
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                for path, params, headers in TRAFFIC:
                    response = client.get(path, params=params, headers=headers)
                    self.requests += 1
                    if response.status_code != 200:
                        self.failures.append((path, response.status_code, response.text[:300]))
                self.versions.append(client.get("/healthz").json()["version"])


def test_reload_new_snapshot_served_without_errors_and_a_broken_one_ignored(
        private: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="dxkg.reload")
    with LiveServer(private) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        first = client.get("/healthz").json()["version"]
        first_pool = server.server.config.app.state.holder.pool  # type: ignore[union-attr]
        first_processes = [*first_pool.pids(), first_pool.zygote_pid]
        assert not has_marker(client)
        with Traffic(server.url) as traffic:
            assert wait_until(lambda: len(traffic.versions) >= 2)  # rounds of traffic on the first version
            (private.data_dir / "zz-reload.ttl").write_text(MARKER_TTL, encoding="utf-8")
            second = build(private).version  # what `dxkg load` does
            assert second != first
            assert wait_until(lambda: client.get("/healthz").json()["version"] == second, timeout=30)
            assert has_marker(client)  # the pool swapped with the store
            # The previous version's processes are retired...
            assert wait_until(lambda: not any(exists(pid) for pid in first_processes))
            # ...and once the server has let go of the previous store, the pool is forked again from the
            # version in service alone (the first new pool also mapped the previous version's pages).
            assert wait_until(lambda: any("forked again" in r.getMessage() for r in caplog.records), timeout=30)
            assert has_marker(client)

            # A broken source: the build fails, the pointer stays, the server keeps the version it has.
            pointer = (private.var_dir / CURRENT_FILE).read_bytes()
            (private.data_dir / "zz-broken.ttl").write_text("<a> <b> <c> ; oops\n", encoding="utf-8")
            with pytest.raises(LoadError, match="zz-broken.ttl"):
                build(private)
            assert (private.var_dir / CURRENT_FILE).read_bytes() == pointer
            served = len(traffic.versions)
            assert wait_until(lambda: len(traffic.versions) >= served + 3)  # several polls later
            assert client.get("/healthz").json()["version"] == second
            assert has_marker(client)
        assert traffic.failures == []
        assert {first, second} <= set(traffic.versions)


def children_of(pid: int) -> list[int]:
    """Return the pids whose parent is `pid`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(name))
            except OSError:
                continue
    return found


@pytest.fixture()
def served_process(private: Settings) -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str]]]:
    """`dxkg serve` in its own process, reloading only on SIGHUP (no polling)."""
    port = free_port()
    env = os.environ | {"DXKG_DATA_DIR": str(private.data_dir), "DXKG_VAR_DIR": str(private.var_dir),
                        "DXKG_PORT": str(port), "DXKG_RELOAD_POLL_S": "0", "DXKG_QUERY_WORKERS": "1",
                        "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "dxkg.cli", "serve"], env=env, cwd=ROOT, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        assert wait_until(ready, timeout=60), "dxkg serve did not start"
        yield process, url, env
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("ending", [signal.SIGINT, signal.SIGKILL], ids=["stopped", "killed"])
def test_reload_on_sighup_after_dxkg_load_and_workers_end_with_the_server(
        served_process: tuple[subprocess.Popen[str], str, dict[str, str]], private: Settings,
        ending: signal.Signals) -> None:
    process, url, env = served_process
    with httpx.Client(base_url=url, timeout=30) as client:
        first = client.get("/healthz").json()["version"]
        (private.data_dir / "zz-reload.ttl").write_text(MARKER_TTL, encoding="utf-8")
        load = subprocess.run([sys.executable, "-m", "dxkg.cli", "load"], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert load.returncode == 0, load.stderr
        assert client.get("/healthz").json()["version"] == first  # no polling: nothing happens yet
        process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: client.get("/healthz").json()["version"] != first, timeout=30)
        assert has_marker(client)
        assert process.poll() is None  # SIGHUP reloads; it does not end the server
    zygotes = children_of(process.pid)
    workers = [pid for zygote in zygotes for pid in children_of(zygote)]
    assert zygotes and workers
    process.send_signal(ending)  # stopped: the pool is closed; killed: the zygote sees its socket close
    assert process.wait(timeout=30) == (0 if ending == signal.SIGINT else -signal.SIGKILL)
    # Orphans are reaped by whoever adopts them (init, which may leave zombies): gone or at least not running.
    assert wait_until(lambda: not any(running(pid) for pid in zygotes + workers))
