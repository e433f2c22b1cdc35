"""Time the bulk import of a 2,000-row nominee file through the web pages.

    .venv/bin/python bench/bench_import.py [--rows 2000] [--runs 3] [--database-url URL]

Builds its own database: a temporary SQLite file, and also a PostgreSQL one
when --database-url, TEST_DATABASE_URL or DATABASE_URL names a PostgreSQL
server (the script creates a database of its own there and drops it after:
the one named is never touched). It holds 200 registered participants and
the G5 Sahel's police forces and gendarmeries, whose acronyms ("PN", "GN")
several countries share. For each run, three files of --rows nominees go to
a fresh session through the test client signed in as a coordinator:

- an XLSX workbook with the template's French headings;
- a CSV in UTF-8 with a BOM, semicolons;
- the messy one: a CSV as French Excel saves it (Windows-1252, semicolons,
  CRLF) with ministries' headings (Prénom(s), Structure, Tél.), demonyms
  ("Nigérienne"), shared acronyms settled by the nationality, and one row in
  ten with a problem: its ready rows are imported and the others downloaded.

It times the upload (read, check, store in the database), the preview (the
stored file checked again against the database) and the import (one
transaction), and the download of the rows sent back. Target: each a few
seconds at most for 2,000 rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py --crafted

times only the reading of crafted files (issue 11: a long heading line, one
full of delimiters, many columns, an XLSX whose XML inflates hugely, a sheet
claiming a huge dimension) beside a plain file of about the same size, with
csv.Sniffer on the long line for the "before" figure. Target: the worst
crafted file costs at most a few times the plain one.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from openpyxl import Workbook

from config import TestConfig
from tests import factories
from training import create_app
from training.enrollment.importer import ImportFileError, read_rows
from training.enrollment.models import Enrollment
from training.extensions import db

HEADINGS = [
    "prénom",
    "nom",
    "sexe",
    "nationalité",
    "organisation",
    "grade",
    "fonction",
    "email",
    "téléphone",
]
COUNTRIES = ["Niger", "Mali", "Tchad", "Burkina Faso", "Mauritanie", "NE", "ML"]


def nominee_rows(count: int, run: int) -> list[list[str]]:
    rows = []
    for number in range(count):
        if number % 10 == 0:  # one in ten is already registered (matched by email)
            email = f"known{number // 10}@example.org"
        else:
            email = f"nominee{run}-{number}@example.org"
        rows.append(
            [
                f"Prénom{number}",
                f"Famille{run}-{number}",
                "F" if number % 3 else "M",
                COUNTRIES[number % len(COUNTRIES)],
                "",
                "Lieutenant",
                "Enquêteur",
                email,
                f"+227 9{run} {number:06d}",
            ]
        )
    return rows


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _best_of(runs: int, action) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.suppress(ImportFileError):  # a refusal's cost is what is timed
            action()
        best = min(best, time.perf_counter() - started)
    return best


def _replace_sheet(workbook: bytes, sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            archive.writestr(info.filename, data)
    return buffer.getvalue()


SHEET = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main">'
)


def crafted(runs: int) -> None:
    """Reading crafted files against plain ones of about the same size."""
    plain_csv = as_csv(nominee_rows(420, 0))  # about 48 KB
    size = len(plain_csv)
    long_line = (',"' * (size // 2)).encode() + b"\n"  # csv.Sniffer's regex backtracks
    delimiters = ("given_name;family_name;sex\n" + ";,," * 20 + "\n").encode() * (size // 90)
    columns = (",".join(["given_name", "family_name", "sex"] + ["x"] * 1000) + "\n").encode()
    columns *= max(1, size // len(columns))
    plain_xlsx = as_xlsx(nominee_rows(2000, 0))
    bomb = _replace_sheet(
        plain_xlsx,
        SHEET
        + b"<sheetData><row>"
        + b"<c/>" * (11 * 1024 * 1024)
        + b"</row></sheetData></worksheet>",
    )
    dimension = _replace_sheet(
        as_xlsx(nominee_rows(5, 0)),
        SHEET
        + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>given_name</t></is></c>'
        + b'<c r="B1" t="inlineStr"><is><t>family_name</t></is></c>'
        + b'<c r="C1" t="inlineStr"><is><t>sex</t></is></c></row>'
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    )
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
    at_caps = _replace_sheet(
        plain_xlsx,
        SHEET
        + b"<sheetData>"
        + (b"<row>" + cell * 24 + b"</row>") * 2000
        + b"</sheetData></worksheet>",
    )
    cases = [
        ("plain CSV, 420 rows", plain_csv),
        ("CSV: one long heading line", long_line),
        ("CSV: lines full of delimiters", delimiters),
        ("CSV: 1,003 columns", columns),
        ("plain XLSX, 250 rows", as_xlsx(nominee_rows(250, 0))),
        ("plain XLSX, 2,000 rows", plain_xlsx),
        ("XLSX: XML inflating to 44 MB", bomb),
        ("XLSX: dimension A1:XFD1048576", dimension),
        ("XLSX: 48,000 tiny cells packed", at_caps),
    ]
    print(f"reading only, best of {runs}")
    for name, content in cases:
        seconds = _best_of(runs, lambda content=content: read_rows(content))
        print(f"  {name:<32} {len(content) / 1024:7.1f} KiB   {seconds * 1000:8.1f} ms")
    sniff_line = long_line.decode().strip()

    def sniff() -> None:
        with contextlib.suppress(csv.Error):
            csv.Sniffer().sniff(sniff_line, delimiters=",;")

    seconds = _best_of(1, sniff)
    print(f"  before: csv.Sniffer on the long heading line  {seconds * 1000:8.1f} ms")


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
DEMONYMS = ["Nigérienne", "Malien", "Burkinabè", "Tchadienne", "Mauritanien", "NER", "Mali"]
# Shared by several countries: the nationality settles each row.
SHARED = ["PN", "GN", "Gendarmerie nationale", "P.N."]


def messy_rows(count: int, run: int) -> list[list[str]]:
    rows = []
    for number in range(count):
        email = f"messy{run}-{number}@example.org"
        sex = "F" if number % 3 else "H"
        nationality = DEMONYMS[number % len(DEMONYMS)]
        if number % 10 == 5:  # one in ten has a problem
            sex = "?"
        elif number % 10 == 7:
            nationality = "Atlantide"
        rows.append(
            [
                f"Aïcha{number}",
                f"Maïga{run}-{number}",
                sex,
                nationality,
                SHARED[number % len(SHARED)],
                "Lieutenant",
                "Cheffe d’unité",
                email,
                f"+227 9{run} {number:06d}",
            ]
        )
    return rows


def as_excel_french_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(FRENCH_HEADINGS)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


POLICE = [
    ("BF", "Police nationale du Burkina Faso"),
    ("ML", "Police nationale du Mali"),
    ("NE", "Police nationale du Niger"),
    ("TD", "Police nationale tchadienne"),
    ("MR", "Police nationale de Mauritanie"),
]


def _organisations() -> None:
    from training.people.models import OrganisationKind

    for country, name in POLICE:
        factories.make_organisation(name=name, acronym="PN", country=country)
        factories.make_organisation(
            name="Gendarmerie nationale",
            acronym="GN",
            country=country,
            kind=OrganisationKind.GENDARMERIE,
        )


def _postgres_url(arguments: argparse.Namespace) -> str | None:
    for url in (
        arguments.database_url,
        os.environ.get("TEST_DATABASE_URL"),
        os.environ.get("DATABASE_URL"),
    ):
        if url and url.startswith("postgresql"):
            return url
    return None


@contextlib.contextmanager
def _own_postgres_database(server_url: str):
    """A database of the bench's own on the server `server_url` names."""
    name = f"atelier_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench(database_url: str, rows: int, runs: int) -> dict[str, list[float]]:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = False

    app = create_app(Config())
    timings: dict[str, list[float]] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        coordinator = factories.make_user("coordinator")
        for number in range(200):
            factories.make_participant(email=f"known{number}@example.org")
        _organisations()
        db.session.commit()
        client = app.test_client()
        client.post(
            "/login", data={"email": coordinator.email, "password": factories.TEST_PASSWORD}
        )
        for run in range(runs):
            files = (
                ("xlsx", as_xlsx(nominee_rows(rows, run * 3))),
                ("csv", as_csv(nominee_rows(rows, run * 3 + 1))),
                ("messy csv", as_excel_french_csv(messy_rows(rows, run * 3 + 2))),
            )
            for kind, content in files:
                messy = kind == "messy csv"
                training_session = factories.make_session(capacity=rows + 10)
                db.session.commit()
                session_id = training_session.id
                base = f"/sessions/{session_id}/import"
                started = time.perf_counter()
                response = client.post(
                    base,
                    data={"file": (io.BytesIO(content), f"nominees.{kind[-4:].strip()}")},
                    content_type="multipart/form-data",
                )
                uploaded = time.perf_counter()
                assert response.status_code == 302, response.status_code
                preview = client.get(f"{base}/preview")
                previewed = time.perf_counter()
                assert preview.status_code == 200
                expected = rows - rows // 10 * 2 if messy else rows
                assert (b"Import the %d ready rows" % expected if messy else b"Import all") in (
                    preview.data
                ), preview.data[-3000:]
                imported_response = client.post(f"{base}/valid" if messy else f"{base}/confirm")
                imported = time.perf_counter()
                assert imported_response.status_code == 302
                count = db.session.scalar(
                    sa.select(sa.func.count(Enrollment.id)).where(
                        Enrollment.session_id == session_id
                    )
                )
                assert count == expected, count
                timings.setdefault(f"{kind} upload", []).append(uploaded - started)
                timings.setdefault(f"{kind} preview", []).append(previewed - uploaded)
                timings.setdefault(f"{kind} import", []).append(imported - previewed)
                if messy:
                    rejects = client.get(f"{base}/rejects")
                    downloaded = time.perf_counter()
                    assert rejects.status_code == 200 and rejects.data.count(b"\r\n") == (
                        rows // 10 * 2 + 1
                    )
                    timings.setdefault(f"{kind} rejects", []).append(downloaded - imported)
                timings.setdefault(f"{kind} total", []).append(imported - started)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="a PostgreSQL server to bench on as well")
    parser.add_argument("--crafted", action="store_true", help="time crafted files only")
    arguments = parser.parse_args()
    if arguments.crafted:
        app = create_app(TestConfig())
        with app.test_request_context():
            crafted(arguments.runs)
        return
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-import-"))
    engines = [("sqlite", contextlib.nullcontext(f"sqlite:///{folder / 'bench.sqlite3'}"))]
    postgres = _postgres_url(arguments)
    if postgres:
        engines.append(("postgresql", _own_postgres_database(postgres)))
    for engine, database in engines:
        with database as database_url:
            timings = bench(database_url, arguments.rows, arguments.runs)
        print(f"{arguments.rows} rows, {arguments.runs} runs per file, {engine}")
        for name, values in timings.items():
            print(
                f"  {name:<24} median {statistics.median(values):6.2f} s"
                f"   worst {max(values):6.2f} s"
            )


if __name__ == "__main__":
    main()
