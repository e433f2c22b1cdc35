"""Importing a screening list: one screening result per row for a registered
participant, from a CSV or XLSX file as a vetting service sends it.

The file is read by the nominee import's reader (import_files.read_file)
with this list's columns (`SCREENING_COLUMNS`), and staged in the database
the same way (uploads.store_screening_list). `check_file()` tells for every
row the participant it names and its problems; `record_rows()` records them
through people.services.record_screening (its own audit event each): every
row, or none when one has an error, or, when asked, only the ready rows.

A row names its participant by email, or by given and family name (their
words in any order, accents and case aside: people's match key), narrowed by
the organisation cell when there is one. A row that names no registered
participant, or several, is an error: a screening result is never recorded
for a guess. Framework and status are read in French or English, as labels
or as the stored values; dates as Excel dates, ISO dates or dd/mm/yyyy.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from training.domain import DomainError
from training.enrollment import import_files
from training.enrollment.import_files import ColumnSet, NomineeFile, heading_key
from training.enrollment.importer import organisation_key
from training.extensions import db
from training.orm import LabelledEnum
from training.people.models import Participant, ScreeningFramework, ScreeningStatus
from training.people.services import normalise_email, record_screening
from training.text import match_key

if TYPE_CHECKING:
    from training.auth.models import User

_NOMINEE_ALIASES = import_files.NOMINEE_COLUMNS.aliases

SCREENING_COLUMNS = ColumnSet(
    names=(
        "email",
        "given_name",
        "family_name",
        "organisation",
        "framework",
        "status",
        "screened_on",
        "valid_until",
        "reference",
        "notes",
    ),
    aliases={
        "email": _NOMINEE_ALIASES["email"],
        "given_name": _NOMINEE_ALIASES["given_name"],
        "family_name": _NOMINEE_ALIASES["family_name"],
        "organisation": _NOMINEE_ALIASES["organisation"],
        "framework": (
            "framework",
            "screening framework",
            "cadre",
            "cadre de verification",
            "cadre de filtrage",
            "procedure",
            "type de verification",
            "type of screening",
        ),
        "status": (
            "status",
            "statut",
            "result",
            "resultat",
            "decision",
            "etat",
            "screening result",
            "screening status",
            "resultat de la verification",
            "avis",
        ),
        "screened_on": (
            "screened on",
            "screening date",
            "date of screening",
            "date",
            "verifie le",
            "date de verification",
            "date du filtrage",
            "date de filtrage",
            "date de la verification",
        ),
        "valid_until": (
            "valid until",
            "valid to",
            "expires on",
            "expiry",
            "expiry date",
            "expiration",
            "valable jusqu au",
            "valide jusqu au",
            "date d expiration",
            "fin de validite",
        ),
        "reference": (
            "reference",
            "ref",
            "file reference",
            "reference du dossier",
            "n reference",
            "numero de reference",
            "numero du dossier",
        ),
        "notes": (
            "notes",
            "note",
            "remarks",
            "comments",
            "remarques",
            "observations",
            "commentaire",
            "commentaires",
        ),
    },
    template_headings={
        "en": (
            "Email",
            "Given name",
            "Family name",
            "Organisation",
            "Framework",
            "Status",
            "Screened on",
            "Valid until",
            "Reference",
            "Notes",
        ),
        "fr": (
            "Courriel",
            "Prénom",
            "Nom",
            "Organisation",
            "Cadre",
            "Résultat",
            "Vérifié le",
            "Valable jusqu'au",
            "Référence",
            "Notes",
        ),
    },
    required=("framework", "status", "screened_on"),
    required_any=(("email",), ("given_name", "family_name")),
    keywords=((frozenset({"courriel", "email", "mail"}), "email"),),
    no_rows=_l("The file has headings but no screening result."),
)

MAX_REFERENCE = 100  # ScreeningRecord.reference
MAX_NOTES = 5000  # as the screening form
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")  # 1927 to 2173: an Excel date as a number

# Short spellings vetting services write, beside the labels and values.
_FRAMEWORK_WORDS = {
    "hrddp": ScreeningFramework.HRDDP_MITIGATION,
    "pddh": ScreeningFramework.HRDDP_MITIGATION,
    "g5": ScreeningFramework.G5_COMPLIANCE_FRAMEWORK,
    "g5 sahel": ScreeningFramework.G5_COMPLIANCE_FRAMEWORK,
    "vetting": ScreeningFramework.DONOR_VETTING,
    "leahy": ScreeningFramework.DONOR_VETTING,
}
_STATUS_WORDS = {
    "pending": ScreeningStatus.PENDING,
    "en attente": ScreeningStatus.PENDING,
    "en cours": ScreeningStatus.PENDING,
    "valide": ScreeningStatus.CLEARED,
    "non valide": ScreeningStatus.NOT_CLEARED,
    "refuse": ScreeningStatus.NOT_CLEARED,
    "rejected": ScreeningStatus.NOT_CLEARED,
}

E = TypeVar("E", bound=LabelledEnum)


def read_screening_file(content: bytes, language: str = "en") -> NomineeFile:
    """The screening list in `content` (import_files.read_file's checks and
    limits), its headings matched against this list's columns."""
    return import_files.read_file(content, language, SCREENING_COLUMNS)


