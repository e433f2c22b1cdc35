"""Closing a session in a real browser, without any JavaScript of its own:
the coordinator opens the completion checklist, is refused until each item
is ticked, completes the session, reopens it with a reason, and downloads
the workshop pack."""

from __future__ import annotations

import io
import secrets
import string
import zipfile
from datetime import date, timedelta

from playwright.sync_api import expect

from tests import factories
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions.models import SessionStatus

COORDINATOR = "coordinator@example.org"


def _session_with_open_items(live_app) -> tuple[int, str]:
    """A session of last week, in progress, with nothing recorded and a
    nominee still pending: (id, code)."""
    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(4))
    start = date.today() - timedelta(days=10)
    with live_app.app_context():
        training_session = factories.make_session(
            code=f"ZZ-CLOSE-{tag}",
            start_date=start,
            end_date=start + timedelta(days=1),
            status=SessionStatus.IN_PROGRESS,
        )
        for _ in range(2):
            factories.enroll(training_session=training_session)
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
        db.session.commit()
        return training_session.id, training_session.code


def test_coordinator_completes_through_the_checklist_then_reopens(
    page, live_app, sign_in, screenshot
):
    session_id, code = _session_with_open_items(live_app)
    sign_in(page, COORDINATOR)
    page.get_by_role("button", name="English").click()
    page.goto(f"/sessions/{session_id}")
    page.locator("#status-moves").get_by_role("link", name="Completed").click()
    expect(page.locator("h1")).to_have_text(f"Complete session {code}?")
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("4 half-days not recorded")
    expect(checklist).to_contain_text("2 participants without all their test scores")
    expect(checklist).to_contain_text("1 nominee still pending")
    screenshot(page, "closing-1-checklist")

    # Not ticked: refused, saying what is left; nothing changed.
    page.get_by_role("button", name="Complete the session").click()
    expect(page.locator(".alert-danger")).to_contain_text("Tick each item of the checklist")
    for checkbox in page.locator("input[name=acknowledged]").all():
        checkbox.check()
    page.get_by_role("button", name="Complete the session").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Session {code} is now “Completed”.")

    # Reopened with a reason, kept in the history.
    page.locator("#status-moves").get_by_role("link", name="Reopen").click()
    page.fill("textarea[name=reason]", "Day 1 was keyed from the wrong sheet")
    screenshot(page, "closing-2-reopen")
    page.get_by_role("button", name="Reopen the session").click()
    expect(page.locator(".alert-success")).to_contain_text("it is in progress again")
    expect(page.locator("#history")).to_contain_text("Day 1 was keyed from the wrong sheet")

    # The pack for the printer.
    with page.expect_download() as download:
        page.get_by_role("link", name="Workshop pack (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    names = archive.namelist()
    assert any(name.startswith("1-programme-") for name in names)
    assert any(name.startswith("4-convocations-") for name in names)


def test_the_checklist_reads_well_on_a_phone(phone_page, live_app, sign_in, screenshot):
    session_id, _code = _session_with_open_items(live_app)
    sign_in(phone_page, COORDINATOR)
    phone_page.goto(f"/sessions/{session_id}/complete")
    expect(phone_page.locator("#checklist input[name=acknowledged]")).to_have_count(3)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    screenshot(phone_page, "closing-phone-checklist")
