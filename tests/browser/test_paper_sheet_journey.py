"""A day kept on paper (issue 14), in Chromium: on a 390 px phone the trainer
types the code printed on the signed sheet, keys the day from it without
any JavaScript of the grid's, and attaches a photo of the sheet; the
coordinator then sees those marks as from paper, in the day's grid, its
history and the overview, and downloads the scan.

The workshop is added to the live database for this test alone."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from io import BytesIO

import sqlalchemy as sa
from PIL import Image

from tests import factories
from tests.attendance.scans import png
from tests.factories import TEST_PASSWORD
from training.attendance.models import AttendanceRecord, AttendanceScan, AttendanceSource
from training.extensions import db

PEOPLE = [("François", "Ba"), ("Mariam", "Coulibaly"), ("Awa", "Diallo"), ("Idrissa", "Souley")]


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_a_day_keyed_from_its_signed_sheet_with_its_scan(
    phone_page, page, live_app, sign_in, screenshot, tmp_path
):
    tag = uuid.uuid4().hex[:5].upper()
    yesterday = date.today() - timedelta(days=1)
    with live_app.app_context():
        training_session = factories.make_session(start_date=yesterday, code=f"PAP-{tag}")
        trainer = factories.make_user("trainer", email=f"paper-{tag.lower()}@example.org")
        coordinator = factories.make_user("coordinator", email=f"desk-{tag.lower()}@example.org")
        factories.assign(trainer.trainer, training_session)
        for given, family in PEOPLE:
            participant = factories.make_participant(given_name=given, family_name=family)
            factories.enroll(participant, training_session)
        db.session.commit()
        session_id, code = training_session.id, training_session.code
        trainer_email, coordinator_email = trainer.email, coordinator.email
        db.session.remove()
    day = yesterday.isoformat()
    scan = tmp_path / "feuille-signee.png"
    scan.write_bytes(png(400, 280))

    # The trainer, on a phone in French: the code as printed at the foot of
    # the sheet, typed with a space for its dot, then Enter (as a scanner does).
    phone = phone_page
    sign_in(phone, trainer_email, TEST_PASSWORD)
    phone.get_by_role("link", name="Saisir une feuille papier").first.click()
    phone.fill("#code", f"{code} {day}")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.url.endswith(f"/sessions/{session_id}/attendance/{day}/paper")
    assert f"{code} · {day}" in phone.locator("#sheet-code").inner_text()
    rows = phone.locator(".paper-row:not(.paper-head)")
    assert rows.count() == len(PEOPLE)
    assert [rows.nth(i).locator("strong").inner_text() for i in range(len(PEOPLE))] == [
        family.upper() for _given, family in PEOPLE
    ]
    assert_no_horizontal_scroll(phone)

    # Everyone signed both half-days but Coulibaly in the afternoon.
    for period in ("am", "pm"):
        with phone.expect_navigation():
            phone.locator(f'button[name="fill"][value="{period}"]').click()
    rows.nth(1).locator('label[for$="-pm-absent"]').click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Enregistrer les présences de la feuille").click()
    assert "8 nouvelles, 0 modifiées" in phone.locator(".alert-success").inner_text()
    assert phone.locator('[data-source="paper"]').count() == 2 * len(PEOPLE)

    # The photo of the signed sheet.
    phone.set_input_files("#scan", str(scan))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Joindre le scan").click()
    assert "Le scan de la feuille signée est joint" in phone.locator(".alert-success").inner_text()
    assert "Scan 1 · Image PNG" in phone.locator("#scans").inner_text()
    assert_no_horizontal_scroll(phone)
    phone.locator("#scans").scroll_into_view_if_needed()
    screenshot(phone, "paper-sheet-phone", full_page=False)

    with live_app.app_context():
        sources = db.session.execute(
            sa.select(AttendanceRecord.source, sa.func.count())
            .where(AttendanceRecord.enrollment.has(session_id=session_id))
            .group_by(AttendanceRecord.source)
        ).all()
        assert [tuple(row) for row in sources] == [(AttendanceSource.PAPER, 8)]
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(AttendanceScan.session_id == session_id)
            )
            == 1
        )
        db.session.remove()

    # The coordinator, at a desk in English: the marks are the paper's, and
    # the scan is in the day's history, to download.
    sign_in(page, coordinator_email, TEST_PASSWORD)
    page.get_by_role("button", name="English").click()
    page.goto(f"/sessions/{session_id}/attendance/{day}")
    assert page.locator('.att-source[data-source="paper"]').count() == 2 * len(PEOPLE)
    assert "8 marks of this day were keyed from the signed paper sheet." in page.inner_text(
        "#paper-summary"
    )
    history = page.locator("#day-history")
    assert "Keyed from the paper sheet" in history.inner_text()
    assert "Scan of the signed sheet attached" in history.inner_text()
    with page.expect_download() as download_info:
        history.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == f"sign-in-scan-{code}-{day}-1.png"
    kept = download.path().read_bytes()
    assert kept == scan.read_bytes()
    with Image.open(BytesIO(kept)) as image:
        assert image.size == (400, 280)
    page.locator("#day-history").scroll_into_view_if_needed()
    screenshot(page, "paper-sheet-history", full_page=False)

    page.goto(f"/sessions/{session_id}/attendance")
    marks = page.locator('.att-matrix [data-source="paper"]')
    assert marks.count() == 2 * len(PEOPLE)
    assert "keyed from the signed paper sheet" in marks.first.get_attribute("title")
    assert page.locator('[data-scans="1"]').count() == 1
