from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from training.attendance.models import AttendanceRecord
    from training.auth.models import User
    from training.certificates.models import Certificate
    from training.people.models import Organisation, Participant
    from training.sessions.models import TrainingSession


class EnrollmentStatus(LabelledEnum):
    NOMINATED = "nominated", _l("Nominated")
    CONFIRMED = "confirmed", _l("Confirmed")
    WAITLISTED = "waitlisted", _l("Waitlisted")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class Enrollment(Model):
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "session_id"),
        sa.UniqueConstraint("session_id", "waitlist_position"),
        sa.CheckConstraint(
            "pre_test_score IS NULL OR pre_test_score BETWEEN 0 AND 100", name="pre_test_range"
        ),
        sa.CheckConstraint(
            "post_test_score IS NULL OR post_test_score BETWEEN 0 AND 100", name="post_test_range"
        ),
        sa.CheckConstraint(
            "waitlist_position IS NULL OR waitlist_position > 0", name="waitlist_position_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(
        str_enum(EnrollmentStatus, 20), default=EnrollmentStatus.NOMINATED
    )
    nominating_organisation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organisation.id")
    )
    waitlist_position: Mapped[Optional[int]]
    pre_test_score: Mapped[Optional[int]]
    post_test_score: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="enrollments")
    training_session: Mapped[TrainingSession] = relationship(back_populates="enrollments")
    nominating_organisation: Mapped[Optional[Organisation]] = relationship()
    attendance_records: Mapped[list[AttendanceRecord]] = relationship(
        back_populates="enrollment", cascade="all, delete-orphan"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="enrollment", foreign_keys="Certificate.enrollment_id"
    )

    @hybrid_property
    def is_confirmed(self) -> bool:
        """Holds a place: the one definition of the confirmed count, in
        Python and (Enrollment.is_confirmed) in SQL."""
        return self.status == EnrollmentStatus.CONFIRMED

    @hybrid_property
    def is_active(self) -> bool:
        """Still in the session's lists: anything but withdrawn."""
        return self.status != EnrollmentStatus.WITHDRAWN

    @property
    def has_convocation(self) -> bool:
        """A convocation letter is issued for a confirmed place in a session
        that is not cancelled."""
        return self.is_confirmed and not self.training_session.status.is_cancelled

    @property
    def current_certificate(self) -> Optional[Certificate]:
        """The enrollment's valid certificate (at most one), if any."""
        return next((c for c in self.certificates if c.is_valid), None)

    @property
    def knowledge_gain(self) -> Optional[int]:
        if self.pre_test_score is None or self.post_test_score is None:
            return None
        return self.post_test_score - self.pre_test_score


class StagedUpload(Model):
    """A file waiting between its preview and its import, in the database so
    that any app server shows the preview and takes the confirmation: a
    nominee file (kind "nominees", one per coordinator and session) or a
    screening list (kind "screenings", one per coordinator, no session),
    parsed once when it arrived (`content`, compressed JSON; the bytes
    uploaded are not kept), with the coordinator's choices of organisation
    for a nominee file's ambiguous or unknown ones, and, once its valid rows
    are imported, the rows left out as the file to send back. Removed after
    `expires_at`."""

    __tablename__ = "staged_upload"
    __table_args__ = (
        sa.UniqueConstraint("owner_id", "session_id"),
        sa.CheckConstraint(
            "kind = 'screenings' OR session_id IS NOT NULL", name="nominees_have_a_session"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint, whose first column it is.
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(
        sa.String(20), default="nominees", server_default="nominees"
    )  # "nominees" or "screenings"
    session_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_format: Mapped[str] = mapped_column(sa.String(10))  # "csv" or "xlsx"
    encoding: Mapped[Optional[str]] = mapped_column(sa.String(40))
    delimiter: Mapped[Optional[str]] = mapped_column(sa.String(4))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # Folded organisation cell -> the organisation the coordinator chose.
    choices: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    imported_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    imported_count: Mapped[Optional[int]]
    rejected_count: Mapped[Optional[int]]
    rejects: Mapped[Optional[bytes]] = mapped_column(sa.LargeBinary)

    owner: Mapped[User] = relationship()
    training_session: Mapped[Optional[TrainingSession]] = relationship()
