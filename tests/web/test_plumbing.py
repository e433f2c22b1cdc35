"""The view plumbing every blueprint uses: the loader, the refusal helper
and the download helper (training/web/)."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_login import login_user
from werkzeug.exceptions import Forbidden, NotFound
from wtforms import Form, StringField

from tests import factories
from training.domain import DomainError
from training.extensions import db
from training.people.models import Organisation, OrganisationKind
from training.sessions.models import Assignment, TrainingSession
from training.web.downloads import send_download
from training.web.errors import refuse
from training.web.loaders import found, load, load_child


class _NameForm(Form):
    name = StringField()
    email = StringField()


def test_refusal_shows_the_message_on_the_field_the_error_names(app):
    with app.test_request_context():
        form = _NameForm()
        refuse(DomainError("This email is taken.", field="email"), form, "name")
        assert form.email.errors == ["This email is taken."]
        assert not form.name.errors
        assert get_flashed_messages() == []


def test_refusal_falls_back_to_the_given_field_then_to_a_flash(app):
    with app.test_request_context():
        form = _NameForm()
        refuse(DomainError("Not allowed here.", field="reason"), form, "name")
        assert form.name.errors == ["Not allowed here."]
        refuse(DomainError("Not allowed either.", field="reason"), form)
        assert get_flashed_messages(with_categories=True) == [("danger", "Not allowed either.")]


def test_refusal_keeps_nothing_of_the_request(app):
    with app.test_request_context():
        organisation = Organisation(
            name="Garde nationale", acronym="GN", country="NE", kind=OrganisationKind.NATIONAL_GUARD
        )
        db.session.add(organisation)
        refuse(DomainError("Refused."))
        assert organisation not in db.session


def test_the_loader_finds_then_authorises(app):
    training_session = factories.make_session()
    trainer = factories.make_user("trainer")  # not assigned to the session
    db.session.commit()
    with app.test_request_context():
        login_user(trainer)
        assert load(TrainingSession, training_session.id) is training_session
        with pytest.raises(NotFound):
            load(TrainingSession, training_session.id + 1000, "sessions.view")
        with pytest.raises(NotFound):
            found(None, "sessions.view")
        with pytest.raises(Forbidden):
            load(TrainingSession, training_session.id, "sessions.view")


def test_a_child_of_another_parent_is_not_found_before_any_check(app):
    trainer = factories.make_trainer()
    here, elsewhere = factories.make_session(), factories.make_session()
    assignment = factories.assign(trainer, elsewhere)
    db.session.commit()
    with app.test_request_context():
        with pytest.raises(NotFound):
            # Even with an action the signed-out request may not do: 404, not 403.
            load_child(Assignment, assignment.id, here.id, "session_id", "sessions.manage")
        assert load_child(Assignment, assignment.id, elsewhere.id, "session_id") is assignment


def test_a_download_is_named_for_every_browser_and_kept_by_none(app):
    with app.test_request_context():
        response = send_download(b"%PDF", "attestation-Traoré.pdf", "application/pdf")
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="attestation-Traore.pdf"; '
            "filename*=UTF-8''attestation-Traor%C3%A9.pdf"
        )
        sheet = send_download(b"%PDF", "sign-in-NE-1-all.pdf", "application/pdf", inline=True)
        assert sheet.headers["Content-Disposition"] == 'inline; filename="sign-in-NE-1-all.pdf"'


def test_a_text_download_names_its_charset_once(client, login_as):
    login_as("coordinator")
    response = client.get("/reports/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    template = send_download("a,b\n", "template.csv", "text/csv")
    assert template.headers["Content-Type"] == "text/csv; charset=utf-8"
