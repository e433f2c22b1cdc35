"""Helpers for the people area's tests."""

from __future__ import annotations

import pytest

ROLES = ("admin", "coordinator", "trainer", "participant")


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    """Uploads kept between preview and import go to a temporary folder."""
    folder = tmp_path / "imports"
    app.config["IMPORT_FOLDER"] = str(folder)
    yield folder
    app.config.pop("IMPORT_FOLDER", None)


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


def xlsx_bytes(rows: list[list], headings: list[str] | None = None) -> bytes:
    """An XLSX workbook with a heading row and `rows`."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings or HEADINGS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list], headings: list[str] | None = None, delimiter: str = ",", bom: bool = False
) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headings or HEADINGS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
