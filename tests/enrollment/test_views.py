"""Enrollment and import pages: each as each role, and the coordinator's work."""

from __future__ import annotations

import io
import zlib

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests import factories
from tests.enrollment.conftest import csv_bytes, xlsx_bytes
from training.audit.models import AuditEvent
from training.enrollment.models import Enrollment, EnrollmentStatus, StagedUpload
from training.extensions import db
from training.people.models import Participant

NOMINATED = EnrollmentStatus.NOMINATED


@pytest.fixture
def objects(app):
    training_session = factories.make_session()
    enrollment = factories.enroll(training_session=training_session, status=NOMINATED)
    db.session.commit()
    return {
        "session_id": training_session.id,
        "enrollment_id": enrollment.id,
        "participant_id": enrollment.participant_id,
    }


GETS = [
    "/sessions/{session_id}/enrollments",
    "/sessions/{session_id}/enrollments/new",
    "/sessions/{session_id}/import",
    "/sessions/{session_id}/import/template.csv",
    "/sessions/{session_id}/import/template.xlsx",
]
# Pages that need an upload first (without one, they lead to the upload page).
UPLOAD_GETS = [
    "/sessions/{session_id}/import/preview",
    "/sessions/{session_id}/import/rejects",
]
POSTS = [
    "/sessions/{session_id}/enrollments/nominate",
    "/sessions/{session_id}/enrollments/new",
    "/sessions/{session_id}/enrollments/{enrollment_id}/confirm",
    "/sessions/{session_id}/enrollments/{enrollment_id}/withdraw",
    "/sessions/{session_id}/import",
    "/sessions/{session_id}/import/confirm",
    "/sessions/{session_id}/import/valid",
    "/sessions/{session_id}/import/organisation",
    "/sessions/{session_id}/import/organisation/new",
    "/sessions/{session_id}/import/cancel",
]


def _counts():
    return (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action != "access.refused")
        ),
        tuple(db.session.scalars(sa.select(Enrollment.status).order_by(Enrollment.id))),
    )


@pytest.mark.parametrize("url", GETS)
@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_roles_open_every_page(client, login_as, objects, role, url):
    login_as(role)
    assert client.get(url.format(**objects)).status_code == 200


@pytest.mark.parametrize("url", UPLOAD_GETS)
@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_pages_without_upload_redirect_to_upload(client, login_as, objects, role, url):
    login_as(role)
    response = client.get(url.format(**objects))
    assert response.status_code == 302 and response.headers["Location"].endswith("/import")


@pytest.mark.parametrize("url", [*GETS, *UPLOAD_GETS])
@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_are_refused_pages(client, login_as, objects, role, url):
    user = login_as(role)
    if role == "trainer":  # even the session's own trainer
        factories.assign(
            user.trainer, db.session.get(factories.TrainingSession, objects["session_id"])
        )
        db.session.commit()
    assert client.get(url.format(**objects)).status_code == 403


@pytest.mark.parametrize("url", POSTS)
@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_change_nothing(client, login_as, objects, role, url):
    login_as(role)
    before = _counts()
    data = {
        "participant_id": str(objects["participant_id"]),
        "given_name": "X",
        "family_name": "Y",
        "sex": "F",
    }
    assert client.post(url.format(**objects), data=data).status_code == 403
    assert _counts() == before


def test_unknown_session_or_foreign_enrollment_is_404(client, login_as, objects):
    login_as("coordinator")
    other = factories.make_session()
    db.session.commit()
    assert client.get("/sessions/999999/enrollments").status_code == 404
    response = client.post(f"/sessions/{other.id}/enrollments/{objects['enrollment_id']}/confirm")
    assert response.status_code == 404


