"""Two records of one person become one."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.auth.models import Role
from training.certificates.models import Certificate
from training.domain import DomainError
from training.enrollment.merge import merge_participants, plan_merge
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.people.models import Participant


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def two_records():
    organisation = factories.make_organisation()
    kept = factories.make_participant(
        given_name="Aminata", family_name="Diallo", organisation=organisation, phone=None
    )
    merged = factories.make_participant(
        given_name="DIALLO",
        family_name="Aminata",
        organisation=None,
        email=None,
        phone="+223 76 00 11 22",
        rank="Capitaine",
    )
    kept.rank = None
    db.session.flush()
    return kept, merged


def test_the_merged_records_trainings_screenings_history_and_account_follow(app):
    coordinator = factories.make_user(Role.COORDINATOR)
    kept, merged = two_records()
    old = factories.make_session()
    new = factories.make_session()
    factories.enroll(kept, new, status=EnrollmentStatus.CONFIRMED)
    enrollment = factories.enroll(merged, old, status=EnrollmentStatus.CONFIRMED)
    user = factories.make_user(Role.PARTICIPANT, participant=merged)
    screenings = len(merged.screenings) + len(kept.screenings)
    assert len(merged.screenings) >= 1
    merged_id = merged.id
    record_event("participant.updated", entity=merged, participant_id=merged_id)

    plan = merge_participants(kept, merged, actor=coordinator)

    assert plan.enrollments == 1 and plan.filled == ("rank", "phone")
    assert db.session.get(Participant, merged_id) is None
    assert enrollment.participant is kept
    assert {e.session_id for e in kept.enrollments} == {old.id, new.id}
    assert len(kept.screenings) == screenings
    assert kept.phone == "+223 76 00 11 22" and kept.rank == "Capitaine"
    assert kept.email  # its own, untouched
    assert user.participant is kept
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.participant_id == merged_id))
        == 0
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "participant.merged")
    )
    assert event.participant_id == kept.id and event.changes["before"]["merged_id"] == merged_id


def test_certificates_stay_frozen_under_the_name_they_were_issued_to(app):
    from tests.certificates.conftest import completed_session, graduate
    from training.certificates import services as certificates

    coordinator = factories.make_user(Role.COORDINATOR)
    kept, merged = two_records()
    enrollment = graduate(completed_session(), participant=merged)
    certificate = certificates.issue_certificate(enrollment, coordinator)
    holder = certificate.holder_name
    merge_participants(kept, merged, actor=coordinator)
    db.session.refresh(certificate)
    assert certificate.enrollment.participant is kept
    assert certificate.holder_name == holder and "DIALLO" in holder.upper()


def test_a_merge_is_refused_for_one_record_two_nominations_to_one_session_or_two_accounts(app):
    kept, merged = two_records()
    with pytest.raises(DomainError, match="two different records"):
        plan_merge(kept, kept)
    shared = factories.make_session()
    factories.enroll(kept, shared)
    factories.enroll(merged, shared)
    with pytest.raises(DomainError, match=f"Both records are nominated for {shared.code}"):
        plan_merge(kept, merged)
    other_kept, other_merged = two_records()
    factories.make_user(Role.PARTICIPANT, participant=other_kept)
    factories.make_user(Role.PARTICIPANT, participant=other_merged)
    with pytest.raises(DomainError, match="Both records have an account"):
        plan_merge(other_kept, other_merged)


def test_a_coordinator_finds_the_other_record_sees_what_moves_and_merges(client, login_as):
    login_as("coordinator")
    kept, merged = two_records()
    factories.enroll(merged, factories.make_session())
    db.session.commit()
    page = page_text(client.get(f"/participants/{kept.id}"))
    assert "Merge with another record" in page
    choose = page_text(client.get(f"/participants/{kept.id}/merge"))
    assert "Likely the same person" in choose and "DIALLO Aminata" in choose
    confirm = page_text(client.get(f"/participants/{kept.id}/merge/{merged.id}"))
    assert "1 training, with its attendance" in confirm and "rank, phone" in confirm
    response = client.post(f"/participants/{kept.id}/merge/{merged.id}", follow_redirects=True)
    assert "DIALLO Aminata's record is merged into Aminata Diallo's." in page_text(response)
    assert db.session.get(Participant, merged.id) is None
    assert client.get(f"/participants/{merged.id}").status_code == 404


def test_a_refused_merge_says_why_and_changes_nothing(client, login_as):
    login_as("coordinator")
    kept, merged = two_records()
    shared = factories.make_session()
    factories.enroll(kept, shared)
    factories.enroll(merged, shared)
    db.session.commit()
    response = client.post(f"/participants/{kept.id}/merge/{merged.id}", follow_redirects=True)
    assert "Both records are nominated for" in page_text(response)
    assert db.session.get(Participant, merged.id) is not None
    assert client.get(f"/participants/{kept.id}/merge/{kept.id}").status_code == 302
    assert client.get(f"/participants/{kept.id}/merge/999999").status_code == 404


def test_searching_for_the_other_record(client, login_as):
    login_as("coordinator")
    kept, _merged = two_records()
    other = factories.make_participant(given_name="Oumou", family_name="Sangaré")
    db.session.commit()
    found = page_text(client.get(f"/participants/{kept.id}/merge?q=sangare"))
    assert "Oumou Sangaré" in found
    assert "No record matches" in page_text(client.get(f"/participants/{kept.id}/merge?q=zzzz"))
    assert other.id


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("coordinator", True), ("trainer", False), ("participant", False)],
)
def test_who_may_merge_records(client, login_as, role, allowed):
    login_as(role)
    kept, merged = two_records()
    db.session.commit()
    for method, url in (
        ("GET", f"/participants/{kept.id}/merge"),
        ("GET", f"/participants/{kept.id}/merge/{merged.id}"),
        ("POST", f"/participants/{kept.id}/merge/{merged.id}"),
    ):
        status = client.open(url, method=method).status_code
        assert status in (200, 303) if allowed else status == 403, (method, url, status)
    assert (db.session.get(Participant, merged.id) is None) == allowed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
