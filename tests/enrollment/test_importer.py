"""The nominee importer with good and bad files."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from tests import factories
from tests.enrollment.conftest import csv_bytes, xlsx_bytes
from training.domain import DomainError
from training.enrollment import importer
from training.enrollment.importer import ImportFileError
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Participant, Sex

GOOD = [
    [
        "Moussa",
        "Traoré",
        "M",
        "Mali",
        "PN-ML",
        "Commissaire",
        "Enquêteur",
        "moussa@example.org",
        "+223 70 00 00 01",
    ],
    ["Aïcha", "Diallo", "F", "NE", "", "Lieutenant", "", "aicha@example.org", ""],
    ["Idriss", "Mahamat", "h", "Tchad", "", "", "", "", ""],
]


def _check(content: bytes, training_session=None):
    training_session = training_session or factories.make_session()
    return importer.check_rows(training_session, importer.read_rows(content))


@pytest.mark.parametrize(
    "content",
    [
        xlsx_bytes(GOOD),
        csv_bytes(GOOD),
        csv_bytes(GOOD, delimiter=";", bom=True),
        csv_bytes(
            GOOD,
            headings=[
                "prénom",
                "nom",
                "sexe",
                "nationalité",
                "organisation",
                "grade",
                "fonction",
                "courriel",
                "téléphone",
            ],
            delimiter=";",
        ),
    ],
    ids=["xlsx", "csv", "csv-semicolon-bom", "csv-french-headings"],
)
def test_good_files_are_read_and_checked(app, content):
    factories.make_organisation(name="Police nationale du Mali", acronym="PN-ML", country="ML")
    check = _check(content)
    assert check.can_import, [row.errors for row in check.rows]
    first, second, third = check.rows
    assert (first.line, first.nationality, first.sex) == (2, "ML", Sex.MALE)
    assert first.organisation.acronym == "PN-ML"
    assert second.nationality == "NE" and second.sex == Sex.FEMALE
    assert third.nationality == "TD" and third.sex == Sex.MALE  # "h" for homme, "Tchad"


def test_french_country_names_and_iso3_codes(app):
    assert importer.country_code("Côte d’Ivoire") == "CI"
    assert importer.country_code("BURKINA FASO") == "BF"
    assert importer.country_code("Mauritanie") == "MR"
    assert importer.country_code("NER") == "NE"
    assert importer.country_code("Atlantis") is None


def test_every_problem_is_listed_per_row(app):
    training_session = factories.make_session()
    enrolled = factories.make_participant(email="already@example.org")
    factories.enroll(enrolled, training_session)
    existing = factories.make_participant(email="known@example.org")
    rows = [
        ["", "Traoré", "M", "ML", "", "", "", "", ""],  # missing given name
        ["Awa", "Ba", "X", "ML", "", "", "", "", ""],  # bad sex
        ["Awa", "Sy", "F", "Atlantis", "", "", "", "", ""],  # unknown country
        ["Awa", "Fall", "F", "SN", "", "", "", "awa@", ""],  # bad email
        ["Awa", "Fall", "F", "SN", "", "", "", "", ""],  # duplicate name (line 5)
        ["Ali", "Keita", "M", "ML", "Unknown unit", "", "", "", ""],  # unknown organisation
        ["X", "Y", "M", "ML", "", "", "", "already@example.org", ""],  # already enrolled
        ["Someone", "Known", "F", "ML", "", "", "", "KNOWN@example.org", ""],  # existing: a note
    ]
    check = _check(csv_bytes(rows), training_session)
    problems = {row.line: " ".join(row.errors) for row in check.rows}
    assert "required" in problems[2]
    assert "Sex must be F or M" in problems[3]
    assert "Unknown country" in problems[4]
    assert "not a valid email" in problems[5]
    assert "Duplicate of line 5" in problems[6]
    assert "Unknown organisation" in problems[7]
    assert "already enrolled" in problems[8]
    assert problems[9] == "" and check.rows[7].existing == existing
    assert "will be nominated" in check.rows[7].notes[0]
    assert not check.can_import
    with pytest.raises(DomainError):
        importer.import_rows(training_session, check, actor=None)
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 1


def test_import_all_nominates_and_reuses_existing(app):
    coordinator = factories.make_user("coordinator")
    training_session = factories.make_session()
    existing = factories.make_participant(
        given_name="Moussa", family_name="Traore", organisation=None, email="moussa@example.org"
    )
    before = db.session.scalar(sa.select(sa.func.count(Participant.id)))
    check = _check(
        xlsx_bytes([*GOOD[1:], ["MOUSSA", "TRAORÉ", "M", "ML", "", "", "", "", ""]]),
        training_session,
    )
    assert check.can_import and check.rows[2].existing == existing
    assert importer.import_rows(training_session, check, actor=coordinator) == 3
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == before + 2
    statuses = db.session.scalars(
        sa.select(Enrollment.status).where(Enrollment.session_id == training_session.id)
    ).all()
    assert statuses == [EnrollmentStatus.NOMINATED] * 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n  ", "empty"),
        (csv_bytes([]), "no nominee"),
        (b"%PDF-1.7\x00\x01binary", "neither"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "neither"),
        (b"\x7fELF\x02\x01\x01" + bytes(range(1, 32)) * 20, "neither"),
        ("prénom;nom\r\nA;B\r\n".encode("utf-16-le"), "neither"),  # UTF-16 without a BOM
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97"),
        (csv_bytes([["a", "b"]], headings=["name", "surname"]), "no column"),
        (b"PK\x03\x04not really a zip", "not a valid XLSX"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(app, content, message):
    with pytest.raises(ImportFileError) as refusal:
        importer.read_rows(content)
    assert message in refusal.value.message


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_plain_zip_is_not_a_workbook(app):
    with pytest.raises(ImportFileError, match="not an XLSX"):
        importer.read_rows(_zip({"readme.txt": b"hello"}))


def test_zip_bomb_is_refused_before_parsing(app):
    bomb = _zip(
        {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)}
    )
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ImportFileError, match="too large"):
        importer.read_rows(bomb)


def test_too_many_entries_is_refused(app):
    entries = {"[Content_Types].xml": b"<Types/>"} | {f"x/{n}.xml": b"<a/>" for n in range(120)}
    with pytest.raises(ImportFileError, match="too large"):
        importer.read_rows(_zip(entries))


def test_billion_laughs_workbook_is_refused_cleanly(app):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
            for n in range(1, 10)
        )
        + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol9;</workbook>'
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD)))
    entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries["xl/workbook.xml"] = laughs
    with pytest.raises(ImportFileError, match="could not be read") as refusal:
        importer.read_rows(_zip(entries))
    # defusedxml, through openpyxl, is what refused the entities.
    causes, error = [], refusal.value
    while error is not None:
        causes.append(type(error).__name__)
        error = error.__cause__ or error.__context__
    assert "EntitiesForbidden" in causes


def test_row_limit(app):
    rows = [["A", f"B{n}", "F", "", "", "", "", "", ""] for n in range(importer.MAX_ROWS + 1)]
    with pytest.raises(ImportFileError, match="at most"):
        importer.read_rows(csv_bytes(rows))


def test_five_hundred_rows_check_and_import(app):
    """Their speed is measured in bench/bench_import.py, not here."""
    training_session = factories.make_session(capacity=600)
    rows = [
        [
            f"Given{n}",
            f"Family{n}",
            "F" if n % 2 else "M",
            "Niger",
            "",
            "",
            "",
            f"nominee{n}@example.org",
            f"+227 90 {n:06d}",
        ]
        for n in range(500)
    ]
    content = xlsx_bytes(rows)
    check = _check(content, training_session)
    assert check.can_import
    importer.import_rows(training_session, check, actor=None)
    db.session.commit()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Enrollment.id)).where(
                Enrollment.session_id == training_session.id
            )
        )
        == 500
    )


# --- crafted files: refused with a clear message (their cost: bench_import.py --crafted)


def _refusal(content: bytes, match: str) -> None:
    with pytest.raises(ImportFileError, match=match):
        importer.read_rows(content)


def test_a_long_heading_line_is_refused_at_once(app):
    """csv.Sniffer took seconds on 48 KB of this; the line cap refuses it."""
    line = ("a," * 24_000 + "\n").encode()
    _refusal(line * 2, "longer than")


def test_a_heading_line_of_many_columns_is_refused(app):
    headings = ["given_name", "family_name", "sex", *(f"extra{n}" for n in range(40))]
    content = csv_bytes([["A", "B", "F", *[""] * 40]], headings=headings)
    _refusal(content, "more than 30 columns")


def test_many_delimiters_in_the_data_cost_nothing(app):
    """Long data lines are refused too; short ones full of delimiters read
    quickly, their extra cells ignored."""
    rows = [["A", f"B{n}", "F", *[""] * 6, *[";,"] * 100] for n in range(1000)]
    assert len(importer.read_rows(csv_bytes(rows))) == 1000


def test_the_delimiter_is_the_one_that_finds_our_headings(app):
    content = b"given_name;family_name;sex;function\nA;B;F;Chef, adjoint\n"
    assert importer.read_rows(content) == [
        {"given_name": "A", "family_name": "B", "sex": "F", "function": "Chef, adjoint"}
    ]


def test_blank_lines_beyond_the_limit_are_not_kept(app):
    # How long it takes is measured in bench/bench_import.py --crafted, not here.
    content = csv_bytes([["A", "B", "F"]]) + b"\n" * 2_000_000
    assert len(importer.read_rows(content)) == 1


def _with_sheet(sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD)))
    entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries["xl/worksheets/sheet1.xml"] = sheet_xml
    return _zip(entries)


SHEET_HEAD = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main">'
)


def test_a_sheet_of_millions_of_empty_cells_is_refused_at_once(app):
    """100 KB that inflates to tens of megabytes of XML: refused while
    inflating, before openpyxl parses a cell."""
    cells = b"<c/>" * (12 * 1024 * 1024)
    bomb = _with_sheet(SHEET_HEAD + b"<sheetData><row>" + cells + b"</row></sheetData></worksheet>")
    assert len(bomb) < 200 * 1024
    _refusal(bomb, "too large")


def test_a_sheet_claiming_a_huge_dimension_is_read_within_bounds(app):
    """A1:XFD1048576 and a last row far away made openpyxl pad billions of
    cells; the reader asks for at most MAX_COLUMNS columns of MAX_ROWS rows."""
    sheet = (
        SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>given_name</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>family_name</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>sex</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>Awa</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>Ba</t></is></c>'
        b'<c r="C2" t="inlineStr"><is><t>F</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    assert importer.read_rows(_with_sheet(sheet)) == [
        {"given_name": "Awa", "family_name": "Ba", "sex": "F"}
    ]


def test_a_zip_lying_about_its_sizes_is_measured_not_trusted(app):
    """The sizes in a ZIP's directory are the sender's word; the reader
    counts what inflates."""
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/big.xml": b" " * (20 * 1024 * 1024)})
    lying = data.replace((20 * 1024 * 1024).to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    assert lying != data
    with pytest.raises(ImportFileError):
        importer.read_rows(lying)


def test_cells_are_cleaned_like_form_fields(app):
    rows = importer.read_rows(csv_bytes([["Moussa\x0bIbrahim", " Traoré\t", "M"]]))
    assert rows[0]["given_name"] == "Moussa Ibrahim" and rows[0]["family_name"] == "Traoré"


def test_too_long_values_are_row_errors_not_database_errors(app):
    training_session = factories.make_session()
    rows = [
        ["Awa", "B" * 101, "F", "", "", "", "", "", ""],
        ["Ali", "Keita", "M", "", "", "R" * 101, "F" * 151, "", "9" * 41],
        ["Ok", "Fine", "F", "", "", "", "", "", ""],
    ]
    check = _check(csv_bytes(rows), training_session)
    first, second, third = (" ".join(row.errors) for row in check.rows)
    assert "family name is longer than 100 characters" in first
    assert "rank is longer than 100" in second and "function is longer than 150" in second
    assert "phone is longer than 40" in second
    assert third == ""
    with pytest.raises(DomainError):
        importer.import_rows(training_session, check, actor=None)


def test_the_whole_file_is_checked_in_a_fixed_number_of_queries(app, count_queries):
    training_session = factories.make_session(capacity=600)
    for number in range(5):
        factories.make_participant(email=f"known{number}@example.org")
    db.session.commit()
    rows = [
        ["A", f"B{n}", "F", "", "", "", "", f"known{n % 7}@example.org", f"+227 {n:08d}"]
        for n in range(300)
    ]
    table = importer.read_rows(csv_bytes(rows))
    with count_queries() as statements:
        check = importer.check_rows(training_session, table)
    assert len(statements) <= 8, statements  # not one per row: 300 rows
    assert sum(1 for row in check.rows if row.existing is not None) > 0


def test_a_new_row_whose_name_sounds_like_a_registered_participant_says_so(app):
    from training.enrollment.importer import check_rows

    registered = factories.make_participant(given_name="Mohamed", family_name="Traoré")
    training_session = factories.make_session()
    check = check_rows(
        training_session,
        [
            {"given_name": "Mouhamadou", "family_name": "TRAORE", "sex": "M"},
            {"given_name": "Salif", "family_name": "Keita", "sex": "M"},
        ],
    )
    first, second = check.rows
    assert first.existing is None
    assert any(
        "similar names are registered" in note and registered.full_name in note
        for note in first.notes
    )
    assert not any("similar names" in note for note in second.notes)
