"""Chart geometry (dxkg.charts, no HTTP): bars scale to the data, rank 1 is drawn at the top."""

from __future__ import annotations

from dxkg import charts


def test_bar_chart_scales_bars_to_the_axis() -> None:
    rows = [charts.BarInput("a", "A", "A", 100.0, None, 98.0), charts.BarInput("b", "B", "B", 5.0, 10.0, None),
            charts.BarInput("c", "C", "C", None, None, 50.0)]
    chart = charts.bar_chart(rows, floor=100.0)
    assert chart.scale_max == 100.0
    a, b, c = chart.bars
    assert a.target_width == charts.BAR_PLOT_WIDTH and a.achieved_width == round(0.98 * charts.BAR_PLOT_WIDTH, 2)
    assert b.range_width == round(0.1 * charts.BAR_PLOT_WIDTH, 2) and b.achieved_width is None
    assert c.target_width is None and c.achieved_y == c.target_y  # a result alone takes the target's line
    assert a.achieved_y > a.target_y and b.label_y > a.achieved_y and c.label_y > b.label_y
    assert [t.value for t in chart.ticks] == [0, 25, 50, 75, 100]
    assert chart.height > chart.axis_y > c.achieved_y


def test_bar_chart_scale_grows_past_the_floor() -> None:
    chart = charts.bar_chart([charts.BarInput(1, "x", "x", 130.0)], floor=100.0)
    assert chart.scale_max == 200.0
    assert chart.bars[0].target_width == round(130 / 200 * charts.BAR_PLOT_WIDTH, 2)


def test_long_labels_wrap_and_make_their_row_taller() -> None:
    long = "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng · cấp xã"
    assert charts.wrap_label(long, 42) == ("Tỷ lệ hồ sơ công việc được xử lý trên môi", "trường mạng · cấp xã")
    assert all(len(line) <= 42 for line in charts.wrap_label("word " * 80))
    assert charts.wrap_label("word " * 80)[-1].endswith("…")
    short, wrapped = charts.bar_chart([charts.BarInput(1, "ngắn", "short", 1.0),
                                       charts.BarInput(2, long, "short", 1.0)]).bars
    assert wrapped.lines("vi") == charts.wrap_label(long) and wrapped.lines("en") == ("short",)
    assert wrapped.target_y - wrapped.label_y > short.target_y - short.label_y


def test_nice_ceiling() -> None:
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 7, 63, 100, 101, 240)] == [1, 1, 5, 10, 100, 100, 200, 250]


def test_rank_chart_puts_rank_one_on_top() -> None:
    points = [charts.RankInput("2021", 2021, 17), charts.RankInput("2020", 2020, 28),
              charts.RankInput("2023", 2023, 1)]
    chart = charts.rank_chart(points, 63)
    by_year = {p.year: p for p in chart.points}
    assert [p.year for p in chart.points] == [2020, 2021, 2023]
    assert by_year[2023].y < by_year[2021].y < by_year[2020].y  # better ranks higher up
    assert by_year[2023].y == charts.RANK_TOP and by_year[2020].x == charts.RANK_LEFT
    assert by_year[2023].x == charts.RANK_RIGHT
    assert [s.gap for s in chart.segments] == [False, True]  # 2022 is missing
    assert [t.value for t in chart.rank_ticks][0] == 1 and chart.rank_ticks[-1].value == 63
    assert [t.value for t in chart.year_ticks] == [2020, 2021, 2023]


def test_rank_chart_single_point_is_centred() -> None:
    chart = charts.rank_chart([charts.RankInput(None, 2022, 62)], 63)
    assert chart.points[0].x == (charts.RANK_LEFT + charts.RANK_RIGHT) / 2 and not chart.segments
