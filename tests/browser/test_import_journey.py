"""The coordinator imports a ministry's list as it really comes, in French:
a CSV saved by French Excel (Windows-1252, semicolons, CRLF) with a title
line, the ministry's own headings, demonyms, a shared acronym the
nationality settles and one it does not, an organisation the registry
lacks, and two rows with problems. The coordinator settles the ambiguous
organisation, creates the missing one, imports the ready rows and
downloads the others to send back; then the same pages on a phone."""

from __future__ import annotations

import csv
import io
import secrets
import string
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from training.auth.models import User
from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Organisation, Participant

COORDINATOR = "coordinator@example.org"
NBSP = "\u00a0"
HEADINGS = [
    "N°",
    "Prénom(s)",
    "NOM",
    "Sexe (M/F)",
    "Nationalité",
    "Structure",
    "Grade",
    "Fonction",
    "Tél.",
    "E-mail",
]


def _messy_file(tag: str) -> bytes:
    rows = [
        # Settled by the nationality: Niger's "PN" and gendarmerie.
        ["1", "Mariama", f"ISSOUFOU{tag}", "F", "Nigérienne", "PN", "Lieutenante", "Enquêtrice"],
        ["2", "Abdou", f"GARBA{tag}", "H", "Niger", "Gendarmerie nationale", "Adjudant", ""],
        # No nationality: which "PN"? The coordinator says.
        ["3", "Fatimata", f"OUEDRAOGO{tag}", "F", "", "PN", "Commissaire", "Cheffe d’unité"],
        # Not in the registry: created from the preview.
        ["4", "Cheikh", f"DIOP{tag}", "M", "Sénégalais", f"DGPN-{tag}", "Inspecteur", ""],
        # Problems: sent back to the ministry.
        ["5", "Binta", f"SOW{tag}", "X", "Sénégalaise", "", "", ""],
        ["6", "Idriss", f"MAHAMAT{tag}", "M", "Atlantide", "", "", ""],
    ]
    buffer = io.StringIO()
    buffer.write("LISTE DES PARTICIPANTS PROPOSÉS PAR LE MINISTÈRE;;;;;;;;;\r\n;;;;;;;;;\r\n")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([*row, f"+227 90 00 00 {row[0]:0>2}", f"{row[1].lower()}.{tag}@example.ne"])
    return buffer.getvalue().encode("cp1252")


def _session(live_app, tag: str) -> int:
    with live_app.app_context():
        start = date.today() + timedelta(days=40)
        training_session = factories.make_session(
            code=f"IMP-{tag}", start_date=start, end_date=start + timedelta(days=2), capacity=30
        )
        db.session.commit()
        return training_session.id


def _in_french(live_app) -> None:
    """The demo coordinator reads French (another journey may have switched
    their preference to English)."""
    with live_app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
        coordinator.locale = "fr"
        db.session.commit()
        db.session.remove()


def _upload(page, session_id: int, content: bytes) -> None:
    page.goto(f"/sessions/{session_id}/import")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "liste-ministere.csv", "mimeType": "text/csv", "buffer": content}],
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.locator("h1")).to_have_text("Vérifier les candidats")