def test_page_lists_by_status_with_badges_and_waitlist_order(client, login_as):
    training_session = factories.make_session(capacity=1)
    factories.enroll(
        factories.make_participant(given_name="Awa", family_name="Confirmed"), training_session
    )
    factories.enroll(
        factories.make_participant(given_name="Bintou", family_name="Second"),
        training_session,
        status=EnrollmentStatus.WAITLISTED,
        waitlist_position=2,
    )
    factories.enroll(
        factories.make_participant(given_name="Aminata", family_name="First"),
        training_session,
        status=EnrollmentStatus.WAITLISTED,
        waitlist_position=1,
    )
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/enrollments").get_data(as_text=True)
    waiting = page[
        page.index('id="enrollments-waitlisted"') : page.index('id="enrollments-withdrawn"')
    ]
    assert waiting.index("FIRST") < waiting.index("SECOND")
    assert 'data-screening="cleared"' in page
    assert 'id="places-left">0<' in page


def test_enrollments_page_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    training_session = factories.make_session(capacity=100)
    login_as("coordinator")
    counts = []
    for rows in (10, 60):
        while len(training_session.enrollments) < rows:
            factories.enroll(training_session=training_session)
        db.session.commit()
        with count_queries() as statements:
            response = client.get(f"/sessions/{training_session.id}/enrollments")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_search_and_nominate(client, login_as):
    training_session = factories.make_session()
    participant = factories.make_participant(given_name="Moussa", family_name="Traoré")
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/enrollments?q=traore").get_data(
        as_text=True
    )
    assert "TRAORÉ, Moussa" in page
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/nominate",
        data={"participant_id": participant.id},
    )
    assert response.status_code == 303
    enrollment = db.session.scalar(sa.select(Enrollment))
    assert enrollment.status == NOMINATED
    again = client.post(
        f"/sessions/{training_session.id}/enrollments/nominate",
        data={"participant_id": participant.id},
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"/sessions/{training_session.id}/enrollments/nominate", data={"participant_id": "abc"}
        ).status_code
        == 400
    )


def test_nominate_on_behalf_of_another_organisation(client, login_as):
    """A police officer put forward by the ministry: the organisation chosen
    beside the search is carried by each Nominate button and recorded."""
    training_session = factories.make_session()
    police = factories.make_organisation(name="Police nationale", acronym="PN")
    ministry = factories.make_organisation(name="Ministère de la Justice", acronym="MJ")
    participant = factories.make_participant(
        given_name="Moussa", family_name="Traoré", organisation=police
    )
    db.session.commit()
    login_as("coordinator")
    url = f"/sessions/{training_session.id}/enrollments"
    page = client.get(f"{url}?q=traore&by={ministry.id}").get_data(as_text=True)
    assert f'<option value="{ministry.id}" selected>' in page
    assert f'name="nominating_organisation_id" value="{ministry.id}"' in page
    response = client.post(
        f"{url}/nominate",
        data={"participant_id": participant.id, "nominating_organisation_id": ministry.id},
    )
    assert response.status_code == 303
    enrollment = db.session.scalar(sa.select(Enrollment))
    assert enrollment.nominating_organisation == ministry
    assert "MJ — Ministère de la Justice" in client.get(url).get_data(as_text=True)


def test_nominating_organisation_defaults_to_the_participants_and_is_checked(client, login_as):
    training_session = factories.make_session()
    police = factories.make_organisation(name="Police nationale", acronym="PN")
    participant = factories.make_participant(organisation=police)
    db.session.commit()
    login_as("coordinator")
    url = f"/sessions/{training_session.id}/enrollments"
    # An unknown choice in the address falls back to "their own organisation".
    page = client.get(f"{url}?q={participant.family_name}&by=999999").get_data(as_text=True)
    assert 'name="nominating_organisation_id" value=""' in page
    for junk, status in (("999999", 400), ("abc", 400)):
        response = client.post(
            f"{url}/nominate",
            data={"participant_id": participant.id, "nominating_organisation_id": junk},
        )
        assert response.status_code == status
        assert "nominating organisation no longer exists" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0
    assert (
        client.post(
            f"{url}/nominate",
            data={"participant_id": participant.id, "nominating_organisation_id": ""},
        ).status_code
        == 303
    )
    assert db.session.scalar(sa.select(Enrollment)).nominating_organisation == police


