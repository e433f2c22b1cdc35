"""Nominee files as they come: each encoding, separator, line ending and
heading spelling that Excel and other programs write, read back the same;
the files sent back written as they came."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from tests.enrollment.conftest import (
    FRENCH_HEADINGS,
    HEADINGS,
    csv_bytes,
    excel_french_csv,
    xlsx_bytes,
)
from training.enrollment import import_files
from training.enrollment.import_files import (
    ImportFileError,
    column_for,
    read_file,
    rejects_file,
)

# Accents, a typographic apostrophe (Windows-1252 has it, Latin-1 has not),
# a comma and a semicolon inside cells, a + before a phone number.
ROWS = [
    [
        "Aïcha",
        "Maïga",
        "F",
        "Nigérienne",
        "Police nationale",
        "Lieutenante",
        "Cheffe d’unité, adjointe",
        "aicha.maiga@example.org",
        "+227 90 00 00 01",
    ],
    ["Moussa", "Traoré", "M", "Malien", "GN", "Capitaine", "Enquêteur; formateur", "", ""],
    ["Idriss", "Mahamat Saleh", "M", "Tchadien", "", "", "Procureur", "", "66 00 00 02"],
]
EXPECTED = [dict(zip(HEADINGS, row, strict=True)) for row in ROWS]


def _records(content: bytes) -> list[dict[str, str]]:
    return [
        {column: record.get(column, "") for column in HEADINGS}
        for record in read_file(content).records()
    ]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("cp1252", False),  # Excel's "CSV (séparateur : point-virgule)" in a French Windows
        ("utf-8", False),  # LibreOffice, Google Sheets, most tools
        ("utf-8", True),  # Excel's "CSV UTF-8"
        ("utf-16-le", True),  # Excel's "Unicode Text" and Windows tools
        ("utf-16-be", True),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_every_encoding_separator_and_line_ending_reads_the_same(
    app, encoding, bom, delimiter, newline
):
    content = csv_bytes(ROWS, FRENCH_HEADINGS, delimiter, bom, encoding=encoding, newline=newline)
    nominee_file = read_file(content)
    assert _records(content) == EXPECTED
    assert nominee_file.format == import_files.FileFormat("csv", encoding, bom, delimiter, newline)
    assert nominee_file.lines == [2, 3, 4]
    assert nominee_file.headings == FRENCH_HEADINGS


def test_excel_in_a_french_locale(app):
    nominee_file = read_file(excel_french_csv(ROWS))
    assert nominee_file.format.encoding == "cp1252"
    assert nominee_file.format.encoding_name == "Windows-1252"
    assert (nominee_file.format.delimiter, nominee_file.format.newline) == (";", "\r\n")
    assert nominee_file.records()[0]["function"] == "Cheffe d’unité, adjointe"


def test_excel_ms_dos_csv_is_told_from_windows_1252_by_its_headings(app):
    """Excel's "CSV (MS-DOS)" writes code page 850, where "é" is 0x82, a
    low quotation mark in Windows-1252: the reading that finds our headings
    wins."""
    rows = [["Aïcha", "Maïga", "F", "Niger", "", "", "Enquêtrice", "", ""]]
    content = csv_bytes(rows, FRENCH_HEADINGS, ";", encoding="cp850")
    nominee_file = read_file(content)
    assert nominee_file.format.encoding == "cp850"
    assert nominee_file.records()[0]["function"] == "Enquêtrice"


def test_a_file_that_lies_about_its_encoding_is_refused_clearly(app):
    content = b"\xef\xbb\xbf" + "Prénom;Nom;Sexe\r\nAïcha;Maïga;F\r\n".encode("cp1252")
    with pytest.raises(ImportFileError, match="starts as UTF-8 text but is not"):
        read_file(content)


def test_quoted_cells_spanning_lines_keep_the_file_s_line_numbers(app):
    content = (
        'Prénom;Nom;Sexe;Fonction\r\n\r\nAwa;Ba;F;"Cheffe\r\nde service"\r\n\r\nAli;Sow;M;Agent\r\n'
    ).encode("cp1252")
    nominee_file = read_file(content)
    assert nominee_file.lines == [3, 6]
    assert nominee_file.records()[0]["function"] == "Cheffe de service"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_title_above_the_headings_is_passed_over(app, kind):
    """Ministries' lists open with a title and a blank line."""
    title = "LISTE DES PARTICIPANTS À L’ATELIER DE NIAMEY"
    if kind == "csv":
        content = csv_bytes(ROWS, FRENCH_HEADINGS, ";", above=(title, ";;;", ""))
    else:
        content = xlsx_bytes(ROWS, FRENCH_HEADINGS, above=([title], [], ["Date : 12/03/2026"]))
    nominee_file = read_file(content)
    assert nominee_file.headings == FRENCH_HEADINGS
    assert nominee_file.lines == [5, 6, 7] if kind == "csv" else [5, 6, 7]
    assert _records(content) == EXPECTED


