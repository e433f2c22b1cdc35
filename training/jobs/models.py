"""A job's row: what it is, whose it is, how far it got, and what it made."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, deferred, mapped_column

from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow


class JobStatus(LabelledEnum):
    QUEUED = "queued", _l("Waiting to start"), "secondary"
    RUNNING = "running", _l("Under way"), "info"
    DONE = "done", _l("Ready"), "success"
    FAILED = "failed", _l("Failed"), "danger"

    @property
    def is_finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


class Job(Model):
    """One piece of long work asked for by a user. `arguments` holds what it
    needs (filters, a language), never personal data; the result, which may
    hold some, is kept for its owner only and removed when it expires
    (ATELIER_JOB_KEEP_HOURS)."""

    __table_args__ = (
        sa.CheckConstraint("progress >= 0", name="progress_not_negative"),
        sa.Index("ix_job_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    arguments: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, 10), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[Optional[int]]
    result: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    result_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    result_mimetype: Mapped[Optional[str]] = mapped_column(sa.String(120))
    result_size: Mapped[Optional[int]]
    # What went wrong, in words for the owner (never a traceback).
    error: Mapped[Optional[str]] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int | None:
        """How far it got, 0 to 100, when its size is known."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.progress * 100 // self.total)
