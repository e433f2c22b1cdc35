"""The test fixtures themselves: each test's commits stay inside its own
transaction, which is rolled back; `committed` tests commit for real."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import _inside_one_transaction
from training.auth.models import User
from training.extensions import db


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_a_commit_inside_a_test_only_releases_a_savepoint(app):
    factories.make_user(role="coordinator")
    db.session.commit()
    connection = db.session.connection()
    assert isinstance(connection, sa.Connection) and connection.in_transaction()
    assert connection.in_nested_transaction()
    db.session.rollback()  # rolls back to the released savepoint: the row stays
    assert _users() == 1


@pytest.mark.committed
def test_a_tests_transaction_is_rolled_back_at_its_end(app):
    with _inside_one_transaction():
        factories.make_user(role="coordinator")
        db.session.commit()
        assert _users() == 1
    assert _users() == 0


@pytest.mark.committed
def test_a_committed_test_commits_for_real(app):
    factories.make_user(role="coordinator")
    db.session.commit()
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(User)) == 1
