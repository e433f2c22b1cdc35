"""Paper sheets keyed back.

Where the network is gone for the whole workshop, the printed sign-in sheet
is the record. Afterwards a coordinator or one of the session's trainers
finds the day by the code printed on the sheet (typed, or read by a scanner
from its QR code), keys its marks back and attaches the signed sheet's scan.
The marks go through save_day, so every rule of recording a day holds (the
session's trainers and coordinators only, no day still to come, closed days
and completed sessions only through a coordinator with a reason); each
record written says it comes from paper. The scan is kept as evidence, like
a certificate's PDF: in the database, checked by its content, never served
to anyone but the session's trainers and coordinators.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError

from training.attendance.models import AttendanceScan, AttendanceSource, ScanType
from training.attendance.services import (
    CellKey,
    DayEntry,
    DaySaveResult,
    DayToCome,
    NotSessionTrainer,
    SessionCompleted,
    check_day,
    save_day,
)
from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.auth.models import User
from training.domain import DomainError
from training.extensions import db
from training.formatting import format_day
from training.pdf.sign_in_sheet import sheet_code
from training.permissions import can
from training.sessions.models import SessionStatus, TrainingSession
from training.text import clean

# --- Finding a sheet by its code -------------------------------------------


class SheetCodeNotUnderstood(DomainError):
    code = "malformed"


class SheetNotFound(DomainError):
    code = "not_found"


# The session's code, then the day (YYYY-MM-DD, or its eight digits), with
# anything between them: the sheet prints "NE-2026-CT-01 · 2026-03-02", a
# person types a space, a dash or nothing for the dot.
_SHEET_CODE = re.compile(
    r"(?P<code>[A-Za-z0-9][A-Za-z0-9._-]{0,39}?)[^A-Za-z0-9]*"
    r"(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})"
)
# Past any code or address a sheet's QR code holds.
MAX_TYPED_CODE = 500


def typed_sheet_code(session_code: str, day: date) -> str:
    """The sheet's code as a keyboard (or a scanner typing it) writes it: the
    printed one with a space for its middle dot."""
    return f"{session_code} {day.isoformat()}"


def read_sheet_code(text: str) -> tuple[str, date]:
    """(session code, day) from what was typed or scanned: the code printed
    at the foot of the sheet, with any separator, or the address its QR
    code holds (…/attendance/paper?code=…), which a USB scanner types
    whole. SheetCodeNotUnderstood otherwise."""
    text = clean(text or "")[:MAX_TYPED_CODE].strip()
    if "code=" in text:
        found = parse_qs(urlsplit(text).query).get("code")
        text = found[0].strip() if found else ""
    match = _SHEET_CODE.fullmatch(text)
    if match is not None:
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            pass
        else:
            return match["code"], day
    raise SheetCodeNotUnderstood(
        _(
            "“%(typed)s” is not a sheet's code. It is printed at the foot of every page of "
            "the sheet: the session's code and the day, as in %(example)s.",
            typed=text[:60],
            example="NE-2026-CT-01 · 2026-03-02",
        ),
        field="code",
    )


@dataclass(frozen=True)
class SheetDay:
    """The day of a session that a sheet's code names."""

    training_session: TrainingSession
    day: date


def find_sheet(text: str, *, actor: User) -> SheetDay:
    """The session and day a sheet's code names (read_sheet_code), among the
    sessions whose attendance `actor` records. A code naming no session, or
    one `actor` may not record, says the same (SheetNotFound): a code tells
    nobody whether someone else's session exists. A session's codes differ
    by more than capitals, so "ne-2026-ct-01" finds NE-2026-CT-01."""
    session_code, day = read_sheet_code(text)
    training_session = db.session.scalar(
        sa.select(TrainingSession).where(TrainingSession.code == session_code)
    )
    if training_session is None:
        matches = db.session.scalars(
            sa.select(TrainingSession)
            .where(sa.func.upper(TrainingSession.code) == session_code.upper())
            .limit(2)
        ).all()
        training_session = matches[0] if len(matches) == 1 else None
    if training_session is None or not can(actor, "attendance.record", training_session):
        raise SheetNotFound(
            _(
                "No sign-in sheet of a session whose attendance you record has the code "
                "“%(code)s”. Check the code printed at the foot of the sheet.",
                code=sheet_code(session_code, day),
            ),
            field="code",
        )
    if not training_session.includes(day):
        raise SheetNotFound(
            _(
                "Session %(code)s runs from %(start)s to %(end)s: %(day)s is not one of its "
                "days. Check the date in the sheet's code.",
                code=training_session.code,
                start=format_day(training_session.start_date, "long"),
                end=format_day(training_session.end_date, "long"),
                day=format_day(day, "long"),
            ),
            field="code",
        )
    return SheetDay(training_session, day)


# --- Keying a day from paper -----------------------------------------------


