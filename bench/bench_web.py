"""Atelier's pages under gunicorn against a bare Flask + SQLAlchemy page
(issue 18): requests per second and latency at 16 keep-alive connections.

    .venv/bin/python bench/bench_web.py                        # the demo, SQLite
    .venv/bin/python bench/generate.py --database-url sqlite:////tmp/atelier-full.sqlite3
    .venv/bin/python bench/bench_web.py --scale full --database-url sqlite:////tmp/atelier-full.sqlite3
    bash .ci/with-postgres.sh .venv/bin/python bench/bench_web.py --postgres
    bash .ci/with-postgres.sh .venv/bin/python bench/bench_web.py --postgres --scale full

Two gunicorn servers run on the same database, with the same settings
(--workers, gthread with --threads, keep-alive): Atelier (wsgi:app) and a
bare page (`bare_app` below: Flask, SQLAlchemy's ORM, one Jinja template)
showing a 40-row table of participants and their organisations. One run
loads each in turn, the bare page first and again between rounds, with
--connections concurrent keep-alive connections from this process (an
asyncio HTTP/1.1 client: no wrk on this machine), each page for
--duration seconds after a --warmup. Atelier's pages are asked for as the
signed-in coordinator (the demo's, or the bench coordinator at full scale);
/verify/<code> anonymously. The table gives requests per second, the
median and the 99th percentile of latency and the ratio to the bare page
(target: at least 0.5, p99 under 100 ms).

--scale demo builds a fresh demo database (SQLite: a file in a temporary
folder unless --database-url names one; --postgres: the empty database of
.ci/with-postgres.sh). --scale full expects a database bench/generate.py
filled. --before TREE also serves Atelier as in another checkout (the tree
before a change, e.g. `git archive <commit> | tar -x -C /tmp/before`) on
the same database, and loads each of its pages just before this tree's:
before and after in one run. --profile profiles each page in this process
instead (cProfile, Flask's test client) and prints where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-Coordinator-2026"  # noqa: S105  (a local benchmark account)
EMAIL = "bench-coordinator@bench.example"
SECRET = "bench-web-only-secret-0123456789-abcdefghijklmnop"  # noqa: S105  (local servers)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0


# The bare page -------------------------------------------------------------

BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Participants</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main><h1>Participants</h1>
<table class="table"><thead><tr><th>Name</th><th>Nationality</th><th>Sex</th>
<th>Organisation</th><th>Email</th></tr></thead><tbody>
{% for person in people %}<tr><td><a href="/participants/{{ person.id }}">
{{ person.family_name }}, {{ person.given_name }}</a></td><td>{{ person.nationality or "" }}</td>
<td>{{ person.sex }}</td><td>{{ person.organisation.name if person.organisation else "" }}</td>
<td>{{ person.email or "" }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""


class _Base(DeclarativeBase):
    pass


class BareOrganisation(_Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class BareParticipant(_Base):
    __tablename__ = "participant"
    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str]
    family_name: Mapped[str]
    nationality: Mapped[str | None]
    sex: Mapped[str]
    email: Mapped[str | None]
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    organisation: Mapped[BareOrganisation | None] = relationship(lazy="joined")


def bare_app():
    """gunicorn 'bench.bench_web:bare_app()': Flask and SQLAlchemy's ORM,
    nothing else, on BENCH_DATABASE_URL."""
    from flask import Flask

    engine = sa.create_engine(os.environ["BENCH_DATABASE_URL"], pool_pre_ping=True)
    app = Flask(__name__)
    template = app.jinja_env.from_string(BARE_TEMPLATE)  # compiled once, as render_template does

    @app.get("/bare")
    def bare():
        with Session(engine) as session:
            people = session.scalars(
                # By primary key: at full scale an ORDER BY family_name sorts
                # 100,000 rows (no index) and the bare page fell to 1 req/s.
                sa.select(BareParticipant).order_by(BareParticipant.id).limit(40)
            ).all()
            return template.render(people=people)

    return app


# Servers -------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    name: str, target: str, env: dict[str, str], arguments, folder: Path, tree: Path = ROOT
) -> Server:
    port = free_port()
    log = folder / f"{name}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(arguments.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(arguments.threads),
            "--keep-alive",
            "30",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            target,
        ],
        cwd=tree,
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Server(name, port, process, log)


def wait_serving(server: Server, path: str) -> None:
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited:\n{server.log.read_text(errors='replace')}")
        try:
            if requests.get(f"http://127.0.0.1:{server.port}{path}", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{server.name} did not start:\n{server.log.read_text(errors='replace')}")


# The load ------------------------------------------------------------------


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    size: int = 0

    def add(self, other: Result) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.latencies += other.latencies
        for status, count in other.errors.items():
            self.errors[status] = self.errors.get(status, 0) + count
        self.size = other.size or self.size

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, int]:
    """Status, whether the connection stays open, body size."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    size = 0
    if "content-length" in headers:
        size = int(headers["content-length"])
        await reader.readexactly(size)
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                break
    keep = headers.get("connection", "").lower() != "close"
    return status, keep, size