def test_a_ministry_s_messy_list_imported_in_french(page, live_app, sign_in, screenshot):
    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(5))
    session_id = _session(live_app, tag)
    _in_french(live_app)
    sign_in(page, COORDINATOR)
    _upload(page, session_id, _messy_file(tag))
    main = page.locator("main")
    expect(main).to_contain_text(
        f"liste-ministere.csv, lu comme texte CSV{NBSP}: Windows-1252, séparateur «{NBSP};{NBSP}»."
    )
    expect(main).to_contain_text("Organisations à préciser")
    # Niger's officers are settled by their nationality, with their country shown.
    expect(page.locator('tr[data-line="4"]')).to_contain_text("Police nationale du Niger · Niger")
    expect(page.locator('tr[data-line="5"]')).to_contain_text("Gendarmerie nationale · Niger")
    expect(main).to_contain_text("Importer les 2 lignes prêtes")
    screenshot(page, "import-1-preview-to-settle")

    # "PN" without a nationality: the coordinator chooses Burkina Faso's police.
    question = page.locator('[data-question="PN"]')
    expect(question).to_contain_text("Elle peut désigner l’une de 3 organisations.")
    question.locator("select[name=organisation_id]").select_option(
        label="PN — Police nationale du Burkina Faso · Burkina Faso"
    )
    question.get_by_role("button", name="Retenir pour ces lignes").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Police nationale du Burkina Faso est retenue pour ces lignes."
    )
    expect(page.locator('tr[data-line="6"]')).to_contain_text("Police nationale du Burkina Faso")

    # The directorate the registry lacks: created in one step, its form filled in
    # from the file (acronym, the rows' nationality).
    missing = page.locator(f'[data-question="DGPN-{tag}"]')
    expect(missing).to_contain_text("Aucune organisation du registre ne porte ce nom ni ce sigle.")
    expect(missing.locator("input[name=acronym]")).to_have_value(f"DGPN-{tag}")
    expect(missing.locator("select[name=country]")).to_have_value("SN")
    missing.locator("input[name=name]").fill(f"Direction générale de la Police nationale {tag}")
    missing.locator("select[name=kind]").select_option("police")
    missing.locator("input[name=is_security_force]").check()
    missing.get_by_role("button", name="Créer et retenir pour ces lignes").click()
    expect(page.locator(".alert-success")).to_contain_text("est créée et retenue pour ces lignes.")
    expect(page.locator('tr[data-line="7"]')).to_contain_text(
        f"Direction générale de la Police nationale {tag} · Sénégal"
    )
    expect(page.locator('tr[data-line="8"]')).to_contain_text("Le sexe doit être F ou M")
    expect(page.locator('tr[data-line="9"]')).to_contain_text("Pays inconnu")
    screenshot(page, "import-preview", docs=True)

    # The four ready rows are imported; the two others go back to the ministry.
    page.get_by_role("button", name="Importer les 4 lignes prêtes").click()
    expect(main).to_contain_text("4 candidats importés de liste-ministere.csv.")
    expect(main).to_contain_text("2 lignes n’ont pas été importées.")
    screenshot(page, "import-3-result")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les 2 lignes à problème").click()
    download = download_info.value
    assert download.suggested_filename == "liste-ministere-problemes.csv"
    with open(download.path(), "rb") as handle:
        body = handle.read()
    table = list(csv.reader(io.StringIO(body.decode("cp1252"), newline=""), delimiter=";"))
    assert table[0] == [*HEADINGS, "Problème"]
    assert [row[2] for row in table[1:]] == [f"SOW{tag}", f"MAHAMAT{tag}"]
    assert table[1][-1].startswith("Le sexe doit être F ou M")
    assert table[2][-1] == f"Pays inconnu{NBSP}: «{NBSP}Atlantide{NBSP}»."

    with live_app.app_context():
        enrolled = db.session.scalars(
            sa.select(Participant)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .where(Enrollment.session_id == session_id)
        ).all()
        organisations = {
            p.family_name: (p.organisation.name, p.organisation.country) for p in enrolled
        }
        created = db.session.scalar(
            sa.select(Organisation).where(Organisation.acronym == f"DGPN-{tag}")
        )
        assert created is not None and created.country == "SN" and created.is_security_force
        db.session.remove()
    assert organisations == {
        f"ISSOUFOU{tag}": ("Police nationale du Niger", "NE"),
        f"GARBA{tag}": ("Gendarmerie nationale", "NE"),
        f"OUEDRAOGO{tag}": ("Police nationale du Burkina Faso", "BF"),
        f"DIOP{tag}": (f"Direction générale de la Police nationale {tag}", "SN"),
    }


def test_the_import_pages_read_well_on_a_phone(phone_page, live_app, sign_in, screenshot):
    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(5))
    session_id = _session(live_app, tag)
    _in_french(live_app)
    sign_in(phone_page, COORDINATOR)
    _upload(phone_page, session_id, _messy_file(tag))
    # Wide tables scroll inside their own box; the page itself never does.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(phone_page, "import-phone-preview")
    question = phone_page.locator('[data-question="PN"]')
    box = question.locator("select[name=organisation_id]").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    phone_page.get_by_role("button", name="Téléverser un autre fichier").click()
    expect(phone_page.locator("h1")).to_have_text("Importer des candidats")