@pytest.mark.parametrize(
    ("heading", "column"),
    [
        ("Prénom(s)", "given_name"),
        ("Prenoms", "given_name"),
        ("PRÉNOM", "given_name"),
        ("First name", "given_name"),
        ("given_name", "given_name"),
        ("Nom de famille", "family_name"),
        ("NOM", "family_name"),
        ("Nom(s)", "family_name"),
        ("Surname", "family_name"),
        ("Sexe (M/F)", "sex"),
        ("Sexe (H/F)", "sex"),
        ("Genre", "sex"),
        ("Gender", "sex"),
        ("Nationalité", "nationality"),
        ("NATIONALITE", "nationality"),
        ("Pays", "nationality"),
        ("Structure", "organisation"),
        ("Service", "organisation"),
        ("Unité", "organisation"),
        ("Organisation", "organisation"),
        ("Organization", "organisation"),
        ("Structure d’origine", "organisation"),
        ("Grade", "rank"),
        ("Rank", "rank"),
        ("Fonction", "function"),
        ("Poste occupé", "function"),
        ("Job title", "function"),
        ("E-mail", "email"),
        ("Courriel", "email"),
        ("Adresse e-mail", "email"),
        ("Adresse électronique", "email"),
        ("Email address", "email"),
        ("Tél.", "phone"),
        ("Téléphone", "phone"),
        ("N° de téléphone", "phone"),
        ("Tél. mobile (WhatsApp)", "phone"),
        ("Phone", "phone"),
        ("Contact", "phone"),
        ("N°", None),
        ("Matricule", None),
        ("Observations", None),
        ("Nom et prénom(s)", None),
        ("", None),
    ],
)
def test_heading_spellings(heading, column):
    assert column_for(heading) == column


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "fr",
            "Le fichier n’a pas de colonne pour\u00a0: «\u00a0Prénom\u00a0», "
            "«\u00a0Sexe (F/M)\u00a0». En-têtes trouvés\u00a0: «\u00a0N°\u00a0», "
            "«\u00a0Nom\u00a0», «\u00a0Matricule\u00a0».",
        ),
        (
            "en",
            "The file has no column for: “Given name”, “Sex (F/M)”. "
            "Headings found: “N°”, “Nom”, “Matricule”.",
        ),
    ],
)
def test_a_missing_column_is_named_in_the_reader_s_language(app, language, message):
    content = csv_bytes([["1", "Maïga", "B-204"]], ["N°", "Nom", "Matricule"], ";")
    with (
        app.test_request_context(),
        force_locale(language),
        pytest.raises(ImportFileError) as refusal,
    ):
        read_file(content, language)
    assert message in refusal.value.message


def test_the_template_example_row_is_not_a_nominee(app):
    rows = [
        ["Aïcha", "EXEMPLE", "F", "Niger", "", "", "", import_files.EXAMPLE_EMAIL, ""],
        ROWS[1],
    ]
    nominee_file = read_file(xlsx_bytes(rows))
    assert [record["family_name"] for record in nominee_file.records()] == ["Traoré"]
    assert nominee_file.lines == [3]


def test_a_stored_file_comes_back_whole(app):
    nominee_file = read_file(excel_french_csv(ROWS))
    assert import_files.NomineeFile.load(nominee_file.dump()) == nominee_file
    assert import_files.NomineeFile.load(b"junk") is None


# --- files sent back -------------------------------------------------------------------