async def _connection(port, request, until, result: Result, record: bool) -> None:
    reader = writer = None
    while time.perf_counter() < until:
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.perf_counter()
        writer.write(request)
        try:
            status, keep, size = await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            writer = None
            continue
        if record:
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            result.size = size
            if status != 200:
                result.errors[status] = result.errors.get(status, 0) + 1
        if not keep:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _load(port: int, request: bytes, connections: int, seconds: float, record: bool):
    result = Result()
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(_connection(port, request, until, result, record) for _ in range(connections))
    )
    result.seconds = time.perf_counter() - started
    return result


def load(port: int, path: str, cookie: str, arguments) -> Result:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: bench_web\r\n"
        f"Accept: text/html\r\nAccept-Encoding: {arguments.encoding}\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    if arguments.warmup:
        asyncio.run(_load(port, request, arguments.connections, arguments.warmup, record=False))
    return asyncio.run(_load(port, request, arguments.connections, arguments.duration, record=True))


# The database and what to ask for -----------------------------------------


def bench_config(url: str):
    from config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False
        WTF_CSRF_ENABLED = False

    return BenchConfig()


def prepare(url: str, scale: str) -> tuple[str, str, dict[str, str]]:
    """The coordinator's email and password, and the pages to load."""
    from flask_migrate import upgrade

    from training import create_app
    from training.auth.models import Role, User
    from training.auth.services import hash_password
    from training.certificates.models import Certificate, CertificateStatus
    from training.demo import database_is_empty, seed_demo
    from training.demo.builder import COORDINATOR_EMAIL, DEMO_PASSWORD
    from training.enrollment.models import Enrollment, EnrollmentStatus
    from training.extensions import db
    from training.sessions.models import TrainingSession

    app = create_app(bench_config(url))
    with app.app_context():
        if scale == "demo":
            upgrade()
            if database_is_empty():
                seed_demo(date.today())
                db.session.commit()
            email, password = COORDINATOR_EMAIL, DEMO_PASSWORD
        else:
            if not db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)):
                raise SystemExit("Fill the database first: bench/generate.py --database-url ...")
            email, password = EMAIL, PASSWORD
            if db.session.scalar(sa.select(User).where(User.email == EMAIL)) is None:
                db.session.add(
                    User(
                        email=EMAIL,
                        name="Bench Coordinator",
                        password_hash=hash_password(PASSWORD),
                        role=Role.COORDINATOR,
                        locale="en",
                    )
                )
                db.session.commit()
        # The session with the most confirmed participants (the heaviest
        # page and day grid), its first day, and a valid certificate's code.
        confirmed = sa.func.count(Enrollment.id)
        session_id, start = db.session.execute(
            sa.select(TrainingSession.id, TrainingSession.start_date)
            .join(Enrollment, Enrollment.session_id == TrainingSession.id)
            .where(Enrollment.status == EnrollmentStatus.CONFIRMED)
            .group_by(TrainingSession.id, TrainingSession.start_date)
            .order_by(confirmed.desc(), TrainingSession.id)
            .limit(1)
        ).one()
        code = db.session.scalar(
            sa.select(Certificate.verification_code)
            .where(Certificate.status == CertificateStatus.VALID)
            .order_by(Certificate.id)
            .limit(1)
        )
    pages = {
        "/sessions": "/sessions",
        "/participants": "/participants",
        "session page": f"/sessions/{session_id}",
        "/reports": "/reports",
        "day grid": f"/sessions/{session_id}/attendance/{start.isoformat()}",
        "/verify/<code>": f"/verify/{code}",
    }
    return email, password, pages


