"""The workshop pack of a session as one ZIP, built in memory.

What it holds, numbered in the order a coordinator prints them:

1. the programme (training/pdf/programme.py);
2. the roster (XLSX: participants and trainers);
3. the sign-in sheets of every day (attendance's sheet, one PDF);
4. the convocation letters of the confirmed participants in one PDF, a page
   each, each in its participant's language (enrollment.convocation);
5. once issued, the session's valid certificates in one print-ready PDF
   (certificates' "all in one PDF").

A contents note in the pack's language says what each file is. The pack is
bounded: a session with more confirmed participants than MAX_LETTERS gets
no pack (its parts are downloaded one by one), so one request never renders
hundreds of letters.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from training.attendance.sheet_data import sheet_for, sheet_language
from training.certificates.documents import print_pdf, session_certificates
from training.domain import DomainError
from training.enrollment.convocation import convocation_data
from training.enrollment.models import Enrollment
from training.extensions import db
from training.pdf.convocation import render_convocations
from training.pdf.programme import render_programme
from training.pdf.sign_in_sheet import SheetLanguage, render_sign_in_sheet
from training.people.models import Participant
from training.sessions.models import TrainingSession
from training.text import ascii_name
from training.workshop_pack.programme import programme_for
from training.workshop_pack.roster import roster_xlsx

MAX_LETTERS = 150
ZIP_MIMETYPE = "application/zip"


class PackRefused(DomainError):
    """The session gets no pack (cancelled, or too large for one request)."""


@dataclass(frozen=True)
class Pack:
    filename: str
    data: bytes
    names: tuple[str, ...]  # the files inside, in order


def _locale(language: SheetLanguage) -> str:
    """The locale of the pack's own words (file names, headings, the
    contents note): a bilingual pack speaks French, the G5 Sahel's working
    language, first."""
    return {"en": "en", "ar": "ar"}.get(language, "fr")


def _word(text: str) -> str:
    """A translated word of a file name, as every system accepts it."""
    return ascii_name(text, "file").lower()


def convocation_enrollments(training_session: TrainingSession) -> list[Enrollment]:
    """The enrollments that receive a convocation letter, by family name,
    with what a letter states loaded up front."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .join(Enrollment.participant)
        .where(Enrollment.session_id == training_session.id, Enrollment.is_confirmed)
        .order_by(
            sa.func.lower(Participant.family_name),
            sa.func.lower(Participant.given_name),
            Enrollment.id,
        )
        .options(
            selectinload(Enrollment.participant).selectinload(Participant.organisation),
            selectinload(Enrollment.participant).selectinload(Participant.user),
        )
    ).all()
    return [enrollment for enrollment in enrollments if enrollment.has_convocation]


def build_pack(
    training_session: TrainingSession, *, with_contacts: bool, language: str | None = None
) -> Pack:
    """The session's pack. `language` (fr, en, both, ar) is that of the
    programme, the sheets and the roster, by default the session's (as the
    sign-in sheet chooses it); `with_contacts` puts the participants' email
    and phone in the roster (for readers allowed to see them)."""
    if training_session.status.is_cancelled:
        raise PackRefused(_("This session is cancelled: it has no workshop pack."))
    letters = convocation_enrollments(training_session)
    if len(letters) > MAX_LETTERS:
        raise PackRefused(
            ngettext(
                "The pack is limited to %(num)d participant: download the sign-in sheet, "
                "the letters and the certificates one by one.",
                "The pack is limited to %(num)d participants: download the sign-in sheet, "
                "the letters and the certificates one by one.",
                MAX_LETTERS,
            )
        )
    sheet_lang = sheet_language(training_session, language)
    sheet = sheet_for(training_session, training_session.days, sheet_lang)
    code = ascii_name(training_session.code, "session")
    files: list[tuple[str, bytes, str]] = []  # (name, bytes, what it is)
    with force_locale(_locale(sheet_lang)):
        country_language = _locale(sheet_lang)
        # The words of the file names, in the pack's language.
        words = {
            key: _word(text)
            for key, text in (
                ("programme", _("programme")),
                ("roster", _("participants")),
                ("sign-in-sheets", _("sign-in-sheets")),
                ("convocations", _("convocations")),
                ("certificates", _("certificates")),
                ("contents", _("contents")),
                ("workshop-pack", _("workshop-pack")),
            )
        }
        files.append(
            (
                f"1-{words['programme']}-{code}.pdf",
                render_programme(programme_for(training_session.curriculum, sheet)),
                _("The programme: the modules day by day, with their times."),
            )
        )
        files.append(
            (
                f"2-{words['roster']}-{code}.xlsx",
                roster_xlsx(
                    training_session, with_contacts=with_contacts, language=country_language
                ),
                _("The roster: participants (confirmed, waiting list, nominated) and trainers."),
            )
        )
        files.append(
            (
                f"3-{words['sign-in-sheets']}-{code}.pdf",
                render_sign_in_sheet(sheet),
                ngettext(
                    "The sign-in sheet of the %(num)d day, to sign morning and afternoon.",
                    "The sign-in sheets of the %(num)d days, to sign morning and afternoon.",
                    len(sheet.days),
                ),
            )
        )
        if letters:
            files.append(
                (
                    f"4-{words['convocations']}-{code}.pdf",
                    render_convocations([convocation_data(enrollment) for enrollment in letters]),
                    ngettext(
                        "The convocation letter of the %(num)d confirmed participant, in their "
                        "language.",
                        "The convocation letters of the %(num)d confirmed participants, one page "
                        "each, each in its participant's language.",
                        len(letters),
                    ),
                )
            )
        certificates = session_certificates(training_session)
        if certificates:
            files.append(
                (
                    f"5-{words['certificates']}-{code}.pdf",
                    print_pdf(certificates),
                    ngettext(
                        "The %(num)d valid certificate, in one file to print.",
                        "The %(num)d valid certificates, in one file to print.",
                        len(certificates),
                    ),
                )
            )
        note = _contents_note(
            f"0-{words['contents']}.txt",
            training_session.code,
            training_session.curriculum.title(country_language),
            files,
            bool(letters),
        )
        filename = f"{words['workshop-pack']}-{code}.zip"
    names = (note[0], *(name for name, _data, _what in files))
    return Pack(filename=filename, data=_zip([note, *files]), names=names)


def _contents_note(
    name: str, code: str, title: str, files: list[tuple[str, bytes, str]], has_letters: bool
) -> tuple[str, bytes, str]:
    """The contents note: what each file of the pack is."""
    lines = [_("Workshop pack of session %(code)s", code=code), title, ""]
    lines += [f"{file_name}: {what}" for file_name, _data, what in files]
    if not has_letters:
        lines.append(_("No participant is confirmed yet: the pack holds no convocation letter."))
    lines += [
        "",
        _(
            "These files hold personal data: print them, hand them over, then delete them "
            "from shared computers."
        ),
    ]
    return (name, ("\r\n".join(lines) + "\r\n").encode("utf-8"), "")


def _zip(files: list[tuple[str, bytes, str]]) -> bytes:
    """The files in one archive; PDFs and XLSX are compressed already, so
    they are stored as they are (faster, no larger)."""
    buffer = io.BytesIO()
    stamp = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, _what in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = (
                zipfile.ZIP_DEFLATED if name.endswith(".txt") else zipfile.ZIP_STORED
            )
            archive.writestr(info, data)
    return buffer.getvalue()
