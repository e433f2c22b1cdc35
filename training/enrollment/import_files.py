"""Nominee files as they come, and files sent back.

`read_file()` turns an upload's bytes into a `NomineeFile`: its format (XLSX,
or CSV with the encoding, separator and line ending it was saved with), its
headings, which of our columns each heading is, and every row's cells with
its line number in the file. It refuses files that are not what they claim,
empty, or crafted to exhaust memory (caps on size, rows, columns and line
length; an XLSX inflated and counted before openpyxl reads it).

CSV arrives as Excel saves it in a French locale (Windows-1252, semicolons,
CRLF) and as other tools do (UTF-8 with or without a BOM, UTF-16 with a BOM,
commas, semicolons or tabs): a BOM says the encoding; otherwise strict UTF-8
is tried, then charset-normalizer's candidates among the legacy encodings
spreadsheets write, the one that reads the most of our headings first. The
separator is the one that splits a heading row into the most of our
headings. Headings are compared folded, without punctuation nor a note in
brackets ("Prénom(s)", "Tél.", "E-mail", "Sexe (M/F)").

`rejects_file()` writes rows back in the file's own format, encoding,
separator and line ending, with a column saying what is wrong;
`template_csv()` and `template_xlsx()` are the files to start from.

The reader knows nothing of nominees but their `ColumnSet` (the columns, the
headings each accepts, which are required, the template's headings): the
nominee import passes none and gets `NOMINEE_COLUMNS`; the screening import
passes its own (training.enrollment.screening_import).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from training.domain import DomainError
from training.text import clean, fold

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
# The heading row is looked for among the first rows: ministries' lists often
# open with a title ("LISTE DES PARTICIPANTS ...") and a blank line.
HEADING_SEARCH_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: Office before 2007

# Legacy encodings a spreadsheet or an old tool writes a CSV in: Windows'
# Western European (Excel in a French or English locale), DOS's (Excel's
# "CSV (MS-DOS)"), the Mac's, Windows' Arabic, and Latin-1.
LEGACY_ENCODINGS = ["cp1252", "cp850", "mac_roman", "cp1256", "latin_1"]
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE",
    "utf-32-be": "UTF-32 BE",
    "cp1252": "Windows-1252",
    "cp850": "DOS (CP850)",
    "mac_roman": "Mac Roman",
    "cp1256": "Windows-1256",
    "latin_1": "ISO-8859-1",
}
DELIMITERS = (",", ";", "\t", "|")

# Our columns, in the template's order, with the template's headings.
COLUMNS = (
    "given_name",
    "family_name",
    "sex",
    "nationality",
    "organisation",
    "rank",
    "function",
    "email",
    "phone",
    "name_ar",
)
REQUIRED_COLUMNS = ("given_name", "family_name", "sex")
TEMPLATE_HEADINGS = {
    "en": (
        "Given name",
        "Family name",
        "Sex (F/M)",
        "Nationality",
        "Organisation",
        "Rank",
        "Function",
        "Email",
        "Phone",
        "Name (Arabic)",
    ),
    "fr": (
        "Prénom",
        "Nom",
        "Sexe (F/M)",
        "Nationalité",
        "Organisation",
        "Grade",
        "Fonction",
        "Courriel",
        "Téléphone",
        "Nom (arabe)",
    ),
}
# The example row of the XLSX template carries this address: a row with it
# is the example left in place, never a nominee.
EXAMPLE_EMAIL = "exemple@example.org"

# Every heading accepted for each column, as heading_key() writes it.
_ALIASES = {
    "given_name": (
        "given name",
        "given names",
        "first name",
        "first names",
        "firstname",
        "forename",
        "forenames",
        "prenom",
        "prenoms",
        "prenom usuel",
    ),
    "family_name": (
        "family name",
        "family",
        "last name",
        "lastname",
        "surname",
        "nom",
        "noms",
        "nom de famille",
        "nom patronymique",
        "nom de naissance",
    ),
    "sex": ("sex", "sexe", "gender", "genre", "m f", "f m", "h f"),
    "nationality": (
        "nationality",
        "nationalite",
        "country",
        "pays",
        "citizenship",
        "pays d origine",
        "country of origin",
    ),
    "organisation": (
        "organisation",
        "organization",
        "organisme",
        "unit",
        "unite",
        "service",
        "structure",
        "institution",
        "administration",
        "agency",
        "agence",
        "entity",
        "entite",
        "corps",
        "employer",
        "employeur",
        "structure d origine",
        "service d origine",
        "unite d origine",
        "service employeur",
        "ministere",
        "ministry",
        "department",
        "departement",
    ),
    "rank": ("rank", "grade", "rang", "grade rang"),
    "function": (
        "function",
        "fonction",
        "position",
        "poste",
        "job title",
        "emploi",
        "titre du poste",
        "poste occupe",
        "fonction actuelle",
    ),
    "email": (
        "email",
        "e mail",
        "mail",
        "courriel",
        "adresse email",
        "adresse e mail",
        "adresse mail",
        "adresse electronique",
        "adresse courriel",
        "email address",
        "e mail address",
    ),
    "phone": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "portable",
        "phone number",
        "numero de telephone",
        "n de telephone",
        "no de telephone",
        "num tel",
        "contact",
        "contact telephonique",
        "gsm",
        "cellulaire",
        "telephone mobile",
    ),
    # The name in Arabic script. A note in brackets says so ("Nom (arabe)"),
    # kept for these headings only (column_for); the Arabic headings are
    # folded (training.text.fold: "الاسم بالعربية" -> "الاسم بالعربيه").
    "name_ar": (
        "nom arabe",
        "nom en arabe",
        "nom complet arabe",
        "nom complet en arabe",
        "nom ecrit en arabe",
        "nom en caracteres arabes",
        "nom en lettres arabes",
        "name arabic",
        "name in arabic",
        "arabic name",
        "full name arabic",
        "full name in arabic",
        "name in arabic script",
        "الاسم",
        "الاسم الكامل",
        "الاسم بالعربيه",
        "الاسم باللغه العربيه",
        "الاسم العربي",
        "الاسم واللقب",
        "الاسم و اللقب",
        "الاسم الثلاثي",
        "الاسم الرباعي",
    ),
}
# A heading none of the aliases spells is still an email or a phone column
# when one of its words says so ("Adresse e-mail professionnelle", "N° Tél").
_KEYWORDS = (
    ({"courriel", "email", "mail"}, "email"),
    ({"telephone", "tel", "phone", "mobile", "portable", "gsm", "cellulaire"}, "phone"),
)
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")

COLUMN_TITLES = {
    "given_name": _l("given name"),
    "family_name": _l("family name"),
    "sex": _l("sex"),
    "nationality": _l("nationality"),
    "organisation": _l("organisation"),
    "rank": _l("rank"),
    "function": _l("function"),
    "email": _l("email"),
    "phone": _l("phone"),
    "name_ar": _l("name in Arabic script"),
}


@dataclass(frozen=True)
class ColumnSet:
    """What one kind of file holds: its columns in the template's order, the
    headings each accepts (as heading_key() writes them), words that make a
    heading one of them, the template's headings per language, the columns
    a file must have (`required`) and alternatives of which one must be
    complete (`required_any`: an email, or both names), a column whose
    value marks the template's example row, and what a file without rows
    says."""

    names: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    template_headings: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...] = ()
    required_any: tuple[tuple[str, ...], ...] = ()
    keywords: tuple[tuple[frozenset[str], str], ...] = ()
    example: tuple[str, str] | None = None  # (column, folded value)
    no_rows: Any = None
    by_heading: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "by_heading",
            {alias: column for column, aliases in self.aliases.items() for alias in aliases},
        )

    def column_for(self, heading: Any) -> str | None:
        """Which of the columns a heading names, or None. A heading whose
        note in brackets makes it another column is read with its note
        first: "Nom (arabe)" is the name in Arabic script, "Nom (famille)"
        the family name."""
        key = heading_key(heading)
        noted = heading_key(heading, keep_note=True)
        if noted != key and noted in self.by_heading:
            return self.by_heading[noted]
        if not key:
            return None
        column = self.by_heading.get(key)
        if column is None:
            words = set(key.split())
            column = next((name for keywords, name in self.keywords if words & keywords), None)
        return column

    def headings(self, language: str) -> list[str]:
        return list(self.template_headings["fr" if language == "fr" else "en"])


NOMINEE_COLUMNS = ColumnSet(
    names=COLUMNS,
    aliases=_ALIASES,
    template_headings=TEMPLATE_HEADINGS,
    required=REQUIRED_COLUMNS,
    keywords=tuple((frozenset(words), name) for words, name in _KEYWORDS),
    example=("email", EXAMPLE_EMAIL),
    no_rows=_l("The file has headings but no nominee."),
)


class ImportFileError(DomainError):
    """The file as a whole cannot be read: wrong type, empty, malformed."""


@dataclass(frozen=True)
class FileFormat:
    """How the file was written, so that what is sent back is written alike."""

    kind: str  # "csv" or "xlsx"
    encoding: str | None = None  # the Python codec, BOM aside: "utf-8", "cp1252"
    bom: bool = False
    delimiter: str | None = None
    newline: str = "\r\n"

    @property
    def encoding_name(self) -> str:
        if not self.encoding:
            return ""
        return ENCODING_NAMES.get(self.encoding, self.encoding)


@dataclass
class NomineeFile:
    """A file as read: headings, which column each is (None: not ours, kept
    for the file sent back), and each row's cells with its line number."""

    format: FileFormat
    headings: list[str]
    columns: list[str | None]
    lines: list[int] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)

    def records(self) -> list[dict[str, str]]:
        """Each row's values by our column name (the first heading of a
        column wins when two name the same one)."""
        positions: dict[str, int] = {}
        for position, column in enumerate(self.columns):
            if column and column not in positions:
                positions[column] = position
        return [
            {column: row[position] for column, position in positions.items() if position < len(row)}
            for row in self.cells
        ]

    def dump(self) -> bytes:
        """The file as stored between preview and import: compressed JSON."""
        data = {
            "format": asdict(self.format),
            "headings": self.headings,
            "columns": self.columns,
            "lines": self.lines,
            "cells": self.cells,
        }
        return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def load(cls, stored: bytes, columns: ColumnSet | None = None) -> NomineeFile | None:
        """A stored file, or None when it is damaged or not one (of
        `columns`, the nominees' by default)."""
        try:
            data = json.loads(zlib.decompress(stored))
            nominee_file = cls(
                format=FileFormat(**data["format"]),
                headings=data["headings"],
                columns=data["columns"],
                lines=data["lines"],
                cells=data["cells"],
            )
        except (zlib.error, ValueError, TypeError, KeyError):
            return None
        return nominee_file if nominee_file.is_well_formed(columns or NOMINEE_COLUMNS) else None

    def is_well_formed(self, column_set: ColumnSet | None = None) -> bool:
        names = (column_set or NOMINEE_COLUMNS).names

        def texts(values: object) -> bool:
            return isinstance(values, list) and all(isinstance(value, str) for value in values)

        return (
            texts(self.headings)
            and isinstance(self.columns, list)
            and all(column is None or column in names for column in self.columns)
            and isinstance(self.lines, list)
            and all(isinstance(line, int) for line in self.lines)
            and isinstance(self.cells, list)
            and len(self.cells) == len(self.lines)
            and all(texts(row) for row in self.cells)
        )


