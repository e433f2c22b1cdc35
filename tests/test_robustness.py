"""Unknown or malformed input gets a 4xx, never a 500: every route, every
role, with missing objects, malformed identifiers and junk query strings."""

import re

import pytest

from tests import factories
from training.extensions import db

JUNK_VALUES = {
    "int": ["999999", "0", "99999999999"],  # the last is past PostgreSQL's INTEGER
    "string": ["no-such-thing", "%00", "<script>"],
    "day": ["2026-13-45", "not-a-date", "1999-01-01"],
}
JUNK_QUERY = {
    "page": "-3",
    "date": "2026-02-30",
    "status": "nonsense",
    "country": "ZZ",
    "start": "yesterday",
    "end": "12/12/2026",
    "lang": "xx",
    "q": "' OR 1=1 --",
    "curriculum": "abc",
    "theme": "<b>",
    "organisation": "99999999999",
    "partner": "99999999999",
}


def concrete_urls(rule) -> list[str]:
    """The rule with each parameter replaced by junk values, one URL each."""
    urls = [rule.rule]
    for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        converter, name = match.group(1) or "string", match.group(2)
        kind = "day" if name == "day" else converter if converter in JUNK_VALUES else "string"
        urls = [
            url.replace(match.group(0), value, 1) for url in urls for value in JUNK_VALUES[kind]
        ]
    return urls


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer", "participant"])
def test_no_route_answers_500_to_junk(app, client, login_as, role):
    training_session = factories.make_session()
    factories.enroll(training_session=training_session)
    db.session.commit()
    user = login_as(role)
    if role == "trainer":
        factories.assign(user.trainer, training_session)
        db.session.commit()
    failures, requests = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static", "auth.logout"):
            continue
        for url in concrete_urls(rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = client.get(url, query_string=JUNK_QUERY)
                else:
                    response = client.open(url, method=method, data=JUNK_QUERY)
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert requests > 150


def test_known_objects_with_junk_query_strings_do_not_fail(app, client, login_as):
    """The same walk with real identifiers: junk filters on real pages."""
    training_session = factories.make_session()
    enrollment = factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator")
    ids = {
        "session_id": training_session.id,
        "curriculum_id": training_session.curriculum_id,
        "participant_id": enrollment.participant_id,
        "trainer_id": factories.make_trainer().id,
        "user_id": 1,
        "day": training_session.start_date.isoformat(),
    }
    db.session.commit()
    failures, pages = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "bootstrap.static"):
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", str(ids[name]), url)
        response = client.get(url, query_string=JUNK_QUERY)
        pages += 1
        if response.status_code >= 500:
            failures.append(f"GET {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert pages > 30


# Junk that looks like a number to a careless parser: a superscript digit
# (str.isdigit() says yes, int() says no), more digits than int() accepts, a
# decimal comma, a page past any offset the database can hold, blank text.
JUNK_NUMBERS = ["²", "9" * 5000, "15,5", "9" * 30, "   ", "1e3", "-0", "٣"]
JUNK_NUMBER_KEYS = ("page", "year", "curriculum", "organisation", "partner", "by", "date")


def _form_field_names() -> set[str]:
    """Every field name of every form of the application."""
    from flask_wtf import FlaskForm
    from wtforms import Form

    import training.reports.forms  # noqa: F401 (its forms are plain wtforms.Form)

    names: set[str] = set()
    pending = [FlaskForm, Form]
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        names.update(
            name for name in dir(form_class) if hasattr(getattr(form_class, name), "field_class")
        )
    return names


def _known_object_urls(app, ids):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static", "auth.logout"):
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", str(ids[name]), url)
        yield rule, url


@pytest.mark.parametrize("junk", JUNK_NUMBERS, ids=lambda junk: repr(junk[:8]))
def test_junk_numbers_in_queries_and_forms_do_not_fail(app, client, login_as, junk):
    """Every real page and every form, with each field and filter set to junk:
    a form error, a 400 or a 404, never a 500."""
    training_session = factories.make_session()
    enrollment = factories.enroll(training_session=training_session)
    db.session.commit()
    login_as("coordinator")
    ids = {
        "session_id": training_session.id,
        "curriculum_id": training_session.curriculum_id,
        "participant_id": enrollment.participant_id,
        "enrollment_id": enrollment.id,
        "trainer_id": factories.make_trainer().id,
        "user_id": 1,
        "day": training_session.start_date.isoformat(),
    }
    db.session.commit()
    form = dict.fromkeys(_form_field_names(), junk)
    query = dict.fromkeys(JUNK_NUMBER_KEYS, junk)
    failures, requests = [], 0
    for rule, url in _known_object_urls(app, ids):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url, query_string=query)
            else:
                response = client.open(url, method=method, data=form)
            requests += 1
            if response.status_code >= 500:
                failures.append(f"{method} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert requests > 60
