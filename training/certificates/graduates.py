"""A training of trainers qualifies its graduates (DESIGN.md): once their
trainer certificates are issued, each graduate enters the trainer registry
qualified for the session's curriculum, the qualification naming the
session it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from training.certificates.models import Certificate, CertificateKind, CertificateStatus
from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Participant, Trainer, TrainerQualification
from training.people.services import (
    TRAINER_LANGUAGES,
    TrainerDetails,
    add_qualification,
    create_trainer,
    normalise_email,
)
from training.sessions.models import SessionKind, TrainingSession

if TYPE_CHECKING:
    from training.auth.models import User


@dataclass
class Qualified:
    """What qualifying a session's graduates did."""

    qualified: list[Trainer] = field(default_factory=list)
    already: list[Trainer] = field(default_factory=list)  # qualified for it before
    new_trainers: int = 0  # graduates added to the registry


def graduates(training_session: TrainingSession) -> list[Participant]:
    """The participants holding a valid trainer certificate of the session."""
    return list(
        db.session.scalars(
            sa.select(Participant)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .join(Certificate, Certificate.current_enrollment_id == Enrollment.id)
            .where(
                Enrollment.session_id == training_session.id,
                Certificate.status == CertificateStatus.VALID,
                Certificate.kind == CertificateKind.TRAINER,
            )
            .order_by(Participant.family_name, Participant.given_name, Participant.id)
        )
    )


def qualified_through(training_session: TrainingSession) -> int:
    """How many trainers this session has qualified (their qualification
    names it as its source)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TrainerQualification)
            .where(TrainerQualification.source_session_id == training_session.id)
        )
        or 0
    )


def _trainer_for(participant: Participant, language: str, *, actor: User) -> tuple[Trainer, bool]:
    """The graduate's trainer record: the one with their email, else a new
    one from their participant record (name, organisation, email)."""
    email = normalise_email(participant.email)
    if email:
        found = db.session.scalar(
            sa.select(Trainer).where(sa.func.lower(Trainer.email) == email).limit(1)
        )
        if found is not None:
            return found, False
    details = TrainerDetails(
        name=participant.full_name,
        organisation=participant.organisation,
        languages=(language,) if language in TRAINER_LANGUAGES else (),
        email=email,
    )
    return create_trainer(details, actor=actor), True


def qualify_graduates(training_session: TrainingSession, *, actor: User) -> Qualified:
    """Qualify every graduate of a completed training of trainers for its
    curriculum, from its last day, open-ended. Idempotent: a graduate
    already qualified for the curriculum keeps that qualification."""
    if training_session.kind != SessionKind.TRAINING_OF_TRAINERS:
        raise DomainError(_("Only a training of trainers qualifies its graduates as trainers."))
    if not training_session.is_completed:
        raise DomainError(_("Graduates are qualified once the session is completed."))
    result = Qualified()
    curriculum = training_session.curriculum
    for participant in graduates(training_session):
        trainer, created = _trainer_for(participant, training_session.language.value, actor=actor)
        result.new_trainers += int(created)
        if any(q.curriculum_id == curriculum.id for q in trainer.qualifications):
            result.already.append(trainer)
            continue
        add_qualification(
            trainer,
            curriculum,
            qualified_on=training_session.end_date,
            expires_on=None,
            actor=actor,
            source_session_id=training_session.id,
        )
        result.qualified.append(trainer)
    return result
