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
from typing import TYPE_CHECKING, Any, cast

import pycountry
import sqlalchemy as sa
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.enrollment.services import nominate_many
from training.extensions import db
from training.people.models import Organisation, Participant, Sex
from training.people.services import (
    ParticipantDetails,
    PersonKeys,
    create_participants,
    find_lookalikes,
    normalise_email,
)
from training.sessions.models import TrainingSession
from training.text import clean, fold

if TYPE_CHECKING:
    from training.auth.models import User

MAX_ROWS = 2000
# Caps that keep reading linear and small, fit for a 2,000-row sheet of the
# template's 9 columns with room to spare; a crafted file meets one of them
# long before it costs more than a plain file of its size.
MAX_COLUMNS = 30
MAX_LINE_LENGTH = 4000  # characters in any CSV line, the headings' included
MAX_XLSX_ENTRIES = 100
MAX_XLSX_ENTRY_SIZE = 8 * 1024 * 1024  # uncompressed bytes of any one part
MAX_XLSX_UNCOMPRESSED = 16 * 1024 * 1024  # of all parts together
MAX_XLSX_ELEMENTS = 200_000  # XML elements in all parts (a cell is two or three)
# openpyxl's cost follows the XML elements it parses, and a plain workbook
# holds under one per byte of the file; a crafted one packs hundreds. Beyond
# a small file's allowance, three per byte of the file are read, no more: the
# worst accepted file costs a few times a plain one of its size.
XLSX_ELEMENTS_PER_BYTE = 3
XLSX_ELEMENTS_ALLOWANCE = 20_000
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
    """A cell as text, cleaned as the forms clean what is typed (a line break
    or Word's vertical tab in a name becomes a space)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def _rows_from_table(table: list[list[Any]]) -> list[dict[str, str]]:
    """Map the first row's headings to our columns; every later non-blank row
    becomes a dict of the columns found."""
    while table and not any(_cell(value) for value in table[0]):
        table = table[1:]
    if not table:
        raise ImportFileError(_("The file is empty."))
    if any(_cell(value) for value in table[0][MAX_COLUMNS:]):
        raise ImportFileError(
            _(
                "The file has more than %(limit)d columns. Start from the template.",
                limit=MAX_COLUMNS,
            )
        )
    headings = [_HEADING_TO_COLUMN.get(_heading_key(value)) for value in table[0][:MAX_COLUMNS]]
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
        raise _too_many_rows(len(rows))
    return rows


def _is_xlsx(content: bytes) -> bool:
    return content.startswith(ZIP_MAGIC)


def _too_large() -> ImportFileError:
    return ImportFileError(_("The workbook is too large once uncompressed; it was refused."))


def _measure_archive(archive: zipfile.ZipFile, file_size: int) -> None:
    """Inflate every part once, in chunks, counting bytes and XML elements:
    the sizes a ZIP declares can lie, the inflated bytes cannot. Refused as
    soon as a cap is passed, so a bomb costs no more than the cap."""
    total = elements = 0
    max_elements = min(
        MAX_XLSX_ELEMENTS, max(XLSX_ELEMENTS_ALLOWANCE, XLSX_ELEMENTS_PER_BYTE * file_size)
    )
    for entry in archive.infolist():
        size = 0
        with archive.open(entry) as part:
            while chunk := part.read(256 * 1024):
                size += len(chunk)
                total += len(chunk)
                elements += chunk.count(b"<") - chunk.count(b"</")
                if (
                    size > MAX_XLSX_ENTRY_SIZE
                    or total > MAX_XLSX_UNCOMPRESSED
                    or elements > max_elements
                ):
                    raise _too_large()


def _read_xlsx(content: bytes) -> list[list[Any]]:
    """Check the archive before openpyxl sees it: a spreadsheet has a few
    dozen entries and a few megabytes; a zip bomb has neither. openpyxl then
    reads at most MAX_COLUMNS columns of MAX_ROWS rows (and a few blank
    ones), whatever size the sheet claims."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
        if "[Content_Types].xml" not in {entry.filename for entry in entries}:
            raise ImportFileError(_("The file is a ZIP archive, not an XLSX workbook."))
        if len(entries) >= MAX_XLSX_ENTRIES:
            raise _too_large()
        _measure_archive(archive, len(content))
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from error
    import openpyxl  # with defusedxml installed, openpyxl refuses XML entity tricks

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style warnings of workbooks from other programs
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0] if workbook.worksheets else None
                if sheet is None:
                    raise ImportFileError(_("The workbook has no sheet."))
                # Bounds given, not read from the sheet's claimed dimension
                # (A1:XFD1048576 would make openpyxl pad billions of cells).
                table = [
                    list(values)
                    for values in sheet.iter_rows(
                        max_row=MAX_ROWS + 10, max_col=MAX_COLUMNS + 1, values_only=True
                    )
                ]
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl and defusedxml raise many kinds
        raise ImportFileError(_("The workbook could not be read: it may be damaged.")) from error
    return table


