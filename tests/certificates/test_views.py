"""Certificate pages: permissions for every role, downloads, bulk files,
the participant's portal and public verification."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.certificates.conftest import attend, graduate
from training.audit.models import AuditEvent
from training.certificates import documents, services
from training.certificates.models import Certificate, CertificateStatus
from training.extensions import db
from training.sessions.models import SessionStatus

ROLES = ("admin", "coordinator", "trainer", "participant", "other_participant", "anonymous")


def sign_in(client, auth, world, role):
    if role != "anonymous":
        response = auth.login(world.users[role])
        assert response.status_code == 303


def issued(world):
    certificate = services.issue_certificate(world.enrollment, world.coordinator)
    db.session.commit()
    return certificate


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def expect(
    role: str, allowed: set[str], ok: int = 200, method: str = "GET"
) -> int | tuple[int, ...]:
    if role == "anonymous":
        return 302 if method == "GET" else 303  # to the sign-in page
    return ok if role in allowed else 403


STAFF = {"admin", "coordinator"}


# ---------------------------------------------------------- permission matrix


@pytest.mark.parametrize("role", ROLES)
def test_session_page_is_for_coordinators(client, auth, world, role):
    sign_in(client, auth, world, role)
    response = client.get(f"/sessions/{world.training_session.id}/certificates")
    assert response.status_code == expect(role, STAFF)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_issue_all_is_for_coordinators(client, auth, world, role):
    sign_in(client, auth, world, role)
    response = client.post(f"/sessions/{world.training_session.id}/certificates/issue")
    # Staff are sent to the job that issued them (inline under test).
    assert response.status_code == (303 if role in STAFF else expect(role, STAFF, method="POST"))
    assert count(Certificate) == (2 if role in STAFF else 0)


@pytest.mark.parametrize("role", ROLES)
def test_issue_one_is_for_coordinators(client, auth, world, role):
    sign_in(client, auth, world, role)
    response = client.post(
        f"/sessions/{world.training_session.id}/certificates/issue-one",
        data={"enrollment_id": world.enrollment.id},
    )
    assert response.status_code == (303 if role in STAFF else expect(role, STAFF, method="POST"))
    assert count(Certificate) == (1 if role in STAFF else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_revoke_and_reissue_are_for_coordinators(client, auth, world, role, action):
    certificate = issued(world)
    sign_in(client, auth, world, role)
    response = client.post(f"/certificates/{certificate.serial}/{action}", data={"reason": "Typo"})
    assert response.status_code == (303 if role in STAFF else expect(role, STAFF, method="POST"))
    db.session.expire_all()
    revoked = db.session.get(Certificate, certificate.id).status == CertificateStatus.REVOKED
    assert revoked == (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["zip", "pdf"])
def test_bulk_files_are_for_coordinators(client, auth, world, role, suffix):
    issued(world)
    sign_in(client, auth, world, role)
    response = client.get(f"/sessions/{world.training_session.id}/certificates.{suffix}")
    assert response.status_code == expect(role, STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_a_certificate_pdf_is_for_coordinators_and_its_owner(client, auth, world, role):
    certificate = issued(world)
    sign_in(client, auth, world, role)
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == expect(role, STAFF | {"participant"})
    if response.status_code == 200:
        assert response.data == certificate.pdf


@pytest.mark.parametrize("role", ROLES)
def test_me_is_for_participants(client, auth, world, role):
    sign_in(client, auth, world, role)
    response = client.get("/me")
    assert response.status_code == expect(role, {"participant", "other_participant"})


@pytest.mark.parametrize("role", ROLES)
def test_verification_is_public(client, auth, world, role):
    certificate = issued(world)
    sign_in(client, auth, world, role)
    assert client.get("/verify").status_code == 200
    assert client.get(f"/verify/{certificate.verification_code}").status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/sessions/{sid}/certificates/issue"),
        ("post", "/sessions/{sid}/certificates/issue-one"),
        ("post", "/certificates/{serial}/revoke"),
        ("post", "/certificates/{serial}/reissue"),
    ],
)
def test_every_post_needs_a_csrf_token(app, client, login_as, world, method, path):
    certificate = issued(world)
    login_as(world.coordinator)
    url = path.format(sid=world.training_session.id, serial=certificate.serial)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = getattr(client, method)(url, data={"reason": "x", "enrollment_id": 1})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert count(Certificate) == 1
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.VALID


def test_gets_change_nothing(client, login_as, world):
    certificate = issued(world)
    login_as(world.coordinator)
    before = (count(Certificate), count(AuditEvent))
    for url in (
        f"/sessions/{world.training_session.id}/certificates",
        f"/sessions/{world.training_session.id}/certificates.zip",
        f"/sessions/{world.training_session.id}/certificates.pdf",
        f"/certificates/{certificate.serial}.pdf",
        f"/verify/{certificate.verification_code}",
    ):
        assert client.get(url).status_code == 200
    assert (count(Certificate), count(AuditEvent)) == before


# ------------------------------------------------------------- coordinator


def test_session_page_lists_eligibility(client, login_as, world):
    low = factories.enroll(training_session=world.training_session, post_test_score=90)
    attend(low, periods=1)
    db.session.commit()
    login_as(world.coordinator)
    page = client.get(f"/sessions/{world.training_session.id}/certificates").get_data(as_text=True)
    assert world.owner.participant.family_name.upper() in page
    assert "Certificate of completion" in page
    assert "Attendance 17% is below the minimum of 80%." in page
    assert "Issue all eligible (2)" in page


def test_issue_all_then_the_page_counts_them(client, login_as, world):
    login_as(world.coordinator)
    response = client.post(f"/sessions/{world.training_session.id}/certificates/issue")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert job_url.startswith("/jobs/")
    job_page = client.get(job_url).get_data(as_text=True)
    assert "Issuing certificates" in job_page
    assert "The file is ready." in job_page
    back = f'href="/sessions/{world.training_session.id}/certificates"'
    assert back in job_page
    listed = client.get(f"{job_url}/result").get_data(as_text=True)
    assert sorted(line.split(",")[0] for line in listed.splitlines()[1:]) == sorted(
        c.serial for c in db.session.scalars(sa.select(Certificate))
    )
    page = client.get(f"/sessions/{world.training_session.id}/certificates").get_data(as_text=True)
    assert "2 issued" in page
    assert count(Certificate) == 2
    again = client.post(
        f"/sessions/{world.training_session.id}/certificates/issue", follow_redirects=True
    )
    assert "every eligible participant already holds one" in again.get_data(as_text=True)
    assert count(Certificate) == 2


def test_override_without_reason_is_refused_and_changes_nothing(client, login_as, world):
    low = factories.enroll(training_session=world.training_session, post_test_score=90)
    attend(low, periods=1)
    db.session.commit()
    login_as(world.coordinator)
    url = f"/sessions/{world.training_session.id}/certificates/issue-one"
    response = client.post(url, data={"enrollment_id": low.id, "reason": ""})
    assert response.status_code == 422
    assert "A written reason is required" in response.get_data(as_text=True)
    assert count(Certificate) == 0
    response = client.post(url, data={"enrollment_id": low.id, "reason": "Made up the work"})
    assert response.status_code == 303
    certificate = db.session.scalar(sa.select(Certificate))
    assert certificate.override_reason == "Made up the work"


def test_issue_one_of_another_session_is_404(client, login_as, world):
    other = graduate(factories.make_session(status=world.training_session.status))
    db.session.commit()
    login_as(world.coordinator)
    response = client.post(
        f"/sessions/{world.training_session.id}/certificates/issue-one",
        data={"enrollment_id": other.id},
    )
    assert response.status_code == 404
    assert count(Certificate) == 0


def test_revoke_without_reason_is_400_and_changes_nothing(client, login_as, world):
    certificate = issued(world)
    login_as(world.coordinator)
    response = client.post(f"/certificates/{certificate.serial}/revoke", data={"reason": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.VALID


def test_revoking_twice_is_409(client, login_as, world):
    certificate = issued(world)
    login_as(world.coordinator)
    url = f"/certificates/{certificate.serial}/revoke"
    assert client.post(url, data={"reason": "Fraud"}).status_code == 303
    assert client.post(url, data={"reason": "Fraud"}).status_code == 409


def test_unknown_serial_is_404(client, login_as, world):
    login_as(world.coordinator)
    assert client.get("/certificates/ATL-2026-999999.pdf").status_code == 404
    assert client.get("/certificates/nonsense.pdf").status_code == 404
    assert (
        client.post("/certificates/ATL-2026-999999/revoke", data={"reason": "x"}).status_code == 404
    )


# --------------------------------------------------------------- downloads


def test_download_returns_the_frozen_bytes_after_edits(client, login_as, world):
    certificate = issued(world)
    frozen, digest = certificate.pdf, certificate.pdf_sha256
    participant = world.owner.participant
    participant.given_name, participant.family_name = "Renamed", "Person"
    curriculum = world.training_session.curriculum
    curriculum.title_en, curriculum.title_fr = "Edited title", "Titre modifié"
    world.training_session.city = "Elsewhere"
    db.session.commit()
    login_as(world.owner)
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 200
    assert response.data == frozen
    assert hashlib.sha256(response.data).hexdigest() == digest
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Renamed" not in text and "Edited title" not in text


def test_download_headers(client, login_as, world):
    certificate = issued(world)
    login_as(world.owner)
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    family = documents.ascii_name(world.owner.participant.family_name)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{family}-{certificate.serial}.pdf"'
    )
    assert family.isascii()


def test_zip_holds_one_pdf_per_participant_named_by_family_and_serial(client, login_as, world):
    login_as(world.coordinator)
    client.post(f"/sessions/{world.training_session.id}/certificates/issue")
    response = client.get(f"/sessions/{world.training_session.id}/certificates.zip")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    certificates = db.session.scalars(sa.select(Certificate)).all()
    expected = {documents.download_name(c): c.pdf for c in certificates}
    assert set(archive.namelist()) == set(expected)
    for name, content in expected.items():
        assert archive.read(name) == content
        assert name.isascii()


def test_print_pdf_holds_every_valid_certificate(client, login_as, world):
    login_as(world.coordinator)
    client.post(f"/sessions/{world.training_session.id}/certificates/issue")
    revoked = db.session.scalars(sa.select(Certificate)).first()
    client.post(f"/certificates/{revoked.serial}/revoke", data={"reason": "Fraud"})
    response = client.get(f"/sessions/{world.training_session.id}/certificates.pdf")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    assert revoked.serial not in reader.pages[0].extract_text()


def test_bulk_files_of_a_session_without_certificates_redirect(client, login_as, world):
    login_as(world.coordinator)
    response = client.get(f"/sessions/{world.training_session.id}/certificates.pdf")
    assert response.status_code == 302


# ----------------------------------------------------------- participant


def test_me_lists_trainings_and_certificates(client, login_as, world):
    certificate = issued(world)
    login_as(world.owner)
    page = client.get("/me").get_data(as_text=True)
    assert certificate.serial in page
    assert f"/certificates/{certificate.serial}.pdf" in page
    assert "Attendance: 100%" in page
    assert "Result: Certificate of completion" in page
    home = client.get("/").get_data(as_text=True)
    assert f"/certificates/{certificate.serial}.pdf" in home


def test_me_says_a_training_to_come_is_to_come(client, login_as, world):
    """An open session's participant reads "Training to come", not the
    session's enrollment state ("Open") as if it were their result."""
    upcoming = factories.make_session(
        start_date=date.today() + timedelta(days=30), status=SessionStatus.OPEN
    )
    factories.enroll(world.owner.participant, upcoming)
    db.session.commit()
    login_as(world.owner)
    page = client.get("/me").get_data(as_text=True)
    assert "Result: Training to come" in page
    assert "Result: Open" not in page