# --- headings ------------------------------------------------------------------------


def heading_key(heading: Any, *, keep_note: bool = False) -> str:
    """A heading as compared: folded, a note in brackets dropped (unless
    `keep_note`), punctuation made into spaces ("Prénom(s)" -> "prenom",
    "E-mail" -> "e mail"); Arabic letters are kept ("الاسم")."""
    text = fold(str(heading or ""))
    if not keep_note:
        text = _NOTE.sub(" ", text)
    return " ".join(re.sub(r"[^0-9a-z\u0621-\u064a]+", " ", text).split())


def column_for(heading: Any, columns: ColumnSet | None = None) -> str | None:
    """Which of our columns (the nominees' by default) a heading names, or None."""
    return (columns or NOMINEE_COLUMNS).column_for(heading)


def _known_headings(cells: Sequence[Any], columns: ColumnSet) -> int:
    return len({columns.column_for(cell) for cell in cells[: MAX_COLUMNS + 1]} - {None})


def template_headings(language: str, columns: ColumnSet | None = None) -> list[str]:
    """The template's headings in the user's language (every spelling of
    either language is accepted)."""
    return (columns or NOMINEE_COLUMNS).headings(language)


def _quoted(text: str) -> str:
    return _("“%(text)s”", text=text)


def _missing_columns(
    missing: list[str],
    missing_any: list[tuple[str, ...]],
    headings: list[str],
    language: str,
    columns: ColumnSet,
) -> ImportFileError:
    titles = dict(zip(columns.names, columns.headings(language), strict=True))
    found = [_quoted(heading[:40]) for heading in headings if heading.strip()]
    named = [_quoted(titles[name]) for name in missing]
    if missing_any:
        named.append(
            _(" or ").join(
                _(" and ").join(_quoted(titles[name]) for name in alternative)
                for alternative in missing_any
            )
        )
    return ImportFileError(
        _(
            "The file has no column for: %(columns)s. Headings found: %(found)s. "
            "Name the columns as in the template.",
            columns=", ".join(named),
            found=", ".join(found) or "—",
        )
    )


