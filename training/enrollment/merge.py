"""Two records of one person become one: the record kept receives the other's
enrollments (with their attendance, scores and certificates, which stay as
they were frozen), screenings, account link and history; the other record is
deleted. Refused when both were nominated for the same session or both have
an account, since a person then has to be chosen, not merged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.domain import DomainError
from training.extensions import db
from training.people.models import Participant
from training.people.services import find_duplicates

if TYPE_CHECKING:
    from training.auth.models import User

# The details the kept record takes from the other when it has none itself.
_FILLED = ("nationality", "organisation_id", "rank", "function", "email", "phone")


class MergeRefused(DomainError):
    pass


@dataclass(frozen=True)
class MergePlan:
    """What a merge moves, shown before it is confirmed."""

    kept: Participant
    merged: Participant
    enrollments: int
    screenings: int
    filled: tuple[str, ...]
    moves_account: bool


def plan_merge(kept: Participant, merged: Participant) -> MergePlan:
    """What merging `merged` into `kept` would do, or MergeRefused."""
    if kept.id == merged.id:
        raise MergeRefused(_("Choose two different records."))
    sessions = {enrollment.session_id for enrollment in kept.enrollments}
    shared = [
        enrollment.training_session
        for enrollment in merged.enrollments
        if enrollment.session_id in sessions
    ]
    if shared:
        raise MergeRefused(
            _(
                "Both records are nominated for %(code)s: withdraw one of the two "
                "nominations, then merge.",
                code=", ".join(sorted(session.code for session in shared)),
            )
        )
    if kept.user is not None and merged.user is not None:
        raise MergeRefused(
            _(
                "Both records have an account (%(first)s and %(second)s): an administrator "
                "unlinks one, then they can be merged.",
                first=kept.user.email,
                second=merged.user.email,
            )
        )
    return MergePlan(
        kept=kept,
        merged=merged,
        enrollments=len(merged.enrollments),
        screenings=len(merged.screenings),
        filled=tuple(
            name
            for name in _FILLED
            if getattr(kept, name) in (None, "") and getattr(merged, name) not in (None, "")
        ),
        moves_account=merged.user is not None,
    )


def merge_participants(kept: Participant, merged: Participant, *, actor: User) -> MergePlan:
    """Merge `merged` into `kept` in the caller's transaction (flushed, not
    committed); one audit event names both."""
    plan = plan_merge(kept, merged)
    merged_id, merged_name = merged.id, merged.full_name
    for name in plan.filled:
        setattr(kept, name, getattr(merged, name))
    if kept.consent_recorded_at is None and merged.consent_recorded_at is not None:
        kept.consent_recorded_at = merged.consent_recorded_at
    if merged.retention_until and (
        kept.retention_until is None or merged.retention_until > kept.retention_until
    ):
        kept.retention_until = merged.retention_until
    for enrollment in list(merged.enrollments):
        enrollment.participant = kept
    for screening in list(merged.screenings):
        screening.participant = kept
    if merged.user is not None:
        merged.user.participant = kept
    db.session.flush()
    # The merged record's history now belongs to the kept one.
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.participant_id == merged_id)
        .values(participant_id=kept.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(merged)
    db.session.delete(db.session.get(Participant, merged_id))
    db.session.flush()
    record_event(
        "participant.merged",
        actor=actor,
        entity=kept,
        participant_id=kept.id,
        before={"merged_id": merged_id, "merged_name": merged_name},
        after={
            "kept_id": kept.id,
            "enrollments": plan.enrollments,
            "screenings": plan.screenings,
            "filled": list(plan.filled),
        },
    )
    return plan


def merge_choices(participant: Participant) -> list[Participant]:
    """Records that may be the same person as `participant`: the people
    area's duplicate rule and its candidates (people.services.find_duplicates)."""
    return find_duplicates(
        given_name=participant.given_name,
        family_name=participant.family_name,
        organisation_id=participant.organisation_id,
        email=participant.email,
        phone=participant.phone,
        exclude_id=participant.id,
    )
