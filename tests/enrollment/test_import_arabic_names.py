"""The nominee file's optional column of names in Arabic script: "Nom
(arabe)", "Name (Arabic)", "الاسم"... read beside the Latin names, checked,
stored on the new participants."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.enrollment.conftest import csv_bytes, xlsx_bytes
from training.enrollment import importer
from training.enrollment.import_files import column_for, template_headings
from training.extensions import db
from training.people.models import Participant

HEADINGS = ["Prénom", "Nom", "Sexe", "Nom (arabe)"]
ROWS = [
    ["Mahamat", "Idriss", "M", "محمد إدريس"],
    ["Aïcha", "Mint Ahmed", "F", ""],
]


@pytest.mark.parametrize(
    ("heading", "column"),
    [
        ("Nom (arabe)", "name_ar"),
        ("Nom en arabe", "name_ar"),
        ("NOM (ARABE)", "name_ar"),
        ("Name (Arabic)", "name_ar"),
        ("Name in Arabic", "name_ar"),
        ("الاسم", "name_ar"),
        ("الإسم الكامل", "name_ar"),
        ("الاسم بالعربية", "name_ar"),
        ("Nom", "family_name"),  # the note makes the difference
        ("Nom (de famille)", "family_name"),
        ("Prénom(s)", "given_name"),
        ("Sexe (F/M)", "sex"),
    ],
)
def test_the_arabic_name_column_and_its_neighbours(heading, column):
    assert column_for(heading) == column


def test_the_templates_offer_the_column():
    assert template_headings("fr")[-1] == "Nom (arabe)"
    assert template_headings("en")[-1] == "Name (Arabic)"


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_arabic_names_are_imported_beside_the_latin_ones(app, make):
    training_session = factories.make_session()
    coordinator = factories.make_user("coordinator")
    check = importer.check_rows(training_session, importer.read_rows(make(ROWS, headings=HEADINGS)))
    assert check.error_count == 0
    assert importer.import_rows(training_session, check, actor=coordinator) == 2
    rows = db.session.execute(sa.select(Participant.family_name, Participant.name_ar)).all()
    names = {family: name_ar for family, name_ar in rows}
    assert names == {"Idriss": "محمد إدريس", "Mint Ahmed": None}
    found = db.session.scalar(
        sa.select(Participant).where(Participant.search_name.contains("محمد ادريس"))
    )
    assert found is not None and found.family_name == "Idriss"


def test_a_latin_name_in_the_arabic_column_is_a_row_error(app):
    training_session = factories.make_session()
    rows = [["Mahamat", "Idriss", "M", "Mahamat Idriss"], ["Awa", "Diallo", "F", "عوا ديالو"]]
    check = importer.check_rows(
        training_session, importer.read_rows(csv_bytes(rows, headings=HEADINGS))
    )
    assert check.error_count == 1
    assert check.rows[0].errors == ["Write the name in Arabic script in Arabic letters only."]
    assert check.rows[1].errors == []


def test_a_name_in_arabic_longer_than_the_column_is_a_row_error(app):
    training_session = factories.make_session()
    rows = [["Mahamat", "Idriss", "M", "م" * 201]]
    check = importer.check_rows(
        training_session, importer.read_rows(csv_bytes(rows, headings=HEADINGS))
    )
    assert check.rows[0].errors == ["The name in Arabic script is longer than 200 characters."]
