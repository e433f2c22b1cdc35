"""What keeping the reports' table costs the writes: a factory-built world,
before and after issue 10, side by side in one run.

    .venv/bin/python bench/bench_write_path.py                     # before = 2d83a85
    .venv/bin/python bench/bench_write_path.py --before /tmp/before --rounds 5

The world is built through the test factories (tests/factories.py) on a
fresh SQLite database: one completed session (3 days, 6 periods), 5
confirmed enrollments (each with its participant, organisation and
clearance), 30 attendance marks and --certificates certificates (3 by
default; 0 is the review's world), then one commit. Every factory call
flushes, as in the tests. It prints the SQL statements (each cursor
execution, BEGIN and COMMIT included: bench/statements.py) and the wall
time of that work, median of --runs worlds, for three trees:

- before: the old design, where a listener on SQLAlchemy's base Session
  rewrote the session's report rows inside every flush (the tree at
  --before-commit, extracted with `git archive` into a temporary folder,
  or --before DIR, e.g. a `git worktree add /tmp/before 2d83a85`);
- after: this tree, where a flush only marks what it changed in
  `report_stale`, and the next report catches up (`projection.catch_up()`:
  its statements and time are printed apart, since a report page pays them
  once, not every flush);
- floor: this tree with the projection's listeners removed, what the
  writes cost with no reports' table at all.

Each tree runs in its own fresh interpreter with that tree first on
sys.path; the three alternate --rounds times and the median of every run is
kept. The load average is printed: the machine is shared, so compare the
ratios of one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_COMMIT = "2d83a85"  # the last commit with the flush listener


def _statements_module():
    """bench/statements.py of this tree, loaded by path: the before tree may
    not have it, and both must count the same way."""
    path = ROOT / "bench" / "statements.py"
    spec = importlib.util.spec_from_file_location("bench_statements", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def build_world(certificates: int) -> None:
    """One completed session, 5 enrollments, 30 marks, a few certificates,
    through the factories, then a commit."""
    import secrets
    from datetime import date
    from decimal import Decimal

    from tests import factories
    from training.extensions import db
    from training.models import Certificate, CertificateKind, CertificateStatus, SessionStatus

    training_session = factories.make_session(
        status=SessionStatus.COMPLETED, start_date=date(2026, 3, 2)
    )
    enrollments = []
    for _ in range(5):
        enrollment = factories.enroll(training_session=training_session, post_test_score=75)
        factories.mark_all(enrollment)  # 3 days x 2 periods
        enrollments.append(enrollment)
    for enrollment in enrollments[:certificates]:
        # As tests/reports/conftest.py's make_certificate: straight into the
        # model (issuing renders PDFs, which is not what is measured here).
        participant = enrollment.participant
        db.session.add(
            Certificate(
                enrollment=enrollment,
                current_enrollment_id=enrollment.id,
                kind=CertificateKind.COMPLETION,
                serial=f"ATL-2026-{secrets.randbelow(10**6):06d}",
                verification_code=secrets.token_hex(16),
                status=CertificateStatus.VALID,
                holder_name=participant.full_name,
                course_title_en=training_session.curriculum.title_en,
                course_title_fr=training_session.curriculum.title_fr,
                session_code=training_session.code,
                start_date=training_session.start_date,
                end_date=training_session.end_date,
                city=training_session.city,
                country=training_session.country,
                language="fr",
                total_hours=Decimal("18.0"),
                issuers="UNODC; DPO",
            )
        )
        db.session.flush()
    db.session.commit()


def _remove_projection_listeners(db) -> None:
    """The floor: no listener at all (this tree's listeners are on the
    application's session factory)."""
    from sqlalchemy import event

    from training.reports import projection

    factory = db.session.session_factory
    for name, function in (
        ("after_flush", projection._after_flush),
        ("do_orm_execute", projection._do_orm_execute),
    ):
        if event.contains(factory, name, function):
            event.remove(factory, name, function)


def worker(variant: str, runs: int, certificates: int) -> dict[str, object]:
    """In a child interpreter whose sys.path starts with the tree measured."""
    from config import TestConfig
    from training import create_app
    from training.extensions import db

    recording_statements = _statements_module().recording_statements
    results: dict[str, list[float]] = {"statements": [], "ms": []}
    catch_ups: dict[str, list[float]] = {"statements": [], "ms": [], "rows": []}
    for _ in range(runs + 1):  # the first world warms up (imports, compiled statements)
        folder = tempfile.mkdtemp(prefix="atelier-bench-write-")

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite3"

        app = create_app(Config())
        with app.app_context():
            db.create_all()
            db.session.remove()
            if variant == "floor":
                _remove_projection_listeners(db)
            with recording_statements(db.engine) as executed:
                started = time.perf_counter()
                build_world(certificates)
                elapsed = time.perf_counter() - started
            results["statements"].append(len(executed))
            results["ms"].append(elapsed * 1000)
            if variant == "after":
                from training.reports import projection

                db.session.remove()
                with recording_statements(db.engine) as executed:
                    started = time.perf_counter()
                    projection.catch_up()
                    elapsed = time.perf_counter() - started
                catch_ups["statements"].append(len(executed))
                catch_ups["ms"].append(elapsed * 1000)
            import sqlalchemy as sa

            catch_ups["rows"].append(
                db.session.scalar(sa.text("SELECT COUNT(*) FROM report_training")) or 0
            )
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    # Drop the warm-up world.
    figures: dict[str, object] = {key: values[1:] for key, values in results.items()}
    figures["catch_up"] = {key: values[1:] for key, values in catch_ups.items()}
    return figures


def _before_tree(commit: str) -> str:
    """The tree at `commit` (only what the world needs), in a temporary folder."""
    folder = tempfile.mkdtemp(prefix="atelier-bench-before-")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "training", "tests", "config.py"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--before", help="a tree of the old design (default: git archive)")
    parser.add_argument("--before-commit", default=BEFORE_COMMIT)
    parser.add_argument("--runs", type=int, default=5, help="worlds per tree per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--certificates", type=int, default=3)
    parser.add_argument("--worker", choices=("before", "after", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.worker:
        sys.path.insert(0, arguments.tree)
        figures = worker(arguments.worker, arguments.runs, arguments.certificates)
        import training

        figures["imported_from"] = str(Path(training.__file__).resolve().parent.parent)
        print(json.dumps(figures))
        return 0

    made_before = arguments.before is None
    before = arguments.before or _before_tree(arguments.before_commit)
    trees = {"before": before, "after": str(ROOT), "floor": str(ROOT)}
    collected: dict[str, dict[str, list[float]]] = {}
    load = os.getloadavg()
    try:
        for round_index in range(arguments.rounds):
            order = ["before", "after", "floor"]
            order = order[round_index % 3 :] + order[: round_index % 3]
            for which in order:
                command = [sys.executable, __file__, "--worker", which, "--tree", trees[which]]
                command += ["--runs", str(arguments.runs)]
                command += ["--certificates", str(arguments.certificates)]
                done = subprocess.run(
                    command, capture_output=True, text=True, cwd=tempfile.gettempdir()
                )
                if done.returncode:
                    sys.stderr.write(done.stderr)
                    raise SystemExit(f"the {which} worker failed")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                if Path(result["imported_from"]) != Path(trees[which]).resolve():
                    raise SystemExit(f"{which}: imported training from {result['imported_from']}")
                into = collected.setdefault(which, {})
                for key in ("statements", "ms"):
                    into.setdefault(key, []).extend(result[key])
                for key, values in result["catch_up"].items():
                    into.setdefault(f"catch_up_{key}", []).extend(values)
    finally:
        if made_before:
            shutil.rmtree(before, ignore_errors=True)
    load_after = os.getloadavg()

    def median(which: str, key: str) -> float:
        return statistics.median(collected[which][key])

    runs = len(collected["after"]["ms"])
    print(
        f"A factory world: 1 completed session, 5 enrollments, 30 marks, "
        f"{arguments.certificates} certificates, one commit; SQLite; median of {runs} worlds "
        f"per tree ({arguments.rounds} alternating rounds, each tree in a fresh interpreter)"
    )
    print(f"before = {arguments.before or arguments.before_commit}, after = {ROOT}")
    print(f"{'':<44}{'statements':>11}{'ms':>9}{'report rows':>13}")
    labels = {
        "before": "before: rows rewritten in every flush",
        "after": "after: flushes mark report_stale",
        "floor": "floor: no projection listener",
    }
    for which in ("before", "after", "floor"):
        print(
            f"{labels[which]:<44}{median(which, 'statements'):>11.0f}{median(which, 'ms'):>9.1f}"
            f"{median(which, 'catch_up_rows'):>13.0f}"
        )
    print(
        f"{'after, then the catch-up of the next report':<44}"
        f"{median('after', 'catch_up_statements'):>11.0f}{median('after', 'catch_up_ms'):>9.1f}"
    )
    ratio_statements = median("after", "statements") / median("before", "statements")
    ratio_ms = median("after", "ms") / median("before", "ms")
    print(f"after / before: {ratio_statements:.2f}x statements, {ratio_ms:.2f}x time")
    print(
        "Load average (1, 5, 15 min) at start "
        + " ".join(f"{value:.2f}" for value in load)
        + ", at end "
        + " ".join(f"{value:.2f}" for value in load_after)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
