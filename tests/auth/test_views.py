import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from training.auth.models import Role, User
from training.extensions import db


def test_sign_in_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in to Atelier" in response.data


def test_sign_in_then_home(client, auth):
    user = factories.make_user(role="coordinator", name="Mariam Koné")
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert "Mariam Koné" in page.get_data(as_text=True)


def test_failed_sign_in_says_the_same_whether_or_not_the_account_exists(client, auth):
    factories.make_user(email="known@example.org")
    db.session.commit()
    wrong_password = auth.login("known@example.org", "not-the-password-1")
    unknown_user = auth.login("unknown@example.org", "not-the-password-1")
    assert wrong_password.status_code == unknown_user.status_code == 200

    def message(response):
        text = response.get_data(as_text=True)
        text = text.replace("unknown@example.org", "").replace("known@example.org", "")
        # CSRF tokens carry a timestamp: the only part allowed to differ.
        return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]*"', "", text)

    assert message(wrong_password) == message(unknown_user)
    assert "The email or password is not correct." in message(wrong_password)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_goes_only_to_local_paths(client, next_url, expected):
    factories.make_user(role="admin", email="boss@example.org")
    db.session.commit()
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "boss@example.org", "password": factories.TEST_PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_sign_in_is_rate_limited_per_address(app, client, auth):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        assert auth.login(f"someone{number}@example.org", "bad-password-123").status_code == 200
    refused = auth.login("someone9@example.org", "bad-password-123")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"


def test_sign_in_is_rate_limited_per_account(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    factories.make_user(email="target@example.org")
    db.session.commit()
    statuses = []
    for number in range(4):
        # A different address each time: only the per-account limit applies.
        client = app.test_client()
        response = client.post(
            "/login",
            data={"email": "target@example.org", "password": "bad-password-123"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{number + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"


def test_successful_sign_ins_do_not_count_against_the_limit(app, client, auth):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    user = factories.make_user()
    db.session.commit()
    for _ in range(4):
        assert auth.login(user).status_code == 303
        auth.logout()
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"


def test_session_is_renewed_at_sign_in(client, auth):
    user = factories.make_user()
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "attacker-value"
    auth.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_ends_the_session_and_a_replayed_cookie_is_refused(client, auth):
    user = factories.make_user()
    db.session.commit()
    auth.login(user)
    cookie = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302
    # The cookie taken before sign-out names a session ended on the server.
    client.set_cookie("session", cookie)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(app, client, auth):
    user = factories.make_user()
    db.session.commit()
    other_browser = app.test_client()
    assert (
        other_browser.post(
            "/login", data={"email": user.email, "password": factories.TEST_PASSWORD}
        ).status_code
        == 303
    )
    auth.login(user)
    response = client.post(
        "/account/password",
        data={"current_password": factories.TEST_PASSWORD, "password": "Baobab-Harmattan-77"},
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert other_browser.get("/").status_code == 302  # the other one is signed out
    assert db.session.get(User, user.id).password_hash.startswith("scrypt:")


def test_weak_new_password_gives_a_form_error(client, login_as):
    login_as("trainer")
    response = client.post(
        "/account/password",
        data={"current_password": factories.TEST_PASSWORD, "password": "password123"},
    )
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)


def test_idle_timeout_signs_out(app, client, auth):
    user = factories.make_user()
    db.session.commit()
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        auth.login(user)
        assert client.get("/").status_code == 200
        traveller.shift(app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1))
        assert client.get("/").status_code == 200
        traveller.shift(app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1))
        response = client.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_absolute_timeout_signs_out_even_when_active(app, client, auth):
    user = factories.make_user()
    db.session.commit()
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        auth.login(user)
        elapsed = timedelta()
        while elapsed < app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(minutes=30):
            traveller.shift(timedelta(minutes=30))
            elapsed += timedelta(minutes=30)
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302


# --- user administration -------------------------------------------------------------

ADMIN_PAGES = ["/admin/users", "/admin/users/new"]


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_user_administration_is_refused_to_other_roles(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_user_administration_is_open_to_admins(client, login_as, url):
    login_as("admin")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant"])
def test_other_roles_cannot_edit_or_deactivate_users(client, login_as, role):
    target = factories.make_user(role="trainer")
    db.session.commit()
    login_as(role)
    assert client.get(f"/admin/users/{target.id}/edit").status_code == 403
    assert client.post(f"/admin/users/{target.id}/edit", data={"role": "admin"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, target.id).active
    assert db.session.get(User, target.id).role == Role.TRAINER


def test_admin_creates_edits_and_deactivates_a_user(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Hadiza Moussa",
            "email": "hadiza@example.org",
            "role": "coordinator",
            "locale": "fr",
            "password": "Harmattan-Wind-2026",
            "active": "",  # not a field of this form: ignored
            "password_hash": "forged",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == "hadiza@example.org"))
    assert user.role == Role.COORDINATOR and user.active and user.password_hash != "forged"

    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "name": "Hadiza Moussa Ali",
            "email": "hadiza@example.org",
            "role": "trainer",
            "locale": "",
            "active": "y",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert user.role == Role.TRAINER and user.name == "Hadiza Moussa Ali"

    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 303
    db.session.expire_all()
    assert not user.active
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Hadiza Moussa Ali" in listing and "Deactivated" in listing


def test_admin_form_errors_show_next_to_the_field(client, login_as):
    login_as("admin")
    factories.make_user(email="taken@example.org")
    db.session.commit()
    response = client.post(
        "/admin/users/new",
        data={
            "name": "X Y",
            "email": "taken@example.org",
            "role": "coordinator",
            "password": "Harmattan-Wind-2026",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already exists" in text and "invalid-feedback" in text


def test_unknown_user_gives_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.get("/admin/users/not-a-number/edit").status_code == 404


def test_unknown_role_value_is_a_form_error(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "X Y",
            "email": "new@example.org",
            "role": "superuser",
            "password": "Harmattan-Wind-2026",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "new@example.org")) is None


def test_user_list_labels_the_trainer_role_as_a_role(client, login_as):
    """Regression: one label map served two enums sharing the value
    "trainer", so the user list called a trainer "Trainer certificate"."""
    from tests import factories

    factories.make_user(role="trainer", name="Mariam Ouedraogo")
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    row = page[page.index("Mariam Ouedraogo") :].split("</tr>")[0]
    assert ">Trainer<" in row
    assert "certificate" not in row.lower()


def test_each_enum_keeps_its_own_label():
    from training.auth.models import Role
    from training.certificates.models import CertificateKind

    assert Role.TRAINER == CertificateKind.TRAINER  # the same stored value...
    assert Role.TRAINER.label == "Trainer"  # ...but each enum its own words
    assert CertificateKind.TRAINER.label == "Trainer certificate"
