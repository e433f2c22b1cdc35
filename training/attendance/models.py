from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow
from training.sessions.models import Period

if TYPE_CHECKING:
    from training.auth.models import User
    from training.enrollment.models import Enrollment
    from training.sessions.models import TrainingSession


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", _l("Present"), "success"
    LATE = "late", _l("Late"), "warning"
    EXCUSED = "excused", _l("Excused"), "info"
    ABSENT = "absent", _l("Absent"), "danger"

    @property
    def attended(self) -> bool:
        """The one definition of an attended period: present or late."""
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


ATTENDED_STATUSES = tuple(status for status in AttendanceStatus if status.attended)


class AttendanceSource(LabelledEnum):
    """Where a mark comes from: the app (the day grid, its sync endpoint), or
    a signed paper sheet keyed back afterwards (the network was gone)."""

    APP = "app", _l("App"), "secondary"
    PAPER = "paper", _l("Paper sheet"), "info"


class AttendanceRecord(Model):
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "date", "period"),
        # Covers "attended periods per enrollment on the session's days",
        # which reports count over millions of rows without touching the
        # table itself.
        sa.Index("ix_attendance_record_enrollment_id_status", "enrollment_id", "status", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment.id"))
    date: Mapped[date]
    period: Mapped[Period] = mapped_column(str_enum(Period, 2))
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus, 10))
    note: Mapped[Optional[str]] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who wrote the mark last, and from what: rows from before sources were
    # kept are the app's.
    source: Mapped[AttendanceSource] = mapped_column(
        str_enum(AttendanceSource, 10),
        default=AttendanceSource.APP,
        server_default=AttendanceSource.APP.value,
    )
    # Optimistic locking: a save over a newer value than the one loaded fails.
    version: Mapped[int] = mapped_column(default=1)

    enrollment: Mapped[Enrollment] = relationship(back_populates="attendance_records")
    recorded_by: Mapped[Optional[User]] = relationship()

    __mapper_args__ = {"version_id_col": version}


class AttendanceDayLock(Model):
    """A closed day: read-only for trainers; a coordinator corrects it with a
    written reason."""

    __table_args__ = (sa.UniqueConstraint("session_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    date: Mapped[date]
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))

    training_session: Mapped[TrainingSession] = relationship()
    locked_by: Mapped[Optional[User]] = relationship()


class ScanType(LabelledEnum):
    """The kinds of file a signed sheet's scan may be, by their content type
    (found in the file's first bytes, never taken from its name)."""

    PDF = "application/pdf", _l("PDF document")
    JPEG = "image/jpeg", _l("JPEG image")
    PNG = "image/png", _l("PNG image")

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[self.value]


class AttendanceScan(Model):
    """The scan of a day's signed sign-in sheet, the evidence behind marks
    keyed from paper. Kept like a certificate's PDF: in the database (every
    application server reads it, backups carry it), its bytes loaded only
    when it is downloaded, its SHA-256 beside them; a scan is never changed
    and never served to anyone but the session's trainers and coordinators.
    The same file twice on one day is one scan."""

    __table_args__ = (
        sa.UniqueConstraint("session_id", "date", "sha256"),
        sa.CheckConstraint("size > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    date: Mapped[date]
    content_type: Mapped[ScanType] = mapped_column(str_enum(ScanType, 20))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))

    training_session: Mapped[TrainingSession] = relationship()
    uploaded_by: Mapped[Optional[User]] = relationship()


class AttendanceChange(Model):
    """A change sent by the day grid's page (the sync endpoint), applied once.

    The page gives each change an id of its own (a UUID) and may send it
    again when it did not hear the answer (the network went in between):
    the id already here means the change is applied, and it is answered
    "already applied" instead of being applied twice. Only applied changes
    are kept; a conflict or a refusal is decided again when sent again."""

    __table_args__ = (sa.UniqueConstraint("change_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment.id"), index=True)
    date: Mapped[date]
    period: Mapped[Period] = mapped_column(str_enum(Period, 2))
    # The cell's version once the change was applied.
    version: Mapped[int]
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def attended_in_session(start: Any, end: Any) -> sa.ColumnElement[bool]:
    """An attended period in SQL: present or late, on a day of the session
    (from `start` to `end`, both included). A record left outside the
    session's days (dates edited before the rule refused it) never counts,
    so no rate passes 100 %."""
    return sa.and_(
        AttendanceRecord.status.in_(ATTENDED_STATUSES),
        AttendanceRecord.date >= start,
        AttendanceRecord.date <= end,
    )


def attended_count(enrollment_id: Any, start: Any, end: Any) -> sa.ScalarSelect[int]:
    """The attended periods of an enrollment, as a correlated scalar subquery."""
    return (
        sa.select(sa.func.count())
        .select_from(AttendanceRecord)
        .where(AttendanceRecord.enrollment_id == enrollment_id, attended_in_session(start, end))
        .scalar_subquery()
    )
