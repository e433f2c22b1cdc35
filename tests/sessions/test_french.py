"""A session's pages read as French to a French reader: "1er" for the first
of a month, durations in hours, neutral wording for trainers."""

from __future__ import annotations

from datetime import date

from tests import factories
from training.extensions import db


def test_the_session_page_writes_the_first_of_december_1er(client, login_as):
    training_session = factories.make_session(start_date=date(2026, 12, 1))
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/sessions/{training_session.id}").text
    assert "1er déc. 2026 – 3 déc. 2026" in page
    assert "1 déc." not in page


def test_the_session_page_gives_module_durations_in_hours(client, login_as):
    curriculum = factories.make_curriculum(modules=1)
    curriculum.modules[0].duration_minutes = 90
    training_session = factories.make_session(curriculum)
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/sessions/{training_session.id}").text
    assert "1\u00a0h\u00a030" in page
    assert "90 minutes" not in page
