"""Attempt limits that hold in production: counted before the password is
checked, atomically, in the database every worker shares; per real client
behind a trusted proxy; per account without a lock-out."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from training.audit.models import AuditEvent
from training.extensions import db, gunicorn_workers

WRONG = "Wrong-Password-123"


def _failures_evaluated() -> int:
    """Each checked wrong password leaves one audit row: how many were checked."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "auth.sign_in_failed")
    )


def _in_parallel(app, count: int, attempt) -> list[int]:
    """Run `attempt(number, client)` in `count` threads released together."""
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def run(number: int) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[number] = attempt(number, client).status_code

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def limit_of_three(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"


@pytest.mark.committed  # threads, each with its own connection
def test_parallel_guesses_from_one_address_check_no_more_than_the_limit(app, limit_of_three):
    statuses = _in_parallel(
        app,
        12,
        lambda number, client: client.post(
            "/login", data={"email": f"guess{number}@example.org", "password": WRONG}
        ),
    )
    assert sorted(statuses) == [200] * 3 + [429] * 9
    assert _failures_evaluated() == 3


@pytest.mark.committed  # threads, each with its own connection
def test_parallel_guesses_at_one_account_check_no_more_than_the_limit(app, limit_of_three):
    factories.make_user(email="target@example.org")
    db.session.commit()
    statuses = _in_parallel(
        app,
        12,
        lambda number, client: client.post(
            "/login",
            data={"email": "target@example.org", "password": WRONG},
            environ_base={"REMOTE_ADDR": f"10.0.1.{number + 1}"},
        ),
    )
    assert statuses.count(200) == 3 and statuses.count(429) == 9
    assert _failures_evaluated() == 3


def test_a_stranger_cannot_lock_the_owner_out(app, limit_of_three):
    """Past its free failures the account backs off (1 s, 2 s, 4 s … up to
    ATELIER_LOGIN_MAX_DELAY) instead of locking: the right password gets
    through once the short delay has passed, however many guesses came."""
    owner = factories.make_user(email="owner@example.org")
    db.session.commit()
    stranger, owner_browser = app.test_client(), app.test_client()

    def guess(number):
        return stranger.post(
            "/login",
            data={"email": owner.email, "password": WRONG},
            environ_base={"REMOTE_ADDR": f"192.0.2.{number}"},  # a new address each time
        )

    def owner_signs_in():
        return owner_browser.post(
            "/login",
            data={"email": owner.email, "password": factories.TEST_PASSWORD},
            environ_base={"REMOTE_ADDR": "203.0.113.5"},
        )

    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        for number in range(1, 4):
            assert guess(number).status_code == 200
        refused = guess(4)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert "Try again in 1 seconds" in refused.get_data(as_text=True)
        # The stranger keeps guessing whenever allowed: the delay doubles, capped.
        delays = []
        for number in range(5, 15):
            retry_after = int(guess(number).headers.get("Retry-After", 0))
            while retry_after:
                delays.append(retry_after)
                traveller.shift(timedelta(seconds=retry_after))
                retry_after = int(guess(number).headers.get("Retry-After", 0))
        assert delays[:5] == [1, 2, 4, 8, 16]
        assert max(delays) == app.config["LOGIN_MAX_DELAY_SECONDS"]
        # The owner, at the worst moment: a wait of at most the cap, then in.
        refused = owner_signs_in()
        assert refused.status_code == 429
        traveller.shift(timedelta(seconds=int(refused.headers["Retry-After"])))
        assert owner_signs_in().status_code == 303


def test_the_right_password_clears_the_accounts_count(app, limit_of_three):
    user = factories.make_user()
    db.session.commit()
    browser = app.test_client()
    for _ in range(2):
        assert (
            browser.post("/login", data={"email": user.email, "password": WRONG}).status_code == 200
        )
    assert (
        browser.post(
            "/login", data={"email": user.email, "password": factories.TEST_PASSWORD}
        ).status_code
        == 303
    )
    browser.post("/logout")
    for number in range(3):  # three free failures again (from other addresses)
        assert (
            browser.post(
                "/login",
                data={"email": user.email, "password": WRONG},
                environ_base={"REMOTE_ADDR": f"10.0.2.{number}"},
            ).status_code
            == 200
        )


def test_password_change_is_limited_per_account(app, client, login_as):
    login_as("trainer")
    statuses = [
        client.post(
            "/account/password",
            data={"current_password": f"not-it-{number}", "password": "Baobab-Harmattan-77"},
        ).status_code
        for number in range(7)
    ]
    assert statuses == [200] * 5 + [429] * 2
    refused = client.post(
        "/account/password",
        data={"current_password": factories.TEST_PASSWORD, "password": "Baobab-Harmattan-77"},
    )
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)


