"""Helpers for the enrollment area's tests: nominee files built as the
programs that write them do."""

from __future__ import annotations

import codecs
import csv
import io

ROLES = ("admin", "coordinator", "trainer", "participant")

HEADINGS = [
    "given_name",
    "family_name",
    "sex",
    "nationality",
    "organisation",
    "rank",
    "function",
    "email",
    "phone",
]
# The headings a French ministry's list carries, as typed in Excel.
FRENCH_HEADINGS = [
    "Prénom(s)",
    "Nom de famille",
    "Sexe (M/F)",
    "Nationalité",
    "Structure",
    "Grade",
    "Fonction",
    "E-mail",
    "Tél.",
]

BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}


def xlsx_bytes(rows: list[list], headings: list[str] | None = None, *, above=()) -> bytes:
    """An XLSX workbook with `above` rows (a title), a heading row and `rows`."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in above:
        sheet.append(row)
    sheet.append(headings or HEADINGS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list],
    headings: list[str] | None = None,
    delimiter: str = ",",
    bom: bool = False,
    *,
    encoding: str = "utf-8",
    newline: str = "\r\n",
    above: tuple[str, ...] = (),
) -> bytes:
    """A CSV file as a program writes it: `encoding` (with its BOM when
    `bom`), `delimiter`, `newline` after each record, `above` lines first."""
    buffer = io.StringIO()
    for line in above:
        buffer.write(line + newline)
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(headings or HEADINGS)
    writer.writerows(rows)
    return (BOMS[encoding] if bom else b"") + buffer.getvalue().encode(encoding)


def excel_french_csv(rows: list[list], headings: list[str] | None = None) -> bytes:
    """What Excel writes for "CSV (séparateur : point-virgule)" in a French
    Windows: Windows-1252, semicolons, CRLF, no BOM."""
    return csv_bytes(rows, headings or FRENCH_HEADINGS, ";", encoding="cp1252", newline="\r\n")