# --- rows ----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text, cleaned as the forms clean what is typed (a line break
    or Word's vertical tab in a name becomes a space)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def _too_many_rows(count: int) -> ImportFileError:
    return ImportFileError(
        _(
            "The file has %(count)d rows; import at most %(limit)d at a time.",
            count=count,
            limit=MAX_ROWS,
        )
    )


def _too_many_columns() -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(limit)d columns. Start from the template.",
            limit=MAX_COLUMNS,
        )
    )


def _build(
    file_format: FileFormat,
    table: list[tuple[int, list[Any]]],
    language: str,
    extra_rows: int,
    column_set: ColumnSet,
) -> NomineeFile:
    """The heading row (the first of the first rows that names the most of
    our columns), its columns, and every later non-blank row."""
    rows = [(line, [_cell(value) for value in values]) for line, values in table]
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    searched = rows[:HEADING_SEARCH_ROWS]
    heading_index = max(
        range(len(searched)), key=lambda i: (_known_headings(searched[i][1], column_set), -i)
    )
    headings = rows[heading_index][1]
    if any(headings[MAX_COLUMNS:]):
        raise _too_many_columns()
    while headings and not headings[-1]:
        headings = headings[:-1]
    columns = [column_set.column_for(heading) for heading in headings]
    missing = [name for name in column_set.required if name not in columns]
    alternatives = column_set.required_any
    missing_any = (
        []
        if not alternatives
        or any(all(name in columns for name in alternative) for alternative in alternatives)
        else list(alternatives)
    )
    if missing or missing_any:
        raise _missing_columns(missing, missing_any, headings, language, column_set)
    nominee_file = NomineeFile(format=file_format, headings=headings, columns=columns)
    example_column, example_value = column_set.example or ("", "")
    example_position = columns.index(example_column) if example_column in columns else None
    for line, cells in rows[heading_index + 1 :]:
        cells = cells[:MAX_COLUMNS]
        if (
            example_position is not None
            and example_position < len(cells)
            and (cells[example_position].lower() == example_value)
        ):
            continue  # the template's example row, left in place
        while cells and not cells[-1]:
            cells = cells[:-1]
        nominee_file.lines.append(line)
        nominee_file.cells.append(cells)
    count = len(nominee_file.cells) + extra_rows
    if count > MAX_ROWS:
        raise _too_many_rows(count)
    if not nominee_file.cells:
        raise ImportFileError(str(column_set.no_rows or _("The file has headings but no rows.")))
    return nominee_file


