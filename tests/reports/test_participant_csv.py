"""The participant-level CSV byte for byte: its rows are written by a fast
path (cells rendered once and memoised, a session's cells once per
session), which must give exactly the file `csv.writer` gave before, in
both dialects and in both languages."""

from __future__ import annotations

import csv
import io
from collections import namedtuple
from datetime import date, timedelta
from random import Random
from typing import Any

import pytest
from flask_babel import force_locale

from training.extensions import db
from training.models import CertificateKind, OrganisationKind, Sex, Theme
from training.reports import exports, projection
from training.text import spreadsheet_safe

URL = "/reports/export-participants.csv"


@pytest.fixture
def awkward_programme(programme):
    """The programme of conftest.py with fixed codes and names (the
    factories number them in test order) and texts that need quoting or
    neutralising in either dialect."""
    programme.s1.code = "NE-2025-001"
    programme.s2.code = "ML-2026-002"
    programme.curriculum_ct.code = "CT-INV-01"
    programme.curriculum_drugs.code = "DR-TRF-02"
    programme.a.family_name = '=HYPERLINK("http://x.example/";"Ouvrir")'
    programme.a.rank = "Commissaire, 1re classe"
    programme.b.family_name = 'Ould "Sidi"'
    programme.b.given_name = "Boubacar;Amadou"
    programme.b.rank = None
    programme.c.family_name = "Sow\x0bDiallo"
    programme.c.rank = "-Lieutenant"
    programme.d.family_name = "Tandja"
    programme.d.given_name = "Djibril\nMoussa"
    programme.d.rank = "@Adjudant"
    programme.a.organisation.name = "Police nationale; Niamey"
    programme.b.organisation.name = "Douanes maliennes, DGD"
    db.session.commit()
    projection.catch_up()
    return programme


INTERNATIONAL_EN = (
    # the header
    "\ufeffFamily name,Given name,Sex,Nationality,Organisation,Organisation kind,Rank,"
    "Session,Curriculum,Theme,Start date,End date,Country of the session,"
    "Attended periods,Scheduled periods,Pre-test score,Post-test score,Certificate\r\n"
    # line 1
    '"\'=HYPERLINK(""http://x.example/"";""Ouvrir"")",Aïcha,Female,NE,Police nationale;'
    ' Niamey,Police,"Commissaire, 1re classe",NE-2025-001,CT-INV-01,Counter-terrorism,'
    "2025-03-03,2025-03-05,NE,6,6,40,80,Certificate of completion\r\n"
    # line 2
    '"Ould ""Sidi""",Boubacar;Amadou,Male,ML,"Douanes maliennes, DGD",Customs,,'
    "NE-2025-001,CT-INV-01,Counter-terrorism,2025-03-03,2025-03-05,NE,5,6,30,,"
    "Certificate of participation\r\n"
    # line 3
    'Sow Diallo,Coumba,Female,ML,"Douanes maliennes, DGD",Customs,\'-Lieutenant,'
    "NE-2025-001,CT-INV-01,Counter-terrorism,2025-03-03,2025-03-05,NE,6,6,60,90,\r\n"
    # line 4
    '"\'=HYPERLINK(""http://x.example/"";""Ouvrir"")",Aïcha,Female,NE,Police nationale;'
    ' Niamey,Police,"Commissaire, 1re classe",ML-2026-002,DR-TRF-02,Drugs,2026-01-12,'
    "2026-01-13,ML,2,4,50,55,\r\n"
    # line 5
    "Tandja,Djibril Moussa,Male,,,,'@Adjudant,ML-2026-002,DR-TRF-02,Drugs,2026-01-12,"
    "2026-01-13,ML,4,4,20,70,Certificate of completion\r\n"
)

EXCEL_FR_FR = (
    # the header
    "\ufeffNom;Prénom;Sexe;Nationalité;Organisation;Type d'organisation;Grade;Session;"
    "Curriculum;Thème;Date de début;Date de fin;Pays de la session;"
    "Demi-journées de présence;Demi-journées prévues;Note au test initial;"
    "Note au test final;Certificat\r\n"
    # line 1
    '"\'=HYPERLINK(""http://x.example/"";""Ouvrir"")";Aïcha;Femme;NE;"Police nationale;'
    ' Niamey";Police;Commissaire, 1re classe;NE-2025-001;CT-INV-01;'
    "Lutte contre le terrorisme;2025-03-03;2025-03-05;NE;6;6;40;80;"
    "Certificat de réussite\r\n"
    # line 2
    '"Ould ""Sidi""";"Boubacar;Amadou";Homme;ML;Douanes maliennes, DGD;Douanes;;'
    "NE-2025-001;CT-INV-01;Lutte contre le terrorisme;2025-03-03;2025-03-05;NE;5;6;30;;"
    "Certificat de participation\r\n"
    # line 3
    "Sow Diallo;Coumba;Femme;ML;Douanes maliennes, DGD;Douanes;'-Lieutenant;"
    "NE-2025-001;CT-INV-01;Lutte contre le terrorisme;2025-03-03;2025-03-05;NE;6;6;60;"
    "90;\r\n"
    # line 4
    '"\'=HYPERLINK(""http://x.example/"";""Ouvrir"")";Aïcha;Femme;NE;"Police nationale;'
    ' Niamey";Police;Commissaire, 1re classe;ML-2026-002;DR-TRF-02;Drogues;2026-01-12;'
    "2026-01-13;ML;2;4;50;55;\r\n"
    # line 5
    "Tandja;Djibril Moussa;Homme;;;;'@Adjudant;ML-2026-002;DR-TRF-02;Drogues;"
    "2026-01-12;2026-01-13;ML;4;4;20;70;Certificat de réussite\r\n"
)


