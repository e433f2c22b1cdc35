"""Session rules: scheduling, status moves, trainer assignment, visibility."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from training.audit.models import AuditEvent
from training.curricula.models import CurriculumStatus
from training.domain import DomainError
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions import services
from training.sessions.models import (
    AssignmentRole,
    SessionKind,
    SessionLanguage,
    SessionStatus,
)

pytestmark = pytest.mark.usefixtures("request_context")


def _values(**overrides):
    values = {
        "curriculum": overrides.pop("curriculum", None) or factories.make_curriculum(),
        "code": "NE-2026-001",
        "kind": SessionKind.TRAINING,
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 3, 6),
        "city": "Niamey",
        "country": "ne",
        "venue": "  ",
        "language": SessionLanguage.FRENCH,
        "capacity": 20,
    }
    values.update(overrides)
    return values


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


# Scheduling


def test_created_session_is_planned_and_audited(app):
    actor = factories.make_user("coordinator")
    partner = factories.make_organisation(acronym="EUCAP")
    training_session = services.create_session(actor=actor, partners=[partner], **_values())
    assert training_session.status == SessionStatus.PLANNED
    assert training_session.country == "NE" and training_session.venue is None
    [event] = _events("session.created")
    assert event.session_id == training_session.id and event.actor_id == actor.id
    assert event.changes["after"]["partners"] == "EUCAP"


@pytest.mark.parametrize("status", [CurriculumStatus.DRAFT, CurriculumStatus.RETIRED])
def test_only_approved_curricula_are_scheduled(app, status):
    curriculum = factories.make_curriculum(status=status)
    with pytest.raises(services.CurriculumNotSchedulable) as refused:
        services.create_session(actor=None, **_values(curriculum=curriculum))
    assert refused.value.field == "curriculum_id"


def test_session_code_is_unique(app):
    factories.make_session(code="NE-2026-001")
    with pytest.raises(DomainError, match="already used") as refused:
        services.create_session(actor=None, **_values(code="ne-2026-001"))
    assert refused.value.field == "code"


def test_end_before_start_and_zero_capacity_are_refused(app):
    with pytest.raises(DomainError) as refused:
        services.create_session(actor=None, **_values(end_date=date(2026, 3, 1)))
    assert refused.value.field == "end_date"
    with pytest.raises(DomainError) as refused:
        services.create_session(actor=None, **_values(capacity=0))
    assert refused.value.field == "capacity"


def test_capacity_never_below_confirmed(app):
    training_session = factories.make_session(capacity=5)
    for _ in range(3):
        factories.enroll(training_session=training_session)
    factories.enroll(training_session=training_session, status=EnrollmentStatus.WAITLISTED)
    with pytest.raises(services.CapacityBelowConfirmed, match="3 participants"):
        services.update_session(training_session, actor=None, capacity=2)
    services.update_session(training_session, actor=None, capacity=3)
    assert training_session.capacity == 3


def test_update_audits_only_what_changed(app):
    training_session = factories.make_session(city="Niamey", capacity=25)
    services.update_session(training_session, actor=None, city="Zinder", capacity=25)
    [event] = _events("session.updated")
    assert event.changes == {"before": {"city": "Niamey"}, "after": {"city": "Zinder"}}


def test_a_retired_curriculum_stays_on_its_sessions_but_is_not_chosen_anew(app):
    curriculum = factories.make_curriculum()
    training_session = factories.make_session(curriculum=curriculum)
    curriculum.status = CurriculumStatus.RETIRED
    services.update_session(training_session, actor=None, curriculum=curriculum, city="Dosso")
    draft = factories.make_curriculum(status=CurriculumStatus.DRAFT)
    with pytest.raises(services.CurriculumNotSchedulable):
        services.update_session(training_session, actor=None, curriculum=draft)


def test_new_dates_must_not_double_book_an_assigned_trainer(app):
    trainer = factories.make_trainer()
    first = factories.make_session(start_date=date(2026, 3, 2))  # 2–4 March
    second = factories.make_session(start_date=date(2026, 3, 9))  # 9–11 March
    factories.assign(trainer, first)
    factories.assign(trainer, second)
    with pytest.raises(services.TrainerClash, match=first.code):
        services.update_session(second, actor=None, start_date=date(2026, 3, 4))


# Status moves


def test_status_moves_along_the_allowed_path(app):
    actor = factories.make_user("coordinator")
    training_session = factories.make_session(status=SessionStatus.PLANNED)
    for status in (SessionStatus.OPEN, SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED):
        services.change_status(training_session, status, actor=actor)
    assert training_session.status == SessionStatus.COMPLETED
    events = _events("session.status_changed")
    assert [(e.changes["before"]["status"], e.changes["after"]["status"]) for e in events] == [
        ("planned", "open"),
        ("open", "in_progress"),
        ("in_progress", "completed"),
    ]


@pytest.mark.parametrize(
    "current, new",
    [
        (SessionStatus.PLANNED, SessionStatus.COMPLETED),
        (SessionStatus.PLANNED, SessionStatus.IN_PROGRESS),
        (SessionStatus.OPEN, SessionStatus.PLANNED),
        (SessionStatus.COMPLETED, SessionStatus.CANCELLED),
        (SessionStatus.CANCELLED, SessionStatus.OPEN),
        (SessionStatus.OPEN, SessionStatus.OPEN),
    ],
)
def test_other_moves_are_refused(app, current, new):
    training_session = factories.make_session(status=current)
    with pytest.raises(services.StatusMoveRefused, match="cannot move"):
        services.change_status(training_session, new, actor=None)
    assert training_session.status == current
    assert _events("session.status_changed") == []


@pytest.mark.parametrize(
    "current", [SessionStatus.PLANNED, SessionStatus.OPEN, SessionStatus.IN_PROGRESS]
)
def test_cancel_before_completion(app, current):
    training_session = factories.make_session(status=current)
    services.change_status(training_session, SessionStatus.CANCELLED, actor=None)
    assert training_session.status == SessionStatus.CANCELLED


# Trainer assignment


def test_qualified_trainer_is_assigned_and_audited(app):
    actor = factories.make_user("coordinator")
    training_session = factories.make_session()
    trainer = factories.make_trainer(name="Awa Diallo")
    factories.qualify(trainer, training_session.curriculum)
    assignment = services.assign_trainer(
        training_session, trainer, AssignmentRole.LEAD, actor=actor, override_reason="ignored"
    )
    assert assignment.override_reason is None and assignment.assigned_by_id == actor.id
    [event] = _events("assignment.created")
    assert event.session_id == training_session.id
    assert event.changes["after"] == {"trainer": "Awa Diallo", "role": "lead", "qualified": True}


def test_overlapping_session_is_refused_naming_it(app):
    trainer = factories.make_trainer(name="Awa Diallo")
    busy = factories.make_session(code="ML-2026-007", start_date=date(2026, 3, 2))  # 2–4 March
    factories.assign(trainer, busy)
    training_session = factories.make_session(start_date=date(2026, 3, 4))
    factories.qualify(trainer, training_session.curriculum)
    with pytest.raises(services.TrainerClash) as refused:
        services.assign_trainer(training_session, trainer, AssignmentRole.LEAD, actor=None)
    message = refused.value.message
    assert "ML-2026-007" in message and "Mar 2, 2026" in message and "Mar 4, 2026" in message
    assert training_session.assignments == []
    assert _events("assignment.created") == []


def test_adjacent_and_cancelled_sessions_do_not_clash(app):
    trainer = factories.make_trainer()
    before = factories.make_session(start_date=date(2026, 3, 2))  # 2–4 March
    cancelled = factories.make_session(start_date=date(2026, 3, 5), status=SessionStatus.CANCELLED)
    factories.assign(trainer, before)
    factories.assign(trainer, cancelled)
    training_session = factories.make_session(start_date=date(2026, 3, 5))
    factories.qualify(trainer, training_session.curriculum)
    services.assign_trainer(training_session, trainer, AssignmentRole.CO_TRAINER, actor=None)
    assert len(training_session.assignments) == 1


@pytest.mark.parametrize(
    "qualification",
    [
        None,
        {
            "qualified_on": date(2020, 1, 1),
            "expires_on": date(2026, 3, 1),
        },  # expired the day before
        {"qualified_on": date(2026, 3, 3), "expires_on": None},  # qualified only later
    ],
)
def test_unqualified_trainer_needs_a_written_reason(app, qualification):
    actor = factories.make_user("coordinator")
    training_session = factories.make_session(start_date=date(2026, 3, 2))
    trainer = factories.make_trainer()
    if qualification:
        factories.qualify(trainer, training_session.curriculum, **qualification)
    with pytest.raises(services.TrainerNotQualified) as refused:
        services.assign_trainer(
            training_session, trainer, AssignmentRole.LEAD, actor=actor, override_reason="   "
        )
    assert refused.value.field == "override_reason"
    assert training_session.curriculum.code in refused.value.message
    assignment = services.assign_trainer(
        training_session,
        trainer,
        AssignmentRole.LEAD,
        actor=actor,
        override_reason="Only French-speaking expert available",
    )
    assert assignment.override_reason == "Only French-speaking expert available"
    [event] = _events("assignment.created")
    assert event.reason == "Only French-speaking expert available"
    assert event.changes["after"]["qualified"] is False


def test_qualification_current_on_the_start_date(app):
    training_session = factories.make_session(start_date=date(2026, 3, 2))
    trainer = factories.make_trainer()
    factories.qualify(
        trainer,
        training_session.curriculum,
        qualified_on=date(2026, 3, 2),
        expires_on=date(2026, 3, 2),
    )
    assert services.is_qualified(trainer, training_session.curriculum, date(2026, 3, 2))
    assert not services.is_qualified(trainer, factories.make_curriculum(), date(2026, 3, 2))


def test_same_trainer_twice_and_closed_sessions_are_refused(app):
    trainer = factories.make_trainer()
    training_session = factories.make_session()
    factories.qualify(trainer, training_session.curriculum)
    services.assign_trainer(training_session, trainer, AssignmentRole.LEAD, actor=None)
    with pytest.raises(services.AssignmentRefused, match="already assigned"):
        services.assign_trainer(training_session, trainer, AssignmentRole.CO_TRAINER, actor=None)
    closed = factories.make_session(status=SessionStatus.COMPLETED, start_date=date(2025, 1, 6))
    with pytest.raises(services.AssignmentRefused):
        services.assign_trainer(closed, factories.make_trainer(), AssignmentRole.LEAD, actor=None)


def test_removing_an_assignment_is_audited(app):
    trainer = factories.make_trainer(name="Awa Diallo")
    training_session = factories.make_session()
    assignment = factories.assign(trainer, training_session, AssignmentRole.CO_TRAINER)
    services.remove_assignment(assignment, actor=None)
    assert training_session.assignments == []
    [event] = _events("assignment.removed")
    assert event.changes["before"] == {"trainer": "Awa Diallo", "role": "co_trainer"}
    assert event in services.session_history(training_session)


# Visibility, counts


def test_visible_sessions_by_role(app):
    trainer_user = factories.make_user("trainer")
    own, other = factories.make_session(), factories.make_session()
    factories.assign(trainer_user.trainer, own)
    coordinator = factories.make_user("coordinator")
    participant = factories.make_user("participant")
    assert set(db.session.scalars(services.visible_sessions(coordinator))) == {own, other}
    assert list(db.session.scalars(services.visible_sessions(trainer_user))) == [own]
    assert list(db.session.scalars(services.visible_sessions(participant))) == []


def test_calendar_sessions_by_role(app):
    participant_user = factories.make_user("participant")
    confirmed = factories.make_session()
    waitlisted = factories.make_session()
    cancelled = factories.make_session(status=SessionStatus.CANCELLED)
    factories.enroll(participant_user.participant, confirmed)
    factories.enroll(participant_user.participant, waitlisted, status=EnrollmentStatus.WAITLISTED)
    factories.enroll(participant_user.participant, cancelled)
    coordinator = factories.make_user("coordinator")
    assert services.calendar_sessions(participant_user) == [confirmed]
    assert cancelled not in services.calendar_sessions(coordinator)
    assert len(services.calendar_sessions(coordinator)) == 2
