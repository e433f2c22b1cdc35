"""Regression (issue 10): the coordinator's "nominees awaiting screening"
alert used its own clearance rule (any record valid today) while confirm()
used the latest record valid on the session's start date, and the
enrollments page's badge used today. One rule, on the session's start date,
now drives the alert, the badge and confirmation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from training.domain import DomainError
from training.enrollment import services as enrollment
from training.enrollment.alerts import nominees_awaiting_screening
from training.extensions import db
from training.models import EnrollmentStatus, ScreeningStatus, SessionStatus
from training.people.screening import cleared_on, is_cleared

TODAY = date.today()


@pytest.fixture
def session_ahead(app):
    return factories.make_session(start_date=TODAY + timedelta(days=30), status=SessionStatus.OPEN)


def nominee(training_session, *records):
    participant = factories.make_participant(cleared=False)
    for status, screened_on, valid_until in records:
        factories.screen(participant, status, screened_on=screened_on, valid_until=valid_until)
    return factories.enroll(participant, training_session, status=EnrollmentStatus.NOMINATED)


def listed(today=TODAY) -> set[int]:
    return {item.id for item in nominees_awaiting_screening(today).items}


def test_a_superseded_clearance_is_awaiting_screening(session_ahead):
    superseded = nominee(
        session_ahead,
        (ScreeningStatus.CLEARED, date(2020, 1, 1), None),
        (ScreeningStatus.NOT_CLEARED, date(2025, 1, 1), None),
    )
    assert superseded.id in listed()
    coordinator = factories.make_user("coordinator")
    with pytest.raises(DomainError):
        enrollment.confirm(superseded, actor=coordinator)


def test_a_clearance_lapsing_before_the_start_is_awaiting_screening(session_ahead):
    lapsing = nominee(
        session_ahead, (ScreeningStatus.CLEARED, date(2024, 1, 1), TODAY + timedelta(days=10))
    )
    assert is_cleared(lapsing.participant, TODAY)  # valid today...
    assert lapsing.id in listed()  # ...but not on the start date, so listed
    with pytest.raises(DomainError):
        enrollment.confirm(lapsing, actor=factories.make_user("coordinator"))


def test_a_clearance_valid_on_the_start_date_is_not_listed_and_confirms(session_ahead):
    cleared = nominee(
        session_ahead,
        (ScreeningStatus.NOT_CLEARED, date(2020, 1, 1), None),
        (ScreeningStatus.CLEARED_WITH_CONDITIONS, date(2025, 1, 1), None),
    )
    assert cleared.id not in listed()
    enrollment.confirm(cleared, actor=factories.make_user("coordinator"))
    assert cleared.status == EnrollmentStatus.CONFIRMED


@pytest.mark.parametrize(
    ("records", "day", "expected"),
    [
        ([], date(2026, 1, 1), False),
        ([(ScreeningStatus.CLEARED, date(2026, 1, 1), None)], date(2025, 12, 31), False),
        ([(ScreeningStatus.CLEARED, date(2026, 1, 1), None)], date(2026, 1, 1), True),
        ([(ScreeningStatus.CLEARED, None, date(2026, 6, 30))], date(2026, 7, 1), False),
        ([(ScreeningStatus.PENDING, date(2026, 1, 1), None)], date(2026, 2, 1), False),
        (
            [
                (ScreeningStatus.CLEARED, date(2025, 1, 1), None),
                (ScreeningStatus.NOT_CLEARED, date(2026, 1, 1), None),
            ],
            date(2026, 2, 1),
            False,
        ),
        (
            [
                (ScreeningStatus.CLEARED, date(2025, 1, 1), None),
                (ScreeningStatus.NOT_CLEARED, date(2026, 1, 1), date(2026, 1, 31)),
            ],
            date(2026, 2, 1),
            True,
        ),
    ],
)
def test_the_python_and_sql_rules_agree(app, records, day, expected):
    participant = factories.make_participant(cleared=False)
    for status, screened_on, valid_until in records:
        factories.screen(participant, status, screened_on=screened_on, valid_until=valid_until)
    db.session.flush()
    assert is_cleared(participant, day) is expected
    from sqlalchemy import literal, select

    assert db.session.scalar(select(cleared_on(literal(participant.id), literal(day)))) == expected


def test_the_enrollments_badge_speaks_for_the_session_start(client, login_as, app):
    """A session in progress since three days, a nominee whose clearance
    lapsed yesterday: cleared on the start date, so confirm() accepts them;
    the badge said "expired"."""
    in_progress = factories.make_session(
        start_date=TODAY - timedelta(days=3),
        end_date=TODAY + timedelta(days=1),
        status=SessionStatus.IN_PROGRESS,
    )
    lapsed_yesterday = nominee(
        in_progress, (ScreeningStatus.CLEARED, date(2024, 1, 1), TODAY - timedelta(days=1))
    )
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{in_progress.id}/enrollments").get_data(as_text=True)
    row = page[page.index(lapsed_yesterday.participant.family_name) :][:600]
    assert 'data-screening="cleared"' in row
    assert lapsed_yesterday.id not in listed()
    response = client.post(
        f"/sessions/{in_progress.id}/enrollments/{lapsed_yesterday.id}/confirm", data={}
    )
    assert response.status_code == 303
