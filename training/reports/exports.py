"""The report as tables, and those tables as CSV and XLSX.

The same `Table` list feeds the spreadsheet exports and the donor report,
so every output shows the same figures under the same headings. Every text
cell is made spreadsheet-safe: a cell that a spreadsheet would read as a
formula (starting with =, +, -, @, a tab or a carriage return) gets a
leading apostrophe.

The CSV holds every table one after the other, each under its title row and
separated by a blank line (the "sections" layout); the XLSX holds one sheet
per table after a first sheet stating the filters. Each CSV is written in one
of two dialects (`CsvDialect`): the international one (comma, decimal point)
that every tool reads, and the one Excel set up for French opens straight into
columns (semicolon, decimal comma).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from training.certificates.models import CertificateKind
from training.curricula.models import Theme
from training.formatting import country_name
from training.labels import label
from training.orm import LabelledEnum
from training.people.models import OrganisationKind, Sex
from training.reports.queries import Report
from training.text import spreadsheet_safe

HEADER_FILL = PatternFill("solid", start_color="1F3A5F", end_color="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV separates its cells and writes its decimals."""

    name: str
    delimiter: str
    decimal_comma: bool

    def decimal(self, value: Any) -> Any:
        """A decimal number as this dialect's reader types it (12.5 or 12,5)."""
        return str(value).replace(".", ",") if self.decimal_comma else value


INTERNATIONAL = CsvDialect("international", ",", decimal_comma=False)
# Excel in a French locale splits on semicolons and reads "12,5" as a number.
EXCEL_FR = CsvDialect("excel-fr", ";", decimal_comma=True)
CSV_DIALECTS = {dialect.name: dialect for dialect in (INTERNATIONAL, EXCEL_FR)}


@dataclass(frozen=True)
class Table:
    title: str
    sheet_name: str  # at most 31 characters (Excel's limit)
    header: Sequence[str]
    # The report's tables hold lists; the participant-level export's rows
    # are generated as the database result is read, so they are read once.
    rows: Iterable[Sequence[Any]]


def percent_value(share: float | None) -> float | None:
    """A share from 0 to 1 as a percentage rounded to one decimal."""
    return round(share * 100, 1) if share is not None else None


def headline_rows(report: Report) -> list[tuple[str, Any, str]]:
    """(figure, value, unit) for each headline figure."""
    headline = report.headline
    points = _("percentage points")
    rows: list[tuple[str, Any, str]] = [
        (_("Sessions held"), headline.sessions_held, ""),
        (_("People trained"), headline.people_trained, ""),
        (_("Person-trainings"), headline.person_trainings, ""),
        (_("Women trained"), headline.women, ""),
        (_("Share of women"), percent_value(headline.share_of_women), "%"),
        (_("Completion rate"), percent_value(headline.completion_rate), "%"),
        (_("Attendance rate"), percent_value(headline.attendance_rate), "%"),
        (
            _("Mean knowledge gain"),
            round(headline.mean_knowledge_gain, 1)
            if headline.mean_knowledge_gain is not None
            else None,
            points,
        ),
    ]
    rows += [
        (_("Certificates issued: %(kind)s", kind=label(kind)), headline.certificates[kind], "")
        for kind in CertificateKind
    ]
    rows.append(
        (_("Trainers qualified through trainings of trainers"), headline.trainers_qualified, "")
    )
    return rows


def nationality_label(code: str | None) -> str:
    return country_name(code) if code else _("Not recorded")


def organisation_kind_label(kind: str | None) -> str:
    return label(OrganisationKind(kind)) if kind else _("No organisation")


