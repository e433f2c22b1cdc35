"""The sign-in sheet renderer, read back with pypdf: no Flask, no database."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from training.pdf.sign_in_sheet import SheetParticipant, SignInSheet, render_sign_in_sheet

MONDAY = date(2026, 11, 23)


def make_sheet(participants: int = 3, days: int = 1, **overrides) -> SignInSheet:
    people = [
        SheetParticipant("Traoré", "Aïcha", "PN — Police nationale du Niger", "Commissaire"),
        SheetParticipant(
            "Ould Mohamed Abdallahi El Moctar Ould Cheikh Sidi",
            "Mohamed Lemine Ahmed Salem",
            "Ministère de la Justice et des Droits de l'Homme du Niger",
            "Procureur de la République adjoint",
        ),
        SheetParticipant("Ba", '<font color="red">Zoë</font>', "Gendarmerie", "Capitaine"),
        SheetParticipant("Koné", "François-Noël Chloïs Jérôme", "Douanes", "Inspecteur"),
    ]
    roster = tuple(
        people[index]
        if index < len(people)
        else SheetParticipant(f"Diallo{index:03d}", "Fatoumata", "Police", "Agent")
        for index in range(participants)
    )
    values = {
        "code": "NE-2026-CT-01",
        "title_fr": "Enquêtes sur les affaires de terrorisme",
        "title_en": "Investigating terrorism cases",
        "language": "fr",
        "start_date": MONDAY,
        "end_date": MONDAY + timedelta(days=days - 1),
        "city": "Niamey",
        "country": "Niger",
        "venue": "École nationale de police",
        "trainers": ("Jean Dupont", "Fatoumata Diallo"),
        "days": tuple(MONDAY + timedelta(days=offset) for offset in range(days)),
        "participants": roster,
    }
    values.update(overrides)
    return SignInSheet(**values)


def read(sheet: SignInSheet) -> list[str]:
    data = render_sign_in_sheet(sheet)
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def test_names_with_accents_the_day_and_the_header():
    [text] = read(make_sheet(participants=4))
    text = " ".join(text.split())
    for expected in (
        "TRAORÉ Aïcha",
        "KONÉ François-Noël",
        "Lundi 23 novembre 2026",
        "Feuille d'émargement",
        "Enquêtes sur les affaires de terrorisme",
        "NE-2026-CT-01",
        "École nationale de police",
        "Jean Dupont, Fatoumata Diallo",
        "Signature matin",
        "Signature après-midi",
        "Grade",
    ):
        assert expected in text, expected


def test_markup_in_a_name_prints_literally():
    [text] = read(make_sheet(participants=4))
    assert '<font color="red">Zoë</font>' in text


def test_long_names_wrap_inside_their_cell():
    [text] = read(make_sheet(participants=4))
    flat = " ".join(text.split())
    assert "OULD MOHAMED ABDALLAHI EL MOCTAR OULD CHEIKH SIDI Mohamed Lemine Ahmed Salem" in flat


def test_blank_rows_follow_the_roster():
    [text] = read(make_sheet(participants=4))
    numbers = [int(n) for n in re.findall(r"^(\d+)$", text, flags=re.MULTILINE)]
    assert numbers[-5:] == [5, 6, 7, 8, 9]
    assert "Arrivées tardives" in text


def test_eighty_participants_flow_over_pages_with_the_header_and_page_numbers():
    pages = read(make_sheet(participants=80))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "NOM Prénom" in text  # the header row repeats
        assert f"page {number} sur {len(pages)}" in text
        assert "NE-2026-CT-01 · 2026-11-23" in text
    everything = "".join(pages)
    for index in range(4, 80):
        assert everything.count(f"DIALLO{index:03d} Fatoumata") == 1


def test_one_sheet_per_day_each_numbered_on_its_own():
    pages = read(make_sheet(participants=30, days=3))
    per_day = len(pages) // 3
    assert len(pages) == per_day * 3
    for day_index, day in enumerate(("Lundi 23", "Mardi 24", "Mercredi 25")):
        day_pages = pages[day_index * per_day : (day_index + 1) * per_day]
        assert day in day_pages[0]
        assert f"2026-11-{23 + day_index}" in day_pages[-1]
        assert f"page {per_day} sur {per_day}" in day_pages[-1]
        assert "TRAORÉ Aïcha" in day_pages[0]


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "en",
            [
                "Sign-in sheet",
                "Monday, 23 November 2026",
                "Investigating terrorism cases",
                "page 1 of 1",
            ],
            "Feuille",
        ),
        (
            "both",
            [
                "Feuille d'émargement / Sign-in sheet",
                "Lundi 23 novembre 2026 / Monday, 23 November 2026",
                "Investigating terrorism cases",
                "Enquêtes sur les affaires de terrorisme",
            ],
            None,
        ),
    ],
)
def test_languages(language, expected, absent):
    [text] = read(make_sheet(language=language))
    for item in expected:
        assert item in text, item
    if absent:
        assert absent not in text


def test_an_empty_roster_still_prints_blank_rows():
    [text] = read(make_sheet(participants=0))
    assert "Feuille d'émargement" in text


def test_whatever_is_stored_prints_a_readable_sheet():
    """A 2,000-character name (with or without spaces), control characters
    pasted from Word: the sheet prints, each row within a page, the name's
    start readable."""
    long_words = "Abdoulaye " * 200
    one_word = "X" * 2000
    sheet = make_sheet(participants=0, venue="Salle\x0bB\x00")
    roster = (
        SheetParticipant("Diallo", "Moussa\x0bIbrahim", "Police\x1f", "Commissaire\x07"),
        SheetParticipant(long_words, "Idriss", long_words, long_words),
        SheetParticipant(one_word, "Awa", one_word, one_word),
        SheetParticipant("Traoré", "Aïcha", "Police", "Agent"),
    )
    pages = read(replace(sheet, participants=roster))
    text = " ".join("\n".join(pages).split())
    assert "ABDOULAYE" in text and "DIALLO Moussa Ibrahim" in text and "TRAORÉ Aïcha" in text
    assert "\x0b" not in text and "\x00" not in text and "Salle B" in text
    assert "…" in text
    assert len(pages) <= 3


def test_each_day_prints_a_qr_code_of_its_link_and_still_reads_back(tmp_path):
    """The QR code beside each day's heading holds that day's link, read by
    a real decoder from the page rendered at 200 dpi; the text, the sheet's
    code included, reads back as before."""
    from tests.certificates.test_signed_pdf import decode

    sheet = make_sheet(participants=4, days=2, language="both")
    links = tuple(
        (day, f"https://atelier.example.org/k?code=NE+{day.isoformat()}") for day in sheet.days
    )
    data = render_sign_in_sheet(replace(sheet, links=links))
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 2
    for number, (day, link) in enumerate(links):
        text = " ".join(reader.pages[number].extract_text().split())
        assert f"NE-2026-CT-01 · {day.isoformat()}" in text
        assert "scannez ce code" in text and "scan this code" in text
        source = tmp_path / f"day{number}.pdf"
        source.write_bytes(data)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "200",
                "-png",
                "-singlefile",
                "-f",
                str(number + 1),
                "-l",
                str(number + 1),
                str(source),
                str(tmp_path / f"day{number}"),
            ],
            check=True,
            timeout=60,
        )
        assert decode(tmp_path / f"day{number}.png") == [link]


def test_a_sheet_without_links_prints_no_qr_code():
    [page] = PdfReader(BytesIO(render_sign_in_sheet(make_sheet(participants=4)))).pages
    assert b"/IM true" not in page.get_contents().get_data()
    assert "scannez" not in page.extract_text()
    with_link = replace(make_sheet(participants=4), links=((MONDAY, "https://x.example/k"),))
    [page] = PdfReader(BytesIO(render_sign_in_sheet(with_link))).pages
    assert b"/IM true" in page.get_contents().get_data()
