"""entities, ontology_doc, search and overview without HTTP: an inline store, then the real one."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dxkg import entities, ontology_doc, overview, search
from dxkg.errors import NotFound
from dxkg.formats import BY_NAME
from dxkg.namespaces import DX, ID, fold

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GIA_LAI = ID + "province/gia-lai"


@pytest.fixture()
def tiny() -> ox.Store:
    """Three quads in two graphs: a province, a target pointing to it, and the class label."""
    store = ox.Store()
    province, target = ox.NamedNode(ID + "province/x"), ox.NamedNode(ID + "target/x-2025")
    g1, g2 = ox.NamedNode("https://w3id.org/dxkg/graph/a"), ox.NamedNode("https://w3id.org/dxkg/graph/ontology")
    store.add(ox.Quad(province, RDFS_LABEL, ox.Literal("Đắk X", language="vi"), g1))
    store.add(ox.Quad(target, ox.NamedNode(DX + "province"), province, g1))
    store.add(ox.Quad(ox.NamedNode(DX + "province"), RDFS_LABEL, ox.Literal("tỉnh, thành phố", language="vi"), g2))
    return store


def test_fold_vietnamese() -> None:
    assert fold("Đặng Quang Khanh") == "dang quang khanh"
    assert fold("  HẬU-giang! ") == "hau giang"
    assert fold("đ Đ") == "d d"


def test_describe_inline_store(tiny: ox.Store) -> None:
    view = entities.describe(tiny, ID + "province/x")
    assert view.label("vi") == "Đắk X" and view.label("en") == "Đắk X"
    assert view.path == "/id/province/x" and view.type_name == "province"
    [incoming] = view.incoming
    assert incoming.predicate.label("vi") == "tỉnh, thành phố"
    assert [v.path for v in incoming.values] == ["/id/target/x-2025"]
    assert [g.iri for g in view.graphs] == ["https://w3id.org/dxkg/graph/a"]


def test_describe_graph_inline_has_incoming_and_predicate_labels(tiny: ox.Store) -> None:
    triples = set(entities.describe_graph(tiny, ID + "province/x"))
    assert ox.Triple(ox.NamedNode(ID + "target/x-2025"), ox.NamedNode(DX + "province"),
                     ox.NamedNode(ID + "province/x")) in triples
    assert ox.Triple(ox.NamedNode(DX + "province"), RDFS_LABEL,
                     ox.Literal("tỉnh, thành phố", language="vi")) in triples


def test_describe_unknown_raises_not_found(tiny: ox.Store) -> None:
    with pytest.raises(NotFound):
        entities.describe(tiny, ID + "province/khong-ton-tai")
    with pytest.raises(NotFound):
        entities.describe_graph(tiny, ID + "province/khong-ton-tai")
    assert not entities.exists(tiny, "not an iri")


def test_describe_gia_lai_real(store: ox.Store) -> None:
    view = entities.describe(store, GIA_LAI)
    assert view.labels.vi == "Gia Lai" and view.labels.en == "Gia Lai"
    assert [t.value for t in view.types] == [DX + "Province"]
    assert view.types[0].label("vi") == "tỉnh"
    outgoing = {pv.predicate.curie: pv for pv in view.outgoing}
    assert [v.path for v in outgoing["dx:mergedInto"].values] == ["/id/province/gia-lai-2025"]
    assert outgoing["dx:validUntil"].values[0].datatype_curie == "xsd:date"
    incoming = {pv.predicate.curie: pv for pv in view.incoming}
    targets = [v.path for v in incoming["dx:province"].values if v.path.startswith("/id/target/")]
    assert "/id/target/gia-lai-2025-work-records-online-share-commune" in targets
    assert [s.value for s in view.sources] == [ID + "source/provinces-63-pre2025"]
    graphs = {g.iri: g for g in view.graphs}
    assert graphs["https://w3id.org/dxkg/graph/article-004-gia-lai"].source.value == ID + "source/article-004-gia-lai"


def test_describe_graph_serializations_agree(store: ox.Store) -> None:
    triples = set(entities.describe_graph(store, GIA_LAI))
    for name in ("ttl", "jsonld", "nt", "rdf"):
        fmt = BY_NAME[name]
        parsed = {q.triple for q in ox.parse(entities.serialize(triples, fmt), format=fmt.rdf_format)}
        assert parsed == triples, name


def test_list_type_province_counts_the_data(store: ox.Store) -> None:
    index = entities.list_type(store, "province")
    count = len({q.subject.value for q in store.quads_for_pattern(None, None, None)
                 if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID + "province/")})
    assert len(index.entities) == count >= 63
    assert index.labels.vi == "đơn vị hành chính cấp tỉnh"
    assert {c.value for c, _ in index.classes} == {DX + "Province", DX + "Municipality"}
    with pytest.raises(NotFound):
        entities.list_type(store, "nope")


def test_ontology_doc_documents_target(store: ox.Store) -> None:
    doc = ontology_doc.document(store)
    target = doc.find("Target")
    assert target is not None and target.labels.vi == "mục tiêu" and target.labels.en == "target"
    assert target.comments.vi and target.comments.en
    province = doc.find("province")
    assert {d.curie for d in province.domains} >= {"dx:Target", "dx:Ranking"}
    assert [r.curie for r in province.ranges] == ["dx:ProvincialUnit"]
    roots = {n.term.anchor: n for n in doc.class_tree}
    assert {c.term.anchor for c in roots["AdministrativeUnit"].children} >= {"ProvincialUnit", "DistrictLevelUnit"}
    reused = {r.term.curie: r for r in doc.reused}
    assert "dx:Target" in {u.curie for u in reused["prov:Entity"].used_by}


def test_search_ranks_exact_first(loaded) -> None:
    result = search.search(loaded, "hau giang")
    assert result.hits[0].iri == ID + "province/hau-giang"
    assert result.hits[0].rank == 0
    assert [h.rank for h in result.hits] == sorted(h.rank for h in result.hits)
    snippet = result.hits[0].snippet
    assert (snippet.before, snippet.match, snippet.after) == ("", "Hậu Giang", "")


def test_search_folds_d_stroke(loaded) -> None:
    hits = search.search(loaded, "dang quang khanh").hits
    assert hits[0].iri == ID + "person/dang-quang-khanh"
    assert hits[0].snippet.match == "Đặng Quang Khanh"
    assert search.search(loaded, "Đặng Quang Khanh").hits[0].iri == hits[0].iri


def test_search_empty_and_too_long(loaded) -> None:
    assert search.search(loaded, "  ").hits == () and search.search(loaded, "  ").message
    long = search.search(loaded, "a" * 201)
    assert long.hits == () and "200" in long.message


def test_search_index_cached_per_version(loaded) -> None:
    assert search.index_for(loaded) is search.index_for(loaded)


def test_overview_lists_article_provinces(loaded) -> None:
    view = overview.overview(loaded)
    assert {p.province.value for p in view.provinces} == {
        ID + f"province/{s}" for s in ("an-giang", "hau-giang", "kien-giang", "tien-giang", "gia-lai")}
    gia_lai = next(p for p in view.provinces if p.province.value == GIA_LAI)
    assert dict((c.value, n) for c, n in gia_lai.facts)[DX + "Target"] > 0
    assert {t.name for t in view.types} >= {"province", "target", "ranking"}
