"""The workshop pack: one ZIP per session for a local printer, holding the
programme, the roster, the sign-in sheets, the convocation letters and,
once issued, the certificates' print PDF; for coordination and the
session's own trainers only. Every file is read back (pypdf, openpyxl)."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from training.certificates import services as certificates
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions.models import AssignmentRole, SessionLanguage, SessionStatus
from training.workshop_pack import pack

START = date(2026, 3, 2)  # three days: 2 to 4 March


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).split())


@pytest.fixture
def world(app):
    training_session = factories.make_session(
        start_date=START, status=SessionStatus.IN_PROGRESS, code="NE-2026-077"
    )
    lead = factories.make_user("trainer", name="Amina Diallo")
    lead.trainer.name = "Amina Diallo"
    factories.assign(lead.trainer, training_session, AssignmentRole.LEAD)
    factories.assign(
        factories.make_trainer(name="Jean Dupont"), training_session, AssignmentRole.CO_TRAINER
    )
    organisation = factories.make_organisation(name="Police nationale", acronym="PN", country="ML")
    confirmed = [
        factories.enroll(
            factories.make_participant(
                given_name=given,
                family_name=family,
                rank="Commissaire",
                organisation=organisation,
                function=function,
            ),
            training_session,
        )
        for given, family, function in (
            ("Moussa", "Traoré", "Enquêteur"),
            ("Aïcha", "Maïga", '=HYPERLINK("http://evil.example","clic")'),
        )
    ]
    waiting = factories.enroll(
        factories.make_participant(given_name="Binta", family_name="Zongo"),
        training_session,
        status=EnrollmentStatus.WAITLISTED,
        waitlist_position=1,
    )
    nominated = factories.enroll(
        factories.make_participant(given_name="Hadiza", family_name="Abdou"),
        training_session,
        status=EnrollmentStatus.NOMINATED,
    )
    withdrawn = factories.enroll(
        factories.make_participant(given_name="Garba", family_name="Withdrawnson"),
        training_session,
        status=EnrollmentStatus.WITHDRAWN,
    )
    participant_user = factories.make_user("participant", participant=confirmed[0].participant)
    db.session.commit()
    return {
        "session": training_session,
        "lead": lead,
        "confirmed": confirmed,
        "waiting": waiting,
        "nominated": nominated,
        "withdrawn": withdrawn,
        "participant_user": participant_user,
        "url": f"/sessions/{training_session.id}/workshop-pack.zip",
    }


def unzip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    return {name: archive.read(name) for name in archive.namelist()}


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def roster_rows(data: bytes, sheet: int = 0) -> list[list]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]
    workbook.close()
    return rows


def download(client, login_as, who, url, **query):
    login_as(who)
    response = client.get(url, query_string=query)
    assert response.status_code == 200, response.status_code
    return response


def test_the_pack_holds_every_part_in_the_sessions_language(client, login_as, world):
    response = download(client, login_as, "coordinator", world["url"])
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dossier-atelier-NE-2026-077.zip"'
    )
    files = unzip(response)
    assert list(files) == [
        "0-contenu.txt",
        "1-programme-NE-2026-077.pdf",
        "2-participants-NE-2026-077.xlsx",
        "3-feuilles-emargement-NE-2026-077.pdf",
        "4-convocations-NE-2026-077.pdf",
    ]
    contents = files["0-contenu.txt"].decode("utf-8")
    assert "Dossier de l'atelier de la session NE-2026-077" in contents
    assert "4-convocations-NE-2026-077.pdf" in contents


def test_the_programme_lays_out_the_modules_day_by_day(client, login_as, world):
    files = unzip(download(client, login_as, "coordinator", world["url"]))
    programme = " ".join(pdf_pages(files["1-programme-NE-2026-077.pdf"]))
    curriculum = world["session"].curriculum
    assert "Programme" in programme and curriculum.title_fr in programme
    assert "Jour 1 — Lundi 2 mars 2026" in programme and "Jour 3" in programme
    assert "Module 1 · Module 1" in programme and "Module 2 · Module 2" in programme
    assert "Amina Diallo, Jean Dupont" in programme  # the lead first, as on the sheet


def test_the_roster_lists_who_takes_part_then_who_waits_with_contacts(client, login_as, world):
    files = unzip(download(client, login_as, "coordinator", world["url"]))
    header, *rows = roster_rows(files["2-participants-NE-2026-077.xlsx"])
    assert header == [
        "N°",
        "Nom",
        "Prénom",
        "Nom en écriture arabe",
        "Sexe",
        "Grade",
        "Fonction",
        "Organisation",
        "Pays",
        "Courriel",
        "Téléphone",
        "Statut",
    ]
    assert [row[1] for row in rows] == ["MAÏGA", "TRAORÉ", "ZONGO", "ABDOU"]
    maiga = rows[0]
    assert maiga[5] == "Commissaire" and maiga[7] == "PN — Police nationale (Mali)"
    assert maiga[8] == "Mali"
    assert maiga[6].startswith("'=HYPERLINK")  # never run as a formula
    participant = world["confirmed"][1].participant
    # A phone's "+" is neutralised like a formula's "=" (SECURITY.md).
    assert (maiga[9], maiga[10]) == (participant.email, "'" + participant.phone)
    assert [row[11] for row in rows] == [
        "Confirmé",
        "Confirmé",
        "En liste d'attente (position 1)",
        "Proposé",
    ]
    assert "WITHDRAWNSON" not in [row[1] for row in rows]
    trainers = roster_rows(files["2-participants-NE-2026-077.xlsx"], sheet=1)
    assert trainers[0] == ["Nom", "Rôle", "Organisation", "Courriel"]
    assert [row[0] for row in trainers[1:]] == ["Amina Diallo", "Jean Dupont"]


def test_the_sign_in_sheets_cover_every_day_and_the_letters_every_confirmed(
    client, login_as, world
):
    files = unzip(download(client, login_as, "coordinator", world["url"]))
    sheets = pdf_pages(files["3-feuilles-emargement-NE-2026-077.pdf"])
    assert len(sheets) == 3
    for page, day in zip(sheets, ("2 mars", "3 mars", "4 mars"), strict=True):
        assert "Feuille d'émargement" in page and day in page
        assert "TRAORÉ Moussa" in page and "MAÏGA Aïcha" in page
        assert "ZONGO" not in page  # only the confirmed sign
    letters = pdf_pages(files["4-convocations-NE-2026-077.pdf"])
    assert len(letters) == 2
    assert "Aïcha Maïga" in letters[0] and "Moussa Traoré" in letters[1]


def test_once_issued_the_certificates_print_pdf_is_in_the_pack(client, login_as, world, app):
    training_session = world["session"]
    coordinator = factories.make_user("coordinator")
    for enrollment in world["confirmed"]:
        factories.mark_all(enrollment)
        enrollment.post_test_score = 90
    training_session.status = SessionStatus.COMPLETED
    with app.test_request_context():
        issued = [certificates.issue_certificate(e, coordinator) for e in world["confirmed"]]
        certificates.revoke_certificate(issued[0], coordinator, "Name misspelt")
    db.session.commit()
    files = unzip(download(client, login_as, coordinator, world["url"]))
    name = "5-certificats-NE-2026-077.pdf"
    assert list(files)[-1] == name
    printed = pdf_pages(files[name])
    assert len(printed) == 1  # the revoked one is not printed
    assert issued[1].serial in printed[0]
    assert "1 certificat valide" in files["0-contenu.txt"].decode("utf-8")


def test_the_pack_in_english(client, login_as, world):
    world["session"].language = SessionLanguage.ENGLISH
    db.session.commit()
    response = download(client, login_as, "coordinator", world["url"])
    assert 'filename="workshop-pack-NE-2026-077.zip"' in response.headers["Content-Disposition"]
    files = unzip(response)
    assert list(files)[:4] == [
        "0-contents.txt",
        "1-programme-NE-2026-077.pdf",
        "2-participants-NE-2026-077.xlsx",
        "3-sign-in-sheets-NE-2026-077.pdf",
    ]
    programme = " ".join(pdf_pages(files["1-programme-NE-2026-077.pdf"]))
    assert "Day 1 — Monday, 2 March 2026" in programme
    header = roster_rows(files["2-participants-NE-2026-077.xlsx"])[0]
    assert header[:3] == ["No.", "Family name", "Given name"]


def test_the_language_can_be_asked_for(client, login_as, world):
    files = unzip(download(client, login_as, "coordinator", world["url"], lang="both"))
    programme = " ".join(pdf_pages(files["1-programme-NE-2026-077.pdf"]))
    assert "Jour 1 — Lundi 2 mars 2026 / Day 1 — Monday, 2 March 2026" in programme
    login_as("coordinator")
    assert client.get(world["url"], query_string={"lang": "de"}).status_code == 400


def test_the_sessions_trainer_gets_the_roster_without_contacts(client, login_as, world):
    files = unzip(download(client, login_as, world["lead"], world["url"]))
    workbook = files["2-participants-NE-2026-077.xlsx"]
    header, *rows = roster_rows(workbook)
    assert "Courriel" not in header and "Téléphone" not in header
    assert len(rows) == 4
    for sheet in (0, 1):
        cells = {cell for row in roster_rows(workbook, sheet) for cell in row}
        assert not any("@" in str(cell) for cell in cells)
    for enrollment in world["confirmed"]:
        assert enrollment.participant.phone not in {str(cell) for cell in rows[0] + rows[1]}


def test_a_session_without_confirmed_participants_has_no_letters(client, login_as, app):
    training_session = factories.make_session(status=SessionStatus.OPEN)
    factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    files = unzip(
        download(
            client, login_as, "coordinator", f"/sessions/{training_session.id}/workshop-pack.zip"
        )
    )
    assert not any(name.startswith("4-") for name in files)
    assert "Aucun participant n'est encore confirmé" in files["0-contenu.txt"].decode("utf-8")


def test_a_cancelled_session_has_no_pack(client, login_as, world):
    world["session"].status = SessionStatus.CANCELLED
    db.session.commit()
    login_as("coordinator")
    response = client.get(world["url"])
    assert response.status_code == 302
    assert response.location == f"/sessions/{world['session'].id}"
    page = client.get(response.location)
    assert "This session is cancelled: it has no workshop pack." in text(page)
    assert "workshop-pack.zip" not in page.get_data(as_text=True)


def test_a_pack_too_large_for_one_request_is_refused(client, login_as, world, monkeypatch):
    monkeypatch.setattr(pack, "MAX_LETTERS", 1)
    login_as("coordinator")
    response = client.get(world["url"], follow_redirects=True)
    assert "The pack is limited to 1 participant" in text(response)


def test_its_queries_do_not_grow_with_the_participants(client, login_as, world, count_queries):
    login_as("coordinator")

    def statements() -> int:
        db.session.expire_all()  # as a request of its own would find it
        with count_queries() as executed:
            assert client.get(world["url"]).status_code == 200
        return len(executed)

    few = statements()
    for _ in range(6):
        factories.make_user(
            "participant",
            participant=factories.enroll(training_session=world["session"]).participant,
        )
    db.session.commit()
    assert statements() == few


# --- who may download it -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("session trainer", 200),
        ("other trainer", 403),
        ("participant", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_download_the_pack(client, login_as, world, who, expected):
    if who == "session trainer":
        login_as(world["lead"])
    elif who == "other trainer":
        login_as("trainer")
    elif who == "participant":
        login_as(world["participant_user"])  # confirmed in the session
    elif who != "anonymous":
        login_as(who)
    response = client.get(world["url"])
    assert response.status_code == expected
    if who == "anonymous":
        assert "/login" in response.location
    if expected != 200:
        assert response.mimetype != "application/zip"


def test_an_unknown_session_has_no_pack(client, login_as):
    login_as("coordinator")
    assert client.get("/sessions/999999/workshop-pack.zip").status_code == 404


@pytest.mark.parametrize(
    ("who", "shown"),
    [("coordinator", True), ("session trainer", True), ("other trainer", None)],
)
def test_the_session_page_offers_the_pack_to_those_who_may(client, login_as, world, who, shown):
    login_as(world["lead"] if who == "session trainer" else who.split()[-1])
    response = client.get(f"/sessions/{world['session'].id}")
    if shown is None:
        assert response.status_code == 403
        return
    assert ("workshop-pack.zip" in response.get_data(as_text=True)) is shown


def test_the_pack_of_a_session_held_in_arabic(client, login_as, world):
    world["session"].language = SessionLanguage.ARABIC
    world["session"].curriculum.title_ar = "التحقيق في قضايا الإرهاب"
    db.session.commit()
    files = unzip(download(client, login_as, "coordinator", world["url"]))
    names = list(files)
    assert all(name.isascii() for name in names)  # download names stay ASCII
    assert names[1].startswith("1-programme-") and names[3].startswith("3-sign-in-sheets-")
    programme = " ".join(pdf_pages(files[names[1]]))
    assert "البرنامج" in programme and "التحقيق في قضايا الإرهاب" in programme
    sheets = " ".join(pdf_pages(files[names[3]]))
    assert "ورقة التوقيع على الحضور" in sheets
    letters = pdf_pages(files[names[4]])
    assert letters and all("رسالة دعوة" in letter for letter in letters)
    note = files[names[0]].decode("utf-8")
    assert "NE-2026-077" in note and "التحقيق في قضايا الإرهاب" in note
    workbook = load_workbook(io.BytesIO(files[names[2]]), read_only=False)
    assert workbook.worksheets[0].sheet_view.rightToLeft
    assert client.get(world["url"], query_string={"lang": "ar"}).status_code == 200
