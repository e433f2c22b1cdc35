"""The demo programme seeded on an empty database, where each test seeds
its own (the tests that only read share one seed in test_seed.py)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.demo.conftest import TODAY, assert_current_cycle_around, seed
from training.auth.models import User
from training.demo import certificates as certificates_demo
from training.demo import seed_demo
from training.extensions import db
from training.people.models import Participant


@pytest.fixture(autouse=True)
def no_certificates(monkeypatch) -> None:
    """These tests are about people and sessions: skip rendering a PDF per
    certificate (the shared seed of test_seed.py issues them for real)."""
    monkeypatch.setattr(certificates_demo, "issue_demo_certificates", lambda today: 0)


@pytest.mark.parametrize("today", [date(2028, 2, 29), None])
def test_the_current_cycle_is_built_around_any_today(runner, today):
    seed(runner, *(["--today", today.isoformat()] if today else []))
    assert_current_cycle_around(today or date.today())


def test_if_empty_loads_nothing_on_a_database_that_has_users(runner):
    factories.make_user("admin", email="someone@example.org")
    db.session.commit()
    result = seed(runner, "--if-empty")
    assert "not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_if_empty_loads_the_programme_on_an_empty_database(runner):
    seed(runner, "--if-empty", "--today", TODAY.isoformat())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) >= 200


def test_if_empty_ignores_derived_rows(runner):
    """A stale mark of the reports' table is no one's data: `make run` on a
    freshly migrated database still loads the demo (it did not, once the
    migration marked the reports' rows stale)."""
    from training.reports.models import ReportStale

    db.session.add(ReportStale(kind="all", ref_id=0))
    db.session.commit()
    seed(runner, "--if-empty", "--today", TODAY.isoformat())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) >= 200


def test_the_same_people_on_every_run_whatever_the_day(app):
    def people() -> list:
        return list(
            db.session.execute(
                sa.select(
                    Participant.given_name,
                    Participant.family_name,
                    Participant.sex,
                    Participant.rank,
                    Participant.email,
                ).order_by(Participant.id)
            ).all()
        )

    seed_demo(TODAY)
    first = people()
    db.session.rollback()
    seed_demo(date(2027, 9, 20))
    assert people() == first
    db.session.rollback()