def sign_in(port: int, email: str, password: str) -> str:
    import requests

    http = requests.Session()
    page = http.get(f"http://127.0.0.1:{port}/login", timeout=30)
    found = CSRF.search(page.text)
    data = {"email": email, "password": password}
    if found:
        data["csrf_token"] = found.group(1) or found.group(2)
    response = http.post(
        f"http://127.0.0.1:{port}/login", data=data, allow_redirects=False, timeout=30
    )
    if response.status_code != 302:
        raise SystemExit(f"Could not sign in as {email}: {response.status_code}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in http.cookies)


def profile(
    url: str, email: str, password: str, pages: dict[str, str], count: int, top: int = 25
) -> None:
    import cProfile
    import pstats

    from bench.statements import recording_statements
    from training import create_app
    from training.extensions import db

    app = create_app(bench_config(url))
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code
    anonymous = app.test_client()
    for name, path in pages.items():
        who = anonymous if path.startswith("/verify") else client
        for _ in range(3):
            who.get(path)
        with app.app_context(), recording_statements(db.engine) as executed:
            who.get(path)
        started = time.perf_counter()
        for _ in range(count):
            who.get(path)
        plain = (time.perf_counter() - started) / count * 1000
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            status = who.get(path).status_code
        profiler.disable()
        elapsed = (time.perf_counter() - started) / count * 1000
        print(
            f"\n=== {name} {path}: {status}, {plain:.1f} ms a request ({elapsed:.1f} ms under "
            f"cProfile), {len(executed)} statements"
        )
        for entry in executed:
            print(f"  {entry.seconds * 1000:6.2f} ms  {' '.join(entry.statement.split())[:150]}")
        stats = pstats.Stats(profiler)
        print_shares(stats)
        stats.sort_stats("tottime").print_stats(top)


def _package(filename: str) -> str:
    """Who owns a function: a library, a part of Atelier, the templates."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if "/templates/" in filename:
        return "templates (Jinja)"
    if str(ROOT) in filename:
        return "/".join(Path(filename).relative_to(ROOT).parts[:2])
    return "python" if filename.startswith(("/usr", "<")) or "~" in filename else filename


def print_shares(stats) -> None:
    """Own time (tottime) added up by library: the ORM, WTForms, Babel..."""
    shares: dict[str, float] = {}
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():
        shares[_package(filename)] = shares.get(_package(filename), 0.0) + own
        total += own
    for name, own in sorted(shares.items(), key=lambda item: -item[1])[:14]:
        print(f"  {own / total:6.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", choices=("demo", "full"), default="demo")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="the database of .ci/with-postgres.sh (TEST_DATABASE_URL, ATELIER_DATABASE_URL)",
    )
    parser.add_argument("--database-url", help="default: a fresh demo SQLite file")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of load a page")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--encoding", default="identity", help="Accept-Encoding sent (gzip, br)")
    parser.add_argument("--only", help="load only the pages whose name contains this")
    parser.add_argument("--profile", type=int, metavar="N", help="profile N requests a page")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="TREE",
        help="also load each page from Atelier as in TREE (a checkout: git worktree add)",
    )
    arguments = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-web-"))
    url = arguments.database_url
    if arguments.postgres:
        url = url or os.environ.get("ATELIER_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if not url:
            raise SystemExit("--postgres: run under .ci/with-postgres.sh")
    if not url:
        if arguments.scale == "full":
            raise SystemExit("--scale full: name the database bench/generate.py filled")
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
    print("Load average (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    email, password, pages = prepare(url, arguments.scale)
    if arguments.only:
        pages = {name: path for name, path in pages.items() if arguments.only in name}
    if arguments.profile:
        profile(url, email, password, pages, arguments.profile)
        return

    environment = {
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "ATELIER_ENV": "development",
        "SECRET_KEY": SECRET,
        "ATELIER_LOGIN_RATE_LIMIT": "100000 per minute",
        "ATELIER_VERIFY_RATE_LIMIT": "1000000 per minute",
        "ATELIER_API_RATE_LIMIT": "1000000 per minute",
        "ATELIER_REQUEST_LOG": "off",
        "ATELIER_KEY_DIR": str(folder / "keys"),
    }
    servers = [
        start_server("bare", "bench.bench_web:bare_app()", environment, arguments, folder),
        start_server("atelier", "wsgi:app", environment, arguments, folder),
    ]
    if arguments.before:
        servers.append(
            start_server(
                "before", "wsgi:app", environment, arguments, folder, arguments.before.resolve()
            )
        )
    try:
        bare, atelier = servers[:2]
        wait_serving(bare, "/bare")
        for server in servers[1:]:
            wait_serving(server, "/healthz")
        cookies = {server.name: sign_in(server.port, email, password) for server in servers[1:]}
        print(
            f"Database: {url.split('@')[-1]} ({arguments.scale}); gunicorn {arguments.workers} "
            f"workers x {arguments.threads} threads (gthread); {arguments.connections} "
            f"keep-alive connections, {arguments.rounds} rounds x {arguments.duration:g} s a page"
        )
        results: dict[str, Result] = {"bare": Result()}
        for name in pages:
            if arguments.before:
                results[f"{name} (before)"] = Result()
            results[name] = Result()
        for _round in range(arguments.rounds):
            results["bare"].add(load(bare.port, "/bare", "", arguments))
            for name, path in pages.items():
                for server in servers[:0:-1]:  # before (when asked), then this tree
                    key = name if server is atelier else f"{name} (before)"
                    cookie = "" if path.startswith("/verify") else cookies[server.name]
                    results[key].add(load(server.port, path, cookie, arguments))
        results["bare"].add(load(bare.port, "/bare", "", arguments))
        baseline = results["bare"].per_second
        print(
            f"{'page':<25} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} "
            f"{'KB':>6} {'errors':>8}  target (ratio >= {TARGET_RATIO}, p99 < {TARGET_P99_MS:g} ms)"
        )
        failures = 0
        for name, result in results.items():
            ratio = result.per_second / baseline if baseline else 0.0
            verdict = ""
            if name != "bare" and not name.endswith("(before)"):
                ok = (
                    ratio >= TARGET_RATIO
                    and result.percentile(0.99) < TARGET_P99_MS
                    and not result.errors
                )
                failures += not ok
                verdict = "ok" if ok else "MISSED"
            errors = ",".join(f"{s}x{n}" for s, n in sorted(result.errors.items())) or "-"
            print(
                f"{name:<25} {result.per_second:>8.1f} {result.percentile(0.5):>8.1f} "
                f"{result.percentile(0.99):>8.1f} {ratio:>6.2f} {result.size / 1024:>6.1f} "
                f"{errors:>8}  {verdict}"
            )
    finally:
        for server in servers:
            server.stop()
    print("Load average (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
