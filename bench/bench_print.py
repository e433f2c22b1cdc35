"""A session's print PDF ("all certificates in one PDF"), as a coordinator
downloads it, against the renderer alone and the old merge.

    .venv/bin/python bench/bench_print.py [--certificates 500] [--runs 3]

Builds once, in a temporary folder, a SQLite database holding one completed
session of --certificates graduates (bench/bench_issue.py's), and issues
their certificates. Then each timed run is a fresh interpreter (no font, QR,
layout or statement cache warmed by an earlier run), and one run of each
kind takes turns with the others so that the machine's load falls alike:

- `print`: GET /sessions/<id>/certificates.pdf through the test client, as
  the coordinator: the query, the statements, the digests, the drawing and
  the response (issue 18: the pages drawn again in one document);
- `renderer`: render_certificates() on the same statements, already read:
  the renderer's own speed, the ceiling;
- `merge`: the same request with every certificate's render digest cleared,
  so that each page is its stored PDF copied by pypdf (the print PDF before
  issue 18, and what a certificate issued before the digest still gets).

It prints, per kind, the median and worst of --runs (certificates a second,
size), the load average, and the ratios print/renderer and print/merge
measured in this one run.

Target (issue 18): at least 500 certificates a second and at most 3 MB for
500, each page identical to its stored certificate's
(tests/pdf/test_print_identity.py, tests/certificates/test_print_pdf.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_issue import _config, build  # from the bench folder, put on the path above

KINDS = ("print", "renderer", "merge")
TARGET_RATE = 500
TARGET_MB_PER_500 = 3.0


def issue(folder: Path) -> None:
    """Issue every certificate of the template's session, in place."""
    from training import create_app
    from training.auth.models import User
    from training.certificates.services import issue_all_eligible
    from training.extensions import db
    from training.sessions.models import TrainingSession

    world = json.loads((folder / "world.json").read_text())
    app = create_app(_config(folder, folder / "template.sqlite3"))
    with app.app_context():
        training_session = db.session.get(TrainingSession, world["session_id"])
        coordinator = db.session.scalar(db.select(User).where(User.email == world["coordinator"]))
        issue_all_eligible(training_session, coordinator)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def worker(folder: Path, kind: str) -> dict[str, object]:
    """One timed run of `kind`, in this fresh interpreter."""
    import sqlalchemy as sa

    from tests.factories import TEST_PASSWORD
    from training import create_app
    from training.certificates import documents, statements
    from training.certificates.models import Certificate
    from training.extensions import db
    from training.pdf.certificate import render_certificates
    from training.sessions.models import TrainingSession

    world = json.loads((folder / "world.json").read_text())
    database = folder / f"run-{kind}.sqlite3"
    shutil.copyfile(folder / "template.sqlite3", database)
    app = create_app(_config(folder, database))
    if kind == "merge":
        with app.app_context():
            db.session.execute(sa.update(Certificate).values(render_digest=None))
            db.session.commit()
            db.session.remove()
    load = os.getloadavg()
    if kind == "renderer":
        with app.app_context():
            training_session = db.session.get(TrainingSession, world["session_id"])
            settings = statements.certificate_settings()
            data = [
                statements.certificate_data(certificate, settings)
                for certificate in documents.session_certificates(training_session)
            ]
            started = time.perf_counter()
            pdf = render_certificates(data)
            elapsed = time.perf_counter() - started
            count = len(data)
    else:
        client = app.test_client()
        client.post("/login", data={"email": world["coordinator"], "password": TEST_PASSWORD})
        started = time.perf_counter()
        response = client.get(f"/sessions/{world['session_id']}/certificates.pdf")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        pdf = response.data
        from pypdf import PdfReader

        count = len(PdfReader(io.BytesIO(pdf)).pages)
    return {"kind": kind, "count": count, "elapsed": elapsed, "bytes": len(pdf), "load": load}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--certificates", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(worker(arguments.folder, arguments.worker)))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-print-"))
    try:
        started = time.perf_counter()
        build(folder, arguments.certificates)
        issue(folder)
        print(
            f"{arguments.certificates:,} graduates built and their certificates issued in "
            f"{time.perf_counter() - started:.0f} s (SQLite, {os.cpu_count()} cores); "
            "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())
        )
        runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
        for _ in range(arguments.runs):
            for kind in KINDS:
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", kind, "--folder", str(folder)],
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    print(done.stderr[-3000:], file=sys.stderr)
                    return done.returncode
                runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
        rates = {}
        for kind in KINDS:
            results = runs[kind]
            per_second = [run["count"] / run["elapsed"] for run in results]
            rates[kind] = statistics.median(per_second)
            size = statistics.median(run["bytes"] for run in results)
            count = results[0]["count"]
            loads = [run["load"][0] for run in results]
            print(
                f"{kind:>8}: {count:,} pages, median {rates[kind]:.0f}/s "
                f"(worst {min(per_second):.0f}/s) of {len(results)}, "
                f"{size / 1e6:.2f} MB ({size / count / 1024:.1f} KiB a page); "
                f"load average at the start {min(loads):.2f}-{max(loads):.2f}"
            )
        size = statistics.median(run["bytes"] for run in runs["print"])
        count = runs["print"][0]["count"]
        per_500 = size / count * 500 / 1e6
        print(
            f"print/renderer {rates['print'] / rates['renderer']:.2f}x, "
            f"print/merge {rates['print'] / rates['merge']:.1f}x"
        )
        print(
            f"target: >= {TARGET_RATE}/s: "
            + ("met" if rates["print"] >= TARGET_RATE else "MISSED")
            + f"; <= {TARGET_MB_PER_500} MB for 500 ({per_500:.2f} MB): "
            + ("met" if per_500 <= TARGET_MB_PER_500 else "MISSED")
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
