"""A completed session's enrollments are its record (issue 10: the rule
was allowed but stated by no test, and the withdrawn participant's
certificate still verified). Withdrawal is refused once the session is
completed, through the service and the page; before that it is allowed."""

from __future__ import annotations

import pytest

from tests import factories
from training.domain import DomainError
from training.enrollment import services
from training.extensions import db
from training.models import EnrollmentStatus, SessionStatus


def test_withdrawal_from_a_completed_session_is_refused(app):
    enrollment = factories.enroll(
        training_session=factories.make_session(status=SessionStatus.COMPLETED)
    )
    with pytest.raises(DomainError, match="cannot be withdrawn"):
        services.withdraw(enrollment, actor=factories.make_user("coordinator"))


def test_the_page_refuses_it_with_the_reason_and_keeps_the_enrollment(client, login_as):
    training_session = factories.make_session(status=SessionStatus.COMPLETED)
    enrollment = factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/{enrollment.id}/withdraw", data={}
    )
    assert response.status_code == 409
    assert "is completed: its enrollments are part of its record" in response.get_data(as_text=True)
    db.session.expire_all()
    assert enrollment.status == EnrollmentStatus.CONFIRMED


@pytest.mark.parametrize("status", [SessionStatus.IN_PROGRESS, SessionStatus.CANCELLED])
def test_withdrawal_before_completion_is_allowed(app, status):
    enrollment = factories.enroll(training_session=factories.make_session(status=status))
    services.withdraw(enrollment, actor=factories.make_user("coordinator"))
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
