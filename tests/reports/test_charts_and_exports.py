"""The SVG charts and the spreadsheet helpers, on their own."""

from __future__ import annotations

import pytest

from training.reports.charts import (
    Series,
    grouped_bar_chart,
    horizontal_bar_chart,
    nice_step,
)
from training.reports.exports import spreadsheet_safe


def _format(value: float) -> str:
    return f"{value:g}"


def test_grouped_chart_is_labelled_and_escaped():
    svg = grouped_bar_chart(
        "Trained <per> year",
        ["2024", "<script>alert(1)</script>"],
        [Series("Women", [3, 5], "#E69F00"), Series("Men", [10, 12], "#0072B2")],
        value_axis_label="People trained",
        category_axis_label="Year",
        format_value=_format,
        empty_message="Nothing",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert "<title id=" in svg and "Trained &lt;per&gt; year" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert ">12</text>" in svg  # each bar says its value
    assert "People trained" in svg and ">Year</text>" in svg
    assert "Women" in svg and "Men" in svg  # the legend


def test_horizontal_chart_handles_negative_values_and_no_data():
    svg = horizontal_bar_chart(
        "Gain",
        ["Drugs", "Firearms"],
        [Series("Mean gain", [12.5, -3], "#009E73")],
        value_axis_label="Points",
        format_value=_format,
        empty_message="No scores",
    )
    assert ">-3</text>" in svg and ">12.5</text>" in svg
    empty = horizontal_bar_chart(
        "Gain", [], [Series("Mean gain", [], "#009E73")], "Points", _format, "No scores"
    )
    assert "No scores" in empty


@pytest.mark.parametrize(
    ("span", "step"), [(7, 2), (300, 100), (40, 10), (45, 20), (0, 1), (0.8, 0.2)]
)
def test_axis_steps_are_round(span, step):
    assert nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33", "'+33"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # A leading tab or carriage return is a control character: dropped,
        # and what follows is neutralised if it is a formula.
        ("\tcmd", "cmd"),
        ("\rcmd", "cmd"),
        ("\t=1+1", "'=1+1"),
        ("Moussa\x0bIbrahim\x00", "Moussa Ibrahim"),
        ("Traoré", "Traoré"),
        (-2, -2),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def test_tooltips_and_description_use_the_readers_colon():
    """French spaces its colon: the caller's `pair` writes every
    "label: value" of the hover titles and of the screen-reader text."""
    svg = horizontal_bar_chart(
        "Personnes formées par nationalité",
        ["Mali", "Niger"],
        [Series("Femmes", [13, 6], "#E69F00"), Series("Hommes", [28, 35], "#0072B2")],
        value_axis_label="Personnes formées",
        format_value=_format,
        empty_message="Rien",
        pair=lambda label, value: f"{label}\u00a0: {value}",
    )
    assert "<title>Mali · Femmes\u00a0: 13</title>" in svg
    assert "Mali\u00a0: Femmes 13, Hommes 28. Niger\u00a0: Femmes 6, Hommes 35" in svg
    assert "Femmes: " not in svg


def test_counts_of_people_have_whole_steps_on_the_page_too():
    from training.reports.charts import MEN_COLOUR, WOMEN_COLOUR, Series, grouped_bar_chart

    svg = grouped_bar_chart(
        "People trained per year",
        ("2024", "2025"),
        (Series("Women", (0, 2), WOMEN_COLOUR), Series("Men", (0, 1), MEN_COLOUR)),
        value_axis_label="People trained",
        category_axis_label="Year the session started",
        format_value=lambda value: f"{value:g}",
        empty_message="No one",
        notes=("No session", ""),
    )
    assert ">0.5<" not in svg and ">1.5<" not in svg
    assert ">No session<" in svg
    # The year without a session has no bar; 2025 has its two.
    assert svg.count("<rect") == 2 + 2  # two bars and the legend's two swatches