def key_paper_day(
    training_session: TrainingSession,
    day: date,
    entries: Iterable[DayEntry],
    *,
    actor: User,
    loaded_versions: Mapping[CellKey, int],
    reason: str | None = None,
) -> DaySaveResult:
    """Record a day from its signed paper sheet: save_day's rules, each
    record written marked as coming from paper (a cell keyed as it already
    stood is left as it was, with its source). The keying itself is audited
    once for the day, with the sheet's code and what it wrote."""
    if not can(actor, "attendance.record", training_session):
        raise NotSessionTrainer(
            _("You are not a trainer of this session: you cannot record its attendance.")
        )
    result = save_day(
        training_session,
        day,
        entries,
        actor=actor,
        loaded_versions=loaded_versions,
        reason=reason,
        source=AttendanceSource.PAPER,
    )
    if result.created or result.changed:
        record_event(
            "attendance.keyed_from_paper",
            actor=actor,
            entity=training_session,
            session_id=training_session.id,
            after={
                "date": day,
                "sheet": sheet_code(training_session.code, day),
                "created": result.created,
                "changed": result.changed,
            },
            reason=(reason or "").strip() or None,
        )
        db.session.flush()
    return result


# --- The signed sheet's scan -----------------------------------------------


class ScanRefused(DomainError):
    code = "scan_refused"


class ScanTooLarge(ScanRefused):
    code = "too_large"


# What each accepted kind of file begins with.
_SIGNATURES = (
    (b"%PDF-", ScanType.PDF),
    (b"\xff\xd8\xff", ScanType.JPEG),
    (b"\x89PNG\r\n\x1a\n", ScanType.PNG),
)


def megabytes(size: int) -> str:
    """A size as people read it on a phone: "10 MB", "2.4 MB" (of 1,048,576
    bytes, as the application's other limits)."""
    return _("%(size)s MB", size=format_decimal(round(size / 1_048_576, 1)))


def file_size(size: int) -> str:
    """A file's size: "850 kB" below a megabyte, "2.4 MB" from one."""
    if size < 1_048_576:
        return _("%(size)s kB", size=format_decimal(max(1, round(size / 1024))))
    return megabytes(size)


