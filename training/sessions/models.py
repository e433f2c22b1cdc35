from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import FunctionElement

from training.extensions import Model, db
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from training.auth.models import User
    from training.curricula.models import Curriculum
    from training.enrollment.models import Enrollment
    from training.people.models import Organisation, Trainer


class SessionKind(LabelledEnum):
    TRAINING = "training", _l("Training")
    TRAINING_OF_TRAINERS = "training_of_trainers", _l("Training of trainers")
    WORKSHOP = "workshop", _l("Workshop")
    SEMINAR = "seminar", _l("Seminar")


class SessionStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned"), "secondary"
    OPEN = "open", _l("Open"), "primary"
    IN_PROGRESS = "in_progress", _l("In progress"), "warning"
    COMPLETED = "completed", _l("Completed"), "success"
    CANCELLED = "cancelled", _l("Cancelled"), "dark"

    @property
    def is_cancelled(self) -> bool:
        return self is SessionStatus.CANCELLED

    @property
    def is_closed(self) -> bool:
        """Completed or cancelled: the session takes no new trainers,
        nominations or confirmations."""
        return self in (SessionStatus.COMPLETED, SessionStatus.CANCELLED)


CLOSED_STATUSES = tuple(status for status in SessionStatus if status.is_closed)
# Planned, open or in progress: the sessions a coordinator still works on.
ACTIVE_STATUSES = tuple(status for status in SessionStatus if not status.is_closed)


class SessionLanguage(LabelledEnum):
    FRENCH = "fr", _l("French")
    ENGLISH = "en", _l("English")
    ARABIC = "ar", _l("Arabic")


class Period(LabelledEnum):
    AM = "am", _l("Morning")
    PM = "pm", _l("Afternoon")


class day_count(FunctionElement):
    """Days from a start date to an end date, both included, on every engine."""

    type = sa.Integer()
    inherit_cache = True


@compiles(day_count)
def _day_count_default(element: day_count, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(({compiler.process(end, **kw)}) - ({compiler.process(start, **kw)}) + 1)"


@compiles(day_count, "sqlite")
def _day_count_sqlite(element: day_count, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER) + 1)"
    )


class AssignmentRole(LabelledEnum):
    LEAD = "lead", _l("Lead trainer")
    CO_TRAINER = "co_trainer", _l("Co-trainer")


session_partner = sa.Table(
    "session_partner",
    db.metadata,
    sa.Column(
        "session_id", sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("organisation_id", sa.ForeignKey("organisation.id"), primary_key=True),
)


class TrainingSession(Model):
    """A workshop session delivering one curriculum; `training_session` in
    code so that nothing shadows flask.session."""

    __tablename__ = "training_session"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="end_after_start"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curriculum.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[SessionKind] = mapped_column(
        str_enum(SessionKind, 30), default=SessionKind.TRAINING
    )
    start_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date]
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2))
    venue: Mapped[Optional[str]] = mapped_column(sa.String(200))
    language: Mapped[SessionLanguage] = mapped_column(
        str_enum(SessionLanguage, 2), default=SessionLanguage.FRENCH
    )
    capacity: Mapped[int]
    screening_required: Mapped[bool] = mapped_column(default=True)
    # Mail to its nominees and trainers (confirmation, waiting list,
    # certificate, assignment); off, nothing is queued for this session.
    send_notifications: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, 20), default=SessionStatus.PLANNED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    curriculum: Mapped[Curriculum] = relationship()
    partners: Mapped[list[Organisation]] = relationship(
        secondary=session_partner, order_by="Organisation.name"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="training_session", cascade="all, delete-orphan"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="training_session")
    # The enrollments holding a place (Enrollment.is_confirmed), read only.
    confirmed_enrollments: Mapped[list[Enrollment]] = relationship(
        primaryjoin="and_(Enrollment.session_id == TrainingSession.id, Enrollment.is_confirmed)",
        viewonly=True,
    )

    @property
    def days(self) -> list[date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=offset) for offset in range(count)]

    @property
    def period_count(self) -> int:
        """The session's periods: two a day (AM, PM)."""
        return len(self.days) * len(Period)

    @classmethod
    def periods_expression(cls) -> sa.ColumnElement[int]:
        """period_count in SQL."""
        return day_count(cls.start_date, cls.end_date) * len(Period)

    def includes(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def is_closed(self) -> bool:
        """Completed or cancelled (see SessionStatus.is_closed)."""
        return self.status.is_closed

    @property
    def is_completed(self) -> bool:
        return self.status == SessionStatus.COMPLETED

    @property
    def is_training_of_trainers(self) -> bool:
        return self.kind == SessionKind.TRAINING_OF_TRAINERS

    @property
    def accepts_trainers(self) -> bool:
        """Trainers can still be assigned (or removed)."""
        return not self.is_closed

    def is_taught_by(self, trainer_id: int | None) -> bool:
        return trainer_id is not None and any(
            assignment.trainer_id == trainer_id for assignment in self.assignments
        )

    def has_confirmed(self, participant_id: int | None) -> bool:
        return participant_id is not None and any(
            enrollment.participant_id == participant_id for enrollment in self.confirmed_enrollments
        )

    @classmethod
    def taught_by(cls, trainer_id: int) -> sa.ColumnElement[bool]:
        """is_taught_by() in SQL."""
        return cls.assignments.any(Assignment.trainer_id == trainer_id)

    @classmethod
    def confirming(cls, participant_id: int) -> sa.ColumnElement[bool]:
        """has_confirmed() in SQL."""
        return cls.confirmed_enrollments.any(participant_id=participant_id)

    def title(self, language: str | None = None) -> str:
        return self.curriculum.title(language or self.language.value)

    def __repr__(self) -> str:
        return f"<TrainingSession {self.code}>"


class Assignment(Model):
    __table_args__ = (sa.UniqueConstraint("session_id", "trainer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    trainer_id: Mapped[int] = mapped_column(sa.ForeignKey("trainer.id"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(
        str_enum(AssignmentRole, 20), default=AssignmentRole.CO_TRAINER
    )
    # Written when the trainer is not qualified for the curriculum.
    override_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))

    training_session: Mapped[TrainingSession] = relationship(back_populates="assignments")
    trainer: Mapped[Trainer] = relationship(back_populates="assignments")
    assigned_by: Mapped[Optional[User]] = relationship()
