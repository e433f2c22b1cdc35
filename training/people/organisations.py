"""Organisations: the services, ministries and partners that nominate
participants and employ trainers. Creating and editing them, ending a
partnership, finding them and counting their people; merging two records of
one organisation sits above every area that refers to them
(training.organisations)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from training.audit.models import AuditEvent
from training.audit.services import record_event
from training.domain import DomainError
from training.extensions import db
from training.people.models import Organisation, OrganisationKind, Participant, Trainer
from training.text import fold

if TYPE_CHECKING:
    from training.auth.models import User


class DuplicateOrganisation(DomainError):
    pass


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    acronym: str | None
    country: str | None  # ISO 3166 alpha-2
    kind: OrganisationKind
    is_security_force: bool = False
    active_from: date | None = None
    active_until: date | None = None


def same_name(name: str, country: str | None) -> Organisation | None:
    """The organisation of that name in that country, ignoring case, accents
    and spacing ("GENDARMERIE  NATIONALE" is "Gendarmerie nationale")."""
    wanted = fold(name)
    if not wanted:
        return None
    candidates = db.session.scalars(
        sa.select(Organisation)
        .where(
            Organisation.country.is_(None) if country is None else Organisation.country == country,
            Organisation.search_text.contains(wanted, autoescape=True),
        )
        .order_by(Organisation.id)
    )
    return next((found for found in candidates if fold(found.name) == wanted), None)


def _check(details: OrganisationDetails, organisation: Organisation | None = None) -> None:
    """A name is unique within its country, whatever its case and accents (the
    database agrees on the exact spelling); a partnership ends after it
    starts."""
    if not details.name.strip():
        raise DomainError(_("Give the organisation's name."), field="name")
    same = same_name(details.name, details.country or None)
    if same is not None and same is not organisation:
        raise DuplicateOrganisation(
            _(
                "An organisation with this name already exists in this country: %(label)s.",
                label=same.label,
            ),
            field="name",
        )
    if details.active_from and details.active_until and details.active_until < details.active_from:
        raise DomainError(_("The partnership cannot end before it starts."), field="active_until")


def _apply(organisation: Organisation, details: OrganisationDetails) -> None:
    organisation.name = details.name.strip()
    organisation.acronym = (details.acronym or "").strip() or None
    organisation.country = details.country or None
    organisation.kind = details.kind
    organisation.is_security_force = details.is_security_force
    organisation.active_from = details.active_from
    organisation.active_until = details.active_until


def _describe(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "country": organisation.country,
        "kind": organisation.kind,
        "is_security_force": organisation.is_security_force,
        "active_from": organisation.active_from,
        "active_until": organisation.active_until,
    }


def create_organisation(details: OrganisationDetails, *, actor: User) -> Organisation:
    """A new organisation (audited); DuplicateOrganisation when its name is
    taken in its country."""
    _check(details)
    organisation = Organisation()
    _apply(organisation, details)
    db.session.add(organisation)
    db.session.flush()
    record_event(
        "organisation.created", actor=actor, entity=organisation, after=_describe(organisation)
    )
    return organisation


def update_organisation(
    organisation: Organisation, details: OrganisationDetails, *, actor: User
) -> Organisation:
    """Change an organisation's details (audited when something changed: the
    fields that changed, and the name, which says which record it was)."""
    _check(details, organisation)
    before = _describe(organisation)
    _apply(organisation, details)
    after = _describe(organisation)
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        kept = ["name", *(key for key in changed if key != "name")]
        db.session.flush()
        record_event(
            "organisation.updated",
            actor=actor,
            entity=organisation,
            before={key: before[key] for key in kept},
            after={key: after[key] for key in kept},
        )
    return organisation


def end_partnership(organisation: Organisation, on: date, *, actor: User) -> Organisation:
    """The partnership ends on `on`: the organisation stays, with its history,
    and is no longer offered for new nominations after that day."""
    if organisation.active_from and on < organisation.active_from:
        raise DomainError(_("The partnership cannot end before it starts."), field="active_until")
    before = organisation.active_until
    organisation.active_until = on
    db.session.flush()
    record_event(
        "organisation.partnership_ended",
        actor=actor,
        entity=organisation,
        before={"active_until": before},
        after={"active_until": on},
    )
    return organisation


# --- finding them -------------------------------------------------------------------


class PartnershipState(enum.StrEnum):
    """The list's filter on partnerships: current (not ended today) or ended."""

    ACTIVE = "active"
    ENDED = "ended"


