"""The convocation letter renderer: plain data in, one A4 portrait page out,
in French or English; text read back with pypdf."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from training.pdf.certificate import Signatory
from training.pdf.convocation import render_convocation, sample_convocation


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return " ".join(read(data).pages[0].extract_text().split())


def test_one_a4_portrait_page_with_everything_a_travel_order_needs():
    data = sample_convocation()
    pdf = render_convocation(data)
    reader = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = text_of(pdf)
    # Letterhead, place and date, reference.
    assert data.programme_name in text
    assert "ONUDC · DOP" in text
    assert "Dakar, le 9 février 2026" in text
    assert "ATL/CONV/NE-2026-003/000042" in text
    assert "LETTRE DE CONVOCATION" in text
    # The participant.
    assert "Aïcha Maïga-Traoré" in text
    assert "Commissaire divisionnaire" in text and "Police nationale du Mali" in text
    assert "Nationalité Mali" in text
    assert "en qualité de participante" in text and "l’intéressée" in text
    # The session.
    assert "Enquêtes et poursuites dans les affaires de terrorisme" in text
    assert "NE-2026-003 · Formation" in text
    assert "du 2 au 6 mars 2026 (5 jours)" in text
    assert "École nationale de police, Niamey, Niger" in text
    assert "Langue de travail français" in text
    assert "30 heures, 10 demi-journées" in text
    assert "Office des Nations Unies contre la drogue et le crime (ONUDC)" in text
    # The request to the authorities, and who signs.
    assert "faciliter les formalités de voyage" in text and "visa" in text
    assert "Pour les organisateurs" in text
    assert "Amina Diallo" in text and "Coordonnatrice du programme" in text


def test_in_english():
    data = sample_convocation(
        language="en",
        participant_sex="M",
        participant_name="Moussa Diarra",
        course_title="Investigating and prosecuting terrorism cases",
        session_kind="Training",
        organisers=(
            "United Nations Office on Drugs and Crime (UNODC)",
            "United Nations Department of Peace Operations (DPO)",
        ),
        signatory=Signatory("Amina Diallo", "Programme Coordinator, UNODC"),
    )
    text = text_of(render_convocation(data))
    assert "LETTER OF INVITATION" in text
    assert "Dakar, 9 February 2026" in text
    assert "from 2 to 6 March 2026 (5 days)" in text
    assert "Working language French" in text
    assert "30 hours, 10 half-days" in text
    assert "United Nations Office on Drugs and Crime (UNODC) and United Nations Department" in text
    assert "facilitate the travel formalities" in text
    assert "For the organisers" in text and "Moussa Diarra" in text
    assert "Madame" not in text and "convocation" not in text.lower()


def test_a_male_participant_is_addressed_as_such_in_french():
    text = text_of(render_convocation(sample_convocation(participant_sex="M")))
    assert "en qualité de participant," in text and "l’intéressé " in text
    assert "PARTICIPANT " in text


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 3, 2), date(2026, 3, 2), "Dates le 2 mars 2026"),
        (date(2026, 3, 30), date(2026, 4, 3), "du 30 mars au 3 avril 2026 (5 jours)"),
        (date(2026, 12, 29), date(2027, 1, 2), "du 29 décembre 2026 au 2 janvier 2027 (5 jours)"),
        (date(2026, 6, 1), date(2026, 6, 3), "du 1er au 3 juin 2026 (3 jours)"),
    ],
)
def test_dates_read_as_a_letter_writes_them(start, end, expected):
    text = text_of(render_convocation(sample_convocation(start_date=start, end_date=end)))
    assert expected in text


def test_unknown_duration_and_missing_details_are_left_out():
    data = sample_convocation(
        total_hours=None,
        half_days=None,
        participant_rank=None,
        participant_function=None,
        venue=None,
        place="",
    )
    text = text_of(render_convocation(data))
    assert "Durée" not in text and "Grade" not in text and "Fonction" not in text
    assert "Niamey, Niger" in text
    assert "Le 9 février 2026" in text


def test_markup_in_a_name_prints_literally():
    name = '<font color="red">Awa</font> & <b>Co</b>'
    text = text_of(render_convocation(sample_convocation(participant_name=name)))
    assert '<font color="red">Awa</font> & <b>Co</b>' in text


def test_whatever_is_stored_the_letter_stays_one_page():
    long = "Très long nom d'organisation " * 80  # far beyond any column
    data = sample_convocation(
        participant_name="N" * 2000,
        participant_organisation=long,
        course_title=long,
        venue=long,
        organisers=(long, long, long, long),
        programme_name=long,
        participant_function="vertical\vtab\x00and control",
    )
    pdf = render_convocation(data)
    assert len(read(pdf).pages) == 1
    assert "vertical tab" in text_of(pdf)


def test_logos_are_drawn_when_configured_and_a_missing_file_is_ignored(tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 40), (26, 93, 158)).save(logo)
    with_logo = read(render_convocation(sample_convocation(logo_left=str(logo))))
    images = with_logo.pages[0].images
    assert len(images) == 1
    missing = render_convocation(sample_convocation(logo_right=str(tmp_path / "none.png")))
    assert len(read(missing).pages[0].images) == 0


def test_a_letter_in_another_language_is_refused():
    with pytest.raises(ValueError):
        sample_convocation(language="de")


def test_hours_with_a_fraction_follow_the_language():
    text = text_of(render_convocation(sample_convocation(total_hours=Decimal("22.5"))))
    assert "22,5 heures" in text


def test_several_letters_print_as_one_document_a_page_each_in_their_language():
    from training.pdf.convocation import render_convocations

    letters = [
        sample_convocation(participant_name="Aïcha Maïga-Traoré", reference="ATL/CONV/X/000001"),
        sample_convocation(
            language="en", participant_name="Moussa Diallo", reference="ATL/CONV/X/000002"
        ),
        sample_convocation(participant_name="Fatima Ould Ahmed", reference="ATL/CONV/X/000003"),
    ]
    reader = read(render_convocations(letters))
    assert len(reader.pages) == 3
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    for text, letter in zip(texts, letters, strict=True):
        assert letter.participant_name in text
        assert letter.reference in text  # each page its own letterhead and reference
    assert "LETTRE DE CONVOCATION" in texts[0] and "LETTRE DE CONVOCATION" not in texts[1]
