"""The roster of a session as a spreadsheet: its participants (confirmed,
then the waiting line, then those still nominated) with rank, organisation,
country and status, and its trainers. Contacts (email, phone) are written
only for a reader allowed to see them (`with_contacts`: coordination).
Every cell is spreadsheet-safe (training.reports.exports)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import selectinload

from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.formatting import country_name
from training.people.models import Participant
from training.reports.exports import HEADER_FILL, HEADER_FONT, spreadsheet_safe
from training.sessions.models import AssignmentRole, TrainingSession

# The order of the roster: who takes part first, then the line, then the rest.
STATUS_ORDER = {
    EnrollmentStatus.CONFIRMED: 0,
    EnrollmentStatus.WAITLISTED: 1,
    EnrollmentStatus.NOMINATED: 2,
}


def roster_enrollments(training_session: TrainingSession) -> list[Enrollment]:
    """The session's enrollments that are not withdrawn, in roster order,
    with participant and organisation loaded (two queries)."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.session_id == training_session.id, Enrollment.is_active)
        .options(selectinload(Enrollment.participant).selectinload(Participant.organisation))
    ).all()
    return sorted(
        enrollments,
        key=lambda e: (
            STATUS_ORDER.get(e.status, 3),
            e.waitlist_position or 0,
            e.participant.family_name.casefold(),
            e.participant.given_name.casefold(),
            e.id,
        ),
    )


def _heading(sheet: Worksheet, titles: Sequence[str]) -> None:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=spreadsheet_safe(title))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _status(enrollment: Enrollment) -> str:
    if enrollment.status == EnrollmentStatus.WAITLISTED and enrollment.waitlist_position:
        return _(
            "%(status)s (position %(position)d)",
            status=enrollment.status.label,
            position=enrollment.waitlist_position,
        )
    return str(enrollment.status.label)


def roster_xlsx(training_session: TrainingSession, *, with_contacts: bool, language: str) -> bytes:
    """The workbook: a sheet of participants and one of trainers. Called in
    the pack's locale (headings, statuses); country names in `language`."""
    workbook = Workbook(write_only=True)
    participants = workbook.create_sheet(_("Participants")[:31])
    participants.freeze_panes = "A2"
    if language == "ar":  # columns from right to left, as Arabic reads
        participants.sheet_view.rightToLeft = True
    headings = [
        _("No."),
        _("Family name"),
        _("Given name"),
        _("Name in Arabic script"),
        _("Sex"),
        _("Rank"),
        _("Function"),
        _("Organisation"),
        _("Country"),
    ]
    widths = [5, 22, 20, 24, 6, 22, 24, 36, 16]
    if with_contacts:
        headings += [_("Email"), _("Phone")]
        widths += [30, 18]
    headings.append(_("Status"))
    widths.append(22)
    _widths(participants, widths)
    _heading(participants, headings)
    for number, enrollment in enumerate(roster_enrollments(training_session), start=1):
        participant = enrollment.participant
        row: list[Any] = [
            number,
            participant.family_name.upper(),
            participant.given_name,
            participant.name_ar or "",
            participant.sex.value if participant.sex else "",
            participant.rank or "",
            participant.function or "",
            participant.organisation.label if participant.organisation else "",
            country_name(participant.nationality, language),
        ]
        if with_contacts:
            row += [participant.email or "", participant.phone or ""]
        row.append(_status(enrollment))
        participants.append([spreadsheet_safe(value) for value in row])

    trainers = workbook.create_sheet(_("Trainers")[:31])
    trainer_headings = [_("Name"), _("Role"), _("Organisation")]
    trainer_widths = [28, 18, 36]
    if with_contacts:
        trainer_headings.append(_("Email"))
        trainer_widths.append(30)
    _widths(trainers, trainer_widths)
    _heading(trainers, trainer_headings)
    assignments = sorted(
        training_session.assignments,
        key=lambda a: (a.role != AssignmentRole.LEAD, a.trainer.name.casefold()),
    )
    for assignment in assignments:
        trainer = assignment.trainer
        values: list[Any] = [
            trainer.name,
            str(assignment.role.label),
            trainer.organisation.label if trainer.organisation else "",
        ]
        if with_contacts:
            values.append(trainer.email or "")
        trainers.append([spreadsheet_safe(value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
