"""The attendance overview in French: half-days in words, dates in prose."""

from __future__ import annotations

import re
from datetime import date

from tests import factories
from training.extensions import db


def test_the_overview_says_matin_and_apres_midi_not_am_pm(client, login_as):
    training_session = factories.make_session()
    factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/sessions/{training_session.id}/attendance").text
    assert 'title="Matin">Matin</th>' in page and 'title="Après-midi">Après-midi</th>' in page
    assert ">AM<" not in page and ">PM<" not in page and " AM</th>" not in page


def test_a_day_outside_the_session_is_named_in_prose_not_iso(client, login_as):
    training_session = factories.make_session(start_date=date(2026, 12, 1))
    factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator", locale="fr")
    response = client.get(f"/sessions/{training_session.id}/attendance/2026-12-09")
    assert response.status_code == 404
    assert "9 décembre 2026" in response.text and "du 1er décembre 2026 au 3 décembre" in (
        response.text
    )
    words = re.sub(r"<[^>]*>", " ", response.text)  # what the reader sees, not the links
    assert "2026-12-01" not in words and "2026-12-09" not in words