def test_nominate_a_new_participant_with_duplicate_check(client, login_as):
    training_session = factories.make_session()
    existing = factories.make_participant(email="awa@example.org")
    db.session.commit()
    login_as("coordinator")
    form = {
        "given_name": "Awa",
        "family_name": "Ba",
        "sex": "F",
        "nationality": "SN",
        "organisation_id": "0",
        "email": "awa@example.org",
    }
    response = client.post(f"/sessions/{training_session.id}/enrollments/new", data=form)
    assert response.status_code == 409
    assert f"Nominate {existing.full_name}" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/new",
        data=form | {"email": "awa.ba@example.org"},
    )
    assert response.status_code == 303
    enrollment = db.session.scalar(sa.select(Enrollment))
    assert enrollment.participant.full_name == "Awa Ba" and enrollment.status == NOMINATED
    assert (
        client.post(
            f"/sessions/{training_session.id}/enrollments/new", data=form | {"sex": ""}
        ).status_code
        == 400
    )


def test_confirm_refused_without_screening_shows_the_reason(client, login_as):
    training_session = factories.make_session()
    enrollment = factories.enroll(
        factories.make_participant(cleared=False, given_name="Ali", family_name="Sow"),
        training_session,
        status=NOMINATED,
    )
    db.session.commit()
    login_as("coordinator")
    response = client.post(f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm")
    assert response.status_code == 409
    assert "no current clearance" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).status == NOMINATED