def test_me_shows_a_revoked_certificate_as_revoked(client, login_as, world):
    certificate = issued(world)
    services.revoke_certificate(certificate, world.coordinator, "Fraud")
    db.session.commit()
    login_as(world.owner)
    page = client.get("/me").get_data(as_text=True)
    assert "Revoked on" in page
    assert f"/certificates/{certificate.serial}.pdf" not in page


def test_another_participants_certificate_is_refused(client, login_as, world):
    certificate = issued(world)
    login_as(world.other_participant)
    assert client.get(f"/certificates/{certificate.serial}.pdf").status_code == 403
    assert certificate.serial not in client.get("/me").get_data(as_text=True)


# ------------------------------------------------------------ verification


def test_verify_shows_only_public_fields(client, world):
    certificate = issued(world)
    participant = world.owner.participant
    page = client.get(f"/verify/{certificate.grouped_code.lower()}").get_data(as_text=True)
    assert "Valid certificate" in page
    assert certificate.holder_name in page
    assert certificate.serial in page
    assert "UNODC" in page
    for private in (
        participant.email,
        participant.rank,
        participant.organisation.name,
        participant.organisation.acronym,
        participant.phone,
    ):
        assert private not in page


def test_verify_form_redirects_to_the_code_page(client, world):
    certificate = issued(world)
    typed = " " + certificate.grouped_code.lower().replace("-", " ") + " "
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.verification_code}")


