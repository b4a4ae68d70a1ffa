"""The view models behind the staff pages, on the real store without HTTP: which page an entity gets,
a province's dashboard, the latest result beside a target, the cross-province views."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dxkg import comparison, dashboard, facts, profile
from dxkg.entities import Term
from dxkg.namespaces import ID


@pytest.mark.parametrize(("path", "kind"), [
    ("province/gia-lai", "province"), ("province/an-giang-2025", "province"), ("province/ha-noi", "province"),
    ("resolution/gia-lai-04-nq-tu-2022", "document"), ("plan/gia-lai-189-kh-ubnd-2022", "document"),
    ("decision/06-qd-ttg-2022", "document"), ("partner/vnpt", "partner"), ("partner/viettel-gia-lai", "partner"),
    ("platform/lgsp", "platform"), ("indicator/work-records-online-share", "indicator"), ("index/dti", "index"),
    ("target/gia-lai-2025-e-payment-account-share", "entity"), ("system/hau-giang-lgsp", "entity"),
    ("source/article-004-gia-lai", "entity"), ("nothing/here", "entity"),
])
def test_page_kind(store: ox.Store, path: str, kind: str) -> None:
    assert profile.page_kind(store, ID + path) == kind


def iri(t: Term | None) -> str | None:
    return t.value.removeprefix(ID) if t else None


def test_gia_lai_dashboard(store: ox.Store) -> None:
    d = dashboard.province_dashboard(store, ID + "province/gia-lai")
    assert d.code == "64" and d.valid_until == "2025-06-30"
    dated = [doc.when for doc in d.documents if doc.when]
    assert dated == sorted(dated)
    assert [iri(c.unit) for c in d.merged_into] == ["province/gia-lai-2025"]
    assert [iri(o) for o in d.merged_into[0].others] == ["province/binh-dinh"]
    years = [g.year for g in d.target_groups]
    assert years == ["2025", "2030"]
    with_results = {iri(t.target): (t.latest.quantity.value, t.latest.as_of)
                    for g in d.target_groups for t in g.targets if t.latest}
    assert with_results == {"target/gia-lai-2025-video-conference-coverage-district": ("98", "2022-04"),
                            "target/gia-lai-2025-video-conference-coverage-commune": ("98", "2022-04")}
    # Results shown beside a target are not repeated among the results without one.
    shown = {t.latest.achievement.value for g in d.target_groups for t in g.targets if t.latest}
    assert shown and not shown & {a.achievement.value for a in d.other_results.results}
    assert {iri(p) for p in d.partners} == {"partner/vng", "partner/buu-dien-gia-lai", "partner/viettel-gia-lai"}
    assert d.system_count == 13 and d.target_count == 25


def test_hau_giang_rank_history_one_point_per_edition(store: ox.Store) -> None:
    d = dashboard.province_dashboard(store, ID + "province/hau-giang")
    [dti] = [h for h in d.rankings if iri(h.index) == "index/dti"]
    assert dti.chart is not None
    assert [(p.year, p.rank) for p in dti.chart.points] == [(2020, 28), (2021, 17), (2022, 17), (2023, 17)]
    # Both statements of 2020 and 2021 (reference table and article) stay in the table.
    assert len([r for r in dti.rows if r.year == 2020]) == 2


def row(level: str | None, value: str, when: str | None, name: str) -> facts.AchievementRow:
    return facts.AchievementRow(
        achievement=Term("iri", name), province=Term("iri", "p"), indicator=Term("iri", "i"),
        quantity=facts.Quantity(value, unit="percent"), observed_on=when, period_start=None, period_end=None,
        level=Term("iri", level) if level else None, locality=None, source=None)


def test_latest_result_matches_level_and_date() -> None:
    target = facts.TargetRow(Term("iri", "t"), Term("iri", "p"), Term("iri", "i"), facts.Quantity("100"), "2025",
                             Term("iri", "commune"), None, None, None)
    results = [row("commune", "50", "2021", "a"), row("commune", "60", "2022-04", "b"),
               row("district", "90", "2023", "c"), row(None, "70", "2022-03-31", "d"), row("commune", "1", None, "e")]
    assert facts.latest_for(target, results).achievement.value == "b"
    unlevelled = facts.TargetRow(Term("iri", "t"), Term("iri", "p"), Term("iri", "i"), facts.Quantity("100"),
                                 "2025", None, None, None, None)
    assert facts.latest_for(unlevelled, results).achievement.value == "c"
    assert facts.latest_for(target, []) is None


def test_indicator_view_by_province_and_level(store: ox.Store) -> None:
    v = comparison.indicator_view(store, ID + "indicator/work-records-online-share")
    [g2025, g2030] = v.target_groups
    assert [(iri(t.province), iri(t.level), t.quantity.value) for t in g2025.targets] == [
        ("province/an-giang", "level/province", "90"), ("province/an-giang", "level/district", "80"),
        ("province/an-giang", "level/commune", "65"), ("province/gia-lai", "level/province", "90"),
        ("province/gia-lai", "level/district", "80"), ("province/gia-lai", "level/commune", "60")]
    assert g2030.chart is not None and len(g2030.chart.bars) == 3


def test_index_view_editions(store: ox.Store) -> None:
    v = comparison.index_view(store, ID + "index/dti")
    [e2022] = [e for e in v.editions if e.year == 2022 and e.year_kind == "edition"]
    assert len(e2022.overall) == 63 and [e.rank for e in e2022.overall] == sorted(e.rank for e in e2022.overall)
    assert v.editions[0].year == max(e.year for e in v.editions if e.year_kind == "edition")
    assert {iri(h.province) for h in v.histories} >= {"province/hau-giang", "province/kien-giang"}


def test_comparison_table(store: ox.Store) -> None:
    table = comparison.comparison_table(store)
    assert [(iri(r.province), r.dti_2022) for r in table.rows] == [
        ("province/hau-giang", 17), ("province/tien-giang", 20), ("province/kien-giang", 32),
        ("province/an-giang", 54), ("province/gia-lai", 62)]
    hau_giang = table.rows[0]
    assert hau_giang.dti_latest is not None and hau_giang.dti_latest.year == 2023
    gia_lai = table.rows[-1]
    assert (gia_lai.targets, gia_lai.partners, gia_lai.resolutions) == (25, 3, 2)