def _delimiter(heading_line: str) -> str:
    """ "," or ";", whichever splits the heading line into more of our
    headings (then whichever occurs more): two splits, linear, where
    csv.Sniffer's guess is quadratic in the line's length."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = heading_line.split(delimiter)
        known = sum(1 for cell in cells if _heading_key(cell.strip('"')) in _HEADING_TO_COLUMN)
        return known, len(cells)

    return max((",", ";"), key=score)


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
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_LENGTH:
            raise ImportFileError(
                _(
                    "Line %(line)d of the file is longer than %(limit)d characters; "
                    "it was refused.",
                    line=number,
                    limit=MAX_LINE_LENGTH,
                )
            )
    delimiter = _delimiter(text.lstrip().partition("\n")[0])
    table: list[list[Any]] = []
    extra_rows = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if not any(cell.strip() for cell in row):
                continue  # blank lines cost nothing, and are not kept
            if len(table) > MAX_ROWS:
                extra_rows += 1  # counted for the message, not kept
                continue
            table.append(row)
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed: %(problem)s", problem=str(error))
        ) from error
    if extra_rows:
        raise _too_many_rows(len(table) - 1 + extra_rows)
    return table


def _too_many_rows(count: int) -> ImportFileError:
    return ImportFileError(
        _(
            "The file has %(count)d rows; import at most %(limit)d at a time.",
            count=count,
            limit=MAX_ROWS,
        )
    )


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


# The longest text each column may hold: the database's, which the forms
# enforce too (a longer cell is a row error, never a database error).
def _max_length(name: str) -> int:
    length = cast(sa.String, Participant.__table__.c[name].type).length
    if length is None:  # pragma: no cover - each of these columns is a String(n)
        raise TypeError(f"participant.{name} has no maximum length")
    return length


_MAX_LENGTHS = {
    name: _max_length(name)
    for name in ("given_name", "family_name", "rank", "function", "email", "phone")
}
_COLUMN_TITLES = {
    "given_name": _l("given name"),
    "family_name": _l("family name"),
    "rank": _l("rank"),
    "function": _l("function"),
    "email": _l("email"),
    "phone": _l("phone"),
}


def _resolve(row: ImportRow, organisations: dict[str, Organisation]) -> None:
    """What the row's words stand for: sex, country, organisation."""
    values = row.values
    row.sex = _SEX_VALUES.get(fold(values.get("sex", "")))
    if values.get("nationality"):
        row.nationality = country_code(values["nationality"])
    if values.get("organisation"):
        row.organisation = organisations.get(fold(values["organisation"]))


def _problems(row: ImportRow) -> list[str]:
    """What is wrong with the row on its own, before any comparison."""
    values = row.values
    problems = []
    if not values.get("given_name") or not values.get("family_name"):
        problems.append(_("The given name and the family name are both required."))
    for name, limit in _MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            problems.append(
                _(
                    "The %(column)s is longer than %(limit)d characters.",
                    column=_COLUMN_TITLES[name],
                    limit=limit,
                )
            )
    if row.sex is None:
        problems.append(_("Sex must be F or M (found “%(value)s”).", value=values.get("sex", "")))
    if values.get("nationality") and row.nationality is None:
        problems.append(_("Unknown country “%(value)s”.", value=values["nationality"]))
    if values.get("organisation") and row.organisation is None:
        problems.append(
            _(
                "Unknown organisation “%(value)s”: add it first, or leave the cell empty.",
                value=values["organisation"],
            )
        )
    email = normalise_email(values.get("email"))
    if email and len(email) <= _MAX_LENGTHS["email"]:
        problem = _email_problem(email)
        if problem:
            problems.append(problem)
    return problems