def test_confirm_until_full_then_withdraw_moves_the_first_up(client, login_as):
    training_session = factories.make_session(capacity=1)
    first = factories.enroll(
        factories.make_participant(given_name="Awa", family_name="One"),
        training_session,
        status=NOMINATED,
    )
    second = factories.enroll(
        factories.make_participant(given_name="Binta", family_name="Two"),
        training_session,
        status=NOMINATED,
    )
    db.session.commit()
    login_as("coordinator")
    base = f"/sessions/{training_session.id}/enrollments"
    page = client.post(f"{base}/{first.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "Awa One is confirmed." in page
    page = client.post(f"{base}/{second.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "The session is full: Binta Two waits in line, position 1." in page
    page = client.post(f"{base}/{first.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "Binta Two moved up from the waiting list and is now confirmed." in page
    db.session.expire_all()
    assert db.session.get(Enrollment, second.id).status == EnrollmentStatus.CONFIRMED
    page = client.get(f"/participants/{second.participant_id}").get_data(as_text=True)
    assert 'data-action="enrollment.confirmed"' in page and "Waitlisted → Confirmed" in page
    page = client.get(base).get_data(as_text=True)
    assert "Nominate again" in page
    response = client.post(f"{base}/nominate", data={"participant_id": first.participant_id})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Enrollment, first.id).status == NOMINATED


def test_the_csv_template_fits_the_interface_language(client, login_as, objects):
    """In French, Excel expects semicolons; the BOM makes it read the accents."""
    user = login_as("coordinator", locale="fr")
    url = "/sessions/{session_id}/import/template.csv".format(**objects)
    response = client.get(url)
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and body.endswith(b"\r\n")
    assert body.decode("utf-8-sig").strip() == (
        "Prénom;Nom;Sexe (F/M);Nationalité;Organisation;Grade;Fonction;Courriel;Téléphone;"
        "Nom (arabe)"
    )
    user.locale = "en"
    db.session.commit()
    english = client.get(url).get_data().decode("utf-8-sig").strip()
    assert english == (
        "Given name,Family name,Sex (F/M),Nationality,Organisation,Rank,Function,Email,Phone,"
        "Name (Arabic)"
    )


def test_the_xlsx_template_has_an_example_and_drop_down_lists(client, login_as, objects):
    factories.make_organisation(name="Police nationale du Niger", acronym="PN", country="NE")
    factories.make_organisation(name="Police nationale du Mali", acronym="PN", country="ML")
    db.session.commit()
    login_as("coordinator", locale="fr")
    response = client.get("/sessions/{session_id}/import/template.xlsx".format(**objects))
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet, lists = workbook.worksheets
    assert sheet.title == "Candidats" and lists.sheet_state == "hidden"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Prénom", "Nom", "Sexe (F/M)")
    assert rows[1][:5] == ("Aïcha", "EXEMPLE", "F", "Niger", "Police nationale du Niger (Niger)")
    validations = {
        str(validation.sqref): validation.formula1
        for validation in sheet.data_validations.dataValidation
    }
    assert validations["C2:C2001"] == '"F,M"'
    countries = [cell.value for cell in lists["A"] if cell.value]
    organisations = [cell.value for cell in lists["B"] if cell.value]
    assert "Tchad" in countries and "Côte d’Ivoire" in countries
    assert validations["D2:D2001"] == f"'Listes'!$A$1:$A${len(countries)}"
    assert validations["E2:E2001"] == f"'Listes'!$B$1:$B${len(organisations)}"
    assert "Police nationale du Mali (Mali)" in organisations


def test_the_xlsx_template_comes_back_as_its_rows(client, login_as, objects):
    """A template filled in from its own lists imports cleanly, and its
    example row left in place is not a nominee."""
    from openpyxl import load_workbook as load

    factories.make_organisation(name="Police nationale du Niger", acronym="PN", country="NE")
    factories.make_organisation(name="Police nationale du Mali", acronym="PN", country="ML")
    db.session.commit()
    login_as("coordinator", locale="fr")
    template = client.get("/sessions/{session_id}/import/template.xlsx".format(**objects))
    workbook = load(io.BytesIO(template.get_data()))
    sheet = workbook.worksheets[0]
    sheet.append(["Abdou", "Garba", "M", "Mali", "Police nationale du Mali (Mali)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _upload(client, objects["session_id"], buffer.getvalue()).status_code == 303
    page = client.get("/sessions/{session_id}/import/preview".format(**objects))
    text = page.get_data(as_text=True)
    assert "1 ligne est prête à être importée." in text
    assert "PN — Police nationale du Mali · Mali" in text and "EXEMPLE" not in text


def _upload(client, session_id, content, name="nominees.xlsx"):
    return client.post(
        f"/sessions/{session_id}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _staged_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(StagedUpload.id)))


def test_upload_preview_and_import_all(client, login_as):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    content = xlsx_bytes(
        [
            ["Moussa", "Traoré", "M", "Mali", "", "", "", "m@example.org", ""],
            ["Aïcha", "Diallo", "F", "Niger", "", "", "", "", ""],
        ]
    )
    response = _upload(client, training_session.id, content)
    assert response.status_code == 303 and response.headers["Location"].endswith("/import/preview")
    assert _staged_count() == 1
    page = client.get(f"/sessions/{training_session.id}/import/preview").get_data(as_text=True)
    assert "2 rows are ready to import." in page and "Import all" in page
    assert (
        db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0
    )  # a preview writes nothing
    response = client.post(f"/sessions/{training_session.id}/import/confirm", follow_redirects=True)
    assert "2 nominees imported." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2
    assert _staged_count() == 0
    # The stored file is gone: importing again does nothing.
    again = client.post(f"/sessions/{training_session.id}/import/confirm")
    assert again.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2


def test_a_file_with_errors_cannot_be_imported(client, login_as):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    content = csv_bytes(
        [
            ["Moussa", "Traoré", "M", "ML", "", "", "", "", ""],
            ["", "NoGiven", "X", "Atlantis", "", "", "", "bad@", ""],
        ]
    )
    assert _upload(client, training_session.id, content, "nominees.csv").status_code == 303
    page = client.get(f"/sessions/{training_session.id}/import/preview").get_data(as_text=True)
    assert "1 row has errors" in page and "Import all" not in page
    assert "Unknown country" in page and "Sex must be F or M" in page
    response = client.post(f"/sessions/{training_session.id}/import/confirm")
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.csv"), (b"%PDF-1.4\x00\x00", "report.pdf"), (b"PK\x03\x04junk", "x.xlsx")],
)
def test_bad_uploads_get_a_clear_4xx(client, login_as, content, name):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    response = _upload(client, training_session.id, content, name)
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.get_data(as_text=True)
    assert _staged_count() == 0


def test_missing_file_is_400(client, login_as, objects):
    login_as("coordinator")
    response = client.post("/sessions/{session_id}/import".format(**objects), data={})
    assert response.status_code == 400


def test_too_large_upload_is_413(client, login_as, objects):
    login_as("coordinator")
    content = b"given_name,family_name,sex\n" + b"A,B,F\n" * (1024 * 1024)
    # A body built here (the test client's own encoder would spool it to a
    # temporary file that nobody closes when the server refuses to read it).
    body = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n--x--\r\n"
    )
    response = client.post(
        "/sessions/{session_id}/import".format(**objects),
        data=body,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)


def test_every_post_needs_csrf(app, client, login_as, objects):
    login_as("coordinator")
    before = _counts()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in POSTS:
            assert client.post(url.format(**objects)).status_code == 400, url
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _counts() == before


def test_pages_render_in_french(client, login_as, objects):
    """Every page of the area, and the participant and trainer pages, in the
    G5 Sahel's working language."""
    login_as("coordinator", locale="fr")
    trainer = factories.make_trainer()
    db.session.commit()
    urls = [url.format(**objects) for url in GETS if not url.endswith((".csv", ".xlsx"))]
    urls += [
        "/participants",
        f"/participants/{objects['participant_id']}",
        "/trainers",
        f"/trainers/{trainer.id}",
        "/participants/new",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="fr">' in response.get_data(as_text=True)
    content = xlsx_bytes([["Awa", "Ba", "F", "Sénégal", "", "", "", "", ""]])
    assert _upload(client, objects["session_id"], content).status_code == 303
    preview = client.get("/sessions/{session_id}/import/preview".format(**objects))
    assert preview.status_code == 200


def test_the_file_is_parsed_once_at_upload(client, login_as, monkeypatch):
    """What waits between preview and import is the parsed file, not the
    bytes uploaded: the preview and the import never read the file again."""
    from training.enrollment import import_files, importer

    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    content = csv_bytes([["Moussa", "Traoré", "M", "ML", "", "", "", "", ""]])
    assert _upload(client, training_session.id, content, "nominees.csv").status_code == 303
    stored = db.session.scalar(sa.select(StagedUpload))
    assert content not in stored.content
    parsed = import_files.NomineeFile.load(stored.content)
    assert parsed.records()[0]["family_name"] == "Traoré"

    def no_second_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(importer, "read_file", no_second_parse)
    monkeypatch.setattr(import_files, "read_file", no_second_parse)
    assert client.get(f"/sessions/{training_session.id}/import/preview").status_code == 200
    response = client.post(f"/sessions/{training_session.id}/import/confirm")
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 1


@pytest.mark.parametrize("damage", [b"", b"not zlib", zlib.compress(b'{"headings": 3}')])
def test_a_damaged_stored_upload_asks_for_the_file_again(client, login_as, damage):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    content = csv_bytes([["Moussa", "Traoré", "M", "ML", "", "", "", "", ""]])
    _upload(client, training_session.id, content, "nominees.csv")
    stored = db.session.scalar(sa.select(StagedUpload))
    stored.content = damage
    db.session.commit()
    response = client.get(f"/sessions/{training_session.id}/import/preview")
    assert response.status_code == 302 and response.headers["Location"].endswith("/import")