# --- XLSX --------------------------------------------------------------------------


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


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    """Check the archive before openpyxl sees it: a spreadsheet has a few
    dozen entries and a few megabytes; a zip bomb has neither. openpyxl then
    reads at most MAX_COLUMNS columns of MAX_ROWS rows (and a few more for a
    title above the headings), whatever size the sheet claims."""
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
                    (number, list(values))
                    for number, values in enumerate(
                        sheet.iter_rows(
                            max_row=MAX_ROWS + HEADING_SEARCH_ROWS + 1,
                            max_col=MAX_COLUMNS + 1,
                            values_only=True,
                        ),
                        start=1,
                    )
                ]
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl and defusedxml raise many kinds
        raise ImportFileError(_("The workbook could not be read: it may be damaged.")) from error
    return table


# --- CSV ---------------------------------------------------------------------------


def _not_text() -> ImportFileError:
    return ImportFileError(_("The file is neither a CSV text file nor an XLSX workbook."))


def _first_line(text: str) -> str:
    return text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")


def _decode(content: bytes, columns: ColumnSet) -> tuple[str, str, bool]:
    """(text, codec, whether a BOM opened it). A BOM is believed; a file
    without one is UTF-8 if it decodes as such (ASCII included), else the
    legacy encoding that charset-normalizer ranks first among those whose
    reading of the first line finds the most of our headings."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            try:
                return content[len(bom) :].decode(codec), codec, True
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    _(
                        "The file starts as %(encoding)s text but is not; "
                        "save it again as “CSV UTF-8”.",
                        encoding=ENCODING_NAMES[codec],
                    )
                ) from error
    if b"\x00" in content:
        raise _not_text()  # UTF-16 without a BOM, or binary: neither is guessed
    try:
        return content.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    candidates = [match.encoding for match in from_bytes(content, cp_isolation=LEGACY_ENCODINGS)]
    if not candidates:
        raise ImportFileError(
            _("The file's encoding could not be told. Save it as “CSV UTF-8” or as XLSX.")
        )
    sample = content[: MAX_LINE_LENGTH * 4]

    def headings_found(codec: str) -> int:
        line = _first_line(sample.decode(codec, errors="replace"))
        return max(_known_headings(line.split(delimiter), columns) for delimiter in DELIMITERS)

    best = max(candidates, key=lambda codec: (headings_found(codec), -candidates.index(codec)))
    return content.decode(best), best, False


def _looks_binary(text: str) -> bool:
    """Control characters beyond a stray one (Word's vertical tab in a name):
    the bytes were not text in any encoding."""
    sample = text[:65536]
    controls = sum(1 for character in sample if ord(character) < 32 and character not in "\t\r\n")
    return controls > max(2, len(sample) // 100)


def _delimiter(lines: list[str], columns: ColumnSet) -> str:
    """The separator that splits one of the first lines into the most of our
    headings; on a tie, the one that splits the next lines into as many
    cells as that line; then ",", ";", tab, "|" in that order. Each try is a
    linear split of a few short lines (csv.Sniffer's guess is quadratic in a
    line's length)."""

    def cells(line: str, delimiter: str) -> list[str]:
        return next(csv.reader([line], delimiter=delimiter), [])

    def score(delimiter: str) -> tuple[int, int, int]:
        split = [cells(line, delimiter) for line in lines]
        known = [_known_headings(row, columns) for row in split]
        heading = max(range(len(split)), key=lambda i: (known[i], -i))
        width = len(split[heading])
        consistent = sum(1 for row in split[heading + 1 :] if len(row) == width) if width > 1 else 0
        return known[heading], consistent, -DELIMITERS.index(delimiter)

    return max(DELIMITERS, key=score)


def _newline(text: str) -> str:
    position = text.find("\n")
    if position == -1:
        return "\r" if "\r" in text else "\r\n"
    return "\r\n" if position > 0 and text[position - 1] == "\r" else "\n"


def _read_csv(
    content: bytes, columns: ColumnSet
) -> tuple[FileFormat, list[tuple[int, list[Any]]], int]:
    """The CSV's format, its rows with their line numbers (blank ones left
    out, rows past the limit only counted), and how many were left out."""
    text, codec, bom = _decode(content, columns)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _looks_binary(text):
        raise _not_text()
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
    first_lines = [line for line in text.splitlines()[: HEADING_SEARCH_ROWS * 3] if line.strip()]
    delimiter = _delimiter(first_lines[: HEADING_SEARCH_ROWS + 10], columns)
    file_format = FileFormat("csv", codec, bom, delimiter, _newline(text))
    table: list[tuple[int, list[Any]]] = []
    extra_rows = 0
    keep = MAX_ROWS + HEADING_SEARCH_ROWS + 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        while True:
            line_number = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue  # blank lines cost nothing, and are not kept
            if len(table) >= keep:
                extra_rows += 1  # counted for the message, not kept
                continue
            table.append((line_number, row))
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed: %(problem)s", problem=str(error))
        ) from error
    return file_format, table, extra_rows


def read_file(
    content: bytes, language: str = "en", columns: ColumnSet | None = None
) -> NomineeFile:
    """The file in `content`, read for `columns` (the nominees' by default).
    XLSX is recognised by its content (a ZIP holding [Content_Types].xml);
    anything else must be CSV text. `language` names the template headings
    in a missing column's message."""
    column_set = columns or NOMINEE_COLUMNS
    if not content or not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(
            _(
                "This is an Excel 97–2003 workbook (.xls). Save it as “Excel Workbook (.xlsx)” "
                "or as “CSV UTF-8” and upload it again."
            )
        )
    if content.startswith(ZIP_MAGIC):
        return _build(FileFormat("xlsx"), _read_xlsx(content), language, 0, column_set)
    if content.startswith(b"%PDF"):
        raise _not_text()
    file_format, table, extra_rows = _read_csv(content, column_set)
    return _build(file_format, table, language, extra_rows, column_set)


def read_rows(content: bytes, language: str = "en") -> list[dict[str, str]]:
    """The file's nominee rows, by column name."""
    return read_file(content, language).records()


# --- files sent back -------------------------------------------------------------

# What a problem's typography becomes in an encoding that lacks it.
_PLAIN = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "…": "...",
        "–": "-",
        "—": "-",
    }
)
_NUMBER_LIKE = re.compile(r"^[+-][\d\s().-]*$")


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: a leading "=", "@",
    or a "+" or "-" that does not start a number (a phone number such as
    "+227 90 00 00 01" stays as the sender wrote it) gets an apostrophe."""
    if value.startswith(("=", "@")) or (
        value.startswith(("+", "-")) and not _NUMBER_LIKE.match(value)
    ):
        return "'" + value
    return value


def _encoded(text: str, codec: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return text.translate(_PLAIN).encode(codec, errors="replace")


def _problem_position(headings: list[str], problem_heading: str) -> int:
    """Where the problems go: a column already named like ours (a file sent
    back, corrected and sent again), else a new last column."""
    wanted = {heading_key(problem_heading), "problem", "probleme", "problems", "problemes"}
    for position, heading in enumerate(headings):
        if heading_key(heading) in wanted:
            return position
    return len(headings)


def _rows_back(
    nominee_file: NomineeFile, problems: dict[int, list[str]], problem_heading: str
) -> list[list[str]]:
    position = _problem_position(nominee_file.headings, problem_heading)
    sent_back = [
        (cells, " ".join(problems[line]))
        for line, cells in zip(nominee_file.lines, nominee_file.cells, strict=True)
        if line in problems
    ]
    width = max([len(nominee_file.headings), position + 1] + [len(c) for c, _ in sent_back])

    def with_problem(cells: list[str], problem: str) -> list[str]:
        row = [*cells, *[""] * (width - len(cells))]
        row[position] = problem
        return row

    return [with_problem(nominee_file.headings, problem_heading)] + [
        with_problem(cells, problem) for cells, problem in sent_back
    ]


def rejects_file(
    nominee_file: NomineeFile,
    problems: dict[int, list[str]],
    *,
    problem_heading: str,
    sheet_title: str,
) -> bytes:
    """The rows of `nominee_file` whose line is in `problems`, with every
    original column and a column of their problems, in the file's own
    format: an XLSX workbook, or CSV in the original encoding (and BOM),
    separator and line ending, for the nominating service to correct."""
    rows = _rows_back(nominee_file, problems, problem_heading)
    file_format = nominee_file.format
    if file_format.kind == "xlsx":
        return _xlsx(sheet_title, rows, highlight=_problem_position(rows[0], problem_heading))
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=file_format.delimiter or ",", lineterminator=file_format.newline
    )
    writer.writerows([[_csv_safe(cell) for cell in row] for row in rows])
    codec = file_format.encoding or "utf-8"
    bom = dict((name, bom) for bom, name in _BOMS).get(codec, b"") if file_format.bom else b""
    return bom + _encoded(buffer.getvalue(), codec)


def _xlsx(sheet_title: str, rows: list[list[str]], *, highlight: int | None = None) -> bytes:
    """A workbook of text cells: a string cell is never run as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value:
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    if highlight is not None:
        fill = PatternFill("solid", start_color="F8D7DA", end_color="F8D7DA")
        for row_cells in sheet.iter_rows(min_col=highlight + 1, max_col=highlight + 1):
            for cell in row_cells:
                cell.fill = fill
        sheet.column_dimensions[get_column_letter(highlight + 1)].width = 60
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- templates ---------------------------------------------------------------------


