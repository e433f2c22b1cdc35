"""Time the bulk import of 500 nominees through the web pages.

    .venv/bin/python bench/bench_import.py [--rows 500] [--runs 3] [--database-url URL]

Builds its own database (a temporary SQLite file unless --database-url names
an empty one) with 200 registered participants, some of whom the file names
again. For each run and each format (XLSX, CSV) a fresh session receives a
file of --rows nominees: the script times the upload (read and check), the
preview page (read and check again against the database) and "Import all"
(one transaction), through the test client signed in as a coordinator.
Target: a few seconds for 500 rows.

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
import statistics
import sys
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--crafted", action="store_true", help="time crafted files only")
    arguments = parser.parse_args()
    if arguments.crafted:
        app = create_app(TestConfig())
        with app.test_request_context():
            crafted(arguments.runs)
        return
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-import-"))

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = arguments.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        IMPORT_FOLDER = str(folder / "imports")
        RATELIMIT_ENABLED = False

    app = create_app(Config())
    timings: dict[str, list[float]] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        coordinator = factories.make_user("coordinator")
        for number in range(200):
            factories.make_participant(email=f"known{number}@example.org")
        db.session.commit()
        client = app.test_client()
        client.post(
            "/login", data={"email": coordinator.email, "password": factories.TEST_PASSWORD}
        )
        for run in range(arguments.runs):
            for kind, encode in (("xlsx", as_xlsx), ("csv", as_csv)):
                training_session = factories.make_session(capacity=arguments.rows + 10)
                db.session.commit()
                session_id = training_session.id
                content = encode(nominee_rows(arguments.rows, run * 2 + (kind == "csv")))
                base = f"/sessions/{session_id}/import"
                started = time.perf_counter()
                response = client.post(
                    base,
                    data={"file": (io.BytesIO(content), f"nominees.{kind}")},
                    content_type="multipart/form-data",
                )
                uploaded = time.perf_counter()
                assert response.status_code == 302, response.status_code
                preview = client.get(f"{base}/preview")
                previewed = time.perf_counter()
                assert preview.status_code == 200 and b"Import all" in preview.data
                imported_response = client.post(f"{base}/confirm")
                imported = time.perf_counter()
                assert imported_response.status_code == 302
                count = db.session.scalar(
                    sa.select(sa.func.count(Enrollment.id)).where(
                        Enrollment.session_id == session_id
                    )
                )
                assert count == arguments.rows, count
                timings.setdefault(f"{kind} upload+check", []).append(uploaded - started)
                timings.setdefault(f"{kind} preview", []).append(previewed - uploaded)
                timings.setdefault(f"{kind} import all", []).append(imported - previewed)
                timings.setdefault(f"{kind} total", []).append(imported - started)
    engine = (arguments.database_url or "sqlite").split(":")[0]
    print(f"{arguments.rows} rows, {arguments.runs} runs per format, {engine}")
    for name, values in timings.items():
        print(
            f"  {name:<20} median {statistics.median(values):6.2f} s   worst {max(values):6.2f} s"
        )


if __name__ == "__main__":
    main()
