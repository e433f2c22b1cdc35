"""The coordinator's planning journey in a real browser: a curriculum created
and approved, a session scheduled, a trainer clash refused, nominees imported
from an XLSX file, confirmed until the session is full, and the first in line
moving up after a withdrawal."""

from __future__ import annotations

import io
import secrets
import string
from datetime import date

import sqlalchemy as sa
from openpyxl import Workbook
from playwright.sync_api import expect

from training.extensions import db
from training.sessions.models import Assignment, SessionStatus, TrainingSession

COORDINATOR = "coordinator@example.org"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _busy_trainer(live_app) -> tuple[int, str, str, date, date]:
    """A demo trainer teaching an upcoming session: (trainer id, trainer name,
    session code, start, end). Picked by state, not by id."""
    with live_app.app_context():
        assignment = db.session.scalars(
            sa.select(Assignment)
            .join(Assignment.training_session)
            .where(
                TrainingSession.start_date >= date.today(),
                TrainingSession.status.in_([SessionStatus.PLANNED, SessionStatus.OPEN]),
            )
            .order_by(TrainingSession.start_date)
        ).first()
        assert assignment is not None, "the demo has no upcoming session with a trainer"
        session = assignment.training_session
        return (
            assignment.trainer_id,
            assignment.trainer.name,
            session.code,
            session.start_date,
            session.end_date,
        )