def report_tables(report: Report) -> list[Table]:
    """The report's tables, with translated headings."""
    women, men, total = _("Women"), _("Men"), _("Total")
    headline = Table(
        _("Headline figures"),
        _("Headline"),
        (_("Figure"), _("Value"), _("Unit")),
        headline_rows(report),
    )
    by_country = Table(
        _("People trained by nationality and sex"),
        _("Nationality × sex"),
        (_("Nationality"), women, men, total),
        [(nationality_label(row.key), row.women, row.men, row.total) for row in report.by_country],
    )
    by_kind = Table(
        _("People trained by organisation kind and sex"),
        _("Organisation kind × sex"),
        (_("Organisation kind"), women, men, total),
        [
            (organisation_kind_label(row.key), row.women, row.men, row.total)
            for row in report.by_organisation_kind
        ],
    )
    by_theme_year = Table(
        _("Sessions and people trained by theme and year"),
        _("Theme × year"),
        (
            _("Theme"),
            _("Year"),
            _("Sessions held"),
            _("People trained"),
            _("Person-trainings"),
            women,
            men,
        ),
        [
            (
                label(Theme(row.theme)),
                row.year,
                row.sessions_held,
                row.people_trained,
                row.person_trainings,
                row.women,
                row.men,
            )
            for row in report.by_theme_year
        ],
    )
    gain = Table(
        _("Mean knowledge gain by theme"),
        _("Knowledge gain"),
        (
            _("Theme"),
            _("Mean knowledge gain (percentage points)"),
            _("Person-trainings with both tests"),
        ),
        [
            (label(Theme(row.theme)), round(row.mean_knowledge_gain, 1), row.scored_trainings)
            for row in report.gain_by_theme
        ],
    )
    return [headline, by_country, by_kind, by_theme_year, gain]


def _csv_value(value: Any, dialect: CsvDialect = INTERNATIONAL) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return dialect.decimal(value)
    return spreadsheet_safe(value)


def report_csv(
    tables: Sequence[Table],
    filters: Sequence[tuple[str, str]],
    dialect: CsvDialect = INTERNATIONAL,
) -> str:
    """Every table as a section: a title row, the header, the rows, a blank
    line; the filters come first, as a section of their own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    writer.writerow([spreadsheet_safe(_("Filters"))])
    writer.writerows([[_csv_value(name), _csv_value(value)] for name, value in filters])
    for table in tables:
        writer.writerow([])
        writer.writerow([spreadsheet_safe(table.title)])
        writer.writerow([_csv_value(cell) for cell in table.header])
        writer.writerows([[_csv_value(cell, dialect) for cell in row] for row in table.rows])
    return buffer.getvalue()


def _write_sheet(workbook: Workbook, table: Table) -> None:
    rows = list(table.rows)
    sheet = workbook.create_sheet(table.sheet_name[:31])
    sheet.append([spreadsheet_safe(cell) for cell in table.header])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([spreadsheet_safe(cell) for cell in row])
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(table.header, start=1):
        width = max([len(str(heading))] + [len(str(row[index - 1])) for row in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)


def report_xlsx(
    tables: Sequence[Table], filters: Sequence[tuple[str, str]], generated_on: date
) -> bytes:
    """A workbook: the filters on a first sheet, then one sheet per table,
    each with a styled, frozen header row."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _("Filters")[:31]
    sheet.append([spreadsheet_safe(_("Filter")), spreadsheet_safe(_("Value"))])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for name, value in filters:
        sheet.append([spreadsheet_safe(name), spreadsheet_safe(value)])
    sheet.append([spreadsheet_safe(_("Generated on")), generated_on])
    sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 50
    for table in tables:
        _write_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def participants_header() -> tuple[str, ...]:
    """The participant-level export's headings, in the order of the columns
    of queries.training_rows."""
    return (
        _("Family name"),
        _("Given name"),
        _("Sex"),
        _("Nationality"),
        _("Organisation"),
        _("Organisation kind"),
        _("Rank"),
        _("Session"),
        _("Curriculum"),
        _("Theme"),
        _("Start date"),
        _("End date"),
        _("Country of the session"),
        _("Attended periods"),
        _("Scheduled periods"),
        _("Pre-test score"),
        _("Post-test score"),
        _("Certificate"),
    )


def _labels(enum_class: type[LabelledEnum]) -> dict[Any, str]:
    """Each member's label, keyed by the member (equal to its stored value,
    which the export's query returns), "" for None."""
    names: dict[Any, str] = {member: label(member) for member in enum_class}
    names[None] = ""
    return names


def participants_table(trainings: Iterable[Any]) -> Table:
    """The participant-level export: one row per person-training (the rows
    of queries.training_rows), names included, its labels translated."""
    # Translated once per export, not once per cell.
    names = _labels(Sex) | _labels(OrganisationKind) | _labels(Theme) | _labels(CertificateKind)
    rows = (
        (
            row.family_name,
            row.given_name,
            names[row.sex],
            row.nationality or "",
            row.organisation or "",
            names[row.organisation_kind],
            row.rank or "",
            row.session_code,
            row.curriculum_code,
            names[row.theme],
            row.start_date,
            row.end_date,
            row.country,
            row.attended_periods,
            row.scheduled_periods,
            row.pre_test_score,
            row.post_test_score,
            names[row.certificate_kind],
        )
        for row in trainings
    )
    title = _("Person-trainings")
    return Table(title, title, participants_header(), rows)