# --- behind a reverse proxy ------------------------------------------------------------


@pytest.fixture
def proxied_app(app, database_url):
    """The application as deployed behind one nginx (ATELIER_TRUSTED_PROXIES=1)."""
    from config import TestConfig
    from training import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        ATELIER_TRUSTED_PROXIES = 1
        LOGIN_RATE_LIMIT = "3 per minute"

    proxied = create_app(Config())
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def _from(client, client_address: str, number: int, proxy: str = "10.9.9.9"):
    """A failed sign-in forwarded by the proxy for `client_address`."""
    return client.post(
        "/login",
        data={"email": f"guess{number}@example.org", "password": WRONG},
        headers={"X-Forwarded-For": client_address},
        environ_base={"REMOTE_ADDR": proxy},
    ).status_code


def test_two_clients_behind_one_trusted_proxy_do_not_share_a_bucket(proxied_app):
    first, second = proxied_app.test_client(), proxied_app.test_client()
    assert [_from(first, "198.51.100.1", number) for number in range(4)] == [200, 200, 200, 429]
    assert [_from(second, "198.51.100.2", number) for number in range(4, 8)] == [
        200,
        200,
        200,
        429,
    ]


def test_without_a_trusted_proxy_a_forged_forwarded_address_changes_nothing(app, limit_of_three):
    client = app.test_client()
    statuses = [
        client.post(
            "/login",
            data={"email": f"forger{number}@example.org", "password": WRONG},
            headers={"X-Forwarded-For": f"198.51.100.{number}"},
        ).status_code
        for number in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


# --- the Flask-Limiter store with several workers ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "environ", "workers"),
    [
        (["pytest"], {}, 1),
        (["/srv/.venv/bin/gunicorn", "--workers", "3", "wsgi:app"], {}, 3),
        (["/srv/.venv/bin/gunicorn", "-w4", "wsgi:app"], {}, 4),
        (["/srv/.venv/bin/gunicorn", "--workers=2", "wsgi:app"], {}, 2),
        (["/srv/.venv/bin/gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "5"}, 5),
        (["/srv/.venv/bin/gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "-w 2"}, 2),
        (["/srv/.venv/bin/gunicorn", "wsgi:app"], {}, 1),
    ],
)
def test_the_number_of_gunicorn_workers_is_read_as_gunicorn_reads_it(argv, environ, workers):
    assert gunicorn_workers(argv, environ) == workers


def _production(storage: str):
    from config import ProductionConfig

    class Config(ProductionConfig):
        SECRET_KEY = "a-production-secret-for-this-test-only-0123456789"
        ATELIER_PUBLIC_URL = "https://atelier.example.org"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        RATELIMIT_STORAGE_URI = storage

    return Config()


def test_production_refuses_the_memory_store_with_several_workers(monkeypatch):
    from training import create_app

    monkeypatch.setattr("sys.argv", ["/srv/.venv/bin/gunicorn", "--workers", "3", "wsgi:app"])
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI=redis://"):
        create_app(_production("memory://"))
    create_app(_production("redis://127.0.0.1:6379"))  # a shared store: starts


def test_production_accepts_the_memory_store_with_one_worker(monkeypatch):
    from training import create_app

    monkeypatch.setattr("sys.argv", ["/srv/.venv/bin/gunicorn", "--workers", "1", "wsgi:app"])
    assert create_app(_production("memory://")) is not None