def _nominees_xlsx(names: list[tuple[str, str, str]], tag: str) -> bytes:
    """A workbook with French headings, as a G5 Sahel liaison officer would send."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["prénom", "nom", "sexe", "nationalité", "grade", "courriel"])
    for given, family, sex in names:
        sheet.append(
            [given, family, sex, "Niger", "Lieutenant", f"{given}.{tag}@example.org".lower()]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(page, full_name: str):
    return page.locator(f'tr[data-participant="{full_name}"]')


def test_coordinator_plans_a_session_from_curriculum_to_waiting_list(
    page, live_app, sign_in, screenshot
):
    tag = "".join(secrets.choice(string.ascii_uppercase) for _ in range(5))
    trainer_id, trainer_name, busy_code, start, end = _busy_trainer(live_app)
    sign_in(page, COORDINATOR)
    # The demo coordinator reads French; the browser tests leave demo users in English.
    page.get_by_role("button", name="English").click()

    # A curriculum, with one module, approved.
    page.goto("/curricula/new")
    page.fill("input[name=code]", f"JRN-{tag}")
    page.fill("input[name=title_en]", f"Investigating terrorist financing {tag}")
    page.fill("input[name=title_fr]", f"Enquêter sur le financement du terrorisme {tag}")
    page.select_option("select[name=theme]", "counter_terrorism")
    page.select_option("select[name=owner]", "joint")
    page.locator("form [type=submit]").last.click()
    expect(page.locator("h1")).to_contain_text(f"JRN-{tag}")
    curriculum_id = int(page.url.rstrip("/").split("/")[-1])
    page.get_by_role("link", name="Add a module").click()
    page.fill("input[name=title_en]", "Following the money")
    page.fill("input[name=title_fr]", "Suivre l’argent")
    page.fill("input[name=duration_minutes]", "180")
    page.locator("form [type=submit]").last.click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("main")).to_contain_text("Approved")
    screenshot(page, "coordinator-1-curriculum-approved")

    # A session on the same dates as a session the busy trainer already teaches.
    page.goto("/sessions/new")
    page.select_option("select[name=theme]", "counter_terrorism")
    page.select_option("select[name=curriculum_id]", str(curriculum_id))
    page.fill("input[name=code]", f"NE-{tag}")
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", end.isoformat())
    page.fill("input[name=city]", "Niamey")
    page.select_option("select[name=country]", "NE")
    page.fill("input[name=capacity]", "2")
    expect(page.locator("input[name=screening_required]")).to_be_checked()
    page.locator("form [type=submit]").last.click()
    expect(page.locator("h1")).to_contain_text(f"NE-{tag}")
    session_url = page.url

    # The clash is refused, naming the other session.
    page.select_option("select[name=trainer_id]", str(trainer_id))
    page.fill("textarea[name=override_reason]", "Only specialist available in the region.")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("main")).to_contain_text(busy_code)
    expect(page.locator("main")).to_contain_text(f"{trainer_name} already teaches")
    expect(page.locator("main")).to_contain_text("overlaps these dates")
    screenshot(page, "coordinator-2-trainer-clash-refused")

    # Nominees imported from a workbook: preview, then all at once.
    nominees = [
        ("Mariama", f"Issoufou{tag}", "F"),
        ("Abdou", f"Garba{tag}", "M"),
        ("Hadiza", f"Moussa{tag}", "F"),
    ]
    page.goto(session_url)
    page.get_by_role("link", name="Import nominees").first.click()
    page.set_input_files(
        "input[name=file]",
        files=[
            {"name": "nominees.xlsx", "mimeType": XLSX, "buffer": _nominees_xlsx(nominees, tag)}
        ],
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("3 rows are ready to import.")
    screenshot(page, "coordinator-3-import-preview")
    page.get_by_role("button", name="Import all").click()
    expect(page.locator(".alert-success")).to_contain_text("3 nominees imported.")

    # Not screened yet: confirmation is refused, with the reason.
    first, second, third = (f"{given} {family}" for given, family, _ in nominees)
    _row(page, first).get_by_role("button", name="Confirm").click()
    expect(page.locator(".alert-danger")).to_contain_text("no current clearance")

    # The coordinator records each one's clearance from the participant page.
    for full_name in (first, second, third):
        _row(page, full_name).get_by_role("link").first.click()
        page.select_option("#record-screening select[name=status]", "cleared")
        page.fill("#record-screening input[name=reference]", f"HRDDP-{tag}")
        page.get_by_role("button", name="Record screening").click()
        expect(page.locator(".alert-success")).to_contain_text("Screening result recorded.")
        page.goto(session_url.rstrip("/") + "/enrollments")

    # Confirm until the session is full: the third waits in line.
    _row(page, first).get_by_role("button", name="Confirm").click()
    expect(page.locator(".alert-success")).to_contain_text(f"{first} is confirmed.")
    _row(page, second).get_by_role("button", name="Confirm").click()
    expect(page.locator(".alert-success")).to_contain_text(f"{second} is confirmed.")
    _row(page, third).get_by_role("button", name="Confirm").click()
    expect(page.locator(".alert-warning")).to_contain_text(
        f"The session is full: {third} waits in line, position 1."
    )
    expect(page.locator("#places-left")).to_have_text("0")
    expect(page.locator("#enrollments-waitlisted")).to_contain_text(f"Moussa{tag}".upper())
    screenshot(page, "coordinator-4-full-with-waiting-list")

    # A confirmed nominee withdraws: the page asks first, naming who moves up;
    # then the first in line moves up, and the page says so.
    _row(page, first).get_by_role("link", name="Withdraw").click()
    expect(page.locator("#consequences")).to_contain_text(f"next in line: {third}")
    screenshot(page, "coordinator-4b-withdraw-asks-first")
    page.get_by_role("button", name=f"Withdraw {first}").click()
    expect(page.locator(".alert-info")).to_contain_text(
        f"{third} moved up from the waiting list and is now confirmed."
    )
    expect(page.locator("#enrollments-confirmed")).to_contain_text(f"Moussa{tag}".upper())
    expect(page.locator("#enrollments-withdrawn")).to_contain_text(f"Issoufou{tag}".upper())
    expect(page.locator("#places-left")).to_have_text("0")
    screenshot(page, "coordinator-5-waiting-nominee-moved-up")

    # A registered officer put forward by UNODC rather than their own service:
    # the choice beside the search applies to the Nominate buttons at once.
    # MINUSMA, whose mandate ended in 2023, is no longer offered.
    page.fill("input[name=q]", "Traoré")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("select[name=by] option", has_text="MINUSMA")).to_have_count(0)
    unodc = page.locator("select[name=by] option", has_text="UNODC").first
    page.select_option("select[name=by]", unodc.get_attribute("value"))
    page.locator("#nominate .list-group-item").first.get_by_role("button", name="Nominate").click()
    flash = page.locator(".alert-success")
    expect(flash).to_contain_text("is nominated.")
    given, family = flash.inner_text().split(" is nominated.")[0].strip().split(" ", 1)
    nominated = page.locator("#enrollments-nominated tr", has_text=f"{family.upper()}, {given}")
    expect(nominated).to_contain_text("UNODC")


def test_enrollments_and_participants_read_well_on_a_phone(
    phone_page, live_app, sign_in, screenshot
):
    with live_app.app_context():
        session_id = db.session.scalar(
            sa.select(TrainingSession.id)
            .where(TrainingSession.status == SessionStatus.OPEN)
            .order_by(TrainingSession.start_date)
        )
    assert session_id is not None, "the demo has no open session"
    sign_in(phone_page, COORDINATOR)
    for url, name in (
        (f"/sessions/{session_id}/enrollments", "coordinator-phone-enrollments"),
        ("/participants", "coordinator-phone-participants"),
        (f"/sessions/{session_id}/import", "coordinator-phone-import"),
    ):
        phone_page.goto(url)
        expect(phone_page.locator("h1")).to_be_visible()
        # Wide tables scroll inside their own box; the page itself never does.
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        screenshot(phone_page, name)
