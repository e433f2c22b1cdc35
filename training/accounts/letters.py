"""The printed letter that hands an account over in person, written in the
account holder's language."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale, format_time, get_timezone
from flask_babel import gettext as _

from training.accounts.models import TokenPurpose
from training.accounts.services import IssuedLink, linked_person, mail_locale
from training.auth.models import User
from training.formatting import document_locale, format_day
from training.pdf.access_letter import AccessLetter, render_access_letter
from training.people.models import Participant


def expiry_text(moment: datetime) -> str:
    """ "16 December 2026 at 10:00 (UTC)", in the current language and zone."""
    return _(
        "%(day)s at %(time)s (%(zone)s)",
        day=format_day(moment, "long"),
        time=format_time(moment, "HH:mm"),
        zone=str(get_timezone()),
    )


def _detail(user: User) -> str:
    person = linked_person(user)
    if isinstance(person, Participant):
        parts = [person.rank, person.organisation.label if person.organisation else None]
        return ", ".join(part for part in parts if part)
    if person is not None and person.organisation is not None:
        return person.organisation.label
    return ""


def letter_for(user: User, link: IssuedLink, *, prepared_by: User) -> tuple[bytes, str]:
    """(PDF, file name) of the letter carrying `link`, in `user`'s language."""
    invitation = link.token.purpose is TokenPurpose.INVITATION
    language = document_locale(mail_locale(user))
    with force_locale(language):
        expires = expiry_text(link.token.expires_at)
        if invitation:
            title = _("Your Atelier account")
            paragraphs = (
                _(
                    "An account has been opened for you in Atelier, the system that keeps "
                    "the programme's workshops, your attendance and your certificates."
                ),
                _(
                    "To start, open the link below on a phone or a computer (or scan the code "
                    "with your phone's camera) and choose your password. You will then sign in "
                    "with the sign-in name below and that password."
                ),
            )
        else:
            title = _("Choose a new Atelier password")
            paragraphs = (
                _("A new password was requested for your Atelier account."),
                _(
                    "Open the link below on a phone or a computer (or scan the code with your "
                    "phone's camera) and choose a new password. Every device signed in to your "
                    "account will be signed out."
                ),
            )
        letter = AccessLetter(
            language=language,
            programme=current_app.config.get("ATELIER_PROGRAMME_NAME") or "Atelier",
            title=title,
            date_line=format_day(datetime.now(UTC), "long"),
            recipient_name=user.name,
            recipient_detail=_detail(user),
            paragraphs=paragraphs,
            sign_in_label=_("Sign-in name"),
            sign_in_name=user.email,
            link_label=_("Your personal link"),
            url=link.url,
            qr_caption=_("Scan the code with your phone's camera to open the link."),
            expiry=_("This link works once, until %(moment)s.", moment=expires),
            warning=_(
                "Keep this letter to yourself: whoever holds the link can choose the password. "
                "If it has expired or was already used, ask the programme's coordinator for a "
                "new one."
            ),
            issued_by=_("Prepared by %(name)s.", name=prepared_by.name),
            reference=f"ATL-{link.token.id:06d}",
        )
        filename = (
            _("invitation-%(id)d.pdf", id=user.id)
            if invitation
            else _("password-reset-%(id)d.pdf", id=user.id)
        )
    return render_access_letter(letter), filename
