"""Bulk import of nominees from a CSV or XLSX file.

Two steps: `read_rows()` turns the file's bytes into plain rows (refusing
files that are not what they claim, empty, or crafted to exhaust memory),
`check_rows()` lists every row's problems against the database, and
`import_rows()` nominates them all in the caller's transaction, or raises
before writing anything when a single row has an error.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry
import sqlalchemy as sa
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext

from training.domain import DomainError
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.enrollment.services import nominate_many
from training.extensions import db
from training.people.models import Organisation, Participant, Sex
from training.people.services import (
    ParticipantDetails,
    create_participants,
    normalise_email,
    normalise_phone,
    sql_phone_key,
)
from training.sessions.models import TrainingSession
from training.text import fold, search_key

MAX_ROWS = 2000
MAX_XLSX_ENTRIES = 100
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"

# The template's columns, in order, with their English and French headings.
COLUMNS = (
    ("given_name", "given_name", "prénom"),
    ("family_name", "family_name", "nom"),
    ("sex", "sex", "sexe"),
    ("nationality", "nationality", "nationalité"),
    ("organisation", "organisation", "organisation"),
    ("rank", "rank", "grade"),
    ("function", "function", "fonction"),
    ("email", "email", "email"),
    ("phone", "phone", "téléphone"),
)

# Every heading accepted for each column, folded (see _heading_key).
_ALIASES = {
    "given_name": {"given_name", "given", "first_name", "firstname", "prenom", "prenoms"},
    "family_name": {
        "family_name",
        "family",
        "last_name",
        "lastname",
        "surname",
        "nom",
        "nom_de_famille",
    },
    "sex": {"sex", "sexe", "gender", "genre"},
    "nationality": {"nationality", "nationalite", "country", "pays"},
    "organisation": {"organisation", "organization", "unit", "unite", "service"},
    "rank": {"rank", "grade"},
    "function": {"function", "fonction", "position", "poste"},
    "email": {"email", "e_mail", "mail", "courriel", "adresse_email"},
    "phone": {"phone", "telephone", "tel", "mobile", "portable"},
}
_HEADING_TO_COLUMN = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}

_SEX_VALUES = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "femme": Sex.FEMALE,
    "feminin": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "h": Sex.MALE,
    "homme": Sex.MALE,
    "masculin": Sex.MALE,
    "man": Sex.MALE,
}


class ImportFileError(DomainError):
    """The file as a whole cannot be read: wrong type, empty, malformed."""


@dataclass
class ImportRow:
    """One line of the file: its values, what it resolves to, its problems."""

    line: int
    values: dict[str, str]
    sex: Sex | None = None
    nationality: str | None = None
    organisation: Organisation | None = None
    existing: Participant | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.values.get('given_name', '')} {self.values.get('family_name', '')}".strip()


@dataclass
class ImportCheck:
    rows: list[ImportRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def can_import(self) -> bool:
        return bool(self.rows) and self.error_count == 0


# --- reading the file ----------------------------------------------------------------


def _heading_key(heading: Any) -> str:
    return re.sub(r"[\s\-]+", "_", fold(str(heading or "")).strip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows_from_table(table: list[list[Any]]) -> list[dict[str, str]]:
    """Map the first row's headings to our columns; every later non-blank row
    becomes a dict of the columns found."""
    while table and not any(_cell(value) for value in table[0]):
        table = table[1:]
    if not table:
        raise ImportFileError(_("The file is empty."))
    headings = [_HEADING_TO_COLUMN.get(_heading_key(value)) for value in table[0]]
    found = {heading for heading in headings if heading}
    missing = [name for name in ("given_name", "family_name", "sex") if name not in found]
    if missing:
        raise ImportFileError(
            _(
                "The file has no column for: %(columns)s. Start from the template.",
                columns=", ".join(missing),
            )
        )
    rows = []
    for values in table[1:]:
        row = {
            heading: _cell(value)
            for heading, value in zip(headings, values, strict=False)
            if heading
        }
        if any(row.values()):
            rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has headings but no nominee."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _(
                "The file has %(count)d rows; import at most %(limit)d at a time.",
                count=len(rows),
                limit=MAX_ROWS,
            )
        )
    return rows


def _is_xlsx(content: bytes) -> bool:
    return content.startswith(ZIP_MAGIC)


def _read_xlsx(content: bytes) -> list[list[Any]]:
    """Check the archive before openpyxl sees it: a spreadsheet has a few
    dozen entries and a few megabytes; a zip bomb has neither."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from error
    if "[Content_Types].xml" not in {entry.filename for entry in entries}:
        raise ImportFileError(_("The file is a ZIP archive, not an XLSX workbook."))
    if (
        len(entries) >= MAX_XLSX_ENTRIES
        or sum(e.file_size for e in entries) >= MAX_XLSX_UNCOMPRESSED
    ):
        raise ImportFileError(_("The workbook is too large once uncompressed; it was refused."))
    import openpyxl  # with defusedxml installed, openpyxl refuses XML entity tricks

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style warnings of workbooks from other programs
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0] if workbook.worksheets else None
                if sheet is None:
                    raise ImportFileError(_("The workbook has no sheet."))
                table = []
                for values in sheet.iter_rows(values_only=True):
                    table.append(list(values))
                    if len(table) > MAX_ROWS + 10:
                        break
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl and defusedxml raise many kinds
        raise ImportFileError(_("The workbook could not be read: it may be damaged.")) from error
    return table


