"""The files derived from a snapshot (dumps, search index): written with it, never on a request."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from dxkg import graph_store, search_file
from dxkg.config import Settings
from dxkg.derived import LOCK_FILE, missing, search_store
from dxkg.dump_files import DUMPS_DIR, INDEX_FILE
from dxkg.formats import by_name
from dxkg.graph_store import GraphSelection
from dxkg.search import SearchIndex
from dxkg.store import SNAPSHOT_FILE, LoadedStore, build, current_manifest, load_or_build, snapshot_dir

from conftest import LiveServer
from test_workers import wait_until

DUMP_NAMES = ("dxkg.ttl", "dxkg.nt.gz", "dxkg.nq.gz")


def dxkg(*args: str, var: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dxkg.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "DXKG_VAR_DIR": str(var)}, timeout=300)


def snapshot_of(settings: Settings) -> Path:
    manifest = current_manifest(settings)
    assert manifest is not None
    return snapshot_dir(settings, manifest.version)


def stamps(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in [*(folder / DUMPS_DIR).iterdir(), search_file.path_in(folder)]}


def test_load_writes_the_dumps_and_search_index_and_the_server_serves_them_as_they_are(
        tmp_path: Path, settings: Settings) -> None:
    var = tmp_path / "var"
    result = dxkg("load", var=var)
    assert result.returncode == 0, result.stderr
    private = settings.model_copy(update={"var_dir": var, "query_workers": 1})
    folder = snapshot_of(private)
    index = json.loads((folder / DUMPS_DIR / INDEX_FILE).read_text())
    assert [f["filename"] for f in index["files"]] == list(DUMP_NAMES)
    for entry in index["files"]:
        data = (folder / DUMPS_DIR / entry["filename"]).read_bytes()
        assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert search_file.path_in(folder).is_file()
    before = stamps(folder)
    with LiveServer(private) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        listing = client.get("/dumps", headers={"Accept": "application/json"})
        assert listing.status_code == 200
        nquads = client.get("/dumps/dxkg.nq.gz")
        assert nquads.status_code == 200
        assert hashlib.sha256(nquads.content).hexdigest() == index["files"][2]["sha256"]
        assert client.get("/search", params={"q": "gia lai"}, headers={"Accept": "application/json"}).json()["count"]
    assert stamps(folder) == before  # served as written: nothing was rewritten


def test_server_writes_missing_files_in_a_child_process_and_answers_503_meanwhile(
        tmp_path: Path, settings: Settings) -> None:
    private = settings.model_copy(update={"var_dir": tmp_path / "var", "query_workers": 1})
    loaded = build(private)
    folder = snapshot_of(private)
    shutil.rmtree(folder / DUMPS_DIR)  # a snapshot as an older dxkg wrote it
    search_file.path_in(folder).unlink()
    assert missing(folder, loaded.version) == ["dumps", "search index"]
    with open(folder / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the writer the server starts waits for this lock
        with LiveServer(private) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            for path, headers in (("/dumps", {"Accept": "application/json"}), ("/dumps/dxkg.nq.gz", {}),
                                  ("/search?q=gia+lai", {"Accept": "application/json"})):
                waiting = client.get(path, headers=headers)
                assert waiting.status_code == 503, path
                assert int(waiting.headers["retry-after"]) > 0
                assert "being written" in waiting.text
            assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200  # the rest serves
            assert client.get("/.well-known/void").status_code == 200  # it names the dumps' URLs all the same
            page = client.get("/.well-known/void", headers={"Accept": "text/html"})
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store"  # no sizes yet
            fcntl.flock(lock, fcntl.LOCK_UN)
            assert wait_until(lambda: not missing(folder, loaded.version), timeout=60)
            assert client.get("/dumps/dxkg.nq.gz").status_code == 200
            quads = ox.parse(gzip.decompress(client.get("/dumps/dxkg.nq.gz").content), format=ox.RdfFormat.N_QUADS)
            assert sum(1 for _ in quads) == loaded.manifest.triples
            found = client.get("/search", params={"q": "gia lai"}, headers={"Accept": "application/json"})
            assert found.status_code == 200 and found.json()["results"][0]["path"] == "/id/province/gia-lai"
    assert missing(folder, loaded.version) == []


def test_a_server_building_its_version_has_the_files_written_by_a_child_before_serving(
        tmp_path: Path, settings: Settings) -> None:
    private = settings.model_copy(update={"var_dir": tmp_path / "var"})
    loaded, error = load_or_build(private)  # what the server does at start-up when the sources changed
    assert error is None and loaded.folder == snapshot_of(private)
    assert missing(loaded.folder, loaded.version) == []
    assert [p.name for p in loaded.folder.iterdir() if p.name.startswith(".")] == [LOCK_FILE]  # no temporary file


def test_load_of_an_unchanged_version_writes_what_its_snapshot_lacks(tmp_path: Path, settings: Settings) -> None:
    var = tmp_path / "var"
    assert dxkg("load", var=var).returncode == 0
    folder = snapshot_of(settings.model_copy(update={"var_dir": var}))
    for path in (folder / DUMPS_DIR).iterdir():
        path.unlink()
    search_file.path_in(folder).unlink()
    again = dxkg("load", var=var)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("up to date") and "wrote its dumps and search index" in again.stdout
    assert missing(folder, folder.name) == []
    assert dxkg("load", var=var).stdout.rstrip().endswith("triples")  # nothing left to write


def test_search_index_from_the_snapshot_file_equals_the_one_from_the_store(loaded) -> None:
    assert loaded.folder is not None
    from_file = SearchIndex(search_file.read(search_file.path_in(loaded.folder)))
    from_store = SearchIndex.build(loaded.store)
    from_labels_only = SearchIndex.build(search_store(loaded.folder / SNAPSHOT_FILE))
    for query in ("gia lai", "hau giang", "ke hoach", "vnpt", "nghi quyet", "a"):
        expected = [(h.iri, h.rank, h.snippet, h.labels, h.type_labels) for h in from_store.search(query, 100).hits]
        assert [(h.iri, h.rank, h.snippet, h.labels, h.type_labels) for h in from_file.search(query, 100).hits] \
            == expected, query
        assert [h.iri for h in from_labels_only.search(query, 100).hits] == [e[0] for e in expected], query


@pytest.mark.parametrize("name", DUMP_NAMES)
def test_dumps_are_converted_from_the_snapshot_with_every_triple(loaded, name: str) -> None:
    assert loaded.folder is not None
    data = (loaded.folder / DUMPS_DIR / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    rdf_format = {"dxkg.ttl": ox.RdfFormat.TURTLE, "dxkg.nt.gz": ox.RdfFormat.N_TRIPLES,
                  "dxkg.nq.gz": ox.RdfFormat.N_QUADS}[name]
    parsed = list(ox.parse(data, format=rdf_format))
    assert len(parsed) == loaded.manifest.triples
    if name == "dxkg.nq.gz":
        assert set(parsed) == set(loaded.store)


def ground(data: bytes, rdf_format: ox.RdfFormat) -> tuple[int, set[ox.Quad]]:
    """Return how many statements the data holds and the set of those without blank nodes."""
    quads = list(ox.parse(data, format=rdf_format))
    return len(quads), {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


@pytest.mark.parametrize(("default", "name"), [(False, "nq"), (False, "trig"), (True, "nt"), (True, "ttl")])
def test_graph_store_copies_what_a_snapshot_file_holds(loaded, default: bool, name: str) -> None:
    fmt = by_name(name, ("graph",) if default else ("dataset",))
    selection = GraphSelection(default=default)
    from_store = io.BytesIO()
    graph_store.write(loaded.store, selection, fmt, from_store)
    # An empty store beside the snapshot's folder: what comes out can only come from its files.
    files_only = LoadedStore(ox.Store(), loaded.manifest, loaded.folder)
    from_files = io.BytesIO()
    graph_store.write_served(files_only, selection, fmt, from_files)
    assert ground(from_files.getvalue(), fmt.rdf_format) == ground(from_store.getvalue(), fmt.rdf_format)
    count, _ = ground(from_files.getvalue(), fmt.rdf_format)
    assert count == loaded.manifest.triples


def test_graph_store_reads_one_graph_and_other_formats_from_the_store(loaded) -> None:
    files_only = LoadedStore(ox.Store(), loaded.manifest, loaded.folder)
    graph = next(iter(loaded.manifest.graphs))
    for selection, fmt in ((GraphSelection(graph=graph), by_name("nt", ("graph",))),
                           (GraphSelection(default=True), by_name("jsonld", ("graph",)))):
        out = io.BytesIO()
        graph_store.write_served(files_only, selection, fmt, out)
        assert b"<http" not in out.getvalue()  # the (empty) store answered
