"""The store: one graph per source, atomic builds, reuse of unchanged sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from dxkg.config import Settings
from dxkg.errors import LoadError
from dxkg.namespaces import GRAPH
from dxkg.store import (
    CURRENT_FILE,
    SNAPSHOT_FILE,
    build,
    current_manifest,
    discover_sources,
    is_current,
    load_or_build,
    open_current,
    snapshot_dir,
)

ROOT = Path(__file__).resolve().parent.parent
GIA_LAI_RESOLUTION = "https://w3id.org/dxkg/id/resolution/gia-lai-04-nq-tu-2022"


@pytest.fixture()
def sandbox(tmp_path: Path) -> Settings:
    """A private copy of the real sources, so a test can break them."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return Settings(ontology_dir=tmp_path / "ontology", data_dir=tmp_path / "data", var_dir=tmp_path / "var")


def count(store: ox.Store) -> int:
    return len(store)


def test_store_one_named_graph_per_source(loaded, settings):
    sources = discover_sources(settings)
    graphs = {g.value for g in loaded.store.named_graphs()}
    assert graphs == {s.graph for s in sources}
    assert GRAPH + "ontology" in graphs and GRAPH + "article-004-gia-lai" in graphs
    assert sum(loaded.manifest.graphs.values()) == loaded.manifest.triples == len(loaded.store)


def test_store_default_graph_is_the_union(store):
    from dxkg.sparql import QueryRequest, execute

    rows = list(execute(store, QueryRequest(
        f"SELECT ?d WHERE {{ <{GIA_LAI_RESOLUTION}> dx:issuedOn ?d }}")))
    assert [r["d"].value for r in rows] == ["2022-01-20"]


def test_store_restart_reuses_the_snapshot(sandbox):
    first = build(sandbox)
    assert is_current(sandbox)
    again, error = load_or_build(sandbox)
    assert error is None
    assert again.version == first.version
    assert again.manifest.built_at == first.manifest.built_at  # reused, not rebuilt
    assert len(again.store) == len(first.store)


def test_store_changed_source_gives_a_new_version(sandbox):
    first = build(sandbox)
    path = sandbox.data_dir / "registry" / "registry-organisations.ttl"
    path.write_text(path.read_text() + "\n# a comment changes the bytes\n")
    assert not is_current(sandbox)
    second, error = load_or_build(sandbox)
    assert error is None and second.version != first.version


def test_store_broken_turtle_names_file_and_line_and_keeps_old_store(sandbox):
    good = build(sandbox)
    broken = sandbox.data_dir / "articles" / "article-999-broken.ttl"
    broken.write_text('@prefix dx: <https://w3id.org/dxkg/ontology#> .\n\n<https://w3id.org/dxkg/id/x> dx:value "unclosed .\n')
    with pytest.raises(LoadError) as info:
        build(sandbox)
    assert str(broken) in str(info.value)
    assert info.value.line == 3
    # The previous version is still the one in service, and it answers.
    assert current_manifest(sandbox).version == good.version
    served = open_current(sandbox)
    assert len(served.store) == len(good.store)
    served_again, error = load_or_build(sandbox)
    assert isinstance(error, LoadError) and served_again.version == good.version


def test_store_pointer_switches_only_after_complete_snapshot(sandbox):
    loaded = build(sandbox)
    snapshot = snapshot_dir(sandbox, loaded.version)
    assert (snapshot / SNAPSHOT_FILE).stat().st_size > 0
    assert (sandbox.var_dir / CURRENT_FILE).exists()
    assert not [p for p in snapshot.parent.iterdir() if p.name.startswith(".")]  # no staging left
