"""Organisations: creating, editing, ending a partnership."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from training.domain import DomainError
from training.people.models import OrganisationKind
from training.people.organisations import (
    OrganisationDetails,
    create_organisation,
    end_partnership,
    update_organisation,
)


def details(**values) -> OrganisationDetails:
    base = {
        "name": "Police nationale",
        "acronym": "PN",
        "country": "NE",
        "kind": OrganisationKind.POLICE,
        "is_security_force": True,
    }
    base.update(values)
    return OrganisationDetails(**base)


def test_a_name_is_unique_within_its_country_not_across_countries(app):
    admin = factories.make_user("coordinator")
    niger = create_organisation(details(), actor=admin)
    burkina = create_organisation(details(country="BF"), actor=admin)
    assert niger.id != burkina.id
    with pytest.raises(DomainError, match="already exists in this country"):
        create_organisation(details(name="police NATIONALE "), actor=admin)
    with pytest.raises(DomainError, match="already exists"):
        update_organisation(burkina, details(), actor=admin)


def test_a_partnership_ends_after_it_starts(app):
    admin = factories.make_user("coordinator")
    organisation = create_organisation(details(active_from=date(2024, 1, 1)), actor=admin)
    with pytest.raises(DomainError, match="cannot end before it starts"):
        end_partnership(organisation, date(2023, 12, 31), actor=admin)
    end_partnership(organisation, date(2026, 6, 30), actor=admin)
    assert organisation.active_until == date(2026, 6, 30)
    assert not organisation.is_active_on(date(2026, 7, 1))