def template_csv(language: str, columns: ColumnSet | None = None) -> bytes:
    """The CSV template: the headings in the user's language, separated as
    Excel expects in that locale (";" in French, "," in English), UTF-8 with
    a BOM so that Excel reads the accents, CRLF line endings."""
    buffer = io.StringIO()
    delimiter = ";" if language == "fr" else ","
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        template_headings(language, columns)
    )
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class TemplateLists:
    """What the XLSX template's drop-down lists offer: country names and
    organisations as the importer reads them back, and the example row."""

    countries: list[str]
    organisations: list[str]
    example: list[str]


def template_xlsx(
    language: str, lists: TemplateLists, *, sheet_title: str, lists_title: str
) -> bytes:
    """The XLSX template: the headings, an example row (skipped on import),
    and drop-down lists for sex, country and organisation (on a hidden
    sheet); other values can still be typed, after a warning."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = sheet_title[:31]
    sheet.append(template_headings(language))
    sheet.append(lists.example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="6C757D")
        if isinstance(cell.value, str) and cell.value:
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for position, width in enumerate((18, 22, 11, 18, 40, 16, 22, 30, 20, 24), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width

    hidden = workbook.create_sheet(lists_title[:31])
    hidden.sheet_state = "hidden"
    for row, name in enumerate(lists.countries, start=1):
        hidden.cell(row, 1, name).data_type = "s"
    for row, name in enumerate(lists.organisations, start=1):
        hidden.cell(row, 2, name).data_type = "s"
    last_row = MAX_ROWS + 1
    reference = quote_sheetname(hidden.title)
    validations = [
        (
            COLUMNS.index("sex"),
            DataValidation(type="list", formula1='"F,M"', allow_blank=True, errorStyle="stop"),
        )
    ]
    if lists.countries:
        validations.append(
            (
                COLUMNS.index("nationality"),
                DataValidation(
                    type="list",
                    formula1=f"{reference}!$A$1:$A${len(lists.countries)}",
                    allow_blank=True,
                    errorStyle="warning",
                ),
            )
        )
    if lists.organisations:
        validations.append(
            (
                COLUMNS.index("organisation"),
                DataValidation(
                    type="list",
                    formula1=f"{reference}!$B$1:$B${len(lists.organisations)}",
                    allow_blank=True,
                    errorStyle="warning",
                ),
            )
        )
    for position, validation in validations:
        letter = get_column_letter(position + 1)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
