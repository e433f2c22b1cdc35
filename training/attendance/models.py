from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import db
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
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AttendanceRecord(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "date", "period"),
        # Covers "attended periods per enrollment", which reports count over
        # millions of rows without touching the table itself.
        sa.Index("ix_attendance_record_enrollment_id_status", "enrollment_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollment.id"))
    date: Mapped[date]
    period: Mapped[Period] = mapped_column(str_enum(Period, 2))
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus, 10))
    note: Mapped[Optional[str]] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic locking: a save over a newer value than the one loaded fails.
    version: Mapped[int] = mapped_column(default=1)

    enrollment: Mapped[Enrollment] = relationship(back_populates="attendance_records")
    recorded_by: Mapped[Optional[User]] = relationship()

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class AttendanceDayLock(db.Model):
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