def load_screening_file(stored: bytes) -> NomineeFile | None:
    """A staged screening list, or None when what is stored is damaged."""
    return NomineeFile.load(stored, SCREENING_COLUMNS)


def _vocabulary(enum_class: type[E], words: dict[str, E]) -> dict[str, E]:
    """Every spelling of each member: its value, its label in English and in
    French, and the short words, as heading_key() writes them."""
    vocabulary = dict(words)
    for member in enum_class:
        vocabulary[heading_key(member.value)] = member
        for language in ("en", "fr"):
            with force_locale(language):
                vocabulary[heading_key(member.label)] = member
    return vocabulary


def parse_date(text: str) -> date | None:
    """A date as a spreadsheet or a person writes it: an Excel date (read as
    ISO, or its day number), ISO (2026-03-01), or day first (01/03/2026,
    1.3.2026). None when empty; ValueError when it is none of these."""
    text = text.strip()
    if not text:
        return None
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return date(year, month, day)
    day_first = _DAY_FIRST.match(text)
    if day_first:
        day, month, year = (int(part) for part in day_first.groups())
        return date(year, month, day)
    if _SERIAL.match(text):
        return _EXCEL_EPOCH + timedelta(days=int(float(text)))
    raise ValueError(text)


@dataclass
class ScreeningRow:
    """One line of the list: its values, the participant it names, the
    result it states, and its problems."""

    line: int
    values: dict[str, str]
    participant: Participant | None = None
    framework: ScreeningFramework | None = None
    status: ScreeningStatus | None = None
    screened_on: date | None = None
    valid_until: date | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        names = f"{self.values.get('given_name', '')} {self.values.get('family_name', '')}"
        return names.strip() or self.values.get("email", "")