PROBLEMS = {3: ["Sex must be F or M (found “X”)."], 4: ["Unknown country “Atlantide”.", "Oops."]}


def _csv_back(content: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline=""), delimiter=delimiter))


def test_rows_sent_back_keep_the_file_s_encoding_separator_and_columns(app):
    headings = ["N°", *FRENCH_HEADINGS, "Matricule"]
    rows = [[str(number), *row, f"M-{number}"] for number, row in enumerate(ROWS, start=1)]
    content = csv_bytes(rows, headings, ";", encoding="cp1252")
    back = rejects_file(
        read_file(content), PROBLEMS, problem_heading="Problème", sheet_title="Candidats"
    )
    assert b"\r\n" in back and not back.startswith(b"\xef\xbb\xbf")
    table = _csv_back(back, "cp1252", ";")
    assert table[0] == [*headings, "Problème"]
    assert table[1] == [*rows[1], "Sex must be F or M (found “X”)."]
    assert table[2] == [*rows[2], "Unknown country “Atlantide”. Oops."]
    assert len(table) == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_rows_sent_back_keep_the_byte_order_mark(app, encoding):
    content = csv_bytes(ROWS, FRENCH_HEADINGS, "\t", True, encoding=encoding, newline="\n")
    back = rejects_file(read_file(content), PROBLEMS, problem_heading="Problème", sheet_title="x")
    assert back.startswith(import_files.codecs.BOM_UTF8 if encoding == "utf-8" else back[:2])
    text = back.decode(
        {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}[encoding]
    )
    assert "\r\n" not in text
    assert text.splitlines()[0].split("\t")[-1] == "Problème"


def test_typography_an_encoding_lacks_is_made_plain(app):
    rows = [["Awa", "Bâ", "F", "", "", "", "", "", ""], ["Ali", "Sow", "X", "", "", "", "", "", ""]]
    nominee_file = read_file(csv_bytes(rows, FRENCH_HEADINGS, ";"))
    nominee_file.format = import_files.FileFormat("csv", "latin_1", False, ";", "\r\n")
    back = rejects_file(
        nominee_file,
        {3: ["Le sexe doit être F ou M (trouvé «\u00a0X\u00a0») — voir l’en-tête."]},
        problem_heading="Problème",
        sheet_title="x",
    )
    assert (
        back.decode("latin_1")
        .splitlines()[1]
        .endswith('Le sexe doit être F ou M (trouvé " X ") - voir l\'en-tête.')
    )


def test_rows_sent_back_are_safe_in_a_spreadsheet(app):
    rows = [
        ['=HYPERLINK("http://evil.example")', "Ba", "X", "", "", "", "@SUM(A1)", "", "+227 90"],
        ["Ali", "-Sow", "X", "", "", "", "", "", "-"],
    ]
    nominee_file = read_file(csv_bytes(rows, delimiter=";"))
    back = rejects_file(
        nominee_file, {2: ["x"], 3: ["y"]}, problem_heading="Problem", sheet_title="x"
    )
    table = _csv_back(back, "utf-8", ";")
    assert table[1][0] == '\'=HYPERLINK("http://evil.example")'
    assert table[1][6] == "'@SUM(A1)" and table[1][8] == "+227 90"
    assert table[2][1] == "'-Sow"


def test_rows_sent_back_from_a_workbook_are_a_workbook(app):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Prénom", "Nom", "Sexe", "Pays", "Problème"])
    sheet.append(["=1+1", "Ba", "X", "Niger"])
    sheet["A2"].data_type = "s"  # a text that reads like a formula
    sheet.append(ROWS[0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    back = rejects_file(
        read_file(buffer.getvalue()),
        {2: ["Sexe invalide."]},
        problem_heading="Problème",
        sheet_title="Candidats",
    )
    sheet = load_workbook(io.BytesIO(back)).worksheets[0]
    assert sheet.title == "Candidats"
    rows = list(sheet.iter_rows(values_only=True))
    # The file's own "Problème" column (a file sent back and sent again) is reused.
    assert rows == [
        ("Prénom", "Nom", "Sexe", "Pays", "Problème"),
        ("=1+1", "Ba", "X", "Niger", "Sexe invalide."),
    ]
    assert sheet["A2"].data_type == "s"  # text, never a formula
