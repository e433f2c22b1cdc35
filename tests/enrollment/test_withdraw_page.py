"""Withdrawing asks first: the Withdraw button opens a page that says who
is withdrawn and who moves up, with the form that does it; the bulk form's
withdrawal asks the same way. Works without JavaScript."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).split())


def _state():
    return (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action != "access.refused")
        ),
        tuple(db.session.scalars(sa.select(Enrollment.status).order_by(Enrollment.id))),
    )


@pytest.fixture
def full_session(app):
    """A session of one place: Awa holds it, Binta waits first, Chaka second."""
    training_session = factories.make_session(capacity=1)
    holder = factories.enroll(
        factories.make_participant(given_name="Awa", family_name="One"), training_session
    )
    waiting = [
        factories.enroll(
            factories.make_participant(given_name=given, family_name=family),
            training_session,
            status=EnrollmentStatus.WAITLISTED,
            waitlist_position=position,
        )
        for position, (given, family) in enumerate((("Binta", "Two"), ("Chaka", "Three")), 1)
    ]
    db.session.commit()
    return training_session, holder, waiting


def test_the_withdraw_button_opens_a_page_that_asks_first(client, login_as, full_session):
    training_session, holder, _waiting = full_session
    login_as("coordinator")
    base = f"/sessions/{training_session.id}/enrollments"
    listing = client.get(base).get_data(as_text=True)
    assert f'href="{base}/{holder.id}/withdraw"' in listing
    before = _state()
    page = client.get(f"{base}/{holder.id}/withdraw")
    assert page.status_code == 200
    assert "Withdraw Awa One from session" in text(page)
    assert "next in line: Binta Two" in text(page)
    assert "They are told by mail, with their convocation letter." in text(page)
    assert "Atelier sends no message to those withdrawn" in text(page)
    assert f'action="{base}/{holder.id}/withdraw"' in page.get_data(as_text=True)
    assert f'href="{base}"' in page.get_data(as_text=True)  # cancel, go back
    assert _state() == before
    response = client.post(f"{base}/{holder.id}/withdraw", follow_redirects=True)
    assert "Binta Two moved up from the waiting list and is now confirmed." in text(response)


def test_withdrawing_someone_who_waits_frees_no_place(client, login_as, full_session):
    training_session, _holder, (binta, _chaka) = full_session
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/enrollments/{binta.id}/withdraw")
    assert "frees up" not in text(page)


def test_a_withdrawn_enrollment_has_no_page_to_withdraw_it_again(client, login_as, full_session):
    training_session, holder, _waiting = full_session
    holder.status = EnrollmentStatus.WITHDRAWN
    db.session.commit()
    login_as("coordinator")
    response = client.get(
        f"/sessions/{training_session.id}/enrollments/{holder.id}/withdraw",
        follow_redirects=True,
    )
    assert "This enrollment is already withdrawn." in text(response)


def test_the_bulk_withdrawal_lists_who_before_it_is_done(client, login_as, full_session):
    training_session, holder, (binta, chaka) = full_session
    login_as("coordinator")
    url = f"/sessions/{training_session.id}/enrollments/bulk"
    before = _state()
    asked = client.post(url, data={"action": "withdraw", "enrollment_id": [holder.id, chaka.id]})
    assert asked.status_code == 200
    assert "Withdraw 2 enrollments from session" in text(asked)
    assert "ONE, Awa" in text(asked) and "THREE, Chaka" in text(asked)
    assert "next in line: Binta Two" in text(asked)
    page = asked.get_data(as_text=True)
    assert f'action="{url}"' in page and 'name="confirmed" value="1"' in page
    assert _state() == before
    done = client.post(
        url,
        data={"action": "withdraw", "enrollment_id": [holder.id, chaka.id], "confirmed": "1"},
        follow_redirects=True,
    )
    assert "2 enrollments withdrawn." in text(done)
    db.session.expire_all()
    assert (holder.status, binta.status, chaka.status) == (
        EnrollmentStatus.WITHDRAWN,
        EnrollmentStatus.CONFIRMED,
        EnrollmentStatus.WITHDRAWN,
    )


def test_the_other_bulk_steps_do_not_ask(client, login_as, full_session):
    training_session, _holder, (binta, _chaka) = full_session
    login_as("coordinator")
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/bulk",
        data={"action": "confirm", "enrollment_id": [binta.id]},
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("session trainer", 403),
        ("trainer", 403),
        ("participant", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_withdraw_page(client, login_as, full_session, who, expected):
    training_session, holder, _waiting = full_session
    if who == "session trainer":
        user = login_as("trainer")
        factories.assign(user.trainer, training_session)
        db.session.commit()
    elif who == "participant":
        login_as(holder.participant.user or factories.make_user("participant"))
    elif who != "anonymous":
        login_as(who)
    before = _state()
    response = client.get(f"/sessions/{training_session.id}/enrollments/{holder.id}/withdraw")
    assert response.status_code == expected
    if who == "anonymous":
        assert "/login" in response.location
    assert _state() == before


def test_a_foreign_enrollment_has_no_page(client, login_as, full_session):
    _training_session, holder, _waiting = full_session
    other = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/sessions/{other.id}/enrollments/{holder.id}/withdraw").status_code == 404


def test_the_withdrawal_posts_need_csrf(app, client, login_as, full_session):
    training_session, holder, _waiting = full_session
    login_as("coordinator")
    app.config["WTF_CSRF_ENABLED"] = True
    base = f"/sessions/{training_session.id}/enrollments"
    before = _state()
    assert client.post(f"{base}/{holder.id}/withdraw").status_code == 400
    data = {"action": "withdraw", "enrollment_id": [holder.id], "confirmed": "1"}
    assert client.post(f"{base}/bulk", data=data).status_code == 400
    assert _state() == before