@dataclass
class ScreeningCheck:
    rows: list[ScreeningRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ready_rows(self) -> list[ScreeningRow]:
        return [row for row in self.rows if not row.errors]

    @property
    def can_record_all(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    @property
    def can_record_ready(self) -> bool:
        return 0 < self.error_count < len(self.rows)


def _participants(column: Any, values: set[str]) -> dict[str, list[Participant]]:
    """The participants whose `column` reads one of `values`, by that value:
    indexed look-ups for the whole file, in chunks."""
    found: dict[str, list[Participant]] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        statement = (
            sa.select(Participant, column)
            .where(column.in_(ordered[start : start + 500]))
            .options(selectinload(Participant.organisation))
            .order_by(Participant.id)
        )
        for participant, value in db.session.execute(statement):
            found.setdefault(value, []).append(participant)
    return found


def _in_organisation(participant: Participant, key: str) -> bool:
    organisation = participant.organisation
    return organisation is not None and key in {
        organisation_key(organisation.name),
        organisation_key(organisation.acronym),
    }


def _describe(participant: Participant) -> str:
    if participant.organisation:
        return f"{participant.full_name} ({participant.organisation.label})"
    return participant.full_name


def _match(
    row: ScreeningRow,
    by_email: dict[str, list[Participant]],
    by_name: dict[str, list[Participant]],
) -> None:
    """The one registered participant the row names, else an error."""
    values = row.values
    email = normalise_email(values.get("email"))
    has_names = bool(values.get("given_name") and values.get("family_name"))
    if not email and not has_names:
        row.errors.append(_("Give the participant’s email, or their given name and family name."))
        return
    found = by_email.get(email, []) if email else []
    if not found and has_names:
        found = by_name.get(match_key(values["given_name"], values["family_name"]), [])
        key = organisation_key(values.get("organisation"))
        if key:
            found = [participant for participant in found if _in_organisation(participant, key)]
    if not found:
        row.errors.append(_("No registered participant matches this row."))
    elif len(found) > 1:
        row.errors.append(
            _(
                "Several registered participants match: %(names)s. Give the email or "
                "the organisation to tell them apart.",
                names="; ".join(_describe(participant) for participant in found[:5]),
            )
        )
    else:
        row.participant = found[0]


def _choice(
    row: ScreeningRow,
    name: str,
    vocabulary: dict[str, E],
    unknown: Callable[[str], str],
    missing: str,
) -> E | None:
    value = row.values.get(name, "")
    if not value.strip():
        row.errors.append(missing)
        return None
    member = vocabulary.get(heading_key(value))
    if member is None:
        row.errors.append(unknown(value))
    return member


def _date(row: ScreeningRow, name: str, title: str) -> date | None:
    value = row.values.get(name, "")
    try:
        return parse_date(value)
    except ValueError:
        row.errors.append(
            _(
                "%(column)s: “%(value)s” is not a date; write it as dd/mm/yyyy.",
                column=title,
                value=value,
            )
        )
        return None


def _check_values(
    row: ScreeningRow,
    frameworks: dict[str, ScreeningFramework],
    statuses: dict[str, ScreeningStatus],
) -> None:
    """What the row states, and what is wrong with it on its own."""
    row.framework = _choice(
        row,
        "framework",
        frameworks,
        lambda value: _(
            "Unknown framework “%(value)s”; write one of: %(choices)s.",
            value=value,
            choices=", ".join(member.label for member in ScreeningFramework),
        ),
        _("The framework is required."),
    )
    row.status = _choice(
        row,
        "status",
        statuses,
        lambda value: _(
            "Unknown result “%(value)s”; write one of: %(choices)s.",
            value=value,
            choices=", ".join(member.label for member in ScreeningStatus),
        ),
        _("The result is required."),
    )
    row.screened_on = _date(row, "screened_on", _("Screened on"))
    row.valid_until = _date(row, "valid_until", _("Valid until"))
    if not row.values.get("screened_on", "").strip():
        row.errors.append(_("The screening date is required."))
    if row.screened_on and row.valid_until and row.valid_until < row.screened_on:
        row.errors.append(_("“Valid until” cannot be before the screening date."))
    if len(row.values.get("reference", "")) > MAX_REFERENCE:
        row.errors.append(
            _("The reference is longer than %(limit)d characters.", limit=MAX_REFERENCE)
        )
    if len(row.values.get("notes", "")) > MAX_NOTES:
        row.errors.append(_("The notes are longer than %(limit)d characters.", limit=MAX_NOTES))


def check_rows(rows: list[dict[str, str]], lines: list[int] | None = None) -> ScreeningCheck:
    """Every row with the participant it names and its problems: no
    participant or several, framework or result unknown or missing, a date
    that is none, "valid until" before the screening date, too long a
    reference or notes. Two look-ups for the whole file (emails, names)."""
    lines = lines if lines is not None else list(range(2, len(rows) + 2))
    checked = [
        ScreeningRow(line=line, values=values) for line, values in zip(lines, rows, strict=True)
    ]
    emails = {normalise_email(row.values.get("email")) or "" for row in checked} - {""}
    names = {
        match_key(row.values.get("given_name"), row.values.get("family_name")) for row in checked
    } - {""}
    by_email = _participants(sa.func.lower(Participant.email), emails) if emails else {}
    by_name = _participants(Participant.match_name, names) if names else {}
    frameworks = _vocabulary(ScreeningFramework, _FRAMEWORK_WORDS)
    statuses = _vocabulary(ScreeningStatus, _STATUS_WORDS)
    for row in checked:
        _match(row, by_email, by_name)
        _check_values(row, frameworks, statuses)
    return ScreeningCheck(rows=checked)


def check_file(screening_file: NomineeFile) -> ScreeningCheck:
    """check_rows() for a list as read, its rows numbered as in the file."""
    return check_rows(screening_file.records(), screening_file.lines)


def record_rows(check: ScreeningCheck, *, actor: User, ready_only: bool = False) -> int:
    """Record each row's result for its participant (record_screening: a
    record and an audit event each): every row, refused before any write
    when one has an error; or, with `ready_only`, the rows without one,
    refused when there is none. The caller commits, or rolls back on a
    DomainError."""
    if ready_only:
        rows = check.ready_rows
        if not rows:
            raise DomainError(_("No row is ready: correct the file and upload it again."))
    else:
        if not check.can_record_all:
            raise DomainError(
                ngettext(
                    "The file has %(num)d row with errors; correct it and upload the file again.",
                    "The file has %(num)d rows with errors; correct them and upload it again.",
                    check.error_count,
                )
            )
        rows = check.rows
    for row in rows:
        if row.participant is None or row.framework is None or row.status is None:
            raise AssertionError("a ready row names its participant and result")  # pragma: no cover
        record_screening(
            row.participant,
            framework=row.framework,
            status=row.status,
            screened_on=row.screened_on,
            valid_until=row.valid_until,
            reference=row.values.get("reference"),
            notes=row.values.get("notes"),
            actor=actor,
        )
    return len(rows)


# --- templates ---------------------------------------------------------------------


def template_csv(language: str) -> bytes:
    """The CSV template: the headings in the user's language, ";" in French."""
    return import_files.template_csv(language, SCREENING_COLUMNS)


def template_xlsx(language: str, *, sheet_title: str, lists_title: str) -> bytes:
    """The XLSX template: the headings, and drop-down lists of the
    frameworks and results in the user's language (other spellings can
    still be typed, after a warning)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    headings = SCREENING_COLUMNS.headings(language)
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = sheet_title[:31]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for position in range(1, len(headings) + 1):
        sheet.column_dimensions[get_column_letter(position)].width = 22
    hidden = workbook.create_sheet(lists_title[:31])
    hidden.sheet_state = "hidden"
    reference = quote_sheetname(hidden.title)
    last_row = import_files.MAX_ROWS + 1
    with force_locale(language):
        lists = (
            ("framework", [member.label for member in ScreeningFramework]),
            ("status", [member.label for member in ScreeningStatus]),
        )
    for list_column, (name, labels) in enumerate(lists, start=1):
        letter = get_column_letter(list_column)
        for row, text in enumerate(labels, start=1):
            hidden.cell(row, list_column, text).data_type = "s"
        validation = DataValidation(
            type="list",
            formula1=f"{reference}!${letter}$1:${letter}${len(labels)}",
            allow_blank=True,
            errorStyle="warning",
        )
        target = get_column_letter(SCREENING_COLUMNS.names.index(name) + 1)
        validation.add(f"{target}2:{target}{last_row}")
        sheet.add_data_validation(validation)
    for name in ("screened_on", "valid_until"):
        target = get_column_letter(SCREENING_COLUMNS.names.index(name) + 1)
        for row in range(2, last_row + 1):
            sheet[f"{target}{row}"].number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
