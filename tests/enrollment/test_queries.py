"""What a session's enrollments add up to."""

from __future__ import annotations

from tests import factories
from training.enrollment import queries
from training.models import EnrollmentStatus, Sex


def test_enrollment_counts_by_status_and_sex(app):
    training_session = factories.make_session(capacity=10)
    for sex, status in [
        (Sex.FEMALE, EnrollmentStatus.CONFIRMED),
        (Sex.FEMALE, EnrollmentStatus.CONFIRMED),
        (Sex.MALE, EnrollmentStatus.CONFIRMED),
        (Sex.MALE, EnrollmentStatus.WAITLISTED),
    ]:
        factories.enroll(factories.make_participant(sex=sex), training_session, status=status)
    summary = queries.enrollment_counts(training_session)
    assert summary.count(EnrollmentStatus.CONFIRMED, Sex.FEMALE) == 2
    assert summary.confirmed == 3 and summary.places_left == 7 and summary.total == 4
    assert summary.sex_total(Sex.MALE) == 2
    assert summary.count(EnrollmentStatus.WITHDRAWN) == 0
