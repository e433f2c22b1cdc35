"""Importing a screening list: files as vetting services send them, the
participant each row names, every row's problems, all or nothing or the
ready rows, and who may do it."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests import factories
from tests.enrollment.conftest import csv_bytes, xlsx_bytes
from training.audit.models import AuditEvent
from training.enrollment import screening_import, uploads
from training.enrollment.models import StagedUpload
from training.extensions import db
from training.people.models import ScreeningFramework, ScreeningRecord, ScreeningStatus

BASE = "/participants/screenings/import"
FRENCH = [
    "Courriel",
    "Prénom(s)",
    "Nom de famille",
    "Structure",
    "Cadre",
    "Résultat",
    "Vérifié le",
    "Valable jusqu'au",
    "Réf.",
    "Observations",
]
ENGLISH = [
    "Email",
    "Given name",
    "Family name",
    "Organisation",
    "Framework",
    "Status",
    "Screened on",
    "Valid until",
    "Reference",
    "Notes",
]


def _upload(client, content: bytes, name: str = "verification.csv"):
    return client.post(
        BASE,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _records() -> int:
    return db.session.scalar(sa.select(sa.func.count(ScreeningRecord.id)))


def _staged() -> int:
    return db.session.scalar(sa.select(sa.func.count(StagedUpload.id)))


@pytest.fixture
def people():
    police = factories.make_organisation(
        name="Police nationale du Niger", acronym="PN", country="NE"
    )
    douane = factories.make_organisation(name="Douanes du Niger", acronym="DGD", country="NE")
    moussa = factories.make_participant(
        cleared=False, given_name="Moussa", family_name="Traoré", email="moussa@example.org"
    )
    aicha = factories.make_participant(
        cleared=False, given_name="Aïcha", family_name="Maïga", organisation=police, email=None
    )
    # Two people of one name, in two organisations.
    issa_police = factories.make_participant(
        cleared=False, given_name="Issa", family_name="Abdou", organisation=police, email=None
    )
    issa_douane = factories.make_participant(
        cleared=False, given_name="Issa", family_name="Abdou", organisation=douane, email=None
    )
    db.session.commit()
    return {
        "moussa": moussa,
        "aicha": aicha,
        "issa_police": issa_police,
        "issa_douane": issa_douane,
    }


def test_a_french_excel_csv_is_previewed_and_recorded_in_full(client, login_as, people):
    """Windows-1252, semicolons, French headings and labels, dd/mm/yyyy; a
    participant named by email, one by name in another order and case."""
    user = login_as("coordinator", locale="fr")
    rows = [
        ["MOUSSA@example.org", "", "", "", "Mesure d'atténuation HRDDP", "Validé", "15/01/2026",
         "15/01/2027", "VET-2026-001", "RAS"],
        ["", "MAIGA", "aicha", "", "Cadre de conformité du G5 Sahel", "Validé sous conditions",
         "3/2/2026", "", "G5-17", ""],
    ]  # fmt: skip
    content = csv_bytes(rows, FRENCH, ";", encoding="cp1252")
    assert _upload(client, content).status_code == 303
    page = client.get(f"{BASE}/preview").get_data(as_text=True)
    assert "Windows-1252" in page
    assert "TRAORÉ, Moussa" in page  # matched by email, whatever its case
    assert "MAÏGA, Aïcha" in page  # "MAIGA aicha": the name's words in any order
    assert "2 lignes sont prêtes à être enregistrées." in page
    assert "Tout enregistrer" in page

    response = client.post(f"{BASE}/confirm")
    assert response.status_code == 303
    records = db.session.scalars(sa.select(ScreeningRecord).order_by(ScreeningRecord.id)).all()
    assert [(r.participant_id, r.framework, r.status) for r in records] == [
        (people["moussa"].id, ScreeningFramework.HRDDP_MITIGATION, ScreeningStatus.CLEARED),
        (
            people["aicha"].id,
            ScreeningFramework.G5_COMPLIANCE_FRAMEWORK,
            ScreeningStatus.CLEARED_WITH_CONDITIONS,
        ),
    ]
    assert records[0].screened_on == date(2026, 1, 15)
    assert records[0].valid_until == date(2027, 1, 15)
    assert records[0].reference == "VET-2026-001"
    assert records[1].screened_on == date(2026, 2, 3)
    assert all(r.recorded_by_id == user.id for r in records)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "screening.recorded")
    ).all()
    assert len(events) == 2
    assert _staged() == 0  # the list is done with


def test_an_xlsx_with_date_cells_values_and_day_numbers(client, login_as, people):
    login_as("admin")
    rows = [
        ["moussa@example.org", "", "", "", "hrddp_mitigation", "not_cleared",
         datetime(2026, 3, 1), datetime(2027, 3, 1), "X-1", ""],
        ["", "Aïcha", "Maïga", "PN", "Donor vetting", "Screening pending", 46082, "", "", ""],
    ]  # fmt: skip
    assert _upload(client, xlsx_bytes(rows, ENGLISH), "list.xlsx").status_code == 303
    page = client.get(f"{BASE}/preview").get_data(as_text=True)
    assert "read as an XLSX workbook" in page
    assert client.post(f"{BASE}/confirm").status_code == 303
    records = db.session.scalars(sa.select(ScreeningRecord).order_by(ScreeningRecord.id)).all()
    assert records[0].status == ScreeningStatus.NOT_CLEARED
    assert (records[0].screened_on, records[0].valid_until) == (date(2026, 3, 1), date(2027, 3, 1))
    assert records[1].framework == ScreeningFramework.DONOR_VETTING
    assert records[1].status == ScreeningStatus.PENDING
    assert records[1].screened_on == date(2026, 3, 1)  # Excel's day 46082


def _check(rows: list[list[str]]) -> screening_import.ScreeningCheck:
    names = screening_import.SCREENING_COLUMNS.names
    return screening_import.check_rows([dict(zip(names, row, strict=True)) for row in rows])


def test_matching_rules(app, people):
    result = ["HRDDP", "cleared", "2026-01-10", "", "", ""]
    check = _check(
        [
            ["", "Traore", "MOUSSA", "", *result],  # any order, accents and case aside
            ["", "Issa", "Abdou", "", *result],  # two of that name
            ["", "Issa", "Abdou", "DGD", *result],  # the organisation settles it
            ["", "Issa", "Abdou", "Douanes du Niger", *result],  # by its name too
            ["", "Inconnu", "Personne", "", *result],
            ["nobody@example.org", "", "", "", *result],
            ["", "Moussa", "", "", *result],  # a name alone names no one
        ]
    )
    rows = check.rows
    assert rows[0].participant == people["moussa"] and not rows[0].errors
    assert rows[1].participant is None
    assert "Several registered participants match" in rows[1].errors[0]
    assert "Police nationale du Niger" in rows[1].errors[0] and "DGD" in rows[1].errors[0]
    assert rows[2].participant == people["issa_douane"] and not rows[2].errors
    assert rows[3].participant == people["issa_douane"]
    assert rows[4].errors == ["No registered participant matches this row."]
    assert rows[5].errors == ["No registered participant matches this row."]
    assert "email, or their given name and family name" in rows[6].errors[0]


def test_every_problem_is_named(app, people):
    check = _check(
        [
            ["moussa@example.org", "", "", "", "Interpol", "cleared", "2026-01-10", "", "", ""],
            ["moussa@example.org", "", "", "", "HRDDP", "peut-être", "2026-01-10", "", "", ""],
            ["moussa@example.org", "", "", "", "HRDDP", "cleared", "31/02/2026", "", "", ""],
            ["moussa@example.org", "", "", "", "HRDDP", "cleared", "10/03/2026", "09/03/2026",
             "", ""],
            ["moussa@example.org", "", "", "", "", "", "", "", "R" * 101, ""],
        ]
    )  # fmt: skip
    errors = [row.errors for row in check.rows]
    assert errors[0][0].startswith("Unknown framework “Interpol”; write one of: HRDDP mitigation")
    assert errors[1][0].startswith("Unknown result “peut-être”")
    assert errors[2] == ["Screened on: “31/02/2026” is not a date; write it as dd/mm/yyyy."]
    assert errors[3] == ["“Valid until” cannot be before the screening date."]
    assert "The framework is required." in errors[4]
    assert "The result is required." in errors[4]
    assert "The screening date is required." in errors[4]
    assert "The reference is longer than 100 characters." in errors[4]
    assert check.error_count == 5 and not check.can_record_all


MIXED = [
    ["moussa@example.org", "", "", "", "HRDDP", "Cleared", "10/01/2026", "", "", ""],
    ["", "Issa", "Abdou", "", "HRDDP", "Cleared", "10/01/2026", "", "", ""],  # several
    ["", "Aïcha", "Maïga", "", "HRDDP", "Validé", "bientôt", "", "", ""],  # bad date
]


def test_a_list_with_errors_is_recorded_all_or_nothing_or_its_ready_rows(client, login_as, people):
    login_as("coordinator", locale="fr")
    _upload(client, csv_bytes(MIXED, ENGLISH))
    page = client.get(f"{BASE}/preview").get_data(as_text=True)
    assert "Plusieurs participants enregistrés correspondent" in page
    assert "n’est pas une date" in page
    assert "Enregistrer 1 ligne prête" in page
    response = client.post(f"{BASE}/confirm")
    assert response.status_code == 409
    assert _records() == 0
    assert _staged() == 1
    response = client.post(f"{BASE}/ready")
    assert response.status_code == 303
    records = db.session.scalars(sa.select(ScreeningRecord)).all()
    assert [record.participant_id for record in records] == [people["moussa"].id]
    assert _staged() == 0


def test_nothing_ready_records_nothing(client, login_as, people):
    login_as("coordinator")
    _upload(client, csv_bytes(MIXED[1:], ENGLISH))
    assert client.post(f"{BASE}/ready").status_code == 409
    assert _records() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 not a list", "neither a CSV text file nor an XLSX workbook"),
        (b"", "The file is empty."),
        (b"PK\x03\x04broken", "not a valid XLSX workbook"),
        (
            csv_bytes([["a@example.org", "HRDDP"]], ["Email", "Framework"]),
            "The file has no column for: “Status”, “Screened on”.",
        ),
        (
            csv_bytes([["HRDDP", "Cleared", "2026-01-01"]], ["Framework", "Status", "Date"]),
            "“Email” or “Given name” and “Family name”",
        ),
        (csv_bytes([], ENGLISH), "The file has headings but no screening result."),
    ],
)
def test_malformed_files_are_refused_and_nothing_is_kept(client, login_as, content, message):
    login_as("coordinator")
    response = _upload(client, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _staged() == 0 and _records() == 0


def test_the_templates_fit_the_language_and_read_back(client, login_as, people):
    login_as("coordinator", locale="fr")
    template = client.get(f"{BASE}/template.csv")
    assert template.status_code == 200
    text = template.data.decode("utf-8-sig")
    assert text.startswith("Courriel;Prénom;Nom;Organisation;Cadre;Résultat;Vérifié le")
    row = "moussa@example.org;;;;Vérification par les donateurs;Non validé;01/12/2026;;;\r\n"
    filled = template.data + row.encode("utf-8")
    assert _upload(client, filled).status_code == 303
    assert client.post(f"{BASE}/confirm").status_code == 303
    assert db.session.scalar(sa.select(ScreeningRecord.status)) == ScreeningStatus.NOT_CLEARED

    workbook = client.get(f"{BASE}/template.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["Courriel", "Prénom", "Nom"]
    assert sheet.data_validations.dataValidation  # drop-downs for framework and result


def test_a_screening_list_and_a_nominee_file_are_staged_apart(client, login_as, people):
    user = login_as("coordinator")
    training_session = factories.make_session()
    db.session.commit()
    _upload(client, csv_bytes(MIXED[:1], ENGLISH))
    client.post(
        f"/sessions/{training_session.id}/import",
        data={"file": (io.BytesIO(csv_bytes([["Ali", "Keita", "M"]], ["Prénom", "Nom", "Sexe"])),
                       "n.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert _staged() == 2
    assert uploads.stored_screening_list(user).kind == "screenings"
    assert uploads.stored_upload(training_session, user).kind == "nominees"
    assert "moussa@example.org" in client.get(f"{BASE}/preview").get_data(as_text=True)
    assert client.post(f"{BASE}/confirm").status_code == 303
    assert uploads.stored_upload(training_session, user) is not None


def test_the_participants_list_links_to_the_import(client, login_as):
    login_as("coordinator")
    assert f'href="{BASE}"' in client.get("/participants").get_data(as_text=True)


GETS = ["", "/preview", "/template.csv", "/template.xlsx"]
POSTS = ["", "/confirm", "/ready", "/cancel"]


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_roles_use_every_route(client, login_as, role, people):
    login_as(role)
    assert _upload(client, csv_bytes(MIXED[:1], ENGLISH)).status_code == 303
    for path in GETS:
        assert client.get(f"{BASE}{path}").status_code == 200, path
    assert client.post(f"{BASE}/cancel").status_code == 303
    assert _staged() == 0
    _upload(client, csv_bytes(MIXED[:2], ENGLISH))
    assert client.post(f"{BASE}/ready").status_code == 303
    _upload(client, csv_bytes(MIXED[:1], ENGLISH))
    assert client.post(f"{BASE}/confirm").status_code == 303
    assert _records() == 2


@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_are_refused_every_route(client, login_as, role, people):
    login_as("coordinator")
    _upload(client, csv_bytes(MIXED[:1], ENGLISH))
    client.post("/logout")
    login_as(role)
    before = _records()
    for path in GETS:
        assert client.get(f"{BASE}{path}").status_code == 403, path
    for path in POSTS:
        assert client.post(f"{BASE}{path}").status_code == 403, path
    assert _upload(client, csv_bytes(MIXED[:1], ENGLISH)).status_code == 403
    assert _records() == before and _staged() == 1
    assert "Import a screening list" not in client.get("/").get_data(as_text=True)
