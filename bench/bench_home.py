"""The coordinator's home page on a generated database, this tree and
(optionally) an older one side by side in one run.

    .venv/bin/python bench/generate.py --database-url sqlite:////tmp/atelier-full.sqlite3
    .venv/bin/python bench/bench_home.py --database-url sqlite:////tmp/atelier-full.sqlite3 \\
        --before /tmp/before          # e.g. git worktree add --detach /tmp/before 2d83a85

Signs in as the bench coordinator (bench_reports.py's account, created if
missing) and times `/` --runs times after one warm-up, in a fresh
interpreter per tree with that tree first on sys.path, the trees
alternating --rounds times. Prints the median and worst time, the SQL
statements, the slowest statements and the plan of the slowest (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), and the load average.
Target: under 150 ms. Issue 10 moved the "certificates ready to issue"
alert from the reports' table to the source tables: this shows its cost.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.15


def _statements_module():
    """bench/statements.py of this tree, loaded by path (both trees count alike)."""
    path = ROOT / "bench" / "statements.py"
    spec = importlib.util.spec_from_file_location("bench_statements", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _add_missing_columns(db) -> None:
    """An older tree may map a column the generated schema lacks (2d83a85:
    `user_account.session_nonce`, replaced since by server-side sessions):
    add it, filled with a constant, so that the older tree can sign in. The
    newer tree ignores it."""
    import sqlalchemy as sa

    with db.engine.begin() as connection:
        inspector = sa.inspect(connection)
        for table in db.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.c:
                if column.name in present:
                    continue
                kind = column.type.compile(dialect=connection.dialect)
                connection.execute(
                    sa.text(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind} '
                        "DEFAULT 'bench'"
                    )
                )
                print(f"added {table.name}.{column.name} for this tree", file=sys.stderr)


def worker(database_url: str, runs: int) -> dict[str, object]:
    from config import Config
    from training import create_app
    from training.extensions import db

    recording_statements = _statements_module().recording_statements

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "bench-only-secret"  # noqa: S105  (a local benchmark, never deployed)
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        BABEL_DEFAULT_LOCALE = "en"

    app = create_app(BenchConfig())
    with app.app_context():
        _add_missing_columns(db)
    email, password = sys.stdin.read().split()
    client = app.test_client()
    if client.post("/login", data={"email": email, "password": password}).status_code != 302:
        raise SystemExit("could not sign in as the bench coordinator")
    timings = []
    with app.app_context():
        response = client.get("/")  # warm-up
        for _ in range(runs):
            db.session.remove()
            with recording_statements(db.engine) as executed:
                started = time.perf_counter()
                response = client.get("/")
                timings.append(time.perf_counter() - started)
        db.session.remove()
        slowest = sorted(executed, key=lambda entry: entry.seconds, reverse=True)
        plan: list[str] = []
        with db.engine.connect() as connection:
            postgresql = connection.dialect.name == "postgresql"
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(
                prefix + slowest[0].statement, slowest[0].parameters
            ).all()
            plan = [str(row[-1] if len(row) > 1 else row[0]) for row in rows]
    return {
        "status": response.status_code,
        "timings": timings,
        "statements": len(executed),
        "slowest": [(entry.seconds, " ".join(entry.statement.split())) for entry in slowest[:4]],
        "slowest_text": slowest[0].statement,
        "parameters": repr(slowest[0].parameters),
        "plan": plan,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", help="default: as bench_reports.py")
    parser.add_argument("--before", help="an older tree to measure beside this one")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.worker:
        sys.path.insert(0, arguments.worker)
        print(json.dumps(worker(arguments.database_url, arguments.runs)))
        return 0

    sys.path.insert(0, str(ROOT))
    from bench.bench_reports import EMAIL, PASSWORD, ensure_coordinator
    from bench.generate import bench_app, default_url

    arguments.database_url = arguments.database_url or default_url()
    app = bench_app(arguments.database_url)
    with app.app_context():
        from training.extensions import db

        ensure_coordinator()
        db.session.remove()  # on SQLite, its transaction holds the write lock
        db.engine.dispose()
    trees = {"after": str(ROOT)}
    if arguments.before:
        trees = {"before": arguments.before, **trees}
    load = os.getloadavg()
    results: dict[str, list[dict[str, object]]] = {}
    for round_index in range(arguments.rounds):
        order = list(trees) if round_index % 2 == 0 else list(reversed(trees))
        for which in order:
            command = [sys.executable, __file__, "--worker", trees[which]]
            command += ["--database-url", arguments.database_url, "--runs", str(arguments.runs)]
            done = subprocess.run(
                command,
                input=f"{EMAIL} {PASSWORD}",
                capture_output=True,
                text=True,
                cwd=tempfile.gettempdir(),
            )
            if done.returncode:
                sys.stderr.write(done.stderr)
                raise SystemExit(f"the {which} worker failed")
            results.setdefault(which, []).append(json.loads(done.stdout.strip().splitlines()[-1]))
    load_after = os.getloadavg()
    print(f"Database: {arguments.database_url.split('@')[-1]}")
    failures = 0
    medians = {}
    for which, runs in results.items():
        timings = [timing for run in runs for timing in run["timings"]]
        medians[which] = median = statistics.median(timings)
        last = runs[-1]
        verdict = "ok" if median < TARGET and last["status"] == 200 else "SLOW"
        failures += which == "after" and verdict != "ok"
        print(
            f"\n{which} ({trees[which]}): / as a coordinator, status {last['status']}, "
            f"median {median * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms over "
            f"{len(timings)} runs, {last['statements']} SQL statements "
            f"(target < {TARGET * 1000:.0f} ms: {verdict})"
        )
        for seconds, statement in last["slowest"]:
            print(f"    {seconds * 1000:7.0f}ms  {statement[:110]}")
        print(f"  slowest statement, parameters {last['parameters']}:")
        for line in str(last["slowest_text"]).strip().splitlines():
            print(f"      {line}")
        print("  plan:")
        for line in last["plan"]:
            print(f"      {line}")
    if "before" in medians:
        print(f"\nafter / before: {medians['after'] / medians['before']:.2f}x")
    print(
        "Load average (1, 5, 15 min) at start "
        + " ".join(f"{value:.2f}" for value in load)
        + ", at end "
        + " ".join(f"{value:.2f}" for value in load_after)
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
