"""Browser tests: a live Atelier server on a seeded demo database, driven by
Playwright in Debian's headless Chromium.

Fixtures: `live_server` (its base URL), `page` (a desktop-sized tab),
`phone_page` (a 390 px wide phone), `sign_in(page, email)` and
`screenshot(page, name)` which saves a PNG under the pytest temporary folder
(or under docs/ with `docs=True` when ATELIER_UPDATE_DOCS=1, for the README).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestConfig
from training import create_app
from training.extensions import db, limiter

CHROMIUM = os.environ.get("ATELIER_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "atelier-demo"
DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    database = tmp_path_factory.mktemp("live") / "atelier-browser.sqlite3"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = os.environ.get("BROWSER_DATABASE_URL", f"sqlite:///{database}")
        WTF_CSRF_ENABLED = True  # the browser sends real forms
        BABEL_DEFAULT_LOCALE = "en"

    app = create_app(Config())
    with app.app_context():
        db.drop_all()
        db.create_all()
        from training.demo import seed_demo

        seed_demo(date.today())
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    port = _free_port()
    # Links in mail and on certificates lead to this server.
    live_app.config["ATELIER_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)
    # After every journey's clicks, the reports' table still equals a rebuild.
    from training.reports.projection import catch_up, differences

    with live_app.app_context():
        catch_up()  # what the journeys' last writes marked stale, as a report would
        # Whatever catch_up read (nothing stale: no commit) must not keep its
        # transaction, which holds SQLite's write lock outside a request.
        db.session.remove()
        with db.engine.connect() as connection:
            assert differences(connection) == 0, "report_training differs from a rebuild"


@pytest.fixture(autouse=True)
def fresh_limits(request: pytest.FixtureRequest) -> None:
    """Each test is a new visitor, but every one comes from 127.0.0.1: the
    rate limits (tested in tests/auth/test_throttle.py and beside each route)
    start afresh, so that a sweep of fifty pages does not leave the next
    test's verification refused with a 429."""
    if "live_server" in request.fixturenames:
        limiter.reset()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 860}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def sign_in() -> Callable:
    def _sign_in(tab, email: str, password: str = DEMO_PASSWORD) -> None:
        tab.goto("/login")
        tab.fill("input[name=email]", email)
        tab.fill("input[name=password]", password)
        tab.locator("form [type=submit]").first.click()
        tab.wait_for_load_state("load")

    return _sign_in


@pytest.fixture
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> Callable:
    folder = tmp_path_factory.mktemp("screenshots")

    def _screenshot(tab, name: str, docs: bool = False, full_page: bool = True) -> Path:
        # docs/ is refreshed only on request (ATELIER_UPDATE_DOCS=1), so a test
        # run leaves the committed screenshots untouched.
        to_docs = docs and os.environ.get("ATELIER_UPDATE_DOCS") == "1"
        target = (DOCS_DIR if to_docs else folder) / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(target), full_page=full_page)
        return target

    return _screenshot


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # The live server runs in threads: when Chromium drops a request
            # for a static file midway, Werkzeug's file handle is closed by
            # the garbage collector, whichever test is running then.
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )
    # The journeys share one live database and change it; the first look
    # around (test_foundation, which takes the README's screenshots) runs
    # first, on the demo programme as `make run` serves it.
    items.sort(
        key=lambda item: (
            "tests/browser" in str(item.fspath)
            and item.module.__name__.split(".")[-1] != "test_foundation"
        )
    )
