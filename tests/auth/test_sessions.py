"""Signed-in sessions live on the server: a cookie is only a pointer to one,
and once it has ended the cookie signs no one in, from any browser."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from training.audit.models import AuditEvent
from training.auth.models import SessionEnd, UserSession
from training.extensions import db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A145F) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)


def _sign_in(app, user, user_agent=FIREFOX_WINDOWS, address="10.0.0.1"):
    browser = app.test_client()
    response = browser.post(
        "/login",
        data={"email": user.email, "password": factories.TEST_PASSWORD},
        headers={"User-Agent": user_agent},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 303
    return browser


def _copy_cookie(source, target):
    target.set_cookie("session", source.get_cookie("session").value)


def _signed_in(browser) -> bool:
    return browser.get("/").status_code == 200


def test_a_cookie_copied_before_sign_out_is_refused_after_it_from_another_client(app):
    user = factories.make_user()
    db.session.commit()
    browser = _sign_in(app, user)
    thief = app.test_client()
    _copy_cookie(browser, thief)
    assert _signed_in(thief)  # the copy works while the session is open

    assert browser.post("/logout").status_code == 303
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.get("/account").status_code == 302
    record = db.session.scalar(sa.select(UserSession))
    assert record.end_reason == SessionEnd.SIGNED_OUT


def test_the_cookie_holds_a_token_whose_hash_only_is_stored(app):
    user = factories.make_user()
    db.session.commit()
    browser = _sign_in(app, user)
    with browser.session_transaction() as cookie_session:
        token = cookie_session["session_token"]
    record = db.session.scalar(sa.select(UserSession))
    assert len(token) >= 40 and token not in record.token_hash
    assert record.user_agent == FIREFOX_WINDOWS and record.address_prefix == "10.0.0.0/24"


def test_an_idle_session_ends_on_the_server(app):
    user = factories.make_user()
    db.session.commit()
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        browser = _sign_in(app, user)
        traveller.shift(app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1))
        copy = app.test_client()
        _copy_cookie(browser, copy)
        response = browser.get("/")
        assert response.status_code == 302
        assert "expired" in browser.get(response.headers["Location"]).get_data(as_text=True)
        # Coming back within the time-out from elsewhere does not revive it.
        traveller.shift(-timedelta(minutes=30))
        assert not _signed_in(copy)
    db.session.expire_all()
    assert db.session.scalar(sa.select(UserSession)).end_reason == SessionEnd.IDLE


def test_last_seen_is_written_at_most_once_a_minute(app):
    user = factories.make_user()
    db.session.commit()
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        browser = _sign_in(app, user)
        signed_in_at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
        traveller.shift(timedelta(seconds=30))
        assert _signed_in(browser)
        db.session.expire_all()
        assert db.session.scalar(sa.select(UserSession.last_seen_at)) == signed_in_at
        traveller.shift(timedelta(seconds=31))
        assert _signed_in(browser)
        db.session.expire_all()
        assert db.session.scalar(sa.select(UserSession.last_seen_at)) == signed_in_at + timedelta(
            seconds=61
        )


def test_password_change_ends_every_other_session_on_the_server(app):
    user = factories.make_user()
    db.session.commit()
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, user_agent=CHROME_ANDROID)
    response = laptop.post(
        "/account/password",
        data={"current_password": factories.TEST_PASSWORD, "password": "Baobab-Harmattan-77"},
    )
    assert response.status_code == 303
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_deactivation_ends_the_session_of_a_copied_cookie(app):
    admin = factories.make_user(role="admin")
    user = factories.make_user()
    db.session.commit()
    browser = _sign_in(app, user)
    admin_browser = _sign_in(app, admin)
    assert admin_browser.post(f"/admin/users/{user.id}/deactivate").status_code == 303
    assert not _signed_in(browser)


def test_account_page_lists_open_sessions_and_marks_this_device(app):
    user = factories.make_user()
    db.session.commit()
    laptop = _sign_in(app, user)
    _sign_in(app, user, user_agent=CHROME_ANDROID, address="2001:db8:1:2::7")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Chrome on Android" in page
    assert page.count("This device") == 1
    assert "2001:db8:1::/48" in page
    assert "Sign out everywhere else" in page


def test_ending_another_session_from_the_account_page(app):
    user = factories.make_user()
    db.session.commit()
    laptop = _sign_in(app, user)
    phone = _sign_in(app, user, user_agent=CHROME_ANDROID)
    phone_session = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_agent == CHROME_ANDROID)
    ).one()
    response = laptop.post(f"/account/sessions/{phone_session.id}/end")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account")
    assert not _signed_in(phone)
    assert _signed_in(laptop)
    assert "Chrome on Android" not in laptop.get("/account").get_data(as_text=True)


def test_ending_this_session_from_the_account_page_signs_out(app):
    user = factories.make_user()
    db.session.commit()
    laptop = _sign_in(app, user)
    record = db.session.scalar(sa.select(UserSession))
    response = laptop.post(f"/account/sessions/{record.id}/end")
    assert "/login" in response.headers["Location"]
    assert not _signed_in(laptop)


def test_sign_out_everywhere_else(app):
    user = factories.make_user()
    db.session.commit()
    laptop = _sign_in(app, user)
    others = [_sign_in(app, user, user_agent=CHROME_ANDROID) for _ in range(2)]
    response = laptop.post("/account/sessions/end-others", follow_redirects=True)
    assert "2 other sessions signed out." in response.get_data(as_text=True)
    assert _signed_in(laptop)
    assert not any(_signed_in(other) for other in others)


def test_a_user_cannot_end_or_even_see_another_users_session(app):
    owner = factories.make_user()
    other = factories.make_user()
    db.session.commit()
    owner_browser = _sign_in(app, owner)
    other_browser = _sign_in(app, other)
    owner_session = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == owner.id)
    ).one()
    assert other_browser.post(f"/account/sessions/{owner_session.id}/end").status_code == 404
    assert other_browser.post("/account/sessions/2147483647/end").status_code == 404
    assert _signed_in(owner_browser)
    assert "Firefox" in other_browser.get("/account").get_data(as_text=True)
    assert other_browser.get("/account").get_data(as_text=True).count("This device") == 1


def test_an_admin_signs_a_user_out_everywhere(app):
    admin = factories.make_user(role="admin")
    user = factories.make_user()
    db.session.commit()
    browsers = [_sign_in(app, user), _sign_in(app, user, user_agent=CHROME_ANDROID)]
    admin_browser = _sign_in(app, admin)
    page = admin_browser.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "2 open sessions." in page and "Sign out everywhere" in page
    response = admin_browser.post(
        f"/admin/users/{user.id}/sign-out-everywhere", follow_redirects=True
    )
    assert "2 sessions signed out." in response.get_data(as_text=True)
    assert not any(_signed_in(browser) for browser in browsers)
    assert _signed_in(admin_browser)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.signed_out_everywhere")
    )
    assert event.actor_id == admin.id and event.entity_id == user.id


# --- who may open the new routes ---------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer", "participant"])
def test_every_role_opens_its_account_page_and_ends_its_sessions(app, role):
    user = factories.make_user(role=role)
    db.session.commit()
    browser = _sign_in(app, user)
    assert browser.get("/account").status_code == 200
    assert browser.post("/account/sessions/end-others").status_code == 303
    record = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert browser.post(f"/account/sessions/{record.id}/end").status_code == 303


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant"])
def test_only_an_admin_signs_others_out_everywhere(app, role):
    victim = factories.make_user()
    user = factories.make_user(role=role)
    db.session.commit()
    victim_browser = _sign_in(app, victim)
    browser = _sign_in(app, user)
    assert browser.post(f"/admin/users/{victim.id}/sign-out-everywhere").status_code == 403
    assert _signed_in(victim_browser)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/account"),
        ("post", "/account/sessions/1/end"),
        ("post", "/account/sessions/end-others"),
        ("post", "/admin/users/1/sign-out-everywhere"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == (302 if method == "get" else 303)
    assert "/login" in response.headers["Location"]
