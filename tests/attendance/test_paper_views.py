"""The pages of paper sheets keyed back and of closing a day: every route
for every role, what each page shows, and malformed input refused with a
clear message and nothing written."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests import factories
from tests.attendance import scans
from tests.attendance.conftest import START
from tests.attendance.test_views import grid_data, record_count
from tests.certificates.test_signed_pdf import decode, render_png
from training.attendance import paper, services
from training.attendance.models import (
    AttendanceDayLock,
    AttendanceRecord,
    AttendanceScan,
    AttendanceSource,
    AttendanceStatus,
)
from training.audit.models import AuditEvent
from training.extensions import db
from training.sessions.models import Period, SessionStatus

DAY = START.isoformat()
CODE = "NE-2026-CT-01 2026-03-02"
ROLES = ["admin", "coordinator", "own_trainer", "other_trainer", "participant", "anonymous"]
ALLOWED = {"admin", "coordinator", "own_trainer"}
LIMIT = 10 * 1024 * 1024


def sign_in_as(role, workshop, login_as):
    if role == "anonymous":
        return None
    if role == "own_trainer":
        return login_as(workshop.trainer_user)
    if role == "other_trainer":
        return login_as("trainer")
    return login_as(role)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def attach(workshop, data=None, day=START):
    scan, _created = paper.attach_scan(
        workshop.training_session,
        day,
        data or scans.png(),
        actor=workshop.trainer_user,
        max_bytes=LIMIT,
    )
    db.session.commit()
    return scan


def upload(client, workshop, data, name="sheet.png", content_type="image/png", day=DAY, token=None):
    """The scan form sent as a browser sends it. The body is encoded here, in
    memory: the test client would spool a large one to a temporary file it
    never closes."""
    fields = MultiDict({"scan": FileStorage(BytesIO(data), name, content_type=content_type)})
    if token is not None:
        fields["csrf_token"] = token
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/sessions/{workshop.id}/attendance/{day}/scans",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def complete_day(workshop):
    services.save_day(
        workshop.training_session,
        START,
        [
            services.DayEntry(e.id, p, AttendanceStatus.PRESENT)
            for e in workshop.enrollments
            for p in Period
        ],
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    db.session.commit()


# --- Every route, every role -------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_finding_a_sheet_by_its_code(client, login_as, workshop, role):
    sign_in_as(role, workshop, login_as)
    form = client.get("/attendance/paper")
    found = client.get("/attendance/paper", query_string={"code": CODE})
    if role == "anonymous":
        # The QR code's address leads through the sign-in page and back.
        assert found.status_code == 302
        location = found.headers["Location"]
        assert location.startswith("/login") and "next=" in location
        assert "attendance%2Fpaper%3Fcode%3DNE-2026-CT-01" in location
    elif role in ALLOWED:
        assert form.status_code == 200 and 'name="code"' in form.text
        assert found.status_code == 303
        assert found.headers["Location"] == f"/sessions/{workshop.id}/attendance/{DAY}/paper"
    elif role == "other_trainer":
        # The code names no session of theirs: said as for a code of none.
        assert form.status_code == 200
        assert found.status_code == 404
        assert "No sign-in sheet of a session whose attendance you record" in found.text
    else:
        assert form.status_code == 403 and found.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_keying_a_day_from_its_paper_sheet(client, login_as, workshop, role):
    sign_in_as(role, workshop, login_as)
    url = f"/sessions/{workshop.id}/attendance/{DAY}/paper"
    page = client.get(url)
    saved = client.post(url, data=grid_data(workshop.enrollments))
    if role == "anonymous":
        assert page.status_code == 302 and saved.status_code == 303
        assert "/login" in saved.headers["Location"]
    elif role in ALLOWED:
        assert page.status_code == 200 and "Save the marks from the sheet" in page.text
        assert saved.status_code == 303 and saved.headers["Location"] == url
        assert {r.source for r in db.session.scalars(sa.select(AttendanceRecord))} == {
            AttendanceSource.PAPER
        }
        return
    else:
        assert page.status_code == 403 and saved.status_code == 403
    assert record_count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_attaching_the_signed_sheets_scan(client, login_as, workshop, role):
    sign_in_as(role, workshop, login_as)
    response = upload(client, workshop, scans.png())
    if role == "anonymous":
        assert response.status_code == 303 and "/login" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/attendance/{DAY}/paper#scans")
        assert count(AttendanceScan) == 1
        return
    else:
        assert response.status_code == 403
    assert count(AttendanceScan) == 0


@pytest.mark.parametrize("role", ROLES)
def test_downloading_a_scan(client, login_as, workshop, role):
    data = scans.jpeg()
    scan = attach(workshop, data)
    sign_in_as(role, workshop, login_as)
    response = client.get(f"/sessions/{workshop.id}/attendance/{DAY}/scans/{scan.id}")
    downloads = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "attendance.scan_downloaded")
    ).all()
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200 and response.data == data
        assert response.mimetype == "image/jpeg"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="sign-in-scan-NE-2026-CT-01-{DAY}-1.jpg"'
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert [event.entity_id for event in downloads] == [scan.id]
        return
    else:
        assert response.status_code == 403 and data not in response.data
    assert downloads == []


@pytest.mark.parametrize("role", ROLES)
def test_the_page_that_asks_before_closing_a_day(client, login_as, workshop, role):
    complete_day(workshop)
    sign_in_as(role, workshop, login_as)
    url = f"/sessions/{workshop.id}/attendance/{DAY}/close"
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200
        assert 'id="confirmation-form"' in response.text
        assert f'action="{url}"' in response.text
    else:
        assert response.status_code == 403
    assert count(AttendanceDayLock) == 0  # asking closes nothing


# --- Finding a sheet ---------------------------------------------------------


def test_a_code_that_is_not_one_is_refused_saying_where_the_code_is(client, login_as, workshop):
    login_as(workshop.trainer_user)
    response = client.get("/attendance/paper", query_string={"code": "NE-2026-CT-01"})
    assert response.status_code == 400
    assert "is not a sheet&#39;s code" in response.text
    assert "printed at the foot of every page" in response.text
    empty = client.get("/attendance/paper", query_string={"code": " "})
    assert empty.status_code == 400 and "Type the code printed on the sheet." in empty.text


def test_a_scanner_typing_the_qr_codes_address_opens_the_sheet(client, login_as, workshop):
    login_as(workshop.trainer_user)
    typed = "http://127.0.0.1:5000/attendance/paper?code=NE-2026-CT-01+2026-03-03"
    response = client.get("/attendance/paper", query_string={"code": typed})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/attendance/2026-03-03/paper")


def test_a_code_naming_no_day_of_the_session_says_which_days_it_runs(client, login_as, workshop):
    login_as("coordinator")
    response = client.get("/attendance/paper", query_string={"code": "NE-2026-CT-01 2026-03-09"})
    assert response.status_code == 404
    assert "runs from March 2, 2026 to March 4, 2026" in response.text


# --- The keying page ---------------------------------------------------------


def test_the_keying_grid_is_laid_out_like_the_printed_sheet(client, login_as, workshop):
    login_as(workshop.trainer_user)
    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}/paper").text
    sheet = client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?date={DAY}")
    printed = " ".join(PdfReader(BytesIO(sheet.data)).pages[0].extract_text().split())
    names = ["BA François", "TRAORÉ Aïcha", "ZONGO Ousmane"]
    for number, name in enumerate(names, start=1):
        assert f"{number} {name}" in printed
        family, given = name.split(" ")
        assert re.search(rf"{number}\.</span><strong>{family}</strong> {given}", page)
    assert "NOMINÉ" not in page
    organisation = workshop.enrollments[0].participant.organisation.name_label
    assert organisation in page and organisation in printed
    assert "NE-2026-CT-01 · 2026-03-02" in page  # the sheet's code, as printed
    assert "Signature: morning" in page and "Signature: afternoon" in page
    assert "blank rows are not on this grid" in page


def test_everyone_signed_without_javascript_fills_and_saves_nothing(client, login_as, workshop):
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance/{DAY}/paper"
    response = client.post(url, data={"fill": "am"})
    assert response.status_code == 200
    for enrollment in workshop.enrollments:
        assert re.search(
            rf'id="paper-status-{enrollment.id}-am-present"[^>]*\bchecked\b', response.text
        )
    assert record_count() == 0


def test_keying_says_what_it_wrote_and_the_grid_shows_it_came_from_paper(
    client, login_as, workshop
):
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance/{DAY}/paper"
    data = grid_data(workshop.enrollments)
    data[f"status-{workshop.enrollments[0].id}-pm"] = "absent"
    response = client.post(url, data=data, follow_redirects=True)
    assert "6 new, 0 changed, each marked as from paper" in response.text
    assert response.text.count('data-source="paper"') == 6  # "Recorded: paper sheet"
    grid = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").text
    assert grid.count("keyed from paper") == 6
    assert "6 marks of this day were keyed from the signed paper sheet." in grid
    overview = client.get(f"/sessions/{workshop.id}/attendance").text
    assert overview.count('data-source="paper"') == 6


def test_refused_keying_comes_back_as_keyed_and_writes_nothing(client, login_as, workshop):
    other_session = factories.make_session(start_date=START)
    stranger = factories.enroll(training_session=other_session)
    db.session.commit()
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance/{DAY}/paper"
    data = grid_data(workshop.enrollments)
    data.update(grid_data([stranger], "absent"))
    response = client.post(url, data=data)
    assert response.status_code == 400 and "confirmed in this session" in response.text
    bad = grid_data(workshop.enrollments)
    bad[f"status-{workshop.enrollments[0].id}-am"] = "asleep"
    assert client.post(url, data=bad).status_code == 400
    assert record_count() == 0


def test_a_closed_day_is_read_only_here_too_except_for_a_coordinator(client, login_as, workshop):
    complete_day(workshop)
    services.close_day(workshop.training_session, START, actor=workshop.trainer_user)
    db.session.commit()
    url = f"/sessions/{workshop.id}/attendance/{DAY}/paper"
    login_as(workshop.trainer_user)
    page = client.get(url).text
    assert "Save the marks from the sheet" not in page and "You can still attach" in page
    refused = client.post(url, data=grid_data(workshop.enrollments, "absent"))
    assert refused.status_code == 403 and "only a coordinator" in refused.text
    assert 'id="scan-form"' in page  # the scan is still welcome
    client.post("/logout")
    login_as("coordinator")
    page = client.get(url).text
    assert 'name="reason"' in page and "Save the marks from the sheet" in page


def test_a_day_to_come_cannot_be_keyed_yet(client, login_as, workshop):
    from datetime import date, timedelta

    running = factories.make_session(start_date=date.today() - timedelta(days=1))
    factories.assign(workshop.trainer_user.trainer, running)
    factories.enroll(training_session=running)
    db.session.commit()
    login_as(workshop.trainer_user)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    page = client.get(f"/sessions/{running.id}/attendance/{tomorrow}/paper").text
    assert "still to come" in page and 'id="scan-form"' not in page
    response = upload(client, workshop, scans.png(), day=tomorrow)
    assert response.status_code == 404  # not a day of the workshop's session


# --- The scan ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (scans.TEXT_NAMED_PDF, "feuille.pdf", "application/pdf", "not a PDF, a JPEG or a PNG"),
        (scans.FORGED_PNG, "scan.png", "image/png", "starts like a PNG image but cannot be read"),
        (b"MZ\x90\x00" + b"\x00" * 60, "scan.jpg", "image/jpeg", "not a PDF, a JPEG or a PNG"),
        (b"", "scan.png", "image/png", "The file is empty"),
    ],
    ids=["text named .pdf", "forged PNG", "program sent as a JPEG", "empty"],
)
def test_a_file_that_is_not_a_scan_is_refused_with_a_message(
    client, login_as, workshop, data, name, content_type, message
):
    login_as(workshop.trainer_user)
    response = upload(client, workshop, data, name, content_type)
    assert response.status_code == 400
    assert message in response.text.replace("&#34;", '"')
    assert count(AttendanceScan) == 0


def test_no_file_at_all_is_refused(client, login_as, workshop):
    login_as(workshop.trainer_user)
    response = client.post(f"/sessions/{workshop.id}/attendance/{DAY}/scans", data={})
    assert response.status_code == 400 and "Choose the file of the scan." in response.text


def test_a_scan_past_the_limit_is_refused_with_413_and_both_sizes(app, client, login_as, workshop):
    login_as(workshop.trainer_user)
    data = scans.noisy_png(700, 700)
    app.config["ATTENDANCE_SCAN_MAX_BYTES"] = 256 * 1024
    try:
        # Within the request's room (the file and the form around it), past
        # the scan's own limit: the service says both sizes.
        bigger = upload(client, workshop, data[: 256 * 1024 + 2048])
        # Past the request's room: refused before the body is read, by the
        # view or (as in production) by the app-wide CSRF check.
        far_bigger = upload(client, workshop, data)
        app.config["WTF_CSRF_ENABLED"] = True
        at_the_door = upload(client, workshop, data, token="any")
    finally:
        app.config["ATTENDANCE_SCAN_MAX_BYTES"] = LIMIT
        app.config["WTF_CSRF_ENABLED"] = False
    assert at_the_door.status_code == 413
    assert "The file is larger than the limit of 0.2 MB." in at_the_door.text
    assert bigger.status_code == 413
    assert "The scan is 0.3 MB, more than the limit of 0.2 MB." in bigger.text
    assert far_bigger.status_code == 413
    assert "The file is larger than the limit of 0.2 MB." in far_bigger.text
    assert count(AttendanceScan) == 0


def test_a_scan_larger_than_the_apps_upload_limit_is_still_taken(app, client, login_as, workshop):
    """The scan's limit (10 MB) is above MAX_CONTENT_LENGTH (5 MB), and the
    app-wide CSRF check reads the body under the scan's limit."""
    assert app.config["MAX_CONTENT_LENGTH"] < 6 * 1024 * 1024 < LIMIT
    login_as(workshop.trainer_user)
    data = scans.noisy_png(2600, 2600)
    assert len(data) > 6 * 1024 * 1024
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}/paper").text
        form = page[page.index('id="scan-form"') :]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
        response = upload(client, workshop, data, token=token)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 303
    assert db.session.scalar(sa.select(AttendanceScan.size)) == len(data)


