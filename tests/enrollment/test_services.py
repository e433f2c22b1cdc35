"""Nomination, confirmation, the waiting line and withdrawal: every rule,
both ways, and the capacity rule under concurrent confirmations."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.domain import DomainError
from training.enrollment import services
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import ScreeningStatus
from training.sessions.models import SessionStatus

NOMINATED = EnrollmentStatus.NOMINATED


def test_nominate_records_the_organisation_and_audits(app):
    coordinator = factories.make_user("coordinator")
    training_session = factories.make_session()
    participant = factories.make_participant()
    enrollment = services.nominate(training_session, participant, actor=coordinator)
    assert enrollment.status == NOMINATED
    assert enrollment.nominating_organisation == participant.organisation
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "enrollment"))
    assert (event.action, event.session_id, event.participant_id) == (
        "enrollment.nominated",
        training_session.id,
        participant.id,
    )
    assert event.changes["after"]["status"] == "nominated"


def test_nominate_twice_is_refused_but_a_withdrawn_one_comes_back(app):
    training_session = factories.make_session()
    participant = factories.make_participant()
    enrollment = services.nominate(training_session, participant, actor=None)
    with pytest.raises(DomainError):
        services.nominate(training_session, participant, actor=None)
    services.withdraw(enrollment, actor=None)
    again = services.nominate(training_session, participant, actor=None)
    assert again.id == enrollment.id and again.status == NOMINATED


@pytest.mark.parametrize("status", [SessionStatus.CANCELLED, SessionStatus.COMPLETED])
def test_closed_session_takes_no_nomination(app, status):
    with pytest.raises(DomainError):
        services.nominate(
            factories.make_session(status=status), factories.make_participant(), actor=None
        )


def test_confirm_refused_without_clearance_naming_the_reason(app):
    training_session = factories.make_session(start_date=date(2026, 3, 2))
    participant = factories.make_participant(cleared=False, given_name="Ali", family_name="Sow")
    factories.screen(participant, ScreeningStatus.PENDING)
    enrollment = factories.enroll(participant, training_session, status=NOMINATED)
    with pytest.raises(DomainError) as refusal:
        services.confirm(enrollment, actor=None)
    assert "Ali Sow" in refusal.value.message and "screening" in refusal.value.message
    assert enrollment.status == NOMINATED


def test_clearance_must_be_current_on_the_start_date(app):
    training_session = factories.make_session(start_date=date(2026, 3, 2))
    lapsed = factories.make_participant(cleared=False)
    factories.screen(lapsed, screened_on=date(2025, 1, 1), valid_until=date(2026, 3, 1))
    with pytest.raises(DomainError):
        services.confirm(factories.enroll(lapsed, training_session, status=NOMINATED), actor=None)
    conditional = factories.make_participant(cleared=False)
    factories.screen(conditional, ScreeningStatus.CLEARED_WITH_CONDITIONS)
    enrollment = services.confirm(
        factories.enroll(conditional, training_session, status=NOMINATED), actor=None
    )
    assert enrollment.status == EnrollmentStatus.CONFIRMED


def test_screening_not_required_confirms_anyone(app):
    training_session = factories.make_session(screening_required=False)
    enrollment = factories.enroll(
        factories.make_participant(cleared=False), training_session, status=NOMINATED
    )
    assert services.confirm(enrollment, actor=None).status == EnrollmentStatus.CONFIRMED


def test_full_session_puts_confirmations_in_line_in_order(app):
    coordinator = factories.make_user("coordinator")
    training_session = factories.make_session(capacity=1)
    first, second, third = (
        factories.enroll(training_session=training_session, status=NOMINATED) for _ in range(3)
    )
    assert services.confirm(first, actor=coordinator).status == EnrollmentStatus.CONFIRMED
    assert services.confirm(second, actor=coordinator).status == EnrollmentStatus.WAITLISTED
    assert services.confirm(third, actor=coordinator).status == EnrollmentStatus.WAITLISTED
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)
    assert services.confirmed_count(training_session) == 1
    # Confirming one already in line while still full keeps its place.
    assert services.confirm(third, actor=coordinator).waitlist_position == 2
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.session_id == training_session.id)
    ).all()
    assert events.count("enrollment.waitlisted") == 2


def test_withdrawal_moves_the_first_cleared_in_line_up(app):
    coordinator = factories.make_user("coordinator")
    training_session = factories.make_session(capacity=1)
    confirmed = factories.enroll(training_session=training_session)
    uncleared = factories.enroll(
        factories.make_participant(cleared=False),
        training_session,
        status=EnrollmentStatus.WAITLISTED,
        waitlist_position=1,
    )
    next_in_line = factories.enroll(
        training_session=training_session, status=EnrollmentStatus.WAITLISTED, waitlist_position=2
    )
    result = services.withdraw(confirmed, actor=coordinator)
    assert confirmed.status == EnrollmentStatus.WITHDRAWN
    assert result.promoted == next_in_line
    assert (
        next_in_line.status == EnrollmentStatus.CONFIRMED and next_in_line.waitlist_position is None
    )
    assert uncleared.status == EnrollmentStatus.WAITLISTED
    promoted_event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "enrollment.confirmed",
            AuditEvent.participant_id == next_in_line.participant_id,
        )
    )
    assert promoted_event.changes["before"]["status"] == "waitlisted"
    assert promoted_event.actor_id == coordinator.id


def test_withdrawing_a_nomination_promotes_nobody(app):
    training_session = factories.make_session(capacity=1)
    factories.enroll(training_session=training_session)
    waiting = factories.enroll(
        training_session=training_session, status=EnrollmentStatus.WAITLISTED, waitlist_position=1
    )
    nominated = factories.enroll(training_session=training_session, status=NOMINATED)
    assert services.withdraw(nominated, actor=None).promoted is None
    assert waiting.status == EnrollmentStatus.WAITLISTED
    with pytest.raises(DomainError):
        services.withdraw(nominated, actor=None)


def test_only_nominated_or_waiting_can_be_confirmed(app):
    enrollment = factories.enroll(status=EnrollmentStatus.WITHDRAWN)
    with pytest.raises(DomainError):
        services.confirm(enrollment, actor=None)


@pytest.mark.committed  # the coordinators are threads with their own connections
def test_concurrent_confirmations_never_exceed_capacity(app):
    """Three coordinators confirm three nominees for the last place at once:
    exactly one is confirmed, the others wait in line."""
    training_session = factories.make_session(capacity=2)
    factories.enroll(training_session=training_session)  # one place left
    nominees = [
        factories.enroll(training_session=training_session, status=NOMINATED) for _ in range(3)
    ]
    session_id = training_session.id
    enrollment_ids = [enrollment.id for enrollment in nominees]
    db.session.commit()
    # This thread must hold no transaction (on SQLite, no write lock) while
    # the coordinators race.
    db.session.close()
    barrier = threading.Barrier(len(enrollment_ids))
    errors: list[BaseException] = []

    def confirm_in_own_transaction(enrollment_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                enrollment = db.session.get(Enrollment, enrollment_id)
                services.confirm(enrollment, actor=None)
                db.session.commit()
            except BaseException as error:  # reported to the main thread
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=confirm_in_own_transaction, args=(i,)) for i in enrollment_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    statuses = db.session.scalars(
        sa.select(Enrollment.status).where(Enrollment.id.in_(enrollment_ids))
    ).all()
    assert sorted(statuses) == sorted(
        [EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.WAITLISTED]
    )
    assert services.confirmed_count(db.session.get(type(training_session), session_id)) == 2
    positions = db.session.scalars(
        sa.select(Enrollment.waitlist_position).where(
            Enrollment.status == EnrollmentStatus.WAITLISTED
        )
    ).all()
    assert sorted(positions) == [1, 2]
