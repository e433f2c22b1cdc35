"""The donor report as a coordinator hands it to a donor: the period on its
cover, the sessions it counts, charts whose axes say what they hold and
years without sessions shown as such, in French, English and Arabic."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from training.curricula.models import Theme
from training.reports import presenters, queries
from training.reports.queries import ReportFilters

PERIOD = {"date_from": "2024-01-01", "date_to": "2026-12-31"}
PERIOD_START, PERIOD_END = date(2024, 1, 1), date(2026, 12, 31)


def _pages(client, **query) -> list[str]:
    response = client.get("/reports/donor-report.pdf", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    reader = PdfReader(io.BytesIO(response.data))
    return [page.extract_text().replace("\u00a0", " ") for page in reader.pages]


def _page_with(pages: list[str], phrase: str) -> str:
    return next(page for page in pages if phrase in page)


def test_the_cover_says_the_period_in_words(client, login_as, programme):
    login_as("coordinator", locale="fr")
    cover = _pages(client, **PERIOD)[0]
    assert "1er janvier 2024 – 31 décembre 2026" in cover
    assert "Filtres" not in cover and "2024-01-01" not in cover
    english = _pages(client, language="en", **PERIOD)[0]
    assert "January 1, 2024 – December 31, 2026" in english


def test_without_dates_the_cover_names_the_years_of_the_sessions(client, login_as, programme):
    login_as("coordinator", locale="fr")
    pages = _pages(client)
    assert "Toutes les années : 2025–2026" in pages[0]
    assert "Aucun" not in pages[0]
    assert "All years: 2025–2026" in _pages(client, language="en")[0]
    # The other filters follow the period, in words.
    cover = _pages(client, country="NE", date_from="2025-01-01")[0]
    assert "Depuis le 1er janvier 2025" in cover
    assert "Pays de la session : Niger" in cover


def test_the_report_lists_the_sessions_it_counts(client, login_as, programme):
    login_as("coordinator", locale="en")
    pages = _pages(client)
    listing = _page_with(pages, "Sessions counted (3)")
    listed = listing[listing.index("Sessions counted") :]
    # The three completed sessions, oldest first; S3 is not held yet.
    codes = [programme.s1.code, programme.s4.code, programme.s2.code]
    assert [listed.index(code) for code in codes] == sorted(listed.index(code) for code in codes)
    assert programme.s3.code not in "\n".join(pages)
    for cell in (
        "Code",
        "Title",
        "Dates",
        "Place",
        "Participants",
        "Mar 3 – 5, 2025",
        "Bamako, Mali",
    ):
        assert cell in listed, cell
    # Under a filter, only the sessions it keeps.
    mali = "\n".join(_pages(client, country="ML"))
    assert "Sessions counted (1)" in mali
    assert programme.s2.code in mali and programme.s1.code not in mali


def test_each_chart_names_its_axes(client, login_as, programme):
    login_as("coordinator", locale="fr")
    pages = _pages(client)
    by_year = _page_with(pages, "Personnes formées par année et par sexe")
    by_year = by_year[by_year.index("Personnes formées par année") :]
    by_year = by_year[: by_year.index("Personnes formées par nationalité")]
    assert "Année de début de la session" in by_year  # the x-axis: years
    assert "Personnes formées" in by_year.replace("Personnes formées par année", "")
    # People are counted whole: no "0,5" on the value axis.
    assert "0,5" not in by_year and "1,5" not in by_year
    assert "Nationalité" in _page_with(pages, "Personnes formées par nationalité\n")


def test_a_year_without_sessions_shows_as_such(client, login_as, programme):
    login_as("coordinator", locale="en")
    pages = _pages(client, language="en", **PERIOD)
    chart = _page_with(pages, "People trained per year, by sex")
    chart = chart[chart.index("People trained per year") :]
    assert "2024" in chart and "No session" in chart
    french = _page_with(_pages(client, language="fr", **PERIOD), "Personnes formées par année")
    assert "Aucune session" in french


def test_the_by_year_chart_has_every_year_of_the_period(app, programme):
    """Every year of the period shows, those without a session with a note
    in place of their bars."""
    report = queries.build_report(ReportFilters(date_from=PERIOD_START, date_to=PERIOD_END))
    by_year = presenters.chart_definitions(report)["by_year"]
    assert by_year.categories == ("2024", "2025", "2026")
    assert by_year.notes == ("No session", "", "")
    assert by_year.category_axis_label == "Year the session started"
    assert by_year.value_axis_label == "People trained"
    assert by_year.series[0].values == (0, 2, 1)
    svg = presenters.report_charts(report)["by_year"]
    assert "No session" in svg and ">2024<" in svg
    drugs = queries.build_report(
        ReportFilters(date_from=PERIOD_START, date_to=PERIOD_END, theme=Theme.DRUGS)
    )
    # Drugs: S2 alone, in January 2026.
    assert presenters.chart_definitions(drugs)["by_year"].notes == ("No session", "No session", "")


def test_the_donor_report_in_arabic_says_its_period_and_sessions(client, login_as, programme):
    login_as("coordinator", locale="fr")
    pages = _pages(client, language="ar")
    assert "جميع السنوات" in pages[0]
    assert "2025" in pages[0] and "2026" in pages[0]
    text = "\n".join(pages)
    assert programme.s1.code in text and programme.s2.code in text
    assert "لا توجد دورة" in text or "سنة بدء الدورة" in text
