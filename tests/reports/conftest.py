"""A small programme built by hand, whose every figure is worked out in
tests/reports/test_services.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests import factories
from training.extensions import db
from training.models import (
    AttendanceStatus,
    Certificate,
    CertificateKind,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    OrganisationKind,
    Participant,
    Period,
    SessionKind,
    SessionStatus,
    Sex,
    Theme,
    TrainingSession,
)
from training.reports import projection


def make_certificate(
    enrollment: Enrollment,
    kind: CertificateKind = CertificateKind.COMPLETION,
    status: CertificateStatus = CertificateStatus.VALID,
) -> Certificate:
    """A certificate with its frozen statement filled, straight into the model
    (issuing is the certificates area's; the reports only count them)."""
    training_session = enrollment.training_session
    participant = enrollment.participant
    revoked = status == CertificateStatus.REVOKED
    certificate = Certificate(
        enrollment=enrollment,
        current_enrollment_id=None if revoked else enrollment.id,
        kind=kind,
        serial=f"ATL-{training_session.start_date.year}-{secrets.randbelow(10**6):06d}",
        verification_code=secrets.token_hex(16),
        status=status,
        revoked_at=datetime.now(UTC) if revoked else None,
        revocation_reason="Issued in error" if revoked else None,
        holder_name=participant.full_name,
        course_title_en=training_session.curriculum.title_en,
        course_title_fr=training_session.curriculum.title_fr,
        session_code=training_session.code,
        start_date=training_session.start_date,
        end_date=training_session.end_date,
        city=training_session.city,
        country=training_session.country,
        language="fr",
        total_hours=Decimal("6.0"),
        issuers="UNODC; DPO",
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


@dataclass
class Programme:
    s1: TrainingSession
    s2: TrainingSession
    s3: TrainingSession
    s4: TrainingSession
    a: Participant
    b: Participant
    c: Participant
    d: Participant
    e: Participant
    partner: Any
    curriculum_ct: Any
    curriculum_drugs: Any


@pytest.fixture
def programme(app) -> Programme:
    """Four sessions, five participants (see test_services.py for the sums).

    - S1 counter-terrorism, Niger, 3–5 March 2025 (6 periods), completed,
      partner EUCAP: A (F, NE, police) 6/6, pre 40 post 80, completion;
      B (M, ML, customs) 5/6, pre 30 only, participation; C (F, ML,
      customs) 6/6, pre 60 post 90, completion REVOKED; E withdrawn (marked
      present all the same: must not count).
    - S2 drugs, Mali, 12–13 January 2026 (4 periods), completed: A 2/4
      (present, absent, late, excused), pre 50 post 55; D (M, no nationality,
      no organisation) 4/4, pre 20 post 70, completion; E nominated.
    - S3 counter-terrorism, June 2026, open: E confirmed (not held yet).
    - S4 counter-terrorism training of trainers, Niger, 3 November 2025,
      completed, nobody confirmed; it qualified trainer T1 (police) for two
      curricula. T2 is qualified without a training of trainers.
    """
    police_ne = factories.make_organisation(country="NE", kind=OrganisationKind.POLICE)
    customs_ml = factories.make_organisation(
        name="Douanes maliennes", acronym="DGD", country="ML", kind=OrganisationKind.CUSTOMS
    )
    partner = factories.make_organisation(
        name="EUCAP Sahel Niger", acronym="EUCAP", country="NE", kind=OrganisationKind.DONOR
    )
    curriculum_ct = factories.make_curriculum(theme=Theme.COUNTER_TERRORISM)
    curriculum_drugs = factories.make_curriculum(theme=Theme.DRUGS)

    s1 = factories.make_session(
        curriculum_ct,
        start_date=date(2025, 3, 3),
        end_date=date(2025, 3, 5),
        country="NE",
        status=SessionStatus.COMPLETED,
    )
    s1.partners.append(partner)
    s2 = factories.make_session(
        curriculum_drugs,
        start_date=date(2026, 1, 12),
        end_date=date(2026, 1, 13),
        country="ML",
        city="Bamako",
        status=SessionStatus.COMPLETED,
    )
    s3 = factories.make_session(curriculum_ct, start_date=date(2026, 6, 1), country="NE")
    s4 = factories.make_session(
        curriculum_ct,
        kind=SessionKind.TRAINING_OF_TRAINERS,
        start_date=date(2025, 11, 3),
        end_date=date(2025, 11, 3),
        country="NE",
        status=SessionStatus.COMPLETED,
    )

    a = factories.make_participant(
        given_name="Aïcha", sex=Sex.FEMALE, nationality="NE", organisation=police_ne
    )
    b = factories.make_participant(
        given_name="Boubacar", sex=Sex.MALE, nationality="ML", organisation=customs_ml
    )
    c = factories.make_participant(
        given_name="Coumba", sex=Sex.FEMALE, nationality="ML", organisation=customs_ml
    )
    d = factories.make_participant(
        given_name="Djibril", sex=Sex.MALE, nationality=None, organisation=None
    )
    e = factories.make_participant(
        given_name="Esther", sex=Sex.FEMALE, nationality="NE", organisation=police_ne
    )

    a1 = factories.enroll(a, s1, pre_test_score=40, post_test_score=80)
    factories.mark_all(a1)
    make_certificate(a1, CertificateKind.COMPLETION)

    b1 = factories.enroll(b, s1, pre_test_score=30)
    factories.mark_all(b1)
    db.session.flush()
    b1.attendance_records[-1].status = AttendanceStatus.ABSENT
    make_certificate(b1, CertificateKind.PARTICIPATION)

    c1 = factories.enroll(c, s1, pre_test_score=60, post_test_score=90)
    factories.mark_all(c1)
    make_certificate(c1, CertificateKind.COMPLETION, CertificateStatus.REVOKED)

    e1 = factories.enroll(e, s1, status=EnrollmentStatus.WITHDRAWN, pre_test_score=0)
    factories.mark_all(e1)

    a2 = factories.enroll(a, s2, pre_test_score=50, post_test_score=55)
    factories.mark(a2, s2.start_date, Period.AM, AttendanceStatus.PRESENT)
    factories.mark(a2, s2.start_date, Period.PM, AttendanceStatus.ABSENT)
    factories.mark(a2, s2.end_date, Period.AM, AttendanceStatus.LATE)
    factories.mark(a2, s2.end_date, Period.PM, AttendanceStatus.EXCUSED)

    d2 = factories.enroll(d, s2, pre_test_score=20, post_test_score=70)
    factories.mark_all(d2)
    make_certificate(d2, CertificateKind.COMPLETION)

    factories.enroll(e, s2, status=EnrollmentStatus.NOMINATED)
    factories.enroll(e, s3, pre_test_score=10, post_test_score=100)

    t1 = factories.make_trainer(organisation=police_ne)
    factories.qualify(t1, curriculum_ct, source_session_id=s4.id, qualified_on=date(2025, 11, 3))
    factories.qualify(t1, curriculum_drugs, source_session_id=s4.id, qualified_on=date(2025, 11, 3))
    t2 = factories.make_trainer()
    factories.qualify(t2, curriculum_ct)
    db.session.commit()
    projection.catch_up()  # read as a report page would
    return Programme(s1, s2, s3, s4, a, b, c, d, e, partner, curriculum_ct, curriculum_drugs)