def organisation_search(
    query: str | None = None,
    *,
    country: str | None = None,
    kind: OrganisationKind | None = None,
    state: PartnershipState | None = None,
    today: date | None = None,
) -> sa.Select:
    """The organisations whose acronym or name holds every folded word of
    `query` ("gendarmerie NAT", "surete"), in `country`, of `kind`, whose
    partnership is current or ended on `today`; in the order of their labels
    (acronym, then name, accent-insensitively), then by country."""
    statement = sa.select(Organisation)
    for word in fold(query).split():
        statement = statement.where(Organisation.search_text.contains(word, autoescape=True))
    if country:
        statement = statement.where(Organisation.country == country.upper())
    if kind is not None:
        statement = statement.where(Organisation.kind == kind)
    on = today or date.today()
    if state == PartnershipState.ACTIVE:
        statement = statement.where(
            sa.or_(Organisation.active_until.is_(None), Organisation.active_until >= on)
        )
    elif state == PartnershipState.ENDED:
        statement = statement.where(Organisation.active_until < on)
    return statement.order_by(Organisation.search_text, Organisation.country, Organisation.id)


@dataclass(frozen=True)
class PeopleCount:
    participants: int = 0
    trainers: int = 0


def people_counts(organisation_ids: Iterable[int]) -> dict[int, PeopleCount]:
    """How many participants and trainers each organisation holds: one
    statement (two GROUP BYs in a UNION ALL) whatever the number of
    organisations."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    by_participants = (
        sa.select(
            Participant.organisation_id.label("organisation_id"),
            sa.literal("participants").label("kind"),
            sa.func.count().label("number"),
        )
        .where(Participant.organisation_id.in_(ids))
        .group_by(Participant.organisation_id)
    )
    by_trainers = (
        sa.select(
            Trainer.organisation_id.label("organisation_id"),
            sa.literal("trainers").label("kind"),
            sa.func.count().label("number"),
        )
        .where(Trainer.organisation_id.in_(ids))
        .group_by(Trainer.organisation_id)
    )
    found: dict[int, dict[str, int]] = {}
    rows = db.session.execute(sa.union_all(by_participants, by_trainers))
    for organisation_id, kind, number in rows:
        if organisation_id is not None:  # the IN above leaves none out
            found.setdefault(organisation_id, {})[kind] = number
    return {organisation_id: PeopleCount(**numbers) for organisation_id, numbers in found.items()}


def organisation_trainers(organisation: Organisation) -> list[Trainer]:
    """The organisation's trainers, by name."""
    return list(
        db.session.scalars(
            sa.select(Trainer)
            .where(Trainer.organisation_id == organisation.id)
            .order_by(Trainer.name, Trainer.id)
        )
    )


def by_label(organisations: Iterable[Organisation]) -> list[Organisation]:
    """Organisations in the order a reader looks for them in a list: by
    their label as shown, ignoring case and accents ("École" with the E's)."""
    return sorted(
        organisations, key=lambda organisation: (fold(organisation.label), organisation.id)
    )


def offered_organisations(on: date | None = None, keep_id: int | None = None) -> list[Organisation]:
    """The organisations a form offers for a person or a nomination: those
    whose partnership is current on `on` (today), by label, plus `keep_id`
    (the record's own organisation, even when its partnership has ended)."""
    day = on or date.today()
    current = sa.and_(
        sa.or_(Organisation.active_from.is_(None), Organisation.active_from <= day),
        sa.or_(Organisation.active_until.is_(None), Organisation.active_until >= day),
    )
    condition = sa.or_(current, Organisation.id == keep_id) if keep_id else current
    return by_label(db.session.scalars(sa.select(Organisation).where(condition)))


def organisation_history(organisation: Organisation, limit: int = 200) -> list[AuditEvent]:
    """The organisation's audit events, newest first (a merged record's
    events moved to the record it was merged into)."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.entity_type == "organisation", AuditEvent.entity_id == organisation.id
            )
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def likely_duplicates(organisation: Organisation) -> list[Organisation]:
    """Other records in the same country that may be this organisation typed
    again: the same acronym, a name that holds the other's name ("Police
    nationale" in "Police nationale du Niger"), or a name that is the
    other's acronym. Suggestions for the merge page, by label."""
    name, acronym = fold(organisation.name), fold(organisation.acronym)
    found = []
    for other in db.session.scalars(
        sa.select(Organisation).where(
            Organisation.id != organisation.id,
            Organisation.country.is_(None)
            if organisation.country is None
            else Organisation.country == organisation.country,
        )
    ):
        other_name, other_acronym = fold(other.name), fold(other.acronym)
        if (
            (acronym and acronym == other_acronym)
            or name in other_name
            or other_name in name
            or (other_acronym and name == other_acronym)
            or (acronym and other_name == acronym)
        ):
            found.append(other)
    return by_label(found)
