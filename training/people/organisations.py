"""Organisations: the services, ministries and partners that nominate
participants and employ trainers. Creating and editing them, and ending a
partnership; merging two records of one organisation sits above every area
that refers to them (training.organisations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from training.audit.services import record_event
from training.domain import DomainError
from training.extensions import db
from training.people.models import Organisation, OrganisationKind

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


def _check(details: OrganisationDetails, organisation: Organisation | None = None) -> None:
    """A name is unique within its country (the database agrees); a
    partnership ends after it starts."""
    if not details.name.strip():
        raise DomainError(_("Give the organisation's name."), field="name")
    same = db.session.scalar(
        sa.select(Organisation).where(
            sa.func.lower(Organisation.name) == details.name.strip().lower(),
            Organisation.country.is_(None)
            if details.country is None
            else Organisation.country == details.country,
        )
    )
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
    """Change an organisation's details (audited when something changed)."""
    _check(details, organisation)
    before = _describe(organisation)
    _apply(organisation, details)
    after = _describe(organisation)
    if before != after:
        db.session.flush()
        record_event(
            "organisation.updated", actor=actor, entity=organisation, before=before, after=after
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