def test_the_scan_form_needs_its_csrf_token(app, client, login_as, workshop):
    """The scan's larger body is read by the app-wide CSRF check too."""
    complete_day(workshop)
    records = record_count()
    login_as(workshop.trainer_user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = upload(client, workshop, scans.png())
        others = [
            client.post(url, data=grid_data(workshop.enrollments, "absent")).status_code
            for url in (
                f"/sessions/{workshop.id}/attendance/{DAY}/paper",
                f"/sessions/{workshop.id}/attendance/{DAY}/close",
            )
        ]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and "Your form expired" in response.text
    assert others == [400, 400]
    assert count(AttendanceScan) == 0 and count(AttendanceDayLock) == 0
    assert record_count() == records
    db.session.expire_all()
    assert {r.source for r in db.session.scalars(sa.select(AttendanceRecord))} == {
        AttendanceSource.APP
    }


def test_the_same_file_again_is_said_to_be_attached_already(client, login_as, workshop):
    login_as(workshop.trainer_user)
    data = scans.pdf()
    upload(client, workshop, data, "sheet.pdf", "application/pdf")
    response = upload(client, workshop, data, "copie.pdf", "application/pdf")
    assert response.status_code == 303
    response = client.get(response.headers["Location"])
    assert "This file is already attached to" in response.text
    assert count(AttendanceScan) == 1
    assert "Scan 1 · PDF document" in response.text


def test_a_scan_is_served_only_under_its_own_session_and_day(client, login_as, workshop):
    scan = attach(workshop)
    other_session = factories.make_session(start_date=START)
    factories.assign(workshop.trainer_user.trainer, other_session)
    db.session.commit()
    login_as(workshop.trainer_user)
    for url in (
        f"/sessions/{other_session.id}/attendance/{DAY}/scans/{scan.id}",
        f"/sessions/{workshop.id}/attendance/2026-03-03/scans/{scan.id}",
        f"/sessions/{workshop.id}/attendance/{DAY}/scans/{scan.id + 1000}",
        f"/sessions/{workshop.id}/attendance/not-a-day/scans/{scan.id}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_days_history_lists_the_scans_and_the_keying(client, login_as, workshop):
    login_as(workshop.trainer_user)
    client.post(
        f"/sessions/{workshop.id}/attendance/{DAY}/paper", data=grid_data(workshop.enrollments)
    )
    upload(client, workshop, scans.png())
    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").text
    history = page[page.index('id="day-history"') :]
    assert "Scan 1 · PNG image" in history
    assert f"/sessions/{workshop.id}/attendance/{DAY}/scans/" in history
    assert "Keyed from the paper sheet" in history
    assert "Scan of the signed sheet attached" in history
    assert "NE-2026-CT-01 · 2026-03-02" in history
    # A trainer reads no fingerprint; a coordinator does.
    assert 'data-field="sha256"' not in history
    client.post("/logout")
    login_as("coordinator")
    page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").text
    assert 'data-field="sha256"' in page[page.index('id="day-history"') :]
    overview = client.get(f"/sessions/{workshop.id}/attendance").text
    assert 'data-scans="1"' in overview


# --- Closing a day asks first ------------------------------------------------


def test_closing_a_day_asks_first_then_closes_it(client, login_as, workshop):
    complete_day(workshop)
    attach(workshop)
    login_as(workshop.trainer_user)
    day_page = client.get(f"/sessions/{workshop.id}/attendance/{DAY}").text
    url = f"/sessions/{workshop.id}/attendance/{DAY}/close"
    assert f'href="{url}"' in day_page  # a link to the question, not a form that closes
    question = client.get(url).text
    assert "Close Monday, March 2, 2026?" in question
    assert "a closed day stays closed" in question
    assert "6 present, 0 late, 0 excused, 0 absent" in question
    assert "1 scan of the signed sheet is attached to it." in question
    assert count(AttendanceDayLock) == 0
    response = client.post(url, follow_redirects=True)
    assert "The day is closed." in response.text
    assert count(AttendanceDayLock) == 1
    # Asked again, the day says it is closed already.
    again = client.get(url)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/attendance/{DAY}")


def test_an_incomplete_day_cannot_be_closed_and_the_page_says_what_is_missing(
    client, login_as, workshop
):
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance/{DAY}/close"
    question = client.get(url).text
    assert "still missing: 3 in the morning, 3 in the afternoon" in question
    assert 'id="confirmation-form"' not in question and "Go back" in question
    refused = client.post(url)
    assert refused.status_code == 409
    assert "The day cannot be closed: 6 periods are not recorded yet." in refused.text
    assert count(AttendanceDayLock) == 0


def test_closing_a_completed_sessions_day_goes_through_the_same_page(client, login_as, workshop):
    complete_day(workshop)
    workshop.training_session.status = SessionStatus.COMPLETED
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/sessions/{workshop.id}/attendance/{DAY}/close").status_code == 200


# --- The printed sheet -------------------------------------------------------


def test_the_printed_sheets_qr_code_opens_the_days_keying_page(
    app, client, login_as, workshop, tmp_path
):
    login_as(workshop.trainer_user)
    response = client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?date={DAY}")
    text = " ".join(PdfReader(BytesIO(response.data)).pages[0].extract_text().split())
    assert "NE-2026-CT-01 · 2026-03-02" in text  # the code, read back
    assert "scannez ce code" in text
    [link] = decode(render_png(response.data, tmp_path, dpi=200))
    public = app.config["ATELIER_PUBLIC_URL"]
    assert link == f"{public}/attendance/paper?code=NE-2026-CT-01+2026-03-02"
    opened = client.get(link.removeprefix(public))
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/sessions/{workshop.id}/attendance/{DAY}/paper"
