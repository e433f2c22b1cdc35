"""One person cannot attend two workshops at once; and the coordinator's bulk
steps: confirm, wait-list or withdraw several nominees, nominate several
participants, each refusal explained person by person."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.auth.models import Role
from training.domain import DomainError
from training.enrollment import services
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def overlapping_sessions():
    first = factories.make_session(start_date=date(2027, 3, 1), end_date=date(2027, 3, 5))
    second = factories.make_session(start_date=date(2027, 3, 4), end_date=date(2027, 3, 8))
    later = factories.make_session(start_date=date(2027, 3, 9), end_date=date(2027, 3, 12))
    return first, second, later


# --- the clash rule ----------------------------------------------------------------


def test_a_participant_confirmed_in_one_session_is_not_confirmed_in_an_overlapping_one(app):
    coordinator = factories.make_user(Role.COORDINATOR)
    first, second, later = overlapping_sessions()
    participant = factories.make_participant()
    factories.enroll(participant, first, status=EnrollmentStatus.CONFIRMED)
    clashing = factories.enroll(participant, second, status=EnrollmentStatus.NOMINATED)
    with pytest.raises(services.ParticipantClash) as refusal:
        services.confirm(clashing, actor=coordinator)
    assert first.code in refusal.value.message and "at the same time" in refusal.value.message
    assert refusal.value.clashes[0].session_id == first.id
    # The day after the first ends is free.
    free = factories.enroll(participant, later, status=EnrollmentStatus.NOMINATED)
    assert services.confirm(free, actor=coordinator).status is EnrollmentStatus.CONFIRMED


def test_a_written_reason_overrides_the_clash_and_is_kept_in_the_history(app):
    coordinator = factories.make_user(Role.COORDINATOR)
    first, second, _later = overlapping_sessions()
    participant = factories.make_participant()
    factories.enroll(participant, first, status=EnrollmentStatus.CONFIRMED)
    clashing = factories.enroll(participant, second, status=EnrollmentStatus.NOMINATED)
    with pytest.raises(services.ParticipantClash):
        services.confirm(clashing, actor=coordinator, override_reason="   ")
    services.confirm(clashing, actor=coordinator, override_reason="Attends the mornings only")
    assert clashing.status is EnrollmentStatus.CONFIRMED
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "enrollment.confirmed", AuditEvent.entity_id == clashing.id
        )
    )
    assert event.reason == "Attends the mornings only"


def test_a_cancelled_session_or_a_withdrawn_place_is_no_clash(app):
    from training.sessions.models import SessionStatus

    coordinator = factories.make_user(Role.COORDINATOR)
    first, second, _later = overlapping_sessions()
    participant = factories.make_participant()
    held = factories.enroll(participant, first, status=EnrollmentStatus.CONFIRMED)
    first.status = SessionStatus.CANCELLED
    clashing = factories.enroll(participant, second, status=EnrollmentStatus.NOMINATED)
    assert services.participant_clashes(clashing) == []
    first.status = SessionStatus.OPEN
    held.status = EnrollmentStatus.WITHDRAWN
    db.session.flush()
    assert services.confirm(clashing, actor=coordinator).status is EnrollmentStatus.CONFIRMED


def test_the_waiting_list_moves_past_someone_busy_elsewhere(app):
    coordinator = factories.make_user(Role.COORDINATOR)
    first, second, _later = overlapping_sessions()
    second.capacity = 1
    busy = factories.make_participant()
    factories.enroll(busy, first, status=EnrollmentStatus.CONFIRMED)
    holder = factories.enroll(training_session=second, status=EnrollmentStatus.CONFIRMED)
    waiting_busy = factories.enroll(busy, second, status=EnrollmentStatus.NOMINATED)
    services.waitlist(waiting_busy, actor=coordinator)
    free = factories.enroll(training_session=second, status=EnrollmentStatus.NOMINATED)
    services.waitlist(free, actor=coordinator)
    assert (waiting_busy.waitlist_position, free.waitlist_position) == (1, 2)
    result = services.withdraw(holder, actor=coordinator)
    assert result.promoted is free and waiting_busy.status is EnrollmentStatus.WAITLISTED


def test_only_a_nominee_goes_on_the_waiting_list_by_hand(app):
    coordinator = factories.make_user(Role.COORDINATOR)
    confirmed = factories.enroll(status=EnrollmentStatus.CONFIRMED)
    with pytest.raises(DomainError, match="Only a nominated enrollment"):
        services.waitlist(confirmed, actor=coordinator)


# --- bulk steps on the page --------------------------------------------------------


def test_confirming_several_confirms_each_and_explains_each_refusal(client, login_as):
    login_as("coordinator")
    first, second, _later = overlapping_sessions()
    second.screening_required = True
    busy = factories.make_participant()
    factories.enroll(busy, first, status=EnrollmentStatus.CONFIRMED)
    ok = [
        factories.enroll(training_session=second, status=EnrollmentStatus.NOMINATED)
        for _ in range(2)
    ]
    clashing = factories.enroll(busy, second, status=EnrollmentStatus.NOMINATED)
    uncleared = factories.enroll(
        factories.make_participant(cleared=False), second, status=EnrollmentStatus.NOMINATED
    )
    db.session.commit()
    response = client.post(
        f"/sessions/{second.id}/enrollments/bulk",
        data={"action": "confirm", "enrollment_id": [e.id for e in (*ok, clashing, uncleared)]},
        follow_redirects=True,
    )
    text = page_text(response)
    assert "2 nominees confirmed or placed on the waiting list." in text
    assert f"{busy.full_name}: {busy.full_name} is already confirmed in {first.code}" in text
    assert f"{uncleared.participant.full_name}: " in text and "screening" in text
    for enrollment in (*ok, clashing, uncleared):
        db.session.refresh(enrollment)
    assert [e.status for e in ok] == [EnrollmentStatus.CONFIRMED] * 2
    assert clashing.status is uncleared.status is EnrollmentStatus.NOMINATED


def test_wait_listing_and_withdrawing_several(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    nominees = [
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
        for _ in range(3)
    ]
    db.session.commit()
    ids = [e.id for e in nominees]
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/bulk",
        data={"action": "waitlist", "enrollment_id": ids[:2]},
        follow_redirects=True,
    )
    assert "2 nominees put on the waiting list." in page_text(response)
    # Withdrawing asks first: the page lists who, and nothing changes yet.
    asked = client.post(
        f"/sessions/{training_session.id}/enrollments/bulk",
        data={"action": "withdraw", "enrollment_id": ids},
    )
    assert asked.status_code == 200
    assert "Withdraw 3 enrollments from session" in page_text(asked)
    for nominee in nominees:
        assert nominee.participant.sortable_name in page_text(asked)
    db.session.expire_all()
    assert {e.status for e in nominees} == {EnrollmentStatus.WAITLISTED, EnrollmentStatus.NOMINATED}
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/bulk",
        data={"action": "withdraw", "enrollment_id": ids, "confirmed": "1"},
        follow_redirects=True,
    )
    assert "3 enrollments withdrawn." in page_text(response)
    statuses = db.session.scalars(sa.select(Enrollment.status).where(Enrollment.id.in_(ids)))
    assert set(statuses) == {EnrollmentStatus.WITHDRAWN}


def test_a_bulk_step_with_nothing_ticked_or_malformed_or_foreign_ids_is_refused(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    other = factories.enroll(status=EnrollmentStatus.NOMINATED)  # another session's
    db.session.commit()
    url = f"/sessions/{training_session.id}/enrollments/bulk"
    nothing = client.post(url, data={"action": "confirm"})
    assert nothing.status_code == 400 and "Tick the nominees first" in page_text(nothing)
    assert client.post(url, data={"action": "confirm", "enrollment_id": "abc"}).status_code == 400
    assert (
        client.post(url, data={"action": "explode", "enrollment_id": other.id}).status_code == 400
    )
    assert (
        client.post(url, data={"action": "confirm", "enrollment_id": other.id}).status_code == 404
    )
    db.session.refresh(other)
    assert other.status is EnrollmentStatus.NOMINATED


def test_a_clash_on_the_page_asks_for_a_reason_then_confirms(client, login_as):
    login_as("coordinator")
    first, second, _later = overlapping_sessions()
    participant = factories.make_participant()
    factories.enroll(participant, first, status=EnrollmentStatus.CONFIRMED)
    clashing = factories.enroll(participant, second, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    url = f"/sessions/{second.id}/enrollments/{clashing.id}/confirm"
    refused = client.post(url)
    assert refused.status_code == 409
    text = page_text(refused)
    assert "At the same time as another session" in text and "Confirm anyway" in text
    done = client.post(url, data={"override_reason": "Only the second week"}, follow_redirects=True)
    assert f"{participant.full_name} is confirmed." in page_text(done)


def test_nominating_several_from_one_search(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    people = [factories.make_participant(family_name="Sawadogo") for _ in range(3)]
    already = factories.enroll(people[2], training_session, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    page = client.get(f"/sessions/{training_session.id}/enrollments?q=sawadogo")
    assert "Nominate the ticked participants" in page_text(page)
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/nominate-many",
        data={"participant_id": [p.id for p in people]},
        follow_redirects=True,
    )
    text = page_text(response)
    assert "2 participants nominated." in text
    assert f"{people[2].full_name}: " in text  # already nominated: said, not doubled
    count = db.session.scalar(
        sa.select(sa.func.count()).where(Enrollment.session_id == training_session.id)
    )
    assert count == 3 and already.id
    assert (
        client.post(
            f"/sessions/{training_session.id}/enrollments/nominate-many", data={}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/sessions/{training_session.id}/enrollments/nominate-many",
            data={"participant_id": 999999},
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("coordinator", True), ("trainer", False), ("participant", False)],
)
def test_who_may_take_bulk_steps(client, login_as, role, allowed):
    user = login_as(role)
    training_session = factories.make_session()
    if role == "trainer":
        factories.assign(user.trainer, training_session)
    nominee = factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    bulk = client.post(
        f"/sessions/{training_session.id}/enrollments/bulk",
        data={"action": "waitlist", "enrollment_id": nominee.id},
    )
    many = client.post(
        f"/sessions/{training_session.id}/enrollments/nominate-many",
        data={"participant_id": factories.make_participant().id},
    )
    for response in (bulk, many):
        assert response.status_code == (303 if allowed else 403)
    db.session.refresh(nominee)
    assert (nominee.status is EnrollmentStatus.WAITLISTED) == allowed
