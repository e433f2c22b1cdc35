"""A job's page, status and result: its owner's alone, whatever the role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from tests.jobs.conftest import make_job
from training.extensions import db
from training.jobs.models import JobStatus

ROLES = ["admin", "coordinator", "trainer", "participant"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_its_own_job_and_downloads_its_result(client, login_as, role):
    owner = login_as(role)
    job = make_job(owner)
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The file is ready." in text and "Download the file" in text and "echo.csv" in text
    assert 'http-equiv="refresh"' not in text
    status = client.get(f"/jobs/{job.id}.json").get_json()
    assert status == {
        "id": job.id,
        "status": "done",
        "progress": 1,
        "total": 1,
        "percent": 100,
        "error": None,
        "finished": True,
        "result_available": True,
    }
    result = client.get(f"/jobs/{job.id}/result")
    assert result.status_code == 200 and result.data == b"a,b\n"
    assert result.headers["Cache-Control"] == "no-store"
    assert 'filename="echo.csv"' in result.headers["Content-Disposition"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", ".json", "/result"])
def test_no_role_sees_another_users_job(client, login_as, role, suffix):
    job = make_job(factories.make_user("coordinator"))
    login_as(role)
    response = client.get(f"/jobs/{job.id}{suffix}")
    assert response.status_code == 403
    assert b"a,b" not in response.data


@pytest.mark.parametrize("suffix", ["", ".json", "/result"])
def test_an_unknown_job_is_a_404(client, login_as, suffix):
    login_as("coordinator")
    assert client.get(f"/jobs/999999{suffix}").status_code == 404
    assert client.get(f"/jobs/99999999999999999999{suffix}").status_code == 404


def test_a_job_under_way_shows_its_progress_and_refreshes(client, login_as):
    owner = login_as("coordinator", locale="en")
    job = make_job(owner, JobStatus.RUNNING, progress=1250, total=5000)
    text = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in text
    assert 'aria-valuenow="25"' in text and "width: 25%" in text
    assert "1,250 of 5,000 rows written." in text
    assert client.get(f"/jobs/{job.id}/result").status_code == 404
    assert client.get(f"/jobs/{job.id}.json").get_json()["percent"] == 25


def test_a_queued_job_says_it_waits(client, login_as):
    owner = login_as("coordinator")
    job = make_job(owner, JobStatus.QUEUED)
    text = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Waiting for its turn." in text and 'http-equiv="refresh"' in text


def test_a_failed_job_shows_its_sentence_and_no_file(client, login_as):
    owner = login_as("coordinator")
    job = make_job(owner, JobStatus.FAILED, error="Nothing to export under these filters.")
    text = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Nothing to export under these filters." in text
    assert "Download" not in text
    assert client.get(f"/jobs/{job.id}/result").status_code == 404


def test_an_expired_result_is_gone(client, login_as):
    owner = login_as("coordinator")
    job = make_job(owner, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    text = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "The file has expired and was deleted" in text
    assert client.get(f"/jobs/{job.id}/result").status_code == 404
    db.session.expire_all()