def _keys(row: ImportRow) -> PersonKeys:
    return PersonKeys.of(
        given_name=row.values.get("given_name"),
        family_name=row.values.get("family_name"),
        organisation_id=row.organisation.id if row.organisation else None,
        email=row.values.get("email"),
        phone=row.values.get("phone"),
    )


def _earlier_line(keys: PersonKeys, line: int, seen: dict[tuple[str, Any], int]) -> int | None:
    """The first earlier line of the file that this row duplicates (the same
    rule as against the database), remembering this row's keys."""
    found: list[tuple[str, Any]] = []
    found += [("name", (keys.name_key, keys.organisation_id))] if keys.name_key else []
    found += [("email", keys.email)] if keys.email else []
    found += [("phone", keys.phone)] if keys.phone else []
    earlier = next((seen[key] for key in found if key in seen), None)
    for key in found:
        seen.setdefault(key, line)
    return earlier


def _match(row: ImportRow, lookalikes: list[Participant], enrolled: set[int]) -> None:
    """The registered participant the row names (a name match first), who is
    nominated instead of a new record, unless already enrolled."""
    row.existing = lookalikes[0] if lookalikes else None
    if row.existing is None:
        return
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


def check_rows(training_session: TrainingSession, rows: list[dict[str, str]]) -> ImportCheck:
    """Every row with its problems: missing name, too long a value, bad sex,
    unknown country or organisation, bad email, duplicate of an earlier row,
    already enrolled; and, as a note, the existing participant who will be
    nominated instead of creating a new record. Duplicates follow the people
    area's rule (people.services.find_lookalikes), for the whole file in a
    few queries."""
    organisations = _organisations()
    checked = [ImportRow(line=line, values=values) for line, values in enumerate(rows, start=2)]
    for row in checked:  # line 1 holds the headings
        _resolve(row, organisations)
        row.errors.extend(_problems(row))
    keys = [_keys(row) for row in checked]
    enrolled = set(
        db.session.scalars(
            sa.select(Enrollment.participant_id).where(
                Enrollment.session_id == training_session.id,
                Enrollment.is_active,
            )
        )
    )
    seen: dict[tuple[str, Any], int] = {}
    for row, row_keys, lookalikes in zip(checked, keys, find_lookalikes(keys), strict=True):
        earlier = _earlier_line(row_keys, row.line, seen)
        if earlier is not None:
            row.errors.append(_("Duplicate of line %(line)d in this file.", line=earlier))
        _match(row, lookalikes, enrolled)
    return ImportCheck(rows=checked)


def import_rows(training_session: TrainingSession, check: ImportCheck, *, actor: User) -> int:
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
    # A row without a sex has an error (refused above): each new row has one.
    new_rows = [
        (row, row.sex) for row in check.rows if row.existing is None and row.sex is not None
    ]
    created = iter(
        create_participants(
            [
                ParticipantDetails(
                    given_name=row.values["given_name"],
                    family_name=row.values["family_name"],
                    sex=sex,
                    nationality=row.nationality,
                    organisation=row.organisation,
                    rank=row.values.get("rank"),
                    function=row.values.get("function"),
                    email=row.values.get("email"),
                    phone=row.values.get("phone"),
                )
                for row, sex in new_rows
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


def template_csv(language: str) -> bytes:
    """The CSV template: the headings, UTF-8 with a BOM so that Excel reads
    the accents."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_headings(language))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(language: str) -> bytes:
    """The XLSX template: one sheet holding the headings."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _("Nominees")[:31]
    sheet.append(template_headings(language))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
