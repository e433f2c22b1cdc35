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


def _chart_page(pdf: bytes, title: str) -> str:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    page = next(page for page in pages if title in page)
    return page[page.index(title) :]


def test_a_vertical_chart_names_both_axes_and_counts_people_whole():
    by_year = ChartData(
        "Personnes formées par année",
        ("2023", "2024", "2025"),
        (("Femmes", (0, 1, 3)), ("Hommes", (0, 2, 1))),
        "Personnes formées",
        category_axis_label="Année de début de la session",
        notes=("Aucune session", "", ""),
    )
    page = _chart_page(render_donor_report(_report(charts=(by_year,))), "Personnes formées par")
    assert "Année de début de la session" in page
    assert "Personnes formées" in page.replace("Personnes formées par année", "")
    assert "Aucune session" in page
    # Whole steps on the value axis (0, 1, 2, 3), never "0,5".
    assert "0,5" not in page and "0.5" not in page and "1,5" not in page
    # The year without a session has its note and no "0" bars: the only
    # zeros left are the axis's own tick.
    assert page.split().count("0") == 1


def test_a_lying_chart_names_its_values_and_its_categories():
    gain = ChartData(
        "Gain de connaissances par thème",
        ("Lutte contre le terrorisme", "Traite des personnes et trafic de migrants"),
        (("Gain moyen", (12.5, 3.0)),),
        "Points de pourcentage",
        category_axis_label="Thème",
    )
    pdf = render_donor_report(_report(charts=(gain,), decimal_mark=","))
    page = _chart_page(pdf, "Gain de connaissances")
    assert "Points de pourcentage" in page and "Thème" in page
    assert "12,5" in page  # the bar's value, with the report's decimal mark


def test_the_cover_says_the_period_and_the_sessions_are_listed():
    sessions = TableData(
        "Sessions comptabilisées (2)",
        ("Code", "Titre", "Dates", "Lieu", "Participants"),
        (
            ("NE-2025-001", "Enquêtes antiterroristes", "3–5 mars 2025", "Niamey, Niger", "24"),
            ("ML-2026-002", "Drogues", "12–13 janv. 2026", "Bamako, Mali", "18"),
        ),
        widths=(0.16, 0.34, 0.19, 0.16, 0.15),
        numeric_from=4,
    )
    pdf = render_donor_report(
        _report(period="1 janvier 2024 – 31 décembre 2026", sessions=sessions, cover_filters=())
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert "1 janvier 2024 – 31 décembre 2026" in reader.pages[0].extract_text()
    text = _text(pdf)
    assert "Sessions comptabilisées (2)" in text
    assert text.index("NE-2025-001") < text.index("ML-2026-002")
    # "Participants" fits its column: not broken mid-word.
    assert "Participants" in text
