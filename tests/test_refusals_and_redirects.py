"""Errors you can see, and forms a refresh never sends again: a refused or
invalid post opens on what went wrong (at the top of the page, focused, each
error linking to its field); a post that succeeded answers 303 See Other, so
the page it leads to is fetched with GET and reloading it posts nothing."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from tests import factories
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.models import AuditEvent, SessionStatus

MODULE = {
    "title_en": "Intro",
    "title_fr": "Introduction",
    "aim": "",
    "learning_outcomes": "",
    "duration_minutes": "90",
}


def _summary(page: str) -> str:
    found = re.search(r'<div class="alert alert-danger error-summary".*?</div>', page, re.S)
    assert found, "the page opens with the summary of its errors"
    return found.group(0)


def _before_the_title(page: str, text: str) -> None:
    assert text in page
    assert page.index(text) < page.index("<h1"), f"{text!r} shows above the page's title"


def test_a_trainer_clash_shows_at_the_top_linked_to_its_field(client, login_as):
    training_session = factories.make_session(status=SessionStatus.PLANNED, code="NE-2026-042")
    trainer = factories.make_trainer(name="Moussa Keita")
    factories.qualify(trainer, training_session.curriculum)
    busy = factories.make_session(code="TD-2026-009", start_date=training_session.start_date)
    factories.assign(trainer, busy)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/sessions/{training_session.id}/trainers",
        data={"trainer_id": trainer.id, "role": "lead"},
    )
    assert response.status_code == 409
    page = response.text
    summary = _summary(page)
    _before_the_title(page, 'id="error-summary"')
    assert 'role="alert"' in summary and "autofocus" in summary and 'tabindex="-1"' in summary
    assert "1 problem to correct" in summary
    assert "TD-2026-009" in summary, "the summary says why: the other session"
    link = re.search(r'href="#([\w-]+)"', summary)
    assert link and f'id="{link.group(1)}"' in page, "the summary links to the field"
    assert link.group(1) == "trainer_id"


def test_a_screening_refusal_shows_at_the_top_with_its_day_in_words(client, login_as):
    training_session = factories.make_session(start_date=date(2026, 12, 1))
    enrollment = factories.enroll(
        factories.make_participant(cleared=False, given_name="Ali", family_name="Sow"),
        training_session,
        status=EnrollmentStatus.NOMINATED,
    )
    db.session.commit()
    login_as("coordinator", locale="fr")
    response = client.post(f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm")
    assert response.status_code == 409
    alert = re.search(
        r'<div class="alert alert-danger[^"]*" role="alert">(.*?)</div>', response.text, re.S
    )
    assert alert, "the refusal is an alert"
    _before_the_title(response.text, alert.group(0))
    assert "Ali Sow" in alert.group(1)
    assert "1er décembre 2026" in alert.group(1) and "2026-12-01" not in alert.group(1)


def test_an_invalid_form_lists_each_error_at_the_top_in_the_readers_language(client, login_as):
    curriculum = factories.make_curriculum()
    db.session.commit()
    login_as("coordinator", locale="fr")
    data = {**MODULE, "title_en": "", "title_fr": "", "duration_minutes": "soixante"}
    response = client.post(f"/curricula/{curriculum.id}/modules/new", data=data)
    assert response.status_code == 422
    summary = _summary(response.text)
    assert "problèmes à corriger" in summary
    for field_id in re.findall(r'href="#([\w-]+)"', summary):
        assert f'id="{field_id}"' in response.text
    assert len(re.findall(r"<li>", summary)) >= 2


def test_a_page_opened_normally_has_no_summary(client, login_as):
    curriculum = factories.make_curriculum()
    db.session.commit()
    login_as("coordinator")
    assert 'id="error-summary"' not in client.get(f"/curricula/{curriculum.id}/modules/new").text


def _follow(client, response, expected_path: str | None = None) -> str:
    """A success: 303 See Other to a page that opens with GET."""
    assert response.status_code == 303, response.text[:300]
    location = response.headers["Location"]
    if expected_path is not None:
        assert location.split("#")[0] == expected_path
    landed = client.get(location)
    assert landed.status_code == 200, location
    return landed.text


def _changes() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action != "access.refused")
    )


def test_the_main_forms_redirect_with_303_and_a_refresh_posts_nothing(client, login_as):
    """The coordinator's day, form by form: each success is a 303 to a page
    read with GET; reading it again changes nothing."""
    curriculum = factories.make_curriculum()
    training_session = factories.make_session(curriculum, status=SessionStatus.PLANNED)
    trainer = factories.make_trainer()
    factories.qualify(trainer, curriculum)
    participant = factories.make_participant()
    nominee = factories.make_participant()
    db.session.commit()
    login_as("coordinator")
    sid = training_session.id

    posts = [
        (f"/curricula/{curriculum.id}/modules/new", MODULE, f"/curricula/{curriculum.id}"),
        (
            f"/sessions/{sid}/trainers",
            {"trainer_id": trainer.id, "role": "lead"},
            f"/sessions/{sid}",
        ),
        (f"/sessions/{sid}/enrollments/nominate", {"participant_id": participant.id}, None),
        (f"/sessions/{sid}/enrollments/nominate", {"participant_id": nominee.id}, None),
        (
            f"/participants/{participant.id}/screenings",
            {
                "framework": "hrddp_mitigation",
                "status": "cleared",
                "screened_on": "2026-01-10",
                "valid_until": "2030-01-10",
                "reference": "HRDDP-2026-7",
                "notes": "",
            },
            f"/participants/{participant.id}",
        ),
    ]
    for url, data, expected in posts:
        landed = _follow(client, client.post(url, data=data), expected)
        assert 'id="error-summary"' not in landed, url

    enrollment = db.session.scalar(
        sa.select(Enrollment).where(Enrollment.participant_id == participant.id)
    )
    _follow(client, client.post(f"/sessions/{sid}/enrollments/{enrollment.id}/confirm"))
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).status == EnrollmentStatus.CONFIRMED

    # What a refresh of the page each post led to does: a GET, which changes nothing.
    before = _changes()
    for path in (f"/sessions/{sid}", f"/sessions/{sid}/enrollments", f"/curricula/{curriculum.id}"):
        assert client.get(path).status_code == 200
    assert _changes() == before


def test_signing_in_and_switching_language_answer_303(client, app):
    user = factories.make_user("coordinator")
    db.session.commit()
    signed_in = client.post(
        "/login", data={"email": user.email, "password": factories.TEST_PASSWORD}
    )
    assert signed_in.status_code == 303
    switched = client.post("/language", data={"locale": "fr", "next": "/sessions"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/sessions"
    assert client.post("/logout").status_code == 303


def test_a_get_redirect_stays_302(client):
    """Only a change answers 303: an anonymous GET is still sent to sign in with 302."""
    response = client.get("/sessions")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
