"""History panels read like the rest of the interface: field labels, enum
labels, dates, numbers and yes/no in the reader's language."""

from __future__ import annotations

import html
import re

import pytest

from tests import factories
from training.audit.history import history_rows
from training.audit.services import record_event
from training.extensions import db
from training.sessions.models import SessionStatus

NBSP = "\u00a0"


def _field(page: str, key: str) -> list[str]:
    """The text of each history line about `key`, tags stripped."""
    lines = re.findall(rf'<div[^>]*data-field="{key}"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


@pytest.fixture
def training_session(app):
    training_session = factories.make_session(status=SessionStatus.PLANNED, code="NE-2026-042")
    db.session.commit()
    return training_session


def _edit(client, training_session) -> None:
    data = {
        "theme": training_session.curriculum.theme.value,
        "curriculum_id": str(training_session.curriculum_id),
        "code": "NE-2026-042",
        "kind": "training",
        "start_date": "2026-04-06",
        "end_date": "2026-04-10",
        "city": "Niamey",
        "country": "BF",
        "venue": "École nationale de police",
        "language": "fr",
        "capacity": "24",
    }
    response = client.post(f"/sessions/{training_session.id}/edit", data=data)
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            {
                "status": ["Status: Planned → Open"],
                "start_date": ["Start date: Mar 2, 2026 → Apr 6, 2026"],
                "end_date": ["End date: Mar 4, 2026 → Apr 10, 2026"],
                "capacity": ["Capacity: 25 → 24"],
                "country": ["Country: Niger → Burkina Faso"],
                "screening_required": ["Screening required: Yes → No"],
            },
        ),
        (
            "fr",
            {
                "status": [f"Statut{NBSP}: Planifiée → Ouverte"],
                "start_date": [f"Date de début{NBSP}: 2 mars 2026 → 6 avr. 2026"],
                "end_date": [f"Date de fin{NBSP}: 4 mars 2026 → 10 avr. 2026"],
                "capacity": [f"Capacité{NBSP}: 25 → 24"],
                "country": [f"Pays{NBSP}: Niger → Burkina Faso"],
                "screening_required": [f"Vérification obligatoire{NBSP}: Oui → Non"],
            },
        ),
    ],
)
def test_session_history_reads_in_the_users_language(
    client, login_as, training_session, locale, expected
):
    login_as("coordinator", locale=locale)
    assert client.post(f"/sessions/{training_session.id}/status", data={"status": "open"})
    _edit(client, training_session)
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    for key, lines in expected.items():
        assert _field(page, key) == lines, key
    assert "start_date:" not in page and "planned →" not in page


def test_the_browser_language_is_used_without_a_preference(client, login_as, training_session):
    login_as("coordinator", locale=None)
    client.post(f"/sessions/{training_session.id}/status", data={"status": "open"})
    page = client.get(
        f"/sessions/{training_session.id}", headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    ).get_data(as_text=True)
    assert _field(page, "status") == [f"Statut{NBSP}: Planifiée → Ouverte"]


def test_curriculum_history_shows_percentages_and_enum_labels(client, login_as):
    curriculum = factories.make_curriculum(code="CT-INV-01")
    db.session.commit()
    record_event(
        "curriculum.updated",
        entity=curriculum,
        before={"min_attendance_percent": 80, "owner": "joint", "certificate_validity_months": 1},
        after={"min_attendance_percent": 75, "owner": "unodc", "certificate_validity_months": 24},
    )
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert _field(page, "min_attendance_percent") == [
        f"Présence minimale{NBSP}: 80{NBSP}% → 75{NBSP}%"
    ]
    assert _field(page, "owner") == [f"Responsable{NBSP}: Conjoint ONUDC–DOP → ONUDC"]
    assert _field(page, "certificate_validity_months") == [
        f"Validité du certificat{NBSP}: 1 mois → 24 mois"
    ]


def test_unknown_fields_and_values_fall_back_to_the_raw_ones(client, login_as, training_session):
    record_event(
        "session.updated",
        entity=training_session,
        session_id=training_session.id,
        before={"mystery_field": "a", "status": "teleported"},
        after={"mystery_field": "b", "status": "open"},
    )
    record_event("robot.did_something", session_id=training_session.id, after={"level": 3})
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/sessions/{training_session.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _field(page, "mystery_field") == ["mystery_field: a → b"]
    assert _field(page, "status") == ["Status: teleported → Open"]
    assert _field(page, "level") == ["level: 3"]
    assert "robot.did_something" in page


def test_rows_leave_out_empty_creations_and_keep_unchanged_context(app, training_session):
    participant = factories.make_participant()
    enrollment = factories.enroll(participant, training_session)
    events = [
        record_event(
            "enrollment.confirmed",
            entity=enrollment,
            before={"status": "waitlisted"},
            after={"status": "confirmed", "waitlist_position": None},
        ),
        record_event(
            "attendance.changed",
            entity=enrollment,
            before={"status": "absent", "note": None, "date": "2026-03-02", "period": "am"},
            after={"status": "late", "note": "Bus", "date": "2026-03-02", "period": "am"},
        ),
        record_event("assignment.removed", before={"trainer": "Awa", "role": "lead"}),
    ]
    db.session.flush()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        confirmed, attendance, removed = history_rows(events)
    assert [(c.label, c.before, c.after) for c in confirmed.changes] == [
        ("Status", "Waitlisted", "Confirmed")
    ]
    assert [(c.label, c.before, c.after) for c in attendance.changes] == [
        ("Attendance", "Absent", "Late"),
        ("Note", "—", "Bus"),
        ("Day", None, "Mar 2, 2026"),
        ("Half-day", None, "Morning"),
    ]
    assert [(c.label, c.before, c.after) for c in removed.changes] == [
        ("Trainer", "Awa", "—"),
        ("Role", "Lead trainer", "—"),
    ]


def test_participant_history_names_the_organisation_and_the_status(client, login_as):
    before = factories.make_organisation(acronym="PN", name="Police nationale")
    after = factories.make_organisation(acronym="GN", name="Gendarmerie nationale")
    participant = factories.make_participant(given_name="Awa", family_name="Diallo")
    enrollment = factories.enroll(participant, factories.make_session())
    record_event(
        "participant.updated",
        entity=participant,
        participant_id=participant.id,
        before={"name": "Awa Diallo", "organisation_id": before.id},
        after={"name": "Awa Diallo", "organisation_id": after.id},
    )
    record_event(
        "enrollment.withdrawn",
        entity=enrollment,
        participant_id=participant.id,
        before={"status": "confirmed"},
        after={"status": "withdrawn", "waitlist_position": None},
    )
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    assert _field(page, "organisation_id") == [
        f"Organisation{NBSP}: PN — Police nationale (Niger) → GN — Gendarmerie nationale (Niger)"
    ]
    assert _field(page, "name") == [f"Nom{NBSP}: Awa Diallo"]
    assert _field(page, "status") == [f"Statut{NBSP}: Confirmé → Retiré"]
    assert "Retiré de la session" in page


def test_session_history_names_whom_each_enrollment_event_concerns(
    client, login_as, training_session
):
    login_as("coordinator")
    participant = factories.make_participant(given_name="Aïcha", family_name="Traoré")
    enrollment = factories.enroll(participant, training_session, status="nominated")
    db.session.commit()
    response = client.post(f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm")
    assert response.status_code == 303
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    row = next(line for line in page.split("<tr") if 'title="enrollment.confirmed"' in line)
    assert f'href="/participants/{participant.id}"' in row
    assert "Aïcha Traoré" in html.unescape(row)
