from lagesbild_cli.context import charts


def test_axis_starts_at_zero_with_round_ticks() -> None:
    assert charts.nice_ceiling(14349) == (15000.0, 2500.0)
    assert charts.nice_ceiling(0) == (1.0, 0.25)


def test_lines_keep_their_colours_and_break_at_gaps() -> None:
    chart = charts.line_chart(
        "c",
        "T",
        "D",
        [
            charts.SeriesData("Gagnef", "kommun", {2017: 10.0, 2018: None, 2019: 12.0}),
            charts.SeriesData("Riket", "riket", {2017: 20.0, 2018: 21.0, 2019: 22.0}),
        ],
        [2017, 2018, 2019],
    )
    kommun, riket = chart.lines
    assert kommun.colour == charts.COLOURS["kommun"] and riket.colour == charts.COLOURS["riket"] and riket.dash
    assert kommun.path.count("M") == 2  # the missing year breaks the line
    assert chart.y_ticks[0].label == "0" and chart.y_ticks[0].position == chart.height - chart.bottom


def test_end_labels_never_overlap() -> None:
    chart = charts.line_chart(
        "c",
        "T",
        "D",
        [
            charts.SeriesData("A", "kommun", {2017: 100.0}),
            charts.SeriesData("B", "lan", {2017: 101.0}),
        ],
        [2017],
    )
    a, b = sorted(line.end_label_y for line in chart.lines)
    assert b - a >= 12


def test_marks_are_placed_only_inside_the_shown_years() -> None:
    from datetime import date

    from lagesbild_cli.context.charts import definition_breaks, preliminary

    chart = charts.line_chart(
        "c",
        "T",
        "D",
        [charts.SeriesData("G", "kommun", {2017: 1.0, 2020: 2.0})],
        [2017, 2018, 2019, 2020],
        marks=[charts.Mark(2019, "Definitionsbrott"), charts.Mark(2015, "utanför")],
    )
    assert [(m.year, m.label) for m in chart.marks] == [(2019, "Definitionsbrott")]
    assert chart.marks[0].x == chart.x_ticks[2].position
    assert definition_breaks()["bra:totalt_antal_anmalda_brott"][0].year == 2015
    assert preliminary(2025, "2026-03-31", date(2026, 1, 1))[0].label == "Preliminära värden"
    assert preliminary(2025, "2026-03-31", date(2026, 11, 27)) == ()


def test_long_series_label_every_other_year_ending_with_the_last() -> None:
    years = list(range(2016, 2026))
    chart = charts.line_chart("c", "T", "D", [charts.SeriesData("G", "kommun", dict.fromkeys(years, 1.0))], years)
    assert [t.label for t in chart.x_ticks] == ["2017", "2019", "2021", "2023", "2025"]


def test_a_definition_break_splits_the_line_but_a_preliminary_mark_does_not() -> None:
    values = {2017: 118.0, 2018: 561.0, 2019: 533.0}
    broken = charts.line_chart(
        "c",
        "T",
        "D",
        [charts.SeriesData("Riket", "riket", values)],
        [2017, 2018, 2019],
        marks=[charts.Mark(2018, "Definitionsbrott: 2017 inte jämförbart", breaks_line=True)],
    )
    assert broken.lines[0].path.count("M") == 2 and len(broken.lines[0].points) == 3
    assert broken.marks[0].breaks_line
    joined = charts.line_chart(
        "c",
        "T",
        "D",
        [charts.SeriesData("Riket", "riket", values)],
        [2017, 2018, 2019],
        marks=[charts.Mark(2018, "Preliminära värden")],
    )
    assert joined.lines[0].path.count("M") == 1
