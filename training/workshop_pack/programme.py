"""The data of a session's programme (training/pdf/programme.py): the
curriculum's modules and the session's details, as the sign-in sheet of
the same session already states them (title, dates, place, trainers,
organiser, language), so both papers agree."""

from __future__ import annotations

from training.curricula.models import Curriculum
from training.pdf.programme import Programme, ProgrammeModule
from training.pdf.sign_in_sheet import SignInSheet


def programme_for(curriculum: Curriculum, sheet: SignInSheet) -> Programme:
    """The programme of the session whose sign-in sheet is `sheet`."""
    return Programme(
        code=sheet.code,
        title_fr=sheet.title_fr,
        title_en=sheet.title_en,
        title_ar=sheet.title_ar,
        language=sheet.language,
        start_date=sheet.start_date,
        end_date=sheet.end_date,
        city=sheet.city,
        country=sheet.country,
        venue=sheet.venue,
        days=sheet.days,
        trainers=sheet.trainers,
        organiser=sheet.organiser,
        has_test=curriculum.has_test,
        modules=tuple(
            ProgrammeModule(
                title_fr=module.title_fr,
                title_en=module.title_en,
                title_ar=module.title_ar or "",
                duration_minutes=module.duration_minutes,
                aim=module.aim or "",
            )
            for module in curriculum.modules
        ),
    )
