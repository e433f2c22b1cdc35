"""Paper sheets keyed back: finding a sheet by its code, keying its marks
(the rules of recording a day, each record marked as from paper), the
signed sheet's scan (checked by its content) and the day's history."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.attendance import scans
from tests.attendance.conftest import START
from training.attendance import paper, services
from training.attendance.models import (
    AttendanceRecord,
    AttendanceScan,
    AttendanceSource,
    AttendanceStatus,
    ScanType,
)
from training.attendance.services import DayEntry
from training.attendance.sheet_data import keying_link, sheet_for
from training.audit.models import AuditEvent
from training.domain import DomainError, NotAllowed
from training.extensions import db
from training.sessions.models import Period, SessionStatus

AM, PM = Period.AM, Period.PM
PRESENT, ABSENT, LATE = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE
APP, PAPER = AttendanceSource.APP, AttendanceSource.PAPER
LIMIT = 10 * 1024 * 1024


def everyone(workshop, status=PRESENT, periods=(AM, PM)) -> list[DayEntry]:
    return [DayEntry(e.id, period, status) for e in workshop.enrollments for period in periods]


def sources(workshop, day=START) -> dict[tuple[int, Period], AttendanceSource]:
    db.session.expire_all()
    return {
        key: record.source
        for key, record in services.day_records(workshop.training_session, day).items()
    }


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- The sheet's code ------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "NE-2026-CT-01 · 2026-03-02",  # as printed
        "NE-2026-CT-01 2026-03-02",  # a space for the dot
        "  NE-2026-CT-01-2026-03-02 ",  # a dash, spaces around
        "NE-2026-CT-0120260302",  # nothing between, the day's eight digits
        "NE-2026-CT-01/2026-03-02",
        "http://atelier.example.org/attendance/paper?code=NE-2026-CT-01+2026-03-02",
        "https://x.example/attendance/paper?code=NE-2026-CT-01%20%C2%B7%202026-03-02",
    ],
)
def test_a_sheets_code_is_read_however_it_is_typed_or_scanned(typed):
    assert paper.read_sheet_code(typed) == ("NE-2026-CT-01", date(2026, 3, 2))


@pytest.mark.parametrize(
    "typed",
    ["", "NE-2026-CT-01", "2026-03-02", "NE-2026-CT-01 2026-02-30", "https://x.example/?q=1"],
)
def test_what_is_not_a_sheets_code_says_where_the_code_is(typed):
    with pytest.raises(paper.SheetCodeNotUnderstood, match="printed at the foot") as refused:
        paper.read_sheet_code(typed)
    assert refused.value.field == "code"


def test_the_code_finds_the_sheet_of_a_session_the_user_records(workshop):
    found = paper.find_sheet("ne-2026-ct-01 2026-03-03", actor=workshop.trainer_user)
    assert found.training_session is workshop.training_session
    assert found.day == START + timedelta(days=1)
    coordinator = factories.make_user("coordinator")
    assert paper.find_sheet("NE-2026-CT-01 2026-03-02", actor=coordinator).day == START


def test_a_code_of_no_session_or_of_someone_elses_says_the_same(workshop):
    stranger = factories.make_user("trainer")
    with pytest.raises(paper.SheetNotFound) as unknown:
        paper.find_sheet("XX-9999 2026-03-02", actor=stranger)
    with pytest.raises(paper.SheetNotFound) as elsewhere:
        paper.find_sheet("NE-2026-CT-01 2026-03-02", actor=stranger)
    assert "No sign-in sheet of a session whose attendance you record" in unknown.value.message
    assert elsewhere.value.message == unknown.value.message.replace("XX-9999", "NE-2026-CT-01")


def test_a_code_naming_a_day_outside_the_session_says_which_days_it_runs(workshop):
    with pytest.raises(paper.SheetNotFound, match="runs from March 2, 2026 to March 4, 2026"):
        paper.find_sheet("NE-2026-CT-01 2026-03-09", actor=workshop.trainer_user)


def test_each_days_sheet_links_to_the_page_that_finds_it(app, workshop):
    app.config["ATELIER_PUBLIC_URL"] = "https://atelier.example.org"
    try:
        sheet = sheet_for(workshop.training_session, workshop.training_session.days, None)
    finally:
        app.config["ATELIER_PUBLIC_URL"] = "http://127.0.0.1:5000"
    assert [day for day, _link in sheet.links] == workshop.training_session.days
    day, link = sheet.links[0]
    assert link == ("https://atelier.example.org/attendance/paper?code=NE-2026-CT-01+2026-03-02")
    assert paper.read_sheet_code(link) == ("NE-2026-CT-01", day)
    assert keying_link("NE-2026-CT-01", day).endswith("?code=NE-2026-CT-01+2026-03-02")


# --- Keying a day from paper -----------------------------------------------


def test_keyed_marks_are_recorded_as_from_paper_and_the_keying_is_audited_once(workshop):
    ts = workshop.training_session
    result = paper.key_paper_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    db.session.commit()
    assert (result.created, result.changed) == (6, 0)
    assert set(sources(workshop).values()) == {PAPER}
    [keyed] = events("attendance.keyed_from_paper")
    assert keyed.session_id == ts.id and keyed.actor_id == workshop.trainer_user.id
    assert keyed.changes["after"] == {
        "date": "2026-03-02",
        "sheet": "NE-2026-CT-01 · 2026-03-02",
        "created": 6,
        "changed": 0,
    }
    # Keyed again as it stands: nothing written, nothing audited.
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    again = paper.key_paper_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions=versions
    )
    assert (again.created, again.changed) == (0, 0)
    assert len(events("attendance.keyed_from_paper")) == 1


def test_the_paper_corrects_the_app_cell_by_cell_and_says_so_in_the_audit(workshop):
    ts = workshop.training_session
    first, second = workshop.enrollments[:2]
    services.save_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    coordinator = factories.make_user("coordinator")
    entries = [DayEntry(first.id, AM, ABSENT), DayEntry(second.id, AM, PRESENT)]
    result = paper.key_paper_day(ts, START, entries, actor=coordinator, loaded_versions=versions)
    assert (result.created, result.changed) == (0, 1)
    found = sources(workshop)
    assert found[(first.id, AM)] == PAPER  # changed from the sheet
    assert found[(second.id, AM)] == APP  # the sheet agreed: left as it was
    [changed] = events("attendance.changed")
    assert changed.changes["before"]["source"] == "app"
    assert changed.changes["after"]["source"] == "paper"
    assert changed.changes["after"]["status"] == "absent"
    # The app changing a paper mark makes it the app's again.
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    services.save_day(
        ts,
        START,
        [DayEntry(first.id, AM, LATE)],
        actor=workshop.trainer_user,
        loaded_versions=versions,
    )
    assert sources(workshop)[(first.id, AM)] == APP
    assert events("attendance.changed")[-1].changes["before"]["source"] == "paper"


def test_the_sync_endpoints_changes_are_the_apps(workshop):
    ts = workshop.training_session
    first = workshop.enrollments[0]
    paper.key_paper_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    version = services.day_records(ts, START)[(first.id, PM)].version
    change = services.CellChange(uuid.uuid4(), first.id, START, PM, ABSENT, None, version)
    [result] = services.apply_changes(ts, [change], actor=workshop.trainer_user)
    assert result.outcome == services.ChangeOutcome.APPLIED
    found = sources(workshop)
    assert found[(first.id, PM)] == APP and found[(first.id, AM)] == PAPER


def test_keying_follows_every_rule_of_recording_a_day(workshop):
    ts = workshop.training_session
    stranger = factories.make_user("trainer")
    with pytest.raises(NotAllowed):
        paper.key_paper_day(ts, START, everyone(workshop), actor=stranger, loaded_versions={})
    outsider = factories.enroll(training_session=factories.make_session(start_date=START))
    with pytest.raises(DomainError, match="confirmed in this session"):
        paper.key_paper_day(
            ts,
            START,
            [*everyone(workshop), DayEntry(outsider.id, AM, PRESENT)],
            actor=workshop.trainer_user,
            loaded_versions={},
        )
    assert count(AttendanceRecord) == 0 and not events("attendance.keyed_from_paper")

    running = factories.make_session(start_date=date.today() - timedelta(days=1))
    factories.assign(workshop.trainer_user.trainer, running)
    enrollment = factories.enroll(training_session=running)
    with pytest.raises(DomainError, match="still to come"):
        paper.key_paper_day(
            running,
            date.today() + timedelta(days=1),
            [DayEntry(enrollment.id, AM, PRESENT)],
            actor=workshop.trainer_user,
            loaded_versions={},
        )


def test_a_closed_day_is_keyed_only_by_a_coordinator_with_a_reason(workshop):
    ts = workshop.training_session
    services.save_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    services.close_day(ts, START, actor=workshop.trainer_user)
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    change = [DayEntry(workshop.enrollments[0].id, PM, ABSENT)]
    with pytest.raises(NotAllowed, match="closed"):
        paper.key_paper_day(
            ts, START, change, actor=workshop.trainer_user, loaded_versions=versions
        )
    coordinator = factories.make_user("coordinator")
    with pytest.raises(DomainError, match="reason"):
        paper.key_paper_day(ts, START, change, actor=coordinator, loaded_versions=versions)
    paper.key_paper_day(
        ts, START, change, actor=coordinator, loaded_versions=versions, reason="Signed sheet"
    )
    [keyed] = events("attendance.keyed_from_paper")
    assert keyed.reason == "Signed sheet"
    assert sources(workshop)[(workshop.enrollments[0].id, PM)] == PAPER


def test_the_overview_knows_which_marks_came_from_paper(workshop):
    ts = workshop.training_session
    first = workshop.enrollments[0]
    paper.key_paper_day(
        ts,
        START,
        [DayEntry(first.id, AM, PRESENT)],
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    services.save_day(
        ts,
        START,
        [DayEntry(first.id, PM, PRESENT)],
        actor=workshop.trainer_user,
        loaded_versions={},
    )
    assert services.session_overview(ts).paper_cells == frozenset({(first.id, START, AM)})


# --- The signed sheet's scan -----------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [(scans.png(), ScanType.PNG), (scans.jpeg(), ScanType.JPEG), (scans.pdf(2), ScanType.PDF)],
)
def test_a_scan_is_kept_with_its_day_fingerprint_and_type_found_in_its_content(
    workshop, data, kind
):
    ts = workshop.training_session
    scan, created = paper.attach_scan(ts, START, data, actor=workshop.trainer_user, max_bytes=LIMIT)
    db.session.commit()
    assert created
    db.session.expire_all()
    stored = db.session.get(AttendanceScan, scan.id)
    assert (stored.session_id, stored.date, stored.content_type) == (ts.id, START, kind)
    assert stored.size == len(data) and stored.content == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploaded_by_id == workshop.trainer_user.id
    [event] = events("attendance.scan_attached")
    assert event.changes["after"] == {
        "date": "2026-03-02",
        "content_type": kind.value,
        "size": len(data),
        "sha256": stored.sha256,
    }
    assert paper.day_scans(ts, START) == [stored]
    assert paper.scan_counts(ts) == {START: 1}


def test_the_same_file_twice_is_one_scan(workshop):
    ts, data = workshop.training_session, scans.png()
    first, created = paper.attach_scan(
        ts, START, data, actor=workshop.trainer_user, max_bytes=LIMIT
    )
    again, created_again = paper.attach_scan(
        ts, START, data, actor=factories.make_user("coordinator"), max_bytes=LIMIT
    )
    assert created and not created_again and again.id == first.id
    assert count(AttendanceScan) == 1 and len(events("attendance.scan_attached")) == 1
    # The same file on another day is that day's scan.
    other_day = START + timedelta(days=1)
    _scan, created = paper.attach_scan(
        ts, other_day, data, actor=workshop.trainer_user, max_bytes=LIMIT
    )
    assert created and paper.scan_counts(ts) == {START: 1, other_day: 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (scans.TEXT_NAMED_PDF, "not a PDF, a JPEG or a PNG"),
        (b"GIF89a" + b"\x00" * 40, "not a PDF, a JPEG or a PNG"),
        (scans.FORGED_PNG, "starts like a PNG image but cannot be read"),
        (scans.CUT_SHORT_JPEG, "starts like a JPEG image but cannot be read"),
        (b"%PDF-1.7\n%garbage only\n", "starts like a PDF document but cannot be read"),
        (scans.pdf(password="secret"), "protected by a password"),
    ],
)
def test_a_file_that_is_not_a_whole_pdf_jpeg_or_png_is_refused_and_nothing_kept(
    workshop, data, message
):
    with pytest.raises(paper.ScanRefused, match=message) as refused:
        paper.attach_scan(
            workshop.training_session, START, data, actor=workshop.trainer_user, max_bytes=LIMIT
        )
    assert refused.value.field == "scan"
    assert count(AttendanceScan) == 0 and not events("attendance.scan_attached")


def test_a_scan_past_the_limit_is_refused_naming_both_sizes(workshop):
    data = scans.noisy_png(1100, 1100)
    with pytest.raises(
        paper.ScanTooLarge, match=r"The scan is 1\.2 MB, more than the limit of 1 MB\."
    ):
        paper.attach_scan(
            workshop.training_session,
            START,
            data,
            actor=workshop.trainer_user,
            max_bytes=1024 * 1024,
        )
    assert count(AttendanceScan) == 0


def test_an_image_too_large_to_be_a_scan_is_refused_before_it_is_decoded(workshop):
    # 900 million pixels announced in a hundred bytes: a decompression bomb.
    bomb = scans.png_bomb()
    assert len(bomb) < 200
    with pytest.raises(paper.ScanRefused, match="cannot be read"):
        paper.attach_scan(
            workshop.training_session, START, bomb, actor=workshop.trainer_user, max_bytes=LIMIT
        )


def test_who_attaches_a_scan_to_which_day(workshop):
    ts, data = workshop.training_session, scans.png()
    stranger = factories.make_user("trainer")
    with pytest.raises(NotAllowed):
        paper.attach_scan(ts, START, data, actor=stranger, max_bytes=LIMIT)
    with pytest.raises(DomainError, match="not a day of this session"):
        paper.attach_scan(
            ts, START - timedelta(days=1), data, actor=workshop.trainer_user, max_bytes=LIMIT
        )
    running = factories.make_session(start_date=date.today())
    factories.assign(workshop.trainer_user.trainer, running)
    with pytest.raises(DomainError, match="still to come"):
        paper.attach_scan(
            running,
            date.today() + timedelta(days=1),
            data,
            actor=workshop.trainer_user,
            max_bytes=LIMIT,
        )
    assert not paper.may_attach(stranger, ts, START)
    assert count(AttendanceScan) == 0

    # A closed day still takes its scan from its trainer: it changes no mark.
    services.save_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    services.close_day(ts, START, actor=workshop.trainer_user)
    assert paper.may_attach(workshop.trainer_user, ts, START)
    paper.attach_scan(ts, START, data, actor=workshop.trainer_user, max_bytes=LIMIT)

    # A completed session's, only from a coordinator.
    ts.status = SessionStatus.COMPLETED
    db.session.flush()
    with pytest.raises(NotAllowed, match="only a coordinator"):
        paper.attach_scan(ts, START, scans.jpeg(), actor=workshop.trainer_user, max_bytes=LIMIT)
    coordinator = factories.make_user("coordinator")
    assert paper.may_attach(coordinator, ts, START)
    paper.attach_scan(ts, START, scans.jpeg(), actor=coordinator, max_bytes=LIMIT)
    assert count(AttendanceScan) == 2


# --- A day's history -------------------------------------------------------


def test_a_days_history_lists_its_keying_scans_corrections_and_closing_only(workshop):
    ts = workshop.training_session
    coordinator = factories.make_user("coordinator")
    next_day = START + timedelta(days=1)
    paper.key_paper_day(
        ts, START, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    paper.key_paper_day(
        ts, next_day, everyone(workshop), actor=workshop.trainer_user, loaded_versions={}
    )
    paper.attach_scan(ts, START, scans.png(), actor=workshop.trainer_user, max_bytes=LIMIT)
    services.close_day(ts, START, actor=workshop.trainer_user)
    versions = {key: r.version for key, r in services.day_records(ts, START).items()}
    services.save_day(
        ts,
        START,
        [DayEntry(workshop.enrollments[0].id, AM, LATE)],
        actor=coordinator,
        loaded_versions=versions,
        reason="Arrived at ten",
    )
    [scan] = paper.day_scans(ts, START)
    paper.record_scan_download(scan, actor=coordinator)
    db.session.commit()
    history = paper.day_history(ts, START)
    assert [event.action for event in history] == [
        "attendance.changed",
        "attendance.day_closed",
        "attendance.scan_attached",
        "attendance.keyed_from_paper",
    ]
    assert [event.action for event in paper.day_history(ts, next_day)] == [
        "attendance.keyed_from_paper"
    ]
    [download] = events("attendance.scan_downloaded")
    assert download.actor_id == coordinator.id and download.entity_id == scan.id
