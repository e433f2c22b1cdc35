"""A certificate's life in Chromium: a coordinator issues a completed demo
session's certificates, the demo participant downloads theirs, an anonymous
visitor verifies it from the address printed on it (valid), the coordinator
revokes it and the same address says revoked. The certificate's page is
rendered to docs/certificate.png for the README."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from training.auth.models import User
from training.certificates import services, statements
from training.certificates.models import Certificate, CertificateStatus
from training.extensions import db
from training.sessions.models import SessionStatus, TrainingSession

PARTICIPANT = "participant@example.org"
COORDINATOR = "coordinator@example.org"
DOCS_PNG = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("ATELIER_UPDATE_DOCS") == "1"
    else Path(tempfile.gettempdir()) / "atelier-docs"
) / "certificate.png"


def new_page(browser, live_server, phone: bool = False):
    options = {"base_url": live_server, "locale": "en-GB"}
    if phone:
        options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    else:
        options.update(viewport={"width": 1280, "height": 860})
    context = browser.new_context(accept_downloads=True, **options)
    context.set_default_timeout(20_000)
    return context, context.new_page()


def session_to_issue(live_app) -> tuple[int, int]:
    """(session id, demo participant's enrollment id) of a completed session
    where the demo participant is eligible and holds no certificate: the
    one the demo leaves unissued, or else one whose certificate is revoked
    here first (another test of the run may have issued it)."""
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == PARTICIPANT))
        completed = db.session.scalars(
            sa.select(TrainingSession)
            .where(TrainingSession.status == SessionStatus.COMPLETED)
            .order_by(TrainingSession.end_date.desc())
        ).all()
        candidates = []
        for training_session in completed:
            for row in services.session_eligibility(training_session):
                if row.eligible and row.enrollment.participant_id == user.participant_id:
                    candidates.append((training_session, row))
        assert candidates, "the demo participant completes no session"
        # Prefer a session whose certificate is still within its validity.
        candidates.sort(key=lambda pair: not _still_valid(pair[0]))
        for training_session, row in candidates:
            if row.certificate is None:
                return training_session.id, row.enrollment.id
        training_session, row = candidates[0]
        coordinator = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
        services.revoke_certificate(row.certificate, coordinator, "Browser journey: issue anew")
        db.session.commit()
        return training_session.id, row.enrollment.id


def _still_valid(training_session: TrainingSession) -> bool:
    months = training_session.curriculum.certificate_validity_months
    return (
        months is None or statements.add_months(training_session.end_date, months) >= date.today()
    )


def current_certificate(live_app, enrollment_id: int) -> tuple[str, str, str]:
    """(serial, holder, the state its verification page must show: valid,
    or expired when the curriculum's validity has run out since the
    session)."""
    with live_app.app_context():
        certificate = db.session.scalar(
            sa.select(Certificate).where(
                Certificate.enrollment_id == enrollment_id,
                Certificate.status == CertificateStatus.VALID,
            )
        )
        assert certificate is not None
        expired = certificate.valid_until is not None and certificate.valid_until < date.today()
        return certificate.serial, certificate.holder_name, "expired" if expired else "valid"


def test_issue_download_verify_revoke(
    browser, live_app, live_server, sign_in, screenshot, tmp_path
):
    session_id, enrollment_id = session_to_issue(live_app)

    # The coordinator issues the session's certificates.
    coordinator_context, coordinator = new_page(browser, live_server)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto(f"/sessions/{session_id}/certificates")
    # Selectors rather than words: the demo users read the interface in French.
    coordinator.locator("form[data-issue-all] button[type=submit]").click()
    coordinator.wait_for_load_state("load")
    # Issuing runs as a job: its page updates itself until the job is done.
    assert "/jobs/" in coordinator.url
    expect(coordinator.locator("#job-status .badge.text-bg-success")).to_be_visible(timeout=60_000)
    coordinator.locator("#job-back").click()
    coordinator.wait_for_load_state("load")
    assert f"/sessions/{session_id}/certificates" in coordinator.url
    assert coordinator.locator("form[data-issue-all]").count() == 0  # nothing left to issue
    serial, holder_name, state = current_certificate(live_app, enrollment_id)
    assert coordinator.locator(f"a[href='/certificates/{serial}.pdf']").is_visible()
    screenshot(coordinator, "certificates-session")

    # The participant finds it on /me and downloads it.
    participant_context, participant = new_page(browser, live_server)
    sign_in(participant, PARTICIPANT)
    participant.goto("/me")
    assert participant.get_by_text(serial).first.is_visible()
    with participant.expect_download() as download_info:
        participant.locator(f"a[href='/certificates/{serial}.pdf']").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"-{serial}.pdf")
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    page = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages[0]
    text = page.extract_text()
    assert holder_name in text and serial in text
    assert f"{urlsplit(live_server).netloc}/verify" in text  # where to type the serial
    # The QR code (a link too, in a PDF viewer) holds the signed address.
    (annotation,) = page["/Annots"]
    address = annotation.get_object()["/A"]["/URI"]
    assert re.fullmatch(r"HTTP://127\.0\.0\.1:\d+/V/[A-Z2-7]+", address)
    verify_path = urlsplit(address).path
    render_png(pdf_path)

    # Anyone, on a phone, opens the address its QR code holds: valid (or,
    # for an old demo session whose curriculum sets a validity, expired).
    visitor_context, visitor = new_page(browser, live_server, phone=True)
    visitor.goto(verify_path)
    result = visitor.locator("[data-verification]")
    assert result.get_attribute("data-verification") == state
    assert visitor.get_by_text(holder_name).is_visible()
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(visitor, "certificate-verify-valid")

    # The coordinator revokes it with a reason; the same address says so.
    coordinator.goto(f"/sessions/{session_id}/certificates")
    row = coordinator.locator(f"#enrollment-{enrollment_id}")
    row.locator("summary").click()
    row.locator(f"form[action='/certificates/{serial}/revoke'] textarea").fill(
        "Issued to the wrong session"
    )
    row.locator(f"form[action='/certificates/{serial}/revoke'] button[type=submit]").click()
    coordinator.wait_for_load_state("load")
    assert coordinator.locator(".alert-success", has_text=serial).is_visible()

    visitor.goto(verify_path)
    assert visitor.locator("[data-verification]").get_attribute("data-verification") == "revoked"
    screenshot(visitor, "certificate-verify-revoked")

    participant.goto("/me")
    assert participant.locator(".badge.text-bg-danger").first.is_visible()
    assert participant.locator(f"a[href='/certificates/{serial}.pdf']").count() == 0

    for context in (coordinator_context, participant_context, visitor_context):
        context.close()


def render_png(pdf_path: Path) -> None:
    """docs/certificate.png, as the README shows it."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to render docs/certificate.png")
    DOCS_PNG.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-singlefile",
            str(pdf_path),
            str(DOCS_PNG.with_suffix("")),
        ],
        check=True,
    )
    assert DOCS_PNG.stat().st_size > 10_000
