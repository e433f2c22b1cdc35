"""The reports' own table: one row per person-training, kept up to date.

A *person-training* is a confirmed enrollment in a completed session. Every
figure of the reports is a GROUP BY over these rows; reading them from the
enrollments means joining each one to its session, curriculum, participant,
organisation, attendance records and certificate, which at the scale of a
programme (hundreds of thousands of enrollments, millions of attendance
records) takes seconds. `ReportTraining` holds those joined values, one
narrow row per person-training, so a report reads a single table.

It is derived data: a write to anything the rows copy marks them stale
(`ReportStale`), the reports catch the marked sessions up before reading,
and `flask rebuild-reports` rebuilds the whole table from the source tables
(training.reports.projection). Nothing else writes it.
"""

from __future__ import annotations

from datetime import date
from typing import Optional, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from training.certificates.models import CertificateKind
from training.curricula.models import Theme
from training.extensions import Model
from training.orm import str_enum
from training.people.models import OrganisationKind, Sex

# The columns the report filters read (besides theme, year and the
# participant's attributes), and those the headline adds up.
FILTERED = ("start_date", "country", "curriculum_id", "session_id")
SUMMED = ("periods", "attended_periods", "knowledge_gain", "certificate_kind")


class ReportTraining(Model):
    __tablename__ = "report_training"
    __table_args__ = (
        # One covering index per GROUP BY of the reports: its group keys
        # first, then every column a filter or a sum reads. Each report
        # query then reads one index in group order, whatever the filters,
        # without sorting and without visiting the table.
        sa.Index(
            "ix_report_training_people",
            "nationality",
            "organisation_kind",
            "sex",
            "participant_id",
            *FILTERED,
        ),
        sa.Index(
            "ix_report_training_year",
            "year",
            "sex",
            "participant_id",
            "organisation_kind",
            *FILTERED,
        ),
        sa.Index(
            "ix_report_training_theme",
            "theme",
            "year",
            "sex",
            "participant_id",
            "organisation_kind",
            *FILTERED,
            *SUMMED,
        ),
    )

    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    # The session's, copied.
    start_date: Mapped[date] = mapped_column(index=True)
    year: Mapped[int]
    country: Mapped[str] = mapped_column(sa.String(2))
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curriculum.id", ondelete="CASCADE"))
    theme: Mapped[Theme] = mapped_column(str_enum(Theme, 40))
    periods: Mapped[int]  # scheduled half-days: two a day
    # The participant's, copied; organisation_kind is None without one.
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, 1))
    nationality: Mapped[Optional[str]] = mapped_column(sa.String(2))
    organisation_kind: Mapped[Optional[OrganisationKind]] = mapped_column(
        str_enum(OrganisationKind, 40)
    )
    # The enrollment's: attended (present or late) periods, scores and
    # knowledge gain (post minus pre, None unless both are known), and the
    # kind of its valid certificate (at most one per enrollment).
    attended_periods: Mapped[int]
    pre_test_score: Mapped[Optional[int]]
    post_test_score: Mapped[Optional[int]]
    knowledge_gain: Mapped[Optional[int]]
    certificate_kind: Mapped[Optional[CertificateKind]] = mapped_column(
        str_enum(CertificateKind, 20)
    )


class ReportStale(Model):
    """A mark left by a write that `report_training` rows copy from: what
    changed (a session, an enrollment, a participant, an organisation or a
    curriculum, by id; ("all", 0) when anything may have). The reports catch
    the marked sessions up before reading (training.reports.projection)."""

    __tablename__ = "report_stale"

    kind: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


# The two tables, for the projection's Core statements: the declarative base
# types `__table__` as any FromClause, which has no insert() or delete().
report_training = cast(sa.Table, ReportTraining.__table__)
report_stale = cast(sa.Table, ReportStale.__table__)
