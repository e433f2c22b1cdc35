"""The donor report renderer: plain data in, a readable PDF out."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from training.pdf.donor_report import ChartData, DonorReport, TableData, render_donor_report


def _report(**changes) -> DonorReport:
    values = dict(
        language="fr",
        title="Résultats du programme",
        subtitle="Programme conjoint ONUDC–DOP : G5 Sahel et MINUSMA",
        generated_label="Généré le 26 novembre 2026",
        filters_title="Filtres utilisés",
        filter_label="Filtre",
        figure_label="Indicateur",
        value_label="Valeur",
        filters=(("Pays de la session", "Niger"), ("Partenaire", '<font color="red">EUCAP</font>')),
        headline_title="Chiffres clés",
        headline=(("Personnes formées", "1 234"), ("Part des femmes", "23,5 %")),
        tables=(
            TableData(
                "Personnes formées par nationalité et par sexe",
                ("Nationalité", "Femmes", "Hommes", "Total"),
                (("Niger", "12", "30", "42"), ("Mali", "8", "19", "27")),
            ),
            TableData("Vide", ("A", "B"), ()),
        ),
        charts=(
            ChartData(
                "Personnes formées par année",
                ("2024", "2025"),
                (("Femmes", (10, 14)), ("Hommes", (30, 41))),
                "Personnes formées",
            ),
            ChartData(
                "Gain de connaissances par thème",
                ("Lutte contre le terrorisme", "Traite des personnes et trafic de migrants"),
                (("Gain moyen", (12.5, -3.0)),),
                "Points de pourcentage",
            ),
            ChartData("Sans données", (), (), "Personnes"),
        ),
        charts_title="Graphiques",
        no_data="Aucune donnée pour ces filtres.",
        definitions_title="Définitions",
        definitions=("Personnes formées : participants distincts.",),
        page_label="Page",
    )
    values.update(changes)
    return DonorReport(**values)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_donor_report_has_cover_figures_tables_charts_and_filters():
    pdf = render_donor_report(_report())
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    cover = reader.pages[0].extract_text()
    assert "Résultats du programme" in cover
    assert "Généré le 26 novembre 2026" in cover
    text = _text(pdf)
    for expected in (
        "Chiffres clés",
        "Personnes formées",
        "1 234",
        "Filtres utilisés",
        "Niger",
        "Personnes formées par nationalité et par sexe",
        "Graphiques",
        "Personnes formées par année",
        "Lutte contre le terrorisme",
        "Aucune donnée pour ces filtres.",
        "Définitions",
    ):
        assert expected in text, expected


def test_markup_in_data_prints_literally():
    text = _text(render_donor_report(_report()))
    assert '<font color="red">EUCAP</font>' in text


def test_english_report():
    pdf = render_donor_report(
        _report(
            language="en",
            title="Programme results",
            generated_label="Generated on 26 November 2026",
        )
    )
    assert "Programme results" in _text(pdf)


def test_a_heading_of_one_long_word_gets_a_column_wide_enough_for_it():
    """French "Participations" in a seven-column table broke as
    "Participati-ons": each figure column is at least as wide as the longest
    word of its heading, and the names' column gives up the difference."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from training.pdf.donor_report import _column_widths, _styles

    head = _styles()["head"]
    header = ("Thème", "Année", "Sessions tenues", "Personnes formées", "Participations",
              "Femmes", "Hommes")  # fmt: skip
    widths = _column_widths(header, 481.0, head)
    assert sum(widths) == pytest.approx(481.0)
    assert widths[4] > stringWidth("Participations", head.fontName, head.fontSize) + 12
    assert widths[0] < 481.0 * 0.26  # the names gave way
    short = _column_widths(("Nationalité", "Femmes", "Hommes", "Total"), 481.0, head)
    assert short[0] == pytest.approx(481.0 * 0.34)  # nothing to give when every heading fits
