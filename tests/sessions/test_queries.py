"""List pages run a fixed number of SQL statements whatever the rows."""

from __future__ import annotations

import pytest

from tests import factories
from training.extensions import db


def _fill(rows: int) -> None:
    organisation = factories.make_organisation()
    curricula = [factories.make_curriculum(modules=3) for _ in range(min(rows, 20))]
    trainers = [factories.make_trainer(organisation=organisation) for _ in range(3)]
    for number in range(rows):
        training_session = factories.make_session(curriculum=curricula[number % len(curricula)])
        factories.assign(trainers[number % 3], training_session)
        training_session.partners.append(organisation)
    db.session.commit()


def _statements_for(client, count_queries, url: str) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/sessions", "/sessions?status=open&country=NE"])
def test_sessions_list_runs_a_fixed_number_of_queries(client, login_as, count_queries, url):
    login_as("coordinator")
    _fill(10)
    with_10 = _statements_for(client, count_queries, url)
    _fill(190)
    with_200 = _statements_for(client, count_queries, url)
    assert with_10 == with_200
    assert with_200 <= 12


@pytest.mark.parametrize("url", ["/curricula", "/curricula?q=terrorism&status=approved"])
def test_curricula_list_runs_a_fixed_number_of_queries(client, login_as, count_queries, url):
    login_as("coordinator")
    for _ in range(10):
        factories.make_curriculum(modules=3)
    db.session.commit()
    with_10 = _statements_for(client, count_queries, url)
    for _ in range(190):
        factories.make_curriculum(modules=3)
    db.session.commit()
    with_200 = _statements_for(client, count_queries, url)
    assert with_10 == with_200
    assert with_200 <= 8


def test_session_page_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    login_as("coordinator")
    few = factories.make_session()
    many = factories.make_session()
    for training_session, count in ((few, 2), (many, 60)):
        for _ in range(count):
            factories.enroll(training_session=training_session)
    db.session.commit()
    assert _statements_for(client, count_queries, f"/sessions/{few.id}") == _statements_for(
        client, count_queries, f"/sessions/{many.id}"
    )
