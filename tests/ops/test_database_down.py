"""While the database does not answer, pages say so with a 503 and no
trace, and the next request after it is back works (pool_pre_ping)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    def down():
        monkeypatch.setattr(Session, "execute", refuse)
        monkeypatch.setattr(Session, "scalar", refuse)
        monkeypatch.setattr(Session, "scalars", refuse)
        monkeypatch.setattr(Session, "get", refuse)

    return down


def test_a_signed_in_page_answers_503_with_a_clear_page(client, login_as, database_down):
    login_as("coordinator")
    database_down()
    response = client.get("/sessions")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "Atelier is briefly unavailable" in page
    assert "Nothing you sent in this request was saved" in page
    assert "Traceback" not in page and "connection refused" not in page
    assert response.headers["Content-Security-Policy"]


def test_a_form_sent_meanwhile_gets_the_same(client, login_as, database_down):
    login_as("coordinator")
    database_down()
    response = client.post("/curricula/new", data={"code": "X"})
    assert response.status_code == 503


def test_a_script_gets_json(client, login_as, database_down):
    login_as("trainer")
    database_down()
    response = client.get("/jobs/1.json", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["error"] == "database_unavailable"


def test_the_next_request_after_it_is_back_works(client, login_as, database_down, monkeypatch):
    login_as("coordinator")
    database_down()
    assert client.get("/sessions").status_code == 503
    monkeypatch.undo()
    assert client.get("/sessions").status_code == 200