def test_verify_revoked_says_so_with_the_date(client, world):
    certificate = issued(world)
    services.revoke_certificate(certificate, world.coordinator, "Fraud")
    db.session.commit()
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "Revoked on" in page
    assert "Valid certificate" not in page


def test_verify_unknown_code(client, app):
    response = client.get("/verify/AAAA-BBBB")
    assert response.status_code == 404
    assert "Unknown code." in response.get_data(as_text=True)


def test_verify_is_rate_limited(client, app):
    app.config["VERIFY_RATE_LIMIT"] = "5 per minute"
    try:
        for _ in range(5):
            assert client.get("/verify/AAAA").status_code == 404
        response = client.get("/verify")
        assert response.status_code == 429
        assert "Too many attempts" in response.get_data(as_text=True)
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "30 per minute"


def test_names_with_markup_print_literally(client, login_as, app):
    from tests.certificates.conftest import completed_session

    training_session = completed_session()
    participant = factories.make_participant(
        given_name='<font color="red">Evil</font>', family_name="<script>x</script>"
    )
    enrollment = graduate(training_session, participant=participant)
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(enrollment, coordinator)
    db.session.commit()
    text = PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text()
    assert '<font color="red">Evil</font>' in text
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_me_marks_an_expired_certificate(client, app):
    """A certificate past its validity says so on the participant's portal."""
    from datetime import date

    from tests import factories as f
    from training.certificates.models import Certificate
    from training.extensions import db

    user = f.make_user(role="participant")
    enrollment = f.enroll(participant=user.participant)
    db.session.add(
        Certificate(
            enrollment=enrollment,
            current_enrollment_id=enrollment.id,
            kind="completion",
            serial="ATL-2019-000001",
            verification_code="A" * 32,
            valid_until=date(2021, 3, 15),
            holder_name="Aïcha Traoré",
            course_title_en="Course",
            course_title_fr="Cours",
            session_code="NE-2019-001",
            start_date=date(2019, 3, 11),
            end_date=date(2019, 3, 15),
            city="Niamey",
            country="NE",
            language="fr",
            total_hours=24,
            issuers="UNODC; DPO",
        )
    )
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": f.TEST_PASSWORD})
    page = client.get("/me", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Expired on" in page
