"""The import's pages with messy files: the ready rows imported and the
others sent back, every new page as every role, the upload kept in the
database (any app server, one coordinator's own, a day long)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from config import TestConfig
from tests import factories
from tests.enrollment.conftest import FRENCH_HEADINGS, csv_bytes, excel_french_csv, xlsx_bytes
from training import create_app
from training.enrollment import uploads
from training.enrollment.models import Enrollment, StagedUpload
from training.extensions import db
from training.orm import utcnow
from training.people.models import Participant

MESSY = [
    ["Aïcha", "Maïga", "F", "Nigérienne", "", "Lieutenante", "Cheffe d’unité", "", ""],
    ["Moussa", "Traoré", "H", "Malien", "", "Capitaine", "", "moussa@example.org", ""],
    ["Binta", "Sow", "X", "Sénégalaise", "", "", "", "", ""],  # bad sex
    ["Idriss", "Mahamat", "M", "Atlantide", "", "", "", "", ""],  # unknown country
    ["Hadiza", "Issa", "Femme", "Niger", "", "", "", "", "+227 90 00 00 09"],
]


def _upload(client, session_id: int, content: bytes, name: str = "liste.csv"):
    return client.post(
        f"/sessions/{session_id}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _enrolled(training_session) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(Enrollment.session_id == training_session.id)
    )


@pytest.fixture
def session_and_coordinator(app, login_as):
    training_session = factories.make_session(capacity=40)
    db.session.commit()
    return training_session, login_as("coordinator", locale="fr")


def test_ready_rows_are_imported_and_the_others_sent_back_in_their_encoding(
    client, session_and_coordinator
):
    training_session, _user = session_and_coordinator
    headings = [*FRENCH_HEADINGS, "Matricule"]
    rows = [[*row, f"M-{number}"] for number, row in enumerate(MESSY)]
    response = _upload(client, training_session.id, excel_french_csv(rows, headings))
    assert response.status_code == 303
    base = f"/sessions/{training_session.id}/import"
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "liste.csv, lu comme texte CSV\u00a0: Windows-1252, séparateur «\u00a0;\u00a0»." in page
    assert "Importer les 3 lignes prêtes" in page
    assert "Télécharger les 2 lignes à problème" in page
    assert "Tout importer" not in page

    # All or nothing stays: the whole file is refused.
    assert client.post(f"{base}/confirm").status_code == 409
    assert _enrolled(training_session) == 0

    # The rows with problems, before the import, as they will be sent back.
    before = client.get(f"{base}/rejects")
    assert before.headers["Content-Type"] == "text/csv; charset=windows-1252"

    response = client.post(f"{base}/valid")
    assert response.status_code == 303 and response.headers["Location"].endswith("/preview")
    assert _enrolled(training_session) == 3
    names = set(db.session.scalars(sa.select(Participant.family_name)))
    assert names == {"Maïga", "Traoré", "Issa"}
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "3 candidats importés de liste.csv." in page
    assert "2 lignes n’ont pas été importées." in page

    download = client.get(f"{base}/rejects")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=windows-1252"
    assert "liste-problemes.csv" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    body = download.get_data()
    assert body == before.get_data() and b"\r\n" in body
    table = list(csv.reader(io.StringIO(body.decode("cp1252"), newline=""), delimiter=";"))
    assert table[0] == [*headings, "Problème"]
    assert [row[:2] for row in table[1:]] == [["Binta", "Sow"], ["Idriss", "Mahamat"]]
    assert table[1][-2] == "M-2"
    assert table[1][-1] == "Le sexe doit être F ou M (valeur trouvée\u00a0: «\u00a0X\u00a0»)."
    assert table[2][-1] == "Pays inconnu\u00a0: «\u00a0Atlantide\u00a0»."

    # Done: the page no longer offers to import, nor does the route import twice.
    assert client.post(f"{base}/valid").status_code == 303
    assert client.post(f"{base}/confirm").status_code == 303
    assert _enrolled(training_session) == 3
    stored = db.session.scalar(sa.select(StagedUpload))
    assert stored.content == b"" and stored.rejected_count == 2  # the parsed file is gone


def test_rows_of_a_workbook_are_sent_back_as_a_workbook(client, session_and_coordinator):
    training_session, _user = session_and_coordinator
    assert _upload(client, training_session.id, xlsx_bytes(MESSY), "liste.xlsx").status_code == 303
    download = client.get(f"/sessions/{training_session.id}/import/rejects")
    assert download.mimetype.endswith("spreadsheetml.sheet")
    assert "liste-problemes.xlsx" in download.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.get_data())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Problème" and [row[0] for row in rows[1:]] == ["Binta", "Idriss"]


def test_a_file_without_problems_has_nothing_to_send_back(client, session_and_coordinator):
    training_session, _user = session_and_coordinator
    _upload(client, training_session.id, csv_bytes(MESSY[:2]))
    response = client.get(f"/sessions/{training_session.id}/import/rejects")
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")


def test_a_file_with_no_ready_row_imports_nothing(client, session_and_coordinator):
    training_session, _user = session_and_coordinator
    _upload(client, training_session.id, csv_bytes(MESSY[2:4]))
    response = client.post(f"/sessions/{training_session.id}/import/valid")
    assert response.status_code == 409
    assert "Aucune ligne n’est prête" in response.get_data(as_text=True)
    assert _enrolled(training_session) == 0


def test_the_preview_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    """Whatever the rows, their organisations settled or not."""
    factories.make_organisation(name="Police nationale du Niger", acronym="PN", country="NE")
    factories.make_organisation(name="Police nationale du Mali", acronym="PN", country="ML")
    login_as("coordinator")
    counts = []
    for size in (10, 200):
        training_session = factories.make_session()
        db.session.commit()
        rows = [
            [f"A{n}", f"B{n}", "F", ["NE", "", "ML"][n % 3], ["PN", "X", ""][n % 3], "", "", "", ""]
            for n in range(size)
        ]
        _upload(client, training_session.id, csv_bytes(rows))
        with count_queries() as statements:
            response = client.get(f"/sessions/{training_session.id}/import/preview")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_roles_use_every_new_page(client, login_as, role):
    """The permission matrix's allowed half for the import's new routes (the
    refused half, for trainers and participants, is in test_views.py)."""
    training_session = factories.make_session()
    factories.make_organisation(name="Police nationale du Niger", acronym="PN", country="NE")
    factories.make_organisation(name="Police nationale du Mali", acronym="PN", country="ML")
    db.session.commit()
    login_as(role)
    rows = [*MESSY[:3], ["Ali", "Keita", "M", "", "PN", "", "", "", ""]]
    _upload(client, training_session.id, csv_bytes(rows))
    base = f"/sessions/{training_session.id}/import"
    assert client.get(f"{base}/rejects").status_code == 200
    organisation_id = factories.make_organisation(name="Autre", acronym="PN", country="TD").id
    db.session.commit()
    response = client.post(
        f"{base}/organisation", data={"key": "pn", "organisation_id": organisation_id}
    )
    assert response.status_code == 303
    response = client.post(
        f"{base}/organisation/new",
        data={"key": "pn", "name": "Police nationale du Togo", "country": "TG", "kind": "police"},
    )
    assert response.status_code == 303
    assert client.post(f"{base}/valid").status_code == 303
    assert _enrolled(training_session) == 3


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/{id}/import/rejects",
        "/sessions/{id}/import/preview",
    ],
)
@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_trainers_and_participants_never_see_an_upload(client, login_as, url, role):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    _upload(client, training_session.id, csv_bytes(MESSY))
    client.post("/logout")
    user = login_as(role)
    if role == "trainer":
        factories.assign(user.trainer, training_session)
        db.session.commit()
    assert client.get(url.format(id=training_session.id)).status_code == 403


def test_an_upload_is_its_coordinator_s_own(app, client, login_as):
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    _upload(client, training_session.id, csv_bytes(MESSY[:2]))
    other = app.test_client()
    colleague = factories.make_user("coordinator")
    db.session.commit()
    other.post("/login", data={"email": colleague.email, "password": factories.TEST_PASSWORD})
    base = f"/sessions/{training_session.id}/import"
    assert other.get(f"{base}/preview").headers["Location"].endswith("/import")
    assert other.post(f"{base}/confirm").headers["Location"].endswith("/import")
    assert other.post(f"{base}/cancel").status_code == 303
    assert _enrolled(training_session) == 0
    assert db.session.scalar(sa.select(sa.func.count(StagedUpload.id))) == 1  # still mine
    assert client.post(f"{base}/confirm").status_code == 303
    assert _enrolled(training_session) == 2


def test_uploading_again_replaces_the_first_and_removes_expired_ones(
    client, session_and_coordinator
):
    training_session, user = session_and_coordinator
    other_session = factories.make_session()
    stale = StagedUpload(
        owner_id=user.id,
        session_id=other_session.id,
        file_name="old.csv",
        file_format="csv",
        content=b"",
        choices={},
        expires_at=utcnow() - timedelta(minutes=1),
    )
    db.session.add(stale)
    db.session.commit()
    assert client.get(f"/sessions/{other_session.id}/import/preview").status_code == 302
    _upload(client, training_session.id, csv_bytes(MESSY[:1]), "first.csv")
    _upload(client, training_session.id, csv_bytes(MESSY[:2]), "second.csv")
    names = db.session.scalars(sa.select(StagedUpload.file_name)).all()
    assert names == ["second.csv"]
    stored = db.session.scalar(sa.select(StagedUpload))
    assert stored.expires_at - stored.created_at == uploads.UPLOAD_LIFETIME


@pytest.mark.committed
def test_a_preview_on_one_server_and_its_confirmation_on_another(app, database_url, tmp_path):
    """Two app servers share only the database: what one stored at upload,
    the other shows and imports (nothing waits on one server's disk)."""

    class First(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "a-secret-the-servers-share-" + "x" * 20

    class Second(First):
        pass

    first, second = create_app(First()), create_app(Second())
    first.instance_path = str(tmp_path / "first")
    second.instance_path = str(tmp_path / "second")
    with first.app_context():
        training_session = factories.make_session()
        coordinator = factories.make_user("coordinator")
        db.session.commit()
        session_id, email = training_session.id, coordinator.email
    browser = first.test_client()
    browser.post("/login", data={"email": email, "password": factories.TEST_PASSWORD})
    response = _upload(browser, session_id, excel_french_csv(MESSY[:2]))
    assert response.status_code == 303
    # The same browser's next requests reach the second server.
    second_browser = second.test_client()
    cookie = browser.get_cookie(first.config["SESSION_COOKIE_NAME"])
    second_browser.set_cookie(cookie.key, cookie.value)
    page = second_browser.get(f"/sessions/{session_id}/import/preview")
    assert "2 rows are ready to import." in page.get_data(as_text=True)
    assert second_browser.post(f"/sessions/{session_id}/import/confirm").status_code == 303
    with second.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2
    for server in (first, second):  # their connections, closed before the next test
        with server.app_context():
            db.session.remove()
            db.engine.dispose()
