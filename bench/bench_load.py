"""Load and soak: two gunicorn nodes on one PostgreSQL and one Redis, a full
programme in the database, and locust's simulated people (coordinators
browsing and issuing certificates, trainers saving attendance days,
anonymous verifications) sending each request to the next node.

    make bench-load                                   # 50 people, 5 minutes
    make bench-load DURATION=30 SOAK=1                # the soak: RSS growth checked
    bash .ci/with-postgres.sh bash .ci/with-redis.sh \\
        .venv/bin/python bench/bench_load.py --minutes 5 --users 50 [--scale 1]

The servers are the throw-away ones of .ci/with-postgres.sh and
.ci/with-redis.sh (TEST_DATABASE_URL, TEST_REDIS_URL), or --database-url and
--redis-url; every node listens on 127.0.0.1 and is stopped at the end.
Steps: bench/generate.py fills the database (--skip-generate keeps what it
holds), accounts, signing keys and work to do are added (the plan), the
nodes start in production mode (ATELIER_ENV=production, the rate limits in
Redis), locust runs headless for the given minutes and writes its CSV files,
and the figures are printed: requests, failures, p50/p95/p99, requests a
second, and each gunicorn worker's memory (VmRSS, read from /proc) after a
minute of load and at the end.

The exit status says whether the targets were met: no failed request, p95
under 500 ms and, with --soak, no worker's memory grown by more than 20 %.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from tests.scaleout.nodes import Node, start_node, stop_nodes, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Load-bench-only-7"  # noqa: S105 (accounts of a throw-away benchmark database)
P95_TARGET_MS = 500
RSS_GROWTH_TARGET = 0.20
WARM_UP_SECONDS = 60  # the first RSS sample: after templates, pools and caches are filled


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ----------------------------------------------------------------- the data


def generate(database_url: str, scale: float) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--database-url",
            database_url,
            "--scale",
            str(scale),
        ],
        check=True,
    )
    return time.perf_counter() - started


def prepare(database_url: str, key_dir: Path, coordinators: int, issuing_sessions: int) -> dict:
    """Accounts, keys and work to do in the generated programme; returns
    the plan the locustfile reads (without the nodes)."""
    from werkzeug.security import generate_password_hash

    from config import Config
    from training import create_app
    from training.auth.models import Role, User
    from training.certificates import keys
    from training.extensions import db
    from training.models import (
        Assignment,
        Certificate,
        CertificateSerialCounter,
        Enrollment,
        Participant,
        Trainer,
        TrainingSession,
    )
    from training.reports.projection import catch_up, is_stale, refresh_sessions

    class PrepareConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        ATELIER_KEY_DIR = str(key_dir)
        SECRET_KEY = "bench-only-secret"  # noqa: S105 (never serves a request)

    random.seed(17)
    app = create_app(PrepareConfig())
    started = time.perf_counter()
    with app.app_context():
        session = db.session
        password_hash = generate_password_hash(PASSWORD)
        today = date.today()
        if is_stale():  # left by an earlier run or a bulk edit: caught up once, here
            print("Catching the report rows up first", flush=True)
            catch_up()
        if keys.root_key() is None:
            keys.create_keys()

        # The serial counter of this year past the generated serials (as a
        # migration of real records would leave it).
        year = datetime.now(UTC).year
        prefix = f"ATL-{year}-"
        last = session.scalar(
            sa.select(sa.func.max(Certificate.serial)).where(Certificate.serial.like(prefix + "%"))
        )
        number = int(last.rsplit("-", 1)[1]) if last else 0
        counter = session.get(CertificateSerialCounter, year)
        if counter is None:
            session.add(CertificateSerialCounter(year=year, last_number=number))
        else:
            counter.last_number = max(counter.last_number, number)

        # Coordinators.
        emails = []
        for index in range(coordinators):
            email = f"load-coordinator-{index}@example.org"
            if session.scalar(sa.select(User.id).where(User.email == email)) is None:
                session.add(
                    User(
                        email=email,
                        name=f"Coordinator {index}",
                        password_hash=password_hash,
                        role=Role.COORDINATOR,
                        locale="en",
                        active=True,
                    )
                )
            emails.append(email)

        # Trainers: the lead trainer of each session under way, with the
        # days of it up to today.
        under_way = session.execute(
            sa.select(TrainingSession.id, TrainingSession.start_date, TrainingSession.end_date)
            .where(TrainingSession.status == "in_progress")
            .where(TrainingSession.start_date <= today)
            .order_by(TrainingSession.id)
        ).all()
        trainers = []
        for session_id, start, end in under_way:
            lead = session.scalar(
                sa.select(Assignment.trainer_id).where(
                    Assignment.session_id == session_id, Assignment.role == "lead"
                )
            )
            confirmed = session.scalar(
                sa.select(sa.func.count())
                .select_from(Enrollment)
                .where(Enrollment.session_id == session_id, Enrollment.status == "confirmed")
            )
            if lead is None or not confirmed:
                continue
            user = session.scalar(sa.select(User).where(User.trainer_id == lead))
            if user is None:
                trainer = session.get(Trainer, lead)
                user = User(
                    email=f"load-trainer-{lead}@example.org",
                    name=trainer.name,
                    password_hash=password_hash,
                    role=Role.TRAINER,
                    locale="en",
                    active=True,
                    trainer_id=lead,
                )
                session.add(user)
            days = [
                date.fromordinal(ordinal).isoformat()
                for ordinal in range(start.toordinal(), min(end, today).toordinal() + 1)
            ]
            trainers.append({"email": user.email, "session_id": session_id, "days": days})
        if not trainers:
            raise SystemExit("no session under way today in the generated data: no trainer to load")

        # Work for the coordinators: completed sessions whose certificates
        # are still to issue (the generated ones taken back).
        completed = session.scalars(
            sa.select(TrainingSession.id)
            .where(
                TrainingSession.status == "completed",
                TrainingSession.kind != "training_of_trainers",
                # Sessions that earned certificates (the generator's last
                # sessions ran out of attendance records and earned none).
                sa.exists().where(
                    Enrollment.session_id == TrainingSession.id,
                    Certificate.enrollment_id == Enrollment.id,
                ),
            )
            .order_by(TrainingSession.end_date.desc())
            .limit(issuing_sessions)
        ).all()
        # Through the connection (Core), not the ORM session: an ORM bulk
        # DELETE marks every report row stale, and the first report page
        # would then rebuild the whole table (a minute at full scale); the
        # rows of these sessions are rewritten here instead.
        connection = session.connection()
        enrollment_ids = sa.select(Enrollment.id).where(Enrollment.session_id.in_(completed))
        certificates = Certificate.__table__
        connection.execute(
            certificates.delete().where(certificates.c.enrollment_id.in_(enrollment_ids))
        )
        refresh_sessions(connection, completed)
        session.commit()

        codes = session.scalars(
            sa.select(Certificate.verification_code).order_by(sa.func.random()).limit(5000)
        ).all()
        sessions = session.scalars(
            sa.select(TrainingSession.id).order_by(sa.func.random()).limit(1000)
        ).all()
        participants = session.scalars(
            sa.select(Participant.id).order_by(sa.func.random()).limit(1000)
        ).all()
        names = sorted(
            set(
                session.scalars(
                    sa.select(Participant.family_name).order_by(sa.func.random()).limit(200)
                ).all()
            )
        )
        if is_stale():
            raise SystemExit("report rows left stale: the first report page would rebuild them")
        db.session.remove()
        db.engine.dispose()
    print(
        f"Prepared in {time.perf_counter() - started:.1f} s: {len(emails)} coordinators, "
        f"{len(trainers)} trainers' sessions under way, {len(completed)} sessions to certify, "
        f"{len(codes)} verification codes",
        flush=True,
    )
    return {
        "password": PASSWORD,
        "coordinators": emails,
        "trainers": trainers,
        "issuable_sessions": list(completed),
        "codes": list(codes),
        "sessions": list(sessions),
        "participants": list(participants),
        "names": names,
    }


# ----------------------------------------------------------- the processes


def worker_pids(node: Node) -> list[int]:
    """The gunicorn workers of a node: the children of its master."""
    master = node.process.pid
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return sorted(int(pid) for pid in children.read_text().split())
    except OSError:
        return []


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def sample_rss(nodes: list[Node]) -> dict[str, int]:
    """{"A/1234": KiB, ...} for every worker of every node."""
    sample = {}
    for node in nodes:
        for pid in worker_pids(node):
            value = rss_kib(pid)
            if value is not None:
                sample[f"{node.name}/{pid}"] = value
    return sample


def run_locust(
    plan_path: Path, host: str, users: int, spawn_rate: float, minutes: float, prefix: Path
) -> int:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{int(minutes * 60)}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "15",
        "--loglevel",
        "WARNING",
    ]
    environment = {**os.environ, "ATELIER_LOAD_PLAN": str(plan_path)}
    return subprocess.run(command, env=environment, cwd=ROOT, check=False).returncode


def read_stats(prefix: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return [row for row in rows if row["Name"] != "Aggregated"], total


def read_failures(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as failures:
        return list(csv.DictReader(failures))


# ------------------------------------------------------------------ the run


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", ""))
    parser.add_argument(
        "--scale", type=float, default=1.0, help="of bench/generate.py (1 = 100,000 participants)"
    )
    parser.add_argument(
        "--skip-generate", action="store_true", help="keep the data the database holds"
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--soak", action="store_true", help="check each worker's memory growth")
    parser.add_argument("--out", type=Path, default=None, help="folder for locust's CSV files")
    arguments = parser.parse_args()
    if not arguments.database_url.startswith("postgresql") or not arguments.redis_url:
        parser.error(
            "needs PostgreSQL and Redis: run it through `make bench-load`, or through "
            "`bash .ci/with-postgres.sh bash .ci/with-redis.sh ...`, "
            "or give --database-url and --redis-url"
        )
    out = arguments.out or Path(tempfile.mkdtemp(prefix="atelier-load-"))
    out.mkdir(parents=True, exist_ok=True)
    key_dir = out / "keys"
    key_dir.mkdir(mode=0o700, exist_ok=True)
    print(f"Load average at the start: {loadavg()}", flush=True)

    if not arguments.skip_generate:
        seconds = generate(arguments.database_url, arguments.scale)
        print(
            f"Generated (scale {arguments.scale}) in {seconds:.0f} s; load average {loadavg()}",
            flush=True,
        )
    plan = prepare(arguments.database_url, key_dir, coordinators=20, issuing_sessions=60)

    environment = {
        "ATELIER_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": arguments.database_url,
        "RATELIMIT_STORAGE_URI": arguments.redis_url,
        "ATELIER_KEY_DIR": str(key_dir),
        "ATELIER_PUBLIC_URL": "https://atelier.example.org",
        "ATELIER_SECURE_COOKIES": "0",  # plain http on the loopback
        "ATELIER_TRUSTED_PROXIES": "1",  # X-Forwarded-For names each simulated person
        "ATELIER_REQUEST_LOG": "json",
    }
    nodes = [start_node(name, environment, out, workers=arguments.workers) for name in ("A", "B")]
    samples: list[tuple[float, dict[str, int]]] = []
    stop_sampling = threading.Event()
    try:
        wait_until_serving(nodes)
        plan["nodes"] = [node.url for node in nodes]
        plan_path = out / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")

        def sampler() -> None:
            started = time.monotonic()
            while not stop_sampling.is_set():
                samples.append((time.monotonic() - started, sample_rss(nodes)))
                stop_sampling.wait(15)

        thread = threading.Thread(target=sampler, daemon=True)
        print(
            f"Locust: {arguments.users} people for {arguments.minutes:g} min on nodes "
            f"{', '.join(plan['nodes'])} ({arguments.workers} workers each); "
            f"load average {loadavg()}",
            flush=True,
        )
        thread.start()
        started = time.perf_counter()
        run_locust(
            plan_path,
            plan["nodes"][0],
            arguments.users,
            arguments.spawn_rate,
            arguments.minutes,
            out / "load",
        )
        elapsed = time.perf_counter() - started
        stop_sampling.set()
        thread.join()
        samples.append((elapsed, sample_rss(nodes)))
        end_load = loadavg()
    finally:
        stop_sampling.set()
        stop_nodes(nodes)
    for node in nodes:
        errors = [
            line
            for line in node.log_path.read_text(errors="replace").splitlines()
            if "Traceback" in line or "[ERROR]" in line
        ]
        if errors:
            print(f"node {node.name}: {len(errors)} error lines in {node.log_path}", flush=True)

    return report(out / "load", samples, end_load, arguments.soak)


def report(
    prefix: Path, samples: list[tuple[float, dict[str, int]]], end_load: str, soak: bool
) -> int:
    rows, total = read_stats(prefix)
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    print()
    print(f"{'request':<52} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}")
    for row in sorted(rows, key=lambda row: -int(row["Request Count"])):
        print(
            f"{row['Type'] + ' ' + row['Name']:<52} {row['Request Count']:>7} "
            f"{row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{float(row['Max Response Time']):>7.0f}"
        )
    print(
        f"{'all':<52} {requests:>7} {failures:>5} {total['50%']:>6} {total['95%']:>6} "
        f"{total['99%']:>6} {float(total['Max Response Time']):>7.0f}"
    )
    print(
        f"requests a second: {float(total['Requests/s']):.1f}; load average at the end: {end_load}"
    )
    for failure in read_failures(prefix):
        print(
            f"  failed: {failure['Method']} {failure['Name']}: {failure['Error']} "
            f"× {failure['Occurrences']}"
        )

    ok = failures == 0 and float(total["95%"]) < P95_TARGET_MS
    first = next(((at, sample) for at, sample in samples if at >= WARM_UP_SECONDS), None)
    last_at, last = samples[-1]
    if first is None or not last:
        print("memory: the run was too short for a sample after the warm-up")
        return 0 if ok and not soak else 1
    first_at, first_sample = first
    print(f"memory per worker (VmRSS) at {first_at:.0f} s and {last_at:.0f} s:")
    worst = 0.0
    for worker, start in sorted(first_sample.items()):
        end = last.get(worker)
        if end is None:
            print(f"  {worker}: {start / 1024:.1f} MiB, then gone (restarted)")
            worst = float("inf")
            continue
        growth = (end - start) / start
        worst = max(worst, growth)
        print(f"  {worker}: {start / 1024:.1f} MiB -> {end / 1024:.1f} MiB ({growth:+.1%})")
    for worker in sorted(set(last) - set(first_sample)):
        print(f"  {worker}: new worker, {last[worker] / 1024:.1f} MiB at the end")
    print(f"largest growth: {worst:+.1%} (target at most +{RSS_GROWTH_TARGET:.0%})")
    if soak:
        ok = ok and worst <= RSS_GROWTH_TARGET
    print(
        f"targets: 0 failures ({'met' if failures == 0 else 'NOT met'}), p95 < {P95_TARGET_MS} ms "
        f"({'met' if float(total['95%']) < P95_TARGET_MS else 'NOT met'})"
        + (
            f", RSS growth <= 20 % ({'met' if worst <= RSS_GROWTH_TARGET else 'NOT met'})"
            if soak
            else ""
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
