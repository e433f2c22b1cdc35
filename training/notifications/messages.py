"""Each message Atelier sends about a session, composed for its recipient.

The recipient's language is their account's (User.locale, when the
participant or trainer record is linked to an account), else the session's
when it is French or English, else the configured default. A message goes
to the email address of the participant or trainer record; without one,
or with one that cannot receive mail, nothing is written and nothing fails
(the change goes through, and a coordinator hands the news over in person).
Nothing is written either for a session whose notifications are off.

Every function writes into the caller's transaction and returns the message
(None when none was written).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask_babel import lazy_gettext as _l

from training.certificates.models import Certificate
from training.domain import DomainError
from training.enrollment.convocation import convocation_attachment
from training.enrollment.models import Enrollment
from training.mail.compose import compose_mail, public_url, recipient_locale
from training.mail.models import OutboxMessage
from training.mail.services import Attachment
from training.people.models import Participant, Trainer
from training.sessions.models import Assignment, TrainingSession

logger = logging.getLogger("training.notifications")

_silenced: ContextVar[bool] = ContextVar("atelier_notifications_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """Write no notification inside the block: for building data that
    nobody is to be told about (the demo programme's past sessions)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def _wanted(training_session: TrainingSession, address: str | None, kind: str, ref: str) -> bool:
    if _silenced.get() or not training_session.send_notifications:
        return False
    if not (address or "").strip():
        logger.info("%s for %s not sent: no email address", kind, ref)
        return False
    return True


def _locale_of(person: Participant | Trainer, training_session: TrainingSession) -> str:
    user = person.user
    return recipient_locale(
        user.locale if user is not None else None, training_session.language.value
    )


def _send(
    template: str,
    *,
    person: Participant | Trainer,
    name: str,
    training_session: TrainingSession,
    subject: Any,
    kind: str,
    reference: str,
    attachments: tuple[Attachment, ...] | None = None,
    locale: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Compose `template` for `person` and queue it, unless the session's
    notifications are off or the person has no address that takes mail."""
    if not _wanted(training_session, person.email, kind, reference):
        return None
    locale = locale or _locale_of(person, training_session)
    try:
        return compose_mail(
            template,
            to_address=person.email or "",
            to_name=name,
            locale=locale,
            subject=subject,
            kind=kind,
            reference=reference,
            attachments=attachments or (),
            training_session=training_session,
            course=training_session.title(locale),
            **context,
        )
    except DomainError:  # an address that cannot receive mail
        logger.info("%s for %s not sent: the email address cannot receive mail", kind, reference)
        return None


def _account_link(person: Participant | Trainer, endpoint: str, **values: Any) -> str | None:
    """A link into Atelier, for a person who has an account to open it."""
    if person.user is None or not person.user.active:
        return None
    return public_url(endpoint, **values)


def nominee_confirmed(enrollment: Enrollment, *, promoted: bool = False) -> OutboxMessage | None:
    """The nominee's place is confirmed (or they moved up from the waiting
    list): the session's dates and venue, and the convocation letter."""
    participant = enrollment.participant
    training_session = enrollment.training_session
    reference = f"enrollment:{enrollment.id}"
    if not _wanted(training_session, participant.email, "enrollment.confirmed", reference):
        return None
    locale = _locale_of(participant, training_session)
    course = training_session.title(locale)
    return _send(
        "enrollment_confirmed",
        person=participant,
        name=participant.full_name,
        training_session=training_session,
        locale=locale,
        subject=(
            _l("A place freed up: you are confirmed for %(course)s", course=course)
            if promoted
            else _l("Your place is confirmed: %(course)s", course=course)
        ),
        kind="enrollment.confirmed",
        reference=reference,
        attachments=(convocation_attachment(enrollment, locale),),
        promoted=promoted,
        link=_account_link(participant, "certificates.my_trainings"),
    )


def nominee_waitlisted(enrollment: Enrollment) -> OutboxMessage | None:
    """The session is full: the nominee waits in line, at this position."""
    participant = enrollment.participant
    training_session = enrollment.training_session
    locale = _locale_of(participant, training_session)
    return _send(
        "enrollment_waitlisted",
        person=participant,
        name=participant.full_name,
        training_session=training_session,
        locale=locale,
        subject=_l("Waiting list: %(course)s", course=training_session.title(locale)),
        kind="enrollment.waitlisted",
        reference=f"enrollment:{enrollment.id}",
        position=enrollment.waitlist_position,
    )


def certificate_issued(certificate: Certificate) -> OutboxMessage | None:
    """The holder's certificate is issued: its serial and the public
    verification link. The PDF itself stays behind sign-in."""
    enrollment = certificate.enrollment
    participant = enrollment.participant
    training_session = enrollment.training_session
    locale = _locale_of(participant, training_session)
    return _send(
        "certificate_issued",
        person=participant,
        name=participant.full_name,
        training_session=training_session,
        locale=locale,
        subject=_l("Your certificate: %(course)s", course=training_session.title(locale)),
        kind="certificate.issued",
        reference=f"certificate:{certificate.id}",
        certificate=certificate,
        verify_link=public_url("certificates.verify_code", code=certificate.verification_code),
        link=_account_link(participant, "certificates.my_trainings"),
    )


def trainer_assigned(assignment: Assignment) -> OutboxMessage | None:
    """The trainer is assigned to a session: its dates, venue and their role."""
    trainer = assignment.trainer
    training_session = assignment.training_session
    return _send(
        "trainer_assigned",
        person=trainer,
        name=trainer.name,
        training_session=training_session,
        subject=_l("You are assigned to session %(code)s", code=training_session.code),
        kind="assignment.created",
        reference=f"assignment:{assignment.id}",
        role=assignment.role,
        link=_account_link(trainer, "sessions.show_session", session_id=training_session.id),
    )


def trainer_removed(assignment: Assignment) -> OutboxMessage | None:
    """The trainer no longer teaches the session."""
    trainer = assignment.trainer
    training_session = assignment.training_session
    return _send(
        "trainer_removed",
        person=trainer,
        name=trainer.name,
        training_session=training_session,
        subject=_l("You are no longer assigned to session %(code)s", code=training_session.code),
        kind="assignment.removed",
        reference=f"assignment:{assignment.id}",
        role=assignment.role,
    )
