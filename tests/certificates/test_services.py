"""The certificate rules: eligibility, issuing, serials, codes, revocation,
correction and verification."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from tests import factories
from tests.certificates.conftest import attend, completed_session, graduate
from training.audit.models import AuditEvent
from training.certificates import services, verification
from training.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateSerialCounter,
    CertificateStatus,
    group_code,
)
from training.domain import DomainError
from training.extensions import db
from training.models import EnrollmentStatus, SessionKind, SessionStatus


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def one_row(training_session):
    (row,) = services.session_eligibility(training_session)
    return row


# ---------------------------------------------------------------- eligibility


def test_full_attendance_and_passed_test_earn_completion(app):
    training_session = completed_session()
    graduate(training_session, score=60)  # exactly the pass mark
    row = one_row(training_session)
    assert row.kind == CertificateKind.COMPLETION
    assert row.attendance_rate == 1.0
    assert row.reason is None


def test_failed_or_missing_test_earns_participation(app):
    training_session = completed_session()
    graduate(training_session, score=59)
    graduate(training_session, score=None)
    rows = services.session_eligibility(training_session)
    assert {row.kind for row in rows} == {CertificateKind.PARTICIPATION}
    reasons = sorted(row.reason for row in rows)
    assert "No post-test score." in reasons
    assert any("below the pass mark of 60%" in reason for reason in reasons)


def test_curriculum_without_test_needs_attendance_only(app):
    training_session = completed_session(
        curriculum=factories.make_curriculum(pass_mark_percent=None)
    )
    graduate(training_session, score=None)
    assert one_row(training_session).kind == CertificateKind.COMPLETION


def test_attendance_below_minimum_earns_nothing_with_the_reason(app):
    training_session = completed_session()  # 3 days: 6 periods; minimum 80 %
    enrollment = factories.enroll(training_session=training_session, post_test_score=95)
    attend(enrollment, periods=4)  # 67 %
    row = one_row(training_session)
    assert row.kind is None
    assert row.reason == "Attendance 67% is below the minimum of 80%."
    assert row.overridable


def test_attendance_exactly_at_the_minimum_is_met(app):
    curriculum = factories.make_curriculum(min_attendance_percent=50)
    training_session = completed_session(curriculum=curriculum)
    enrollment = factories.enroll(training_session=training_session, post_test_score=70)
    attend(enrollment, periods=3)  # 3 / 6 = 50 %
    assert one_row(training_session).kind == CertificateKind.COMPLETION


def test_late_counts_as_attended_through_the_attendance_rule(app):
    training_session = completed_session()
    enrollment = factories.enroll(training_session=training_session, post_test_score=70)
    factories.mark_all(enrollment, factories.AttendanceStatus.LATE)
    assert one_row(training_session).kind == CertificateKind.COMPLETION


def test_graduate_of_a_training_of_trainers_earns_a_trainer_certificate(app):
    training_session = completed_session(kind=SessionKind.TRAINING_OF_TRAINERS)
    graduate(training_session, score=90)
    graduate(training_session, score=10)
    kinds = sorted(row.kind.value for row in services.session_eligibility(training_session))
    assert kinds == ["participation", "trainer"]


@pytest.mark.parametrize("status", [SessionStatus.OPEN, SessionStatus.IN_PROGRESS])
def test_nothing_before_the_session_is_completed(app, status):
    training_session = completed_session(status=status)
    graduate(training_session)
    row = one_row(training_session)
    assert row.kind is None
    assert row.reason == "The session is not completed."
    assert not row.overridable


def test_only_confirmed_enrollments_are_listed_and_others_cannot_be_issued(app):
    training_session = completed_session()
    nominated = graduate(training_session, status=EnrollmentStatus.NOMINATED)
    assert services.session_eligibility(training_session) == []
    coordinator = factories.make_user("coordinator")
    with pytest.raises(DomainError, match="not confirmed"):
        services.issue_certificate(nominated, coordinator, override_reason="Attended anyway")


# -------------------------------------------------------------------- issuing


def test_issue_freezes_the_statement_and_the_pdf(app):
    training_session = completed_session(city="Niamey", country="NE")
    enrollment = graduate(training_session)
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(enrollment, coordinator)
    participant = enrollment.participant
    assert certificate.kind == CertificateKind.COMPLETION
    assert certificate.holder_name == participant.full_name
    assert certificate.holder_rank == "Commissaire"
    assert certificate.city == "Niamey"
    assert certificate.total_hours == training_session.curriculum.total_hours
    assert certificate.issuers.startswith("UNODC; DPO")
    assert certificate.issued_by_id == coordinator.id
    assert certificate.pdf.startswith(b"%PDF")
    assert certificate.pdf_sha256 == hashlib.sha256(certificate.pdf).hexdigest()
    text = pdf_text(certificate.pdf)
    assert participant.full_name in text
    assert certificate.serial in text
    # What a checker types, and where: the serial, short enough to read over
    # a telephone, with the family name; the QR code is signed (test_signing).
    assert "127.0.0.1:5000/verify" in text
    assert certificate.holder_family_name == participant.family_name
    assert certificate.signed_payload and certificate.signing_key is not None


def test_issuing_twice_returns_the_same_certificate(app):
    enrollment = graduate(completed_session())
    coordinator = factories.make_user("coordinator")
    first = services.issue_certificate(enrollment, coordinator)
    db.session.commit()
    second = services.issue_certificate(enrollment, coordinator)
    assert second.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_override_needs_a_written_reason_which_is_kept_and_audited(app):
    training_session = completed_session()
    enrollment = factories.enroll(training_session=training_session, post_test_score=90)
    attend(enrollment, periods=2)
    coordinator = factories.make_user("coordinator")
    with pytest.raises(DomainError, match="A written reason is required"):
        services.issue_certificate(enrollment, coordinator)
    with pytest.raises(DomainError):
        services.issue_certificate(enrollment, coordinator, override_reason="   ")
    certificate = services.issue_certificate(
        enrollment, coordinator, override_reason="Absent on medical leave, work made up"
    )
    assert certificate.kind == CertificateKind.PARTICIPATION
    assert certificate.override_reason == "Absent on medical leave, work made up"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "certificate.issued")
    )
    assert event.reason == "Absent on medical leave, work made up"
    assert event.actor_id == coordinator.id
    assert event.participant_id == enrollment.participant_id


def test_a_kind_not_earned_is_an_override_too(app):
    training_session = completed_session()
    enrollment = graduate(training_session, score=20)  # participation earned
    coordinator = factories.make_user("coordinator")
    with pytest.raises(DomainError):
        services.issue_certificate(enrollment, coordinator, kind=CertificateKind.COMPLETION)
    certificate = services.issue_certificate(
        enrollment, coordinator, kind=CertificateKind.COMPLETION, override_reason="Test re-sat"
    )
    assert certificate.kind == CertificateKind.COMPLETION
    assert certificate.override_reason == "Test re-sat"


def test_the_kind_earned_needs_no_reason_and_records_none(app):
    enrollment = graduate(completed_session())
    certificate = services.issue_certificate(
        enrollment, factories.make_user("coordinator"), override_reason="not needed"
    )
    assert certificate.override_reason is None


def test_issue_all_issues_the_eligible_once(app):
    training_session = completed_session()
    for _ in range(3):
        graduate(training_session)
    low = factories.enroll(training_session=training_session)
    attend(low, periods=1)
    coordinator = factories.make_user("coordinator")
    result = services.issue_all_eligible(training_session, coordinator)
    db.session.commit()
    assert len(result.issued) == 3
    serials = sorted(c.serial for c in result.issued)
    year = datetime.now(UTC).year
    assert serials == [f"ATL-{year}-00000{n}" for n in (1, 2, 3)]
    again = services.issue_all_eligible(training_session, coordinator)
    assert again.issued == [] and again.already == 3
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "certificate.issued")
        )
        == 3
    )


def test_issue_all_is_all_or_none(app, monkeypatch):
    training_session = completed_session()
    for _ in range(3):
        graduate(training_session)
    db.session.commit()
    real = services.render_certificate
    calls = []

    def failing(data):
        calls.append(data)
        if len(calls) == 3:
            raise RuntimeError("printer on fire")
        return real(data)

    monkeypatch.setattr(services, "render_certificate", failing)
    with pytest.raises(RuntimeError):
        services.issue_all_eligible(training_session, factories.make_user("coordinator"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateSerialCounter)) == 0


def test_issue_all_refuses_a_session_not_completed(app):
    training_session = completed_session(status=SessionStatus.IN_PROGRESS)
    graduate(training_session)
    with pytest.raises(DomainError, match="completed"):
        services.issue_all_eligible(training_session, factories.make_user("coordinator"))


def test_validity_from_the_curriculum(app):
    curriculum = factories.make_curriculum(certificate_validity_months=24)
    training_session = completed_session(curriculum=curriculum, start_date=date(2026, 2, 26))
    certificate = services.issue_certificate(graduate(training_session), factories.make_user())
    assert certificate.valid_until == date(2028, 2, 28)  # end date 28 Feb 2026 + 24 months
    assert "Valable jusqu’au 28 février 2028" in pdf_text(certificate.pdf)


# ---------------------------------------------------------- serials and codes


def test_serials_are_sequential_per_year(app):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), tick=False):
        assert services.allocate_serials(2026) == ["ATL-2026-000001"]
        assert services.allocate_serials(2026, 2) == ["ATL-2026-000002", "ATL-2026-000003"]
    assert services.allocate_serials(2027) == ["ATL-2027-000001"]
    assert services.allocate_serials(2026) == ["ATL-2026-000004"]


def test_verification_code_has_160_random_bits_and_reads_in_groups(app):
    enrollment = graduate(completed_session())
    certificate = services.issue_certificate(enrollment, factories.make_user())
    code = certificate.verification_code
    assert re.fullmatch(r"[A-Z2-7]{32}", code)
    assert re.fullmatch(r"([A-Z2-7]{4}-){7}[A-Z2-7]{4}", certificate.grouped_code)
    codes = {services.new_verification_code() for _ in range(200)}
    assert len(codes) == 200


@pytest.mark.parametrize(
    "typed",
    [
        "abcd-efgh-ijkl-mnop-qrst-uvwx-yz23-4567",
        "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567",
        " abcdefghijklmnopqrstuvwxyz234567 ",
        "ABCD-EFGH-1JKL-MN0P-QRST-UVWX-YZ23-4567",  # 1 for I, 0 for O
    ],
)
def test_codes_are_matched_whatever_the_case_spaces_or_dashes(typed):
    assert verification.normalise_code(typed) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# ------------------------------------------------------ revoking, correcting


def test_revocation_needs_a_reason_is_final_and_audited(app):
    enrollment = graduate(completed_session())
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(enrollment, coordinator)
    with pytest.raises(DomainError, match="reason"):
        services.revoke_certificate(certificate, coordinator, " ")
    services.revoke_certificate(certificate, coordinator, "Issued in error")
    db.session.commit()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_at is not None
    assert certificate.current_enrollment_id is None
    with pytest.raises(DomainError, match="already revoked"):
        services.revoke_certificate(certificate, coordinator, "again")
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "certificate.revoked")
    )
    assert event.reason == "Issued in error"
    # A revoked certificate is not current: issuing again gives a new one.
    again = services.issue_certificate(enrollment, coordinator)
    assert again.id != certificate.id


def test_reissue_is_a_new_certificate_that_replaces_and_says_so(app):
    enrollment = graduate(completed_session())
    coordinator = factories.make_user("coordinator")
    old = services.issue_certificate(enrollment, coordinator)
    db.session.commit()
    enrollment.participant.family_name = "Traoré-Corrigé"
    replacement = services.reissue_certificate(old, coordinator, "Family name misspelt")
    db.session.commit()
    assert replacement.serial != old.serial
    assert replacement.verification_code != old.verification_code
    assert replacement.replaces_id == old.id
    assert replacement.holder_name.endswith("Traoré-Corrigé")
    assert old.status == CertificateStatus.REVOKED
    assert old.revocation_reason == f"Replaced by {replacement.serial}: Family name misspelt"
    text = pdf_text(replacement.pdf)
    assert f"remplace le certificat {old.serial}" in text
    assert verification.verify(old.verification_code).state == "revoked"
    assert verification.verify(replacement.verification_code).state == "valid"
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"certificate.revoked", "certificate.reissued"} <= actions


def test_only_a_valid_certificate_can_be_reissued(app):
    enrollment = graduate(completed_session())
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(enrollment, coordinator)
    services.revoke_certificate(certificate, coordinator, "Fraud")
    with pytest.raises(DomainError):
        services.reissue_certificate(certificate, coordinator, "Correction")


# -------------------------------------------------------------- verification


def test_verification_states(app):
    curriculum = factories.make_curriculum(certificate_validity_months=12)
    training_session = completed_session(curriculum=curriculum, start_date=date(2026, 3, 2))
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(graduate(training_session), coordinator)
    code = certificate.verification_code
    assert verification.verify(code, today=date(2026, 6, 1)).state == "valid"
    assert verification.verify(code.lower(), today=date(2027, 3, 4)).state == "valid"
    assert verification.verify(code, today=date(2027, 3, 5)).state == "expired"
    assert verification.verify("A" * 32).state == "unknown"
    assert verification.verify("short").state == "unknown"
    services.revoke_certificate(certificate, coordinator, "Fraud")
    result = verification.verify(group_code(code), today=date(2026, 6, 1))
    assert result.state == "revoked"
    assert result.revoked_on == datetime.now(UTC).date()
    assert result.holder_name == certificate.holder_name


def test_verification_holds_only_public_fields():
    fields = set(verification.Verification.__dataclass_fields__)
    assert fields == {
        "state",
        "serial",
        "holder_name",
        "course_title_en",
        "course_title_fr",
        "start_date",
        "end_date",
        "kind",
        "issuers",
        "issued_on",
        "valid_until",
        "revoked_on",
        "signature_checked",
        "kid",
    }