class _Cells(dict[Any, str]):
    """Each value's CSV cell, worked out the first time the value is met and
    remembered: the same labels, codes and numbers come back row after row.
    Text is made spreadsheet-safe first. The memo is emptied when it grows
    large, so memory stays flat."""

    LIMIT = 10_000

    def __init__(self, dialect: CsvDialect) -> None:
        super().__init__()
        self._delimiter = dialect.delimiter
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=dialect.delimiter)

    def render(self, value: Any) -> str:
        """`value` as csv.writer writes it in a row (by default it quotes
        a cell only when it holds the delimiter, a quote or a line break:
        other text stands as it is, without asking the writer)."""
        if type(value) is str:
            value = spreadsheet_safe(value)
            if not (self._delimiter in value or '"' in value or "\n" in value or "\r" in value):
                return value
        self._buffer.seek(0)
        self._buffer.truncate()
        # A second, empty cell keeps a lone empty value from being written
        # as '""'; it is cut off with the line's end.
        self._writer.writerow((value, ""))
        return self._buffer.getvalue()[:-3]

    def __missing__(self, value: Any) -> str:
        if len(self) > self.LIMIT:
            self.clear()
        cell = self[value] = self.render(value)
        return cell


def participants_csv(
    batches: Iterable[Sequence[Sequence[Any]]], dialect: CsvDialect = INTERNATIONAL
) -> Iterator[str]:
    """The participant-level export as CSV, one chunk per batch of rows of
    queries.training_rows as the database returns them: memory stays flat
    whatever their number. A byte-order mark first lets Excel read the
    accents of UTF-8.

    The file is the one `csv.writer` writes row by row, written faster:
    every cell is rendered by csv.writer once per distinct value (`_Cells`)
    and the six cells of a session once per session (the rows come session
    by session), then each line is joined from them."""
    cells = _Cells(dialect)
    header = dialect.delimiter.join(cells.render(cell) for cell in participants_header())
    yield "\ufeff" + header + "\r\n"

    def labelled(enum_class: type[LabelledEnum]) -> dict[Any, str]:
        return {value: cells.render(name) for value, name in _labels(enum_class).items()}

    sexes, kinds = labelled(Sex), labelled(OrganisationKind)
    themes, certificates = labelled(Theme), labelled(CertificateKind)
    join = dialect.delimiter.join
    session_key: list[Any] = []
    session_cells = ""
    for batch in batches:
        lines = []
        for row in batch:
            (
                family_name,
                given_name,
                sex,
                nationality,
                organisation,
                organisation_kind,
                rank,
                *session,
                attended,
                scheduled,
                pre_test,
                post_test,
                certificate,
            ) = row
            # Session, curriculum, theme, start and end dates, country.
            if session != session_key:
                session_key = session
                code, curriculum, theme, start, end, country = session
                session_cells = join(
                    (
                        cells[code],
                        cells[curriculum],
                        themes[theme],
                        cells[start],
                        cells[end],
                        cells[country],
                    )
                )
            lines.append(
                join(
                    (
                        cells[family_name],
                        cells[given_name],
                        sexes[sex],
                        cells[nationality],
                        cells[organisation],
                        kinds[organisation_kind],
                        cells[rank],
                        session_cells,
                        cells[attended],
                        cells[scheduled],
                        cells[pre_test],
                        cells[post_test],
                        certificates[certificate],
                    )
                )
            )
        if lines:
            lines.append("")
            yield "\r\n".join(lines)


def participants_xlsx(table: Table) -> bytes:
    """The participant-level export, streamed row by row (write-only mode
    keeps memory flat on a large programme)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.sheet_name[:31])
    sheet.freeze_panes = "A2"
    heading_cells = []
    for heading in table.header:
        cell = WriteOnlyCell(sheet, value=spreadsheet_safe(heading))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        heading_cells.append(cell)
    sheet.append(heading_cells)
    for row in table.rows:
        sheet.append([spreadsheet_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
