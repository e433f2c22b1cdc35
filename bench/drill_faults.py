"""A fault drill: one gunicorn server (two workers) on a PostgreSQL and a
Redis of its own, all on this machine, and three faults under load.

    .venv/bin/python bench/drill_faults.py [--outage 5]

1. PostgreSQL stopped and started again while four coordinators nominate
   participants as fast as they can: what the server answers while it is
   down (a 503 page, never a 500), how soon after it is back the first
   request succeeds (nothing restarted: pool_pre_ping), and whether every
   nomination that was acknowledged (302) is in the database afterwards.
2. Redis stopped: signing in (limits in PostgreSQL) and the verify page
   (its limit falls back to each process) still answer; /readyz says 503
   and names the Redis; after Redis is back, 200.
3. A worker killed (SIGKILL) in the middle of a request nominating 300
   people in one transaction: afterwards either all 300 or none are
   nominated, never a part.

Every server listens on 127.0.0.1 only and is stopped at the end; the
request loops are bounded in count and time. Needs PostgreSQL 15's server
programs and redis-server (.ci/system-deps.sh).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

import requests
import sqlalchemy as sa

from tests.conftest import TEST_PASSWORD
from tests.scaleout.nodes import Browser, free_port, start_node, stop_nodes, wait_until_serving

PG_BIN = Path(
    os.path.dirname(os.path.realpath(shutil.which("initdb") or "/usr/lib/postgresql/15/bin/initdb"))
)
AS_ROOT = os.geteuid() == 0


def _as(user: str, command: list[str], **options) -> subprocess.CompletedProcess:
    if AS_ROOT:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **options)


class Postgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        folder.mkdir(mode=0o700)
        if AS_ROOT:
            shutil.chown(folder, "postgres")
        _as(
            "postgres",
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(folder / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )
        self.start()
        _as(
            "postgres",
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-q",
                "-c",
                "CREATE DATABASE atelier_drill",
            ],
        )
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/atelier_drill"

    def start(self) -> None:
        _as(
            "postgres",
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-l",
                str(self.folder / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                "start",
            ],
        )

    def stop(self, mode: str = "fast") -> None:
        _as(
            "postgres",
            [str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"],
        )


class Redis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        folder.mkdir(mode=0o700)
        if AS_ROOT:
            shutil.chown(folder, "redis")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        _as(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.folder / "redis.pid"),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        for _ in range(100):
            try:
                import redis

                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except Exception:  # not up yet
                time.sleep(0.1)

    def stop(self) -> None:
        pid = int((self.folder / "redis.pid").read_text())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def seed(url: str, key_dir: Path, participants: int) -> dict:
    from flask_migrate import upgrade

    from config import TestConfig
    from tests import factories
    from training import create_app
    from training.certificates import keys
    from training.extensions import db

    class SeedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ATELIER_KEY_DIR = str(key_dir)

    app = create_app(SeedConfig())
    with app.app_context():
        upgrade()
        coordinators = [factories.make_user("coordinator", locale="en") for _ in range(4)]
        training_session = factories.make_session(capacity=5000, screening_required=False)
        organisation = factories.make_organisation()
        people = [
            factories.make_participant(cleared=False, organisation=organisation)
            for _ in range(participants)
        ]
        keys.create_keys()
        db.session.commit()
        seeded = {
            "coordinators": [user.email for user in coordinators],
            "session_id": training_session.id,
            "participant_ids": [person.id for person in people],
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


def sign_in(node, email: str) -> Browser:
    browser = Browser()
    browser.get(node, "/login")
    response = browser.post(node, "/login", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.status_code
    browser.get(node, "/sessions")
    return browser


def drill_postgres(node, postgres: Postgres, seeded: dict, engine, outage: float) -> None:
    print(f"\n1. PostgreSQL stopped for {outage:.0f} s under load (4 coordinators nominating)")
    session_id = seeded["session_id"]
    slices = [seeded["participant_ids"][index::4][:120] for index in range(4)]
    browsers = [sign_in(node, email) for email in seeded["coordinators"]]
    for browser in browsers:
        browser.get(node, f"/sessions/{session_id}/enrollments")
    answers: list[tuple[float, int]] = []
    acknowledged: list[int] = []
    stop_at = time.monotonic() + 60
    done = threading.Event()

    def load(browser: Browser, ids: list[int]) -> None:
        for participant_id in ids:
            if done.is_set() or time.monotonic() > stop_at:
                return
            try:
                response = browser.post(
                    node,
                    f"/sessions/{session_id}/enrollments/nominate",
                    {"participant_id": participant_id},
                )
                status = response.status_code
            except requests.RequestException:
                status = 0
            answers.append((time.monotonic(), status))
            if status == 302:
                acknowledged.append(participant_id)
            elif status == 503:
                time.sleep(0.2)  # as a person would, then try the next one

    threads = [
        threading.Thread(target=load, args=pair) for pair in zip(browsers, slices, strict=True)
    ]
    for thread in threads:
        thread.start()
    time.sleep(2)
    stopped = time.monotonic()
    postgres.stop("fast")
    time.sleep(outage)
    postgres.start()
    started = time.monotonic()
    time.sleep(4)
    done.set()
    for thread in threads:
        thread.join(30)
    during = Counter(status for moment, status in answers if stopped <= moment < started)
    before = Counter(status for moment, status in answers if moment < stopped)
    after = [(moment, status) for moment, status in answers if moment >= started]
    first_ok = next((moment - started for moment, status in after if status == 302), None)
    print(
        f"   before: {dict(before)}; while down: {dict(during)}; after: "
        f"{dict(Counter(status for _m, status in after))}"
    )
    print(
        f"   first acknowledged write after the restart: "
        f"{'none' if first_ok is None else f'{first_ok:.2f} s'} (nothing restarted)"
    )
    page = requests.get(f"{node.url}/readyz", timeout=5)
    print(f"   /readyz after: {page.status_code}")
    with engine.connect() as connection:
        stored = set(
            connection.execute(
                sa.text("SELECT participant_id FROM enrollment WHERE session_id = :sid"),
                {"sid": session_id},
            ).scalars()
        )
    lost = set(acknowledged) - stored
    print(
        f"   acknowledged nominations: {len(acknowledged)}; in the database: "
        f"{len(stored & set(acknowledged))}; lost: {len(lost)}; 500s: "
        f"{sum(1 for _m, status in answers if status == 500)}"
    )


def drill_redis(node, redis_server: Redis, seeded: dict) -> None:
    print("\n2. Redis stopped")
    redis_server.stop()
    started = time.monotonic()
    browser = sign_in(node, seeded["coordinators"][0])
    signed_in = browser.get(node, "/").status_code
    verify = Counter(requests.get(f"{node.url}/verify", timeout=10).status_code for _ in range(5))
    ready = requests.get(f"{node.url}/readyz", timeout=10)
    print(
        f"   sign-in and home: {signed_in}; /verify x5: {dict(verify)}; "
        f"/readyz: {ready.status_code} {ready.json()}; in {time.monotonic() - started:.1f} s"
    )
    redis_server.start()
    ready = requests.get(f"{node.url}/readyz", timeout=10)
    print(f"   Redis started again: /readyz {ready.status_code}")


def worker_pids(node) -> list[int]:
    result = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(node.process.pid)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in result.stdout.split()]


def drill_killed_worker(node, seeded: dict, engine) -> None:
    print("\n3. A worker killed in the middle of nominating 300 people in one request")
    session_id = seeded["session_id"]
    batch = seeded["participant_ids"][-300:]
    browser = sign_in(node, seeded["coordinators"][1])
    browser.get(node, f"/sessions/{session_id}/enrollments")
    outcome: dict = {}

    def send() -> None:
        try:
            response = browser.post(
                node,
                f"/sessions/{session_id}/enrollments/nominate-many",
                {"participant_id": batch},
            )
            outcome["status"] = response.status_code
        except requests.RequestException as error:
            outcome["status"] = type(error).__name__

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.6)
    killed = worker_pids(node)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    thread.join(60)
    wait_until_serving([node])
    with engine.connect() as connection:
        kept = connection.execute(
            sa.text(
                "SELECT count(*) FROM enrollment WHERE session_id = :sid "
                "AND participant_id = ANY(:ids)"
            ),
            {"sid": session_id, "ids": batch},
        ).scalar()
    print(
        f"   workers killed: {len(killed)}; the client saw: {outcome.get('status')}; "
        f"nominated of the 300: {kept} "
        f"({'all or nothing: held' if kept in (0, 300) else 'PARTIAL'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL stays down")
    arguments = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    folder = Path(tempfile.mkdtemp(prefix="atelier-drill-"))
    # The servers' own accounts (postgres, redis) go through it to their
    # folders, each 0700; nothing in it is readable by others.
    os.chmod(folder, 0o711)  # noqa: S103
    postgres = redis_server = None
    nodes = []
    try:
        postgres = Postgres(folder / "pg")
        redis_server = Redis(folder / "redis")
        key_dir = folder / "keys"
        key_dir.mkdir(mode=0o700)
        seeded = seed(postgres.url, key_dir, participants=800)
        environment = {
            "ATELIER_ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": postgres.url,
            "RATELIMIT_STORAGE_URI": redis_server.url,
            "ATELIER_KEY_DIR": str(key_dir),
            "ATELIER_LOGIN_RATE_LIMIT": "1000 per minute",
        }
        nodes = [start_node("drill", environment, folder, workers=2)]
        wait_until_serving(nodes)
        engine = sa.create_engine(postgres.url)
        drill_postgres(nodes[0], postgres, seeded, engine, arguments.outage)
        drill_redis(nodes[0], redis_server, seeded)
        drill_killed_worker(nodes[0], seeded, engine)
        engine.dispose()
    finally:
        stop_nodes(nodes)
        if redis_server is not None:
            with contextlib.suppress(OSError, ValueError):
                redis_server.stop()
        if postgres is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                postgres.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