def _read_csv(content: bytes) -> list[list[Any]]:
    if b"\x00" in content:
        raise ImportFileError(_("The file is neither a CSV text file nor an XLSX workbook."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” or as an XLSX workbook.")
        ) from error
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.lstrip().splitlines()[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed: %(problem)s", problem=str(error))
        ) from error


def read_rows(content: bytes) -> list[dict[str, str]]:
    """The file's nominee rows, by column name. XLSX is recognised by its
    content (a ZIP holding [Content_Types].xml), anything else must be UTF-8
    CSV text with "," or ";" between values."""
    if not content or not content.strip():
        raise ImportFileError(_("The file is empty."))
    table = _read_xlsx(content) if _is_xlsx(content) else _read_csv(content)
    return _rows_from_table(table)


# --- checking the rows -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _country_lookup() -> dict[str, str]:
    """Folded country names (English, French, pycountry's official and common
    names) and ISO alpha-2 / alpha-3 codes -> alpha-2."""
    lookup: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        lookup[fold(code)] = code
        lookup[fold(country.alpha_3)] = code
        for name in (
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if name:
                lookup.setdefault(fold(name), code)
    for locale_name in ("en", "fr"):
        for code, name in Locale.parse(locale_name).territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                lookup.setdefault(fold(name), code)
    return lookup


def country_code(value: str) -> str | None:
    return _country_lookup().get(fold(value))


def _email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("“%(email)s” is not a valid email address.", email=email)
    return None


def _organisations() -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for organisation in db.session.scalars(sa.select(Organisation)):
        found.setdefault(fold(organisation.name), organisation)
        if organisation.acronym:
            found.setdefault(fold(organisation.acronym), organisation)
    return found


def _existing_participants(rows: list[dict[str, str]]) -> list[Participant]:
    """Participants sharing a name, email or phone with any row: three
    indexed look-ups for the whole file, not one per row."""
    names = {search_key(r.get("given_name"), r.get("family_name")) for r in rows} - {""}
    emails = {normalise_email(r.get("email")) for r in rows} - {None}
    phones = {normalise_phone(r.get("phone")) for r in rows} - {""}
    found: dict[int, Participant] = {}
    for condition, values in (
        (Participant.search_name.in_, names),
        (sa.func.lower(Participant.email).in_, emails),
        (sql_phone_key(Participant.phone).in_, phones),
    ):
        values = sorted(values)
        for start in range(0, len(values), 500):
            for participant in db.session.scalars(
                sa.select(Participant).where(condition(values[start : start + 500]))
            ):
                found[participant.id] = participant
    return list(found.values())


def check_rows(training_session: TrainingSession, rows: list[dict[str, str]]) -> ImportCheck:
    """Every row with its problems: missing name, bad sex, unknown country or
    organisation, bad email, duplicate of an earlier row, already enrolled;
    and, as a note, the existing participant who will be nominated instead of
    creating a new record."""
    organisations = _organisations()
    existing = _existing_participants(rows)
    by_name = {(p.search_name, p.organisation_id): p for p in existing}
    by_email = {normalise_email(p.email): p for p in existing if p.email}
    by_phone = {normalise_phone(p.phone): p for p in existing if normalise_phone(p.phone)}
    enrolled = set(
        db.session.scalars(
            sa.select(Enrollment.participant_id).where(
                Enrollment.session_id == training_session.id,
                Enrollment.status != EnrollmentStatus.WITHDRAWN,
            )
        )
    )
    seen: dict[tuple[str, Any], int] = {}
    checked = []
    for index, values in enumerate(rows, start=2):  # line 1 holds the headings
        row = ImportRow(line=index, values=values)
        given, family = values.get("given_name", ""), values.get("family_name", "")
        if not given or not family:
            row.errors.append(_("The given name and the family name are both required."))
        sex = fold(values.get("sex", ""))
        row.sex = _SEX_VALUES.get(sex)
        if row.sex is None:
            row.errors.append(
                _("Sex must be F or M (found “%(value)s”).", value=values.get("sex", ""))
            )
        if values.get("nationality"):
            row.nationality = country_code(values["nationality"])
            if row.nationality is None:
                row.errors.append(_("Unknown country “%(value)s”.", value=values["nationality"]))
        if values.get("organisation"):
            row.organisation = organisations.get(fold(values["organisation"]))
            if row.organisation is None:
                row.errors.append(
                    _(
                        "Unknown organisation “%(value)s”: add it first, or leave the cell empty.",
                        value=values["organisation"],
                    )
                )
        email = normalise_email(values.get("email"))
        if email:
            problem = _email_problem(email)
            if problem:
                row.errors.append(problem)
        phone = normalise_phone(values.get("phone"))
        name_key = search_key(given, family)
        organisation_id = row.organisation.id if row.organisation else None
        keys = [("name", (name_key, organisation_id))] if name_key else []
        keys += [("email", email)] if email else []
        keys += [("phone", phone)] if phone else []
        for key in keys:
            if key in seen:
                row.errors.append(_("Duplicate of line %(line)d in this file.", line=seen[key]))
                break
        for key in keys:
            seen.setdefault(key, row.line)
        row.existing = (
            by_name.get((name_key, organisation_id))
            or (by_email.get(email) if email else None)
            or (by_phone.get(phone) if phone else None)
        )
        if row.existing is not None:
            if row.existing.id in enrolled:
                row.errors.append(
                    _("%(name)s is already enrolled in this session.", name=row.existing.full_name)
                )
            else:
                row.notes.append(
                    _(
                        "Matches the registered participant %(name)s, who will be nominated.",
                        name=row.existing.full_name,
                    )
                )
        checked.append(row)
    return ImportCheck(rows=checked)


def import_rows(training_session: TrainingSession, check: ImportCheck, *, actor: Any) -> int:
    """Nominate every row (registering those not yet known): all rows or
    none. Refused, before any write, when a row has an error. The caller
    commits, or rolls back on a DomainError."""
    if not check.can_import:
        raise DomainError(
            ngettext(
                "The file has %(num)d row with errors; correct it and upload the file again.",
                "The file has %(num)d rows with errors; correct them and upload it again.",
                check.error_count,
            )
        )
    new_rows = [row for row in check.rows if row.existing is None]
    created = iter(
        create_participants(
            [
                ParticipantDetails(
                    given_name=row.values["given_name"],
                    family_name=row.values["family_name"],
                    sex=row.sex,
                    nationality=row.nationality,
                    organisation=row.organisation,
                    rank=row.values.get("rank"),
                    function=row.values.get("function"),
                    email=row.values.get("email"),
                    phone=row.values.get("phone"),
                )
                for row in new_rows
            ],
            actor=actor,
        )
    )
    participants = [row.existing or next(created) for row in check.rows]
    nominate_many(training_session, participants, actor=actor)
    return len(check.rows)


def template_headings(language: str) -> list[str]:
    """The template's headings in the user's language (both are accepted)."""
    position = 2 if language == "fr" else 1
    return [column[position] for column in COLUMNS]
