"""Merging two records of one organisation ("Police nationale" typed twice,
once with its acronym): everything that points at the removed record moves
to the kept one, then the removed record is deleted.

What moves: its participants and trainers (people), the enrollments it
nominated (enrollment), the sessions it is a partner of (sessions), its
audit trail, and the reports' rows of its participants (reports). This area
sits above all of them, so none of them needs to know that merging exists.

The moves are single UPDATE statements, whatever the number of rows, on the
connection of the caller's transaction (all or nothing: the caller
commits). They bypass the ORM, so the reports' projection does not see them
in its flush listener: the sessions whose rows copy a moved participant's
organisation are marked stale here, through the projection's own API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import sqlalchemy as sa
from flask_babel import gettext as _

from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.extensions import db
from training.people.models import Organisation, Participant, Trainer
from training.reports.projection import mark_stale
from training.sessions.models import session_partner

if TYPE_CHECKING:
    from training.auth.models import User


class SameOrganisation(DomainError):
    pass


@dataclass(frozen=True)
class MergePlan:
    """What merging `removed` into `kept` moves."""

    kept: Organisation
    removed: Organisation
    participants: int
    trainers: int
    nominations: int  # enrollments the removed record nominated
    partnerships: int  # sessions the removed record is a partner of
    shared_partnerships: int  # of those, sessions the kept record is a partner of too

    @property
    def different_countries(self) -> bool:
        return self.kept.country != self.removed.country

    @property
    def different_kinds(self) -> bool:
        return self.kept.kind != self.removed.kind


def _count(statement: sa.Select) -> int:
    return db.session.scalar(statement) or 0


def _refuse_same(kept: Organisation, removed: Organisation) -> None:
    if kept.id == removed.id:
        raise SameOrganisation(
            _("An organisation cannot be merged with itself: choose another record."),
            field="duplicate",
        )


def merge_plan(kept: Organisation, removed: Organisation) -> MergePlan:
    """What a merge would move, counted in SQL (one statement per kind of
    record); SameOrganisation when both are one record."""
    _refuse_same(kept, removed)
    kept_partner = sa.select(session_partner.c.session_id).where(
        session_partner.c.organisation_id == kept.id
    )
    partner_of_removed = session_partner.c.organisation_id == removed.id
    return MergePlan(
        kept=kept,
        removed=removed,
        participants=_count(
            sa.select(sa.func.count(Participant.id)).where(
                Participant.organisation_id == removed.id
            )
        ),
        trainers=_count(
            sa.select(sa.func.count(Trainer.id)).where(Trainer.organisation_id == removed.id)
        ),
        nominations=_count(
            sa.select(sa.func.count(Enrollment.id)).where(
                Enrollment.nominating_organisation_id == removed.id
            )
        ),
        partnerships=_count(
            sa.select(sa.func.count()).select_from(session_partner).where(partner_of_removed)
        ),
        shared_partnerships=_count(
            sa.select(sa.func.count())
            .select_from(session_partner)
            .where(partner_of_removed, session_partner.c.session_id.in_(kept_partner))
        ),
    )


def merge_organisations(kept: Organisation, removed: Organisation, *, actor: User) -> MergePlan:
    """Merge `removed` into `kept`: every participant, trainer, nomination,
    session partnership and audit event of `removed` moves to `kept` (a
    session that had both as partners keeps one), the reports' rows follow,
    `removed` is deleted, and one audit event on `kept` names both. The
    kept record's own details do not change. Refused (SameOrganisation)
    when both are one record. Flushes; the caller commits, so it is all or
    nothing."""
    _refuse_same(kept, removed)
    # Both rows locked in id order (PostgreSQL; SQLite's writer holds the
    # database): a person saved meanwhile with the removed record waits,
    # then fails on its deleted row instead of being left behind.
    db.session.execute(
        sa.select(Organisation.id)
        .where(Organisation.id.in_((kept.id, removed.id)))
        .order_by(Organisation.id)
        .with_for_update()
    )
    db.session.flush()
    plan = merge_plan(kept, removed)
    removed_details = {
        "merged_id": removed.id,
        "merged_name": removed.name,
        "merged_acronym": removed.acronym,
        "merged_country": removed.country,
    }
    connection = db.session.connection()
    # The sessions whose report rows copy the moved participants'
    # organisation (its kind): caught up before the next report is read.
    stale_sessions = set(
        connection.scalars(
            sa.select(Enrollment.session_id)
            .join(Participant, Participant.id == Enrollment.participant_id)
            .where(Participant.organisation_id == removed.id)
            .distinct()
        )
    )
    moves = (
        (cast(sa.Table, Participant.__table__), "organisation_id"),
        (cast(sa.Table, Trainer.__table__), "organisation_id"),
        (cast(sa.Table, Enrollment.__table__), "nominating_organisation_id"),
    )
    for table, column in moves:
        connection.execute(
            table.update().where(table.c[column] == removed.id).values({column: kept.id})
        )
    already_partner = sa.select(session_partner.c.session_id).where(
        session_partner.c.organisation_id == kept.id
    )
    connection.execute(
        session_partner.delete().where(
            session_partner.c.organisation_id == removed.id,
            session_partner.c.session_id.in_(already_partner),
        )
    )
    connection.execute(
        session_partner.update()
        .where(session_partner.c.organisation_id == removed.id)
        .values(organisation_id=kept.id)
    )
    # The removed record's trail becomes the kept record's: its id may be
    # given again to a new organisation (SQLite reuses the highest id), which
    # must not inherit it.
    audit = cast(sa.Table, AuditEvent.__table__)
    connection.execute(
        audit.update()
        .where(audit.c.entity_type == "organisation", audit.c.entity_id == removed.id)
        .values(entity_id=kept.id)
    )
    mark_stale(connection, {("session", session_id) for session_id in stale_sessions})
    # What the identity map holds of the moved rows is stale now.
    db.session.expire_all()
    record_event(
        "organisation.merged",
        actor=actor,
        entity=kept,
        after={
            **removed_details,
            "participants": plan.participants,
            "trainers": plan.trainers,
            "nominations": plan.nominations,
            "partnerships": plan.partnerships,
        },
    )
    db.session.delete(removed)
    db.session.flush()
    return plan
