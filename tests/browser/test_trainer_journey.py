"""The trainer's day on a phone: open today's session, record the day with
"everyone present" and two absences, save, close the day (after the page
that asks first), print the sheet."""

from __future__ import annotations

import os
import subprocess
import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

DOCS = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("ATELIER_UPDATE_DOCS") == "1"
    else Path(tempfile.gettempdir()) / "atelier-docs"
)


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_trainer_records_closes_and_prints_the_day(phone_page, sign_in, screenshot, tmp_path):
    page = phone_page
    today = date.today().isoformat()
    sign_in(page, "trainer@example.org")
    assert_no_horizontal_scroll(page)
    screenshot(page, "trainer-home")

    # Home: today's session comes first, with a direct link to today's grid.
    today_link = page.locator(f'a[href$="/attendance/{today}"]').first
    today_link.wait_for()
    today_link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/attendance/{today}")
    session_path = page.url.split("/attendance/")[0]
    assert_no_horizontal_scroll(page)

    rows = page.locator(".att-row:not(.att-head)")
    count = rows.count()
    assert count >= 3

    # "Everyone present" fills a period at once (attendance.js), then two absences.
    page.locator('[data-fill="am"]').click()
    page.locator('[data-fill="pm"]').click()
    assert page.locator('input[type=radio][value="present"]:checked').count() == 2 * count
    absent = []
    for index in (0, 1):
        row = rows.nth(index)
        row.locator('label[for$="-am-absent"]').click()
        absent.append(" ".join(row.locator(".att-name strong").inner_text().split()))
    assert page.locator('input[type=radio][value="absent"]:checked').count() == 2
    assert_no_horizontal_scroll(page)

    # Save sends the outbox (js/outbox.js), then the page shows the saved day.
    with page.expect_navigation():
        page.locator('button[name="save"]').click()
    page.locator(".alert-success").wait_for()
    assert page.locator(".alert-success").count() == 1
    assert page.locator('input[type=radio][value="absent"]:checked').count() == 2
    assert page.locator('input[type=radio][value="present"]:checked').count() == 2 * count - 2
    assert_no_horizontal_scroll(page)
    # What the trainer sees while recording: the grid under the periods' header.
    page.locator(".att-head").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('.day-pills').offsetTop - 8)")
    screenshot(page, "trainer-grid", docs=True, full_page=False)

    # Both periods are recorded for everyone: the day can be closed, once
    # the page that asks first has said what follows.
    page.locator("a#close-day").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/attendance/{today}/close")
    assert page.locator("#consequences li").count() >= 3
    assert_no_horizontal_scroll(page)
    page.locator("#confirmation-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".alert-success").count() == 1
    assert page.locator('button[name="save"]').count() == 0
    assert page.locator("input[type=radio]:not(:disabled)").count() == 0
    assert_no_horizontal_scroll(page)

    # The sign-in sheet of the day.
    response = page.request.get(f"{session_path}/sign-in-sheet.pdf?date={today}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    code = page.locator("main p.text-muted strong").first.inner_text().strip()
    assert f"{code} · {today}" in text
    for family_name in absent:
        assert family_name in text
    assert "page 1 " in text

    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(pdf)
    DOCS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(sheet),
            str(DOCS / "sign-in-sheet"),
        ],
        check=True,
    )
    assert (DOCS / "sign-in-sheet.png").stat().st_size > 10_000


def test_trainer_reads_the_overview_and_scores_of_a_running_session(page, sign_in, screenshot):
    """The overview and the score sheet of today's session, on a desktop."""
    sign_in(page, "trainer@example.org")
    today = date.today().isoformat()
    link = page.locator(f'a[href$="/attendance/{today}"]').first
    link.wait_for()
    session_path = link.get_attribute("href").split("/attendance/")[0]
    page.goto(f"{session_path}/attendance/{today}")
    assert page.locator(".att-row:not(.att-head)").count() >= 3
    screenshot(page, "attendance-day-desktop")
    page.goto(f"{session_path}/attendance")
    assert page.locator("table.att-matrix tbody tr").count() >= 3
    assert page.locator(".att-symbol[title]").count() > 0
    screenshot(page, "attendance-overview")
    page.goto(f"{session_path}/scores")
    assert page.locator('input[name^="pre-"]').count() >= 3
    screenshot(page, "scores")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert page.locator(".alert-success").count() == 1