def scan_type(data: bytes) -> ScanType | None:
    """The kind of file `data` is by its first bytes (its magic number):
    never by its name nor by what the browser says it is."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def _opens(kind: ScanType, data: bytes) -> bool:
    """Whether the file is what its first bytes say, whole: a PDF with at
    least one page and no password; an image whose size is sane (Pillow's
    decompression-bomb limit, some 89 million pixels: a sheet scanned at 600
    dpi is 35) and whose data decodes (a PNG's checksums, a JPEG read at an
    eighth of its size)."""
    try:
        if kind == ScanType.PDF:
            reader = PdfReader(BytesIO(data))
            return not reader.is_encrypted and len(reader.pages) > 0
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[kind.name]) as image:
                if kind == ScanType.JPEG:
                    image.draft("L", (max(1, image.width // 8), max(1, image.height // 8)))
                    image.load()
                else:
                    image.verify()
        return True
    except Exception:
        # A damaged or hostile file can fail anywhere in pypdf's or Pillow's
        # parsers; whatever the failure, the file is refused.
        return False


def check_scan(data: bytes, *, max_bytes: int) -> ScanType:
    """The kind of a scan that may be kept: not empty, at most `max_bytes`,
    a PDF, JPEG or PNG by its content, and whole (see _opens)."""
    if not data:
        raise ScanRefused(_("The file is empty: choose the scan of the signed sheet."), "scan")
    if len(data) > max_bytes:
        raise ScanTooLarge(
            _(
                "The scan is %(size)s, more than the limit of %(limit)s. Scan the sheet again in "
                "black and white or at 200 dpi, or as a JPEG.",
                size=megabytes(len(data)),
                limit=megabytes(max_bytes),
            ),
            "scan",
        )
    kind = scan_type(data)
    if kind is None:
        raise ScanRefused(
            _(
                "This file is not a PDF, a JPEG or a PNG, whatever its name says. Attach the "
                "scan or the photo of the signed sheet."
            ),
            "scan",
        )
    if not _opens(kind, data):
        raise ScanRefused(
            _(
                "This file starts like a %(kind)s but cannot be read: it is damaged, cut "
                "short or protected by a password. Scan the sheet again.",
                kind=kind.label,
            ),
            "scan",
        )
    return kind


def check_may_attach(actor: User, training_session: TrainingSession, day: date) -> None:
    """Who attaches a scan to which day (the rule; a DomainError names the
    one broken): the day is one of the session's and has come (a sheet is
    signed on its day); `actor` records the session's attendance; a
    completed session takes scans only from a user allowed to correct it
    (a coordinator). A closed day takes scans from its trainers too: a scan
    is evidence added, it changes no mark."""
    check_day(training_session, day)
    if day > date.today():
        raise DayToCome(
            _(
                "%(day)s is still to come: its sheet is signed on the day.",
                day=format_day(day, "long"),
            )
        )
    if not can(actor, "attendance.record", training_session):
        raise NotSessionTrainer(
            _("You are not a trainer of this session: you cannot attach its sheets.")
        )
    if training_session.status == SessionStatus.COMPLETED and not can(
        actor, "attendance.correct_completed", training_session
    ):
        raise SessionCompleted(
            _("This session is completed: only a coordinator can attach a scan to it.")
        )


def may_attach(actor: User, training_session: TrainingSession, day: date) -> bool:
    """Whether `actor` may attach a scan to the day (check_may_attach)."""
    try:
        check_may_attach(actor, training_session, day)
    except DomainError:
        return False
    return True


def attach_scan(
    training_session: TrainingSession, day: date, data: bytes, *, actor: User, max_bytes: int
) -> tuple[AttendanceScan, bool]:
    """Keep the scan of a day's signed sheet, and whether it is new: the
    rules of check_may_attach, the file checked by its content
    (check_scan). The same file again on the same day is the scan already
    kept, not a second one. Audited with its fingerprint."""
    check_may_attach(actor, training_session, day)
    kind = check_scan(data, max_bytes=max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    existing = _scan_with(training_session, day, digest)
    if existing is not None:
        return existing, False
    scan = AttendanceScan(
        session_id=training_session.id,
        date=day,
        content_type=kind,
        size=len(data),
        sha256=digest,
        content=data,
        uploaded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(scan)
            db.session.flush()
    except IntegrityError:
        # The same file sent twice at once (a second tap on a slow link).
        found = _scan_with(training_session, day, digest)
        if found is None:
            raise
        return found, False
    record_event(
        "attendance.scan_attached",
        actor=actor,
        entity=scan,
        session_id=training_session.id,
        after={"date": day, "content_type": kind, "size": len(data), "sha256": digest},
    )
    db.session.flush()
    return scan, True


def _scan_with(training_session: TrainingSession, day: date, digest: str) -> AttendanceScan | None:
    return db.session.scalar(
        sa.select(AttendanceScan).where(
            AttendanceScan.session_id == training_session.id,
            AttendanceScan.date == day,
            AttendanceScan.sha256 == digest,
        )
    )


def record_scan_download(scan: AttendanceScan, *, actor: User) -> None:
    """Who opened a scan, and when: it shows people's names and signatures."""
    record_event(
        "attendance.scan_downloaded",
        actor=actor,
        entity=scan,
        session_id=scan.session_id,
        after={"date": scan.date, "sha256": scan.sha256},
    )


def scan_download_name(training_session: TrainingSession, scan: AttendanceScan, number: int) -> str:
    """The name a scan is downloaded under, built by the server."""
    return (
        f"sign-in-scan-{training_session.code}-{scan.date.isoformat()}-{number}."
        f"{scan.content_type.extension}"
    )


def day_scans(training_session: TrainingSession, day: date) -> list[AttendanceScan]:
    """The scans kept for a day, oldest first, without their bytes."""
    return list(
        db.session.scalars(
            sa.select(AttendanceScan)
            .where(AttendanceScan.session_id == training_session.id, AttendanceScan.date == day)
            .order_by(AttendanceScan.uploaded_at, AttendanceScan.id)
            .options(sa.orm.joinedload(AttendanceScan.uploaded_by))
        )
    )


def scan_counts(training_session: TrainingSession) -> dict[date, int]:
    """How many scans each day of the session has (one query)."""
    return dict(
        db.session.execute(
            sa.select(AttendanceScan.date, sa.func.count())
            .where(AttendanceScan.session_id == training_session.id)
            .group_by(AttendanceScan.date)
        ).all()
    )


# --- A day's history -------------------------------------------------------

# What the history of one day lists: its marks' changes and corrections,
# its closing, its keying from paper and its scans.
DAY_HISTORY_ACTIONS = (
    "attendance.changed",
    "attendance.correct_locked",
    "attendance.day_closed",
    "attendance.keyed_from_paper",
    "attendance.scan_attached",
)


def day_history(
    training_session: TrainingSession, day: date, limit: int | None = None
) -> list[AuditEvent]:
    """The audit events of one day of the session, newest first (the day
    each event names, in its recorded values): the `limit` newest, or all."""
    named_day = AuditEvent.changes["after"]["date"].as_string()
    statement = (
        sa.select(AuditEvent)
        .where(
            AuditEvent.session_id == training_session.id,
            AuditEvent.action.in_(DAY_HISTORY_ACTIONS),
            named_day == day.isoformat(),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .options(sa.orm.selectinload(AuditEvent.actor))
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))
