"""The attendance rules: recording a day, conflicts, closing, scores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.attendance.conftest import START
from training.attendance import services
from training.attendance.home import trainer_home
from training.attendance.models import AttendanceDayLock, AttendanceRecord, AttendanceStatus
from training.attendance.services import DayEntry, ScoreEntry
from training.audit.models import AuditEvent
from training.domain import DomainError, NotAllowed
from training.extensions import db
from training.people.models import Sex
from training.sessions.models import Period, SessionStatus

AM, PM = Period.AM, Period.PM
PRESENT, ABSENT, LATE = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE


def everyone(workshop, status=PRESENT, periods=(AM, PM)) -> list[DayEntry]:
    return [DayEntry(e.id, period, status) for e in workshop.enrollments for period in periods]


def stored(workshop, day=START) -> dict[tuple[int, Period], AttendanceStatus]:
    db.session.expire_all()
    return {
        key: record.status
        for key, record in services.day_records(workshop.training_session, day).items()
    }


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_save_day_records_every_cell_without_auditing_first_entries(workshop):
    result = services.save_day(
        workshop.training_session,
        START,
        everyone(workshop),
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    db.session.commit()
    assert (result.created, result.changed, result.conflicts) == (6, 0, [])
    assert set(stored(workshop).values()) == {PRESENT}
    assert audit_events("attendance.changed") == []


def test_changing_a_record_is_audited_with_before_and_after(workshop):
    ts, trainer = workshop.training_session, workshop.trainer_user
    services.save_day(ts, START, everyone(workshop), actor=trainer, loaded_versions={})
    db.session.commit()
    target = workshop.enrollments[0]
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    result = services.save_day(
        ts,
        START,
        [DayEntry(target.id, AM, ABSENT, "Malade")],
        actor=trainer,
        loaded_versions=versions,
    )
    db.session.commit()
    assert (result.created, result.changed, result.conflicts) == (0, 1, [])
    [event] = audit_events("attendance.changed")
    assert event.actor_id == trainer.id
    assert event.session_id == ts.id and event.participant_id == target.participant_id
    assert event.changes["before"]["status"] == "present"
    assert event.changes["after"] == {
        "status": "absent",
        "note": "Malade",
        "date": START.isoformat(),
        "period": "am",
    }


def test_saving_the_same_values_again_changes_nothing(workshop):
    ts, trainer = workshop.training_session, workshop.trainer_user
    services.save_day(ts, START, everyone(workshop), actor=trainer, loaded_versions={})
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    result = services.save_day(
        ts, START, everyone(workshop), actor=trainer, loaded_versions=versions
    )
    assert (result.created, result.changed) == (0, 0)
    assert all(version == 1 for version in versions.values())


@pytest.mark.parametrize("day", [START - timedelta(days=1), START + timedelta(days=3)])
def test_a_day_outside_the_session_is_refused(workshop, day):
    with pytest.raises(DomainError, match="not a day of this session"):
        services.save_day(
            workshop.training_session,
            day,
            everyone(workshop),
            actor=workshop.trainer_user,
            loaded_versions={},
        )


def test_a_participant_not_confirmed_refuses_the_whole_save(workshop):
    entries = [*everyone(workshop), DayEntry(workshop.nominated.id, AM, PRESENT)]
    with pytest.raises(DomainError, match="confirmed in this session"):
        services.save_day(
            workshop.training_session,
            START,
            entries,
            actor=workshop.trainer_user,
            loaded_versions={},
        )
    db.session.rollback()
    assert stored(workshop) == {}


def test_an_enrollment_of_another_session_is_refused(workshop):
    other = factories.enroll(training_session=factories.make_session(start_date=START))
    with pytest.raises(DomainError):
        services.save_day(
            workshop.training_session,
            START,
            [DayEntry(other.id, AM, PRESENT)],
            actor=workshop.trainer_user,
            loaded_versions={},
        )


def test_a_cell_changed_under_the_trainer_is_written_and_reported(workshop):
    ts = workshop.training_session
    first = workshop.enrollments[0]
    services.save_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    db.session.commit()
    loaded = {key: r.version for key, r in services.day_records(ts, START).items()}
    # A co-trainer marks the participant late meanwhile...
    co_trainer = factories.make_user("trainer")
    services.save_day(
        ts, START, [DayEntry(first.id, AM, LATE)], actor=co_trainer, loaded_versions=loaded
    )
    db.session.commit()
    # ... and the first trainer, working from the page loaded before, saves absent.
    result = services.save_day(
        ts,
        START,
        [DayEntry(first.id, AM, ABSENT)],
        actor=workshop.trainer_user,
        loaded_versions=loaded,
    )
    db.session.commit()
    [conflict] = result.conflicts
    assert conflict.participant_name == first.participant.full_name
    assert (conflict.period, conflict.found_status) == (AM, LATE)
    assert stored(workshop)[(first.id, AM)] == ABSENT


def test_a_cell_created_by_someone_else_since_loading_is_a_conflict(workshop):
    ts, first = workshop.training_session, workshop.enrollments[0]
    services.save_day(
        ts, START, [DayEntry(first.id, PM, LATE)], actor=workshop.trainer_user, loaded_versions={}
    )
    result = services.save_day(
        ts,
        START,
        [DayEntry(first.id, PM, PRESENT)],
        actor=workshop.trainer_user,
        loaded_versions={(first.id, PM): 0},
    )
    assert [c.found_status for c in result.conflicts] == [LATE]


def test_closing_needs_every_period_recorded(workshop):
    ts = workshop.training_session
    services.save_day(
        ts,
        START,
        everyone(workshop, periods=(AM,)),
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    with pytest.raises(DomainError, match="3 periods are not recorded"):
        services.close_day(ts, START, actor=workshop.trainer_user)
    services.save_day(
        ts,
        START,
        everyone(workshop, periods=(PM,)),
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    lock = services.close_day(ts, START, actor=workshop.trainer_user)
    assert services.close_day(ts, START, actor=workshop.trainer_user) is lock
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceDayLock)) == 1
    assert len(audit_events("attendance.day_closed")) == 1


def test_a_closed_day_is_read_only_for_trainers_and_corrected_by_a_coordinator_with_a_reason(
    workshop,
):
    ts, first = workshop.training_session, workshop.enrollments[0]
    services.save_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    services.close_day(ts, START, actor=workshop.trainer_user)
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    change = [DayEntry(first.id, AM, ABSENT)]
    with pytest.raises(NotAllowed):
        services.save_day(ts, START, change, actor=workshop.trainer_user, loaded_versions=versions)
    coordinator = factories.make_user("coordinator")
    with pytest.raises(DomainError) as refused:
        services.save_day(
            ts, START, change, actor=coordinator, loaded_versions=versions, reason="  "
        )
    assert refused.value.field == "reason"
    services.save_day(
        ts, START, change, actor=coordinator, loaded_versions=versions, reason="Sheet says absent"
    )
    [event] = audit_events("attendance.changed")
    assert event.reason == "Sheet says absent" and event.actor_id == coordinator.id
    assert stored(workshop)[(first.id, AM)] == ABSENT


def test_overview_rates_minimum_and_counts_by_sex(workshop):
    ts = workshop.training_session
    ba, traore, zongo = workshop.enrollments  # family-name order
    for day in ts.days:
        services.save_day(
            ts, day, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
        )
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    services.save_day(
        ts,
        START,
        [DayEntry(zongo.id, AM, ABSENT), DayEntry(zongo.id, PM, ABSENT)],
        actor=workshop.trainer_user,
        loaded_versions=versions,
    )
    overview = services.session_overview(ts)
    assert [row.enrollment.id for row in overview.rows] == [ba.id, traore.id, zongo.id]
    rates = {row.enrollment.id: row.attendance_rate for row in overview.rows}
    assert rates[zongo.id] == pytest.approx(4 / 6)
    assert [row.below_minimum for row in overview.rows] == [False, False, True]
    assert overview.present_by_sex[(Sex.MALE, START, AM)] == 1
    assert overview.present_by_sex[(Sex.FEMALE, START, AM)] == 1
    assert overview.totals_by_sex == {Sex.FEMALE: 6, Sex.MALE: 10}
    assert overview.participants_by_sex == {Sex.FEMALE: 1, Sex.MALE: 2}


def test_scores_are_saved_audited_and_averaged(workshop):
    ts = workshop.training_session
    ba, traore, zongo = workshop.enrollments
    changed = services.save_scores(
        ts,
        [ScoreEntry(ba.id, 40, 70), ScoreEntry(traore.id, 50, 60), ScoreEntry(zongo.id, None, 80)],
        actor=workshop.trainer_user,
    )
    db.session.commit()
    assert changed == 3
    assert services.average_knowledge_gain(workshop.enrollments) == pytest.approx(20)
    assert len(audit_events("scores.changed")) == 3
    with pytest.raises(DomainError):
        services.save_scores(ts, [ScoreEntry(ba.id, 101, None)], actor=workshop.trainer_user)
    with pytest.raises(DomainError):
        services.save_scores(
            ts, [ScoreEntry(workshop.nominated.id, 10, 10)], actor=workshop.trainer_user
        )
    db.session.rollback()
    db.session.refresh(ba)
    assert (ba.pre_test_score, ba.post_test_score) == (40, 70)


def test_trainer_home_lists_today_first_then_upcoming_then_past(workshop):
    trainer = workshop.trainer_user.trainer
    today = START + timedelta(days=1)
    later = factories.make_session(start_date=date(2026, 6, 1))
    soon = factories.make_session(start_date=date(2026, 4, 1))
    old = factories.make_session(start_date=date(2025, 1, 6))
    older = factories.make_session(start_date=date(2024, 1, 8))
    cancelled = factories.make_session(start_date=date(2026, 5, 4), status=SessionStatus.CANCELLED)
    for ts in (later, soon, old, older, cancelled):
        factories.assign(trainer, ts)
    services.save_day(
        workshop.training_session,
        START,
        everyone(workshop, periods=(AM,)),
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    home = trainer_home(workshop.trainer_user, today=today)
    [current] = home["current_sessions"]
    assert current.training_session.id == workshop.id and current.today == today
    assert [t.training_session.id for t in home["upcoming_sessions"]] == [soon.id, later.id]
    assert [t.training_session.id for t in home["past_sessions"]] == [old.id, older.id]
    first_day = current.days[0]
    assert first_day.missing == {AM: 0, PM: 3}
    assert [status.day for status in current.incomplete_days] == [START, START + timedelta(days=1)]


def test_records_are_unique_per_cell(workshop):
    services.save_day(
        workshop.training_session,
        START,
        everyone(workshop),
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord))
    assert count == 6


def test_mid_session_only_those_who_can_no_longer_reach_the_minimum_are_flagged(workshop):
    ts = workshop.training_session
    ba, traore, zongo = workshop.enrollments
    entries = [
        DayEntry(ba.id, AM, PRESENT),
        DayEntry(ba.id, PM, PRESENT),
        DayEntry(traore.id, AM, ABSENT),  # one period missed: 5 of 6 still possible
        DayEntry(traore.id, PM, PRESENT),
        DayEntry(zongo.id, AM, ABSENT),  # two missed: at best 4 of 6, under 80 %
        DayEntry(zongo.id, PM, ABSENT),
    ]
    services.save_day(ts, START, entries, actor=workshop.trainer_user, loaded_versions={})
    rows = {row.enrollment.id: row for row in services.session_overview(ts).rows}
    assert rows[ba.id].attendance_rate == pytest.approx(2 / 6)
    assert rows[ba.id].best_possible_rate == pytest.approx(1)
    assert [rows[e.id].below_minimum for e in (ba, traore, zongo)] == [False, False, True]