@pytest.mark.parametrize(
    ("locale", "query", "expected"),
    [("en", "", INTERNATIONAL_EN), ("fr", "?dialect=excel-fr", EXCEL_FR_FR)],
)
def test_the_participant_csv_is_the_same_file_byte_for_byte(
    client, login_as, awkward_programme, locale, query, expected
):
    login_as("coordinator", locale=locale)
    response = client.get(URL + query)
    assert response.status_code == 200
    assert response.data.decode("utf-8") == expected


COLUMNS = (
    "family_name given_name sex nationality organisation organisation_kind rank session_code"
    " curriculum_code theme start_date end_date country attended_periods scheduled_periods"
    " pre_test_score post_test_score certificate_kind"
).split()
TrainingRow = namedtuple("TrainingRow", COLUMNS)

AWKWARD_TEXTS = [
    "Traoré",
    "",
    " ",
    "a;b",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "cr\rhere",
    "tab\there",
    "=1+1",
    "+223 70",
    "-5",
    "@home",
    "  two  spaces ",
    "Moussa\x0bIbrahim",
    "محمد",
    "'quoted",
]


def _rows(count: int) -> list[TrainingRow]:
    """Rows as queries.training_rows gives them, session by session, with
    every kind of value in every column."""
    random = Random(18)
    sexes, kinds = list(Sex), [*OrganisationKind, None]
    themes, certificates = list(Theme), [*CertificateKind, None]
    rows = []
    for number in range(count):
        session = number // 7
        start = date(2025, 1, 1) + timedelta(days=session)
        # SQLite gives the dates as text (dates_as_text), PostgreSQL as dates.
        start_cell: Any = start.isoformat() if session % 2 else start
        end_cell: Any = (start + timedelta(days=2)).isoformat() if session % 2 else start
        rows.append(
            TrainingRow(
                random.choice(AWKWARD_TEXTS) + str(random.randrange(30)),
                random.choice(AWKWARD_TEXTS),
                random.choice(sexes).value,
                random.choice(["NE", "ML", None]),
                random.choice([*AWKWARD_TEXTS, None]),
                None if (kind := random.choice(kinds)) is None else kind.value,
                random.choice([*AWKWARD_TEXTS, None]),
                f"NE-2025-{session:03d}" if session % 3 else f"=S;{session}",
                random.choice(["CT-INV-01", 'DR "02"']),
                random.choice(themes).value,
                start_cell,
                end_cell,
                random.choice(["NE", "ML"]),
                random.randrange(11),
                10,
                random.choice([None, 0, 55, 100]),
                random.choice([None, 70]),
                None if (kind := random.choice(certificates)) is None else kind.value,
            )
        )
    return rows


def _as_csv_writer_writes(rows: list[TrainingRow], dialect: exports.CsvDialect) -> str:
    """The file as the export wrote it before its fast path: csv.writer, one
    row at a time, every text cell made spreadsheet-safe."""
    table = exports.participants_table(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    writer.writerow([spreadsheet_safe(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow(
            [
                "" if cell is None else spreadsheet_safe(cell) if type(cell) is str else cell
                for cell in row
            ]
        )
    return "\ufeff" + buffer.getvalue()


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("dialect", [exports.INTERNATIONAL, exports.EXCEL_FR])
def test_the_fast_path_writes_what_csv_writer_writes(app, monkeypatch, locale, dialect):
    monkeypatch.setattr(exports._Cells, "LIMIT", 5)  # the memo emptied again and again
    rows = _rows(600)
    batches = [rows[start : start + 64] for start in range(0, len(rows), 64)]
    with app.test_request_context(), force_locale(locale):
        chunks = list(exports.participants_csv(batches, dialect=dialect))
        expected = _as_csv_writer_writes(rows, dialect)
    assert len(chunks) == 1 + len(batches)  # the header, then a chunk per batch
    assert "".join(chunks) == expected
