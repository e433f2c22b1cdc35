"""The programme: the layout of the modules in the days (a pure function),
and the PDF read back with pypdf. No Flask, no database."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

from pypdf import PdfReader

from training.pdf.programme import (
    ProgrammeModule,
    lay_out,
    render_programme,
    sample_programme,
)

DAYS = tuple(date(2026, 3, day) for day in range(2, 5))  # Monday to Wednesday


def at(hours: int, minutes: int = 0) -> int:
    return hours * 60 + minutes


def programme(*durations: int, days=DAYS, has_test: bool = False, **changes):
    modules = tuple(
        ProgrammeModule(f"Module FR {n}", f"Module EN {n}", minutes, f"Aim {n}")
        for n, minutes in enumerate(durations, start=1)
    )
    return sample_programme(
        modules=modules,
        days=days,
        start_date=days[0],
        end_date=days[-1],
        has_test=has_test,
        **changes,
    )


def pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


# --- the layout ------------------------------------------------------------------------


def test_the_day_opens_breaks_lunches_and_closes():
    layout = lay_out(programme(360, days=DAYS[:1]))
    (day,) = layout.days
    kinds = [(slot.kind, slot.start, slot.end) for slot in day.slots]
    assert kinds == [
        ("opening", at(8, 30), at(9)),
        ("module", at(9), at(10, 30)),
        ("break", at(10, 30), at(10, 45)),
        ("module", at(10, 45), at(12, 30)),
        ("lunch", at(12, 30), at(14)),
        ("module", at(14), at(15, 30)),
        ("break", at(15, 30), at(15, 45)),
        ("module", at(15, 45), at(17)),
        ("closing", at(17), at(17, 30)),
    ]
    parts = [(slot.part, slot.parts) for slot in day.slots if slot.kind == "module"]
    assert parts == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert layout.unscheduled == ()


def test_modules_follow_each_other_over_the_days_with_every_minute_placed():
    layout = lay_out(programme(240, 300, 180, 360))
    placed: dict[int, int] = {}
    for day in layout.days:
        for slot in day.slots:
            if slot.kind == "module":
                placed[slot.module] = placed.get(slot.module, 0) + slot.minutes
    assert placed == {0: 240, 1: 300, 2: 180, 3: 360}
    order = [slot.module for day in layout.days for slot in day.slots if slot.kind == "module"]
    assert order == sorted(order)
    assert layout.days[0].slots[0].kind == "opening"
    assert all(day.slots[0].kind != "opening" for day in layout.days[1:])
    assert [slot.kind for slot in layout.days[-1].slots][-1] == "closing"


def test_with_a_test_the_teaching_opens_with_the_pre_test_and_ends_with_the_post_test():
    layout = lay_out(programme(300, 300, has_test=True))
    teaching = [slot for day in layout.days for slot in day.slots]
    kinds = [slot.kind for slot in teaching if slot.kind not in ("break", "lunch")]
    assert kinds[:3] == ["opening", "pre_test", "module"]
    assert kinds[-2:] == ["post_test", "closing"]
    pre_test = next(slot for slot in teaching if slot.kind == "pre_test")
    assert (pre_test.start, pre_test.minutes) == (at(9), 30)


def test_with_time_to_spare_a_module_does_not_start_in_the_last_minutes_of_a_block():
    # 75 minutes, then 90: the second would start at 10:15 for 15 minutes.
    layout = lay_out(programme(75, 90, days=DAYS[:1]))
    modules = [slot for slot in layout.days[0].slots if slot.kind == "module"]
    assert [(slot.module, slot.start, slot.end) for slot in modules] == [
        (0, at(9), at(10, 15)),
        (1, at(10, 45), at(12, 15)),
    ]


def test_when_the_days_are_full_no_minute_is_left_out():
    # Exactly the 6 hours of one day: the 15-minute sliver must be used.
    layout = lay_out(programme(75, 285, days=DAYS[:1]))
    assert layout.unscheduled == ()
    minutes = sum(slot.minutes for slot in layout.days[0].slots if slot.kind == "module")
    assert minutes == 360


def test_what_the_days_cannot_hold_is_listed_to_schedule():
    layout = lay_out(programme(300, 200, days=DAYS[:1]))
    assert layout.unscheduled == ((1, 140),)
    assert "À programmer" in pages(render_programme(programme(300, 200, days=DAYS[:1])))[-1]


def test_a_day_without_module_says_so():
    data = render_programme(programme(120))
    text = " ".join(pages(data))
    assert text.count("Aucune activité prévue ce jour.") == 2


# --- the PDF -----------------------------------------------------------------------------


def test_the_programme_in_french():
    data = render_programme(sample_programme())
    text = " ".join(pages(data))
    assert "ONUDC – DOP" in text and "Programme" in text
    assert "Enquêtes et poursuites dans les affaires de terrorisme" in text
    assert "NE-2026-003" in text and "du 2 mars 2026 au 6 mars 2026" in text
    assert "École nationale de police, Niamey, Niger" in text
    assert "Amina Diallo, Jean-Marc Ouédraogo" in text
    assert "28 h sur 5 jours" in text
    for day in ("Jour 1 — Lundi 2 mars 2026", "Jour 5 — Vendredi 6 mars 2026"):
        assert day in text
    assert "Module 1 · Le cadre juridique international et régional" in text
    assert "Connaître les conventions et résolutions applicables." in text
    assert "(suite)" in text
    assert "9 h 00 – 10 h 30" in text and "Pause-café" in text and "Déjeuner" in text
    assert "Test initial" in text and "Test final" in text and "clôture" in text
    assert "page 1 sur 2" in text


def test_the_programme_in_english_and_in_both_languages():
    english = " ".join(pages(render_programme(sample_programme(language="en"))))
    assert "Investigating and prosecuting terrorism cases" in english
    assert "Day 1 — Monday, 2 March 2026" in english
    assert "09:00 – 10:30" in english and "Coffee break" in english and "Lunch" in english
    assert "Module 1 · The international and regional legal framework" in english
    assert "Jour" not in english
    both = " ".join(pages(render_programme(sample_programme(language="both"))))
    assert "Jour 1 — Lundi 2 mars 2026 / Day 1 — Monday, 2 March 2026" in both
    assert "The international and regional legal framework" in both
    assert "Le cadre juridique international et régional" in both


def test_stored_text_is_printed_literally_and_bounded():
    markup = '<font color="red">Zoë</font> & <b>co</b>'
    data = render_programme(
        replace(
            programme(180, 2000),
            title_fr=markup,
            trainers=("x" * 2000,),
            modules=(
                ProgrammeModule(markup, markup, 180, "a\x0bb " * 500),
                ProgrammeModule("y" * 2000, "y" * 2000, 2000, ""),
            ),
        )
    )
    text = " ".join(pages(data))
    assert '<font color="red">Zoë</font> & <b>co</b>' in text
    assert "\x0b" not in text


def test_an_empty_curriculum_still_prints_its_days():
    text = " ".join(pages(render_programme(programme())))
    assert "Jour 3" in text
    assert "clôture" in text
