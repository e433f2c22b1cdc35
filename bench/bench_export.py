"""Time the participant-level export on a generated database.

    .venv/bin/python bench/generate.py --scale 0.25 --database-url sqlite:////tmp/atelier-quarter.sqlite3
    .venv/bin/python bench/bench_export.py --database-url sqlite:////tmp/atelier-quarter.sqlite3

At a quarter of the full scale the programme holds about 50,000
person-trainings. For the CSV (`/reports/export-participants.csv`, streamed
as the rows are read) it prints the median and worst time of --runs
downloads read to their end through the test client, and the peak of
Python memory allocated while streaming all the rows and a tenth of them
(tracemalloc, a run of its own): streaming keeps it flat. Then it times the
workbook job (`reports.participants_xlsx`, what "Participants (Excel)"
starts) once, run inline. Target: the CSV of 50,000 rows under 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.bench_reports import EMAIL, PASSWORD, ensure_coordinator
from bench.generate import bench_app, default_url
from training.auth.models import User
from training.extensions import db
from training.jobs import services as jobs
from training.reports import projection
from training.reports.export_jobs import PARTICIPANTS_XLSX
from training.reports.models import ReportTraining

CSV = "/reports/export-participants.csv"
TARGET_SECONDS = 5.0


def download(client, url: str) -> tuple[int, int, int]:
    """(status, rows, bytes) of a streamed download read to its end."""
    response = client.get(url, buffered=False)
    size = rows = 0
    for chunk in response.response:
        size += len(chunk)
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    response.close()
    return response.status_code, rows - 1, size


def peak_memory(client, url: str) -> int:
    db.session.remove()
    tracemalloc.start()
    try:
        download(client, url)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=default_url())
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    app = bench_app(arguments.database_url)
    app.config["ATELIER_JOB_RUNNER"] = "inline"
    with app.app_context():
        ensure_coordinator()
        projection.catch_up()
        trainings = db.session.scalar(sa.select(sa.func.count()).select_from(ReportTraining))
        years = sorted(
            year
            for (year,) in db.session.execute(
                sa.select(sa.extract("year", ReportTraining.start_date)).distinct()
            )
        )
        db.session.remove()
        client = app.test_client()
        client.post("/login", data={"email": EMAIL, "password": PASSWORD})
        load = os.getloadavg()
        print(
            f"{db.engine.dialect.name}, {trainings:,} person-trainings; "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )

        download(client, CSV)  # warm-up
        timings, rows = [], 0
        for _ in range(arguments.runs):
            db.session.remove()
            started = time.perf_counter()
            status, rows, size = download(client, CSV)
            timings.append(time.perf_counter() - started)
            assert status == 200, status
        median = statistics.median(timings)
        verdict = "met" if median < TARGET_SECONDS else "MISSED"
        print(
            f"{CSV}: {rows:,} rows, {size / 1e6:.1f} MB, median {median:.2f} s, "
            f"worst {max(timings):.2f} s (target < {TARGET_SECONDS:.0f} s: {verdict})"
        )

        recent = f"{CSV}?date_from={years[-1]}-01-01" if years else CSV
        small_rows = download(client, recent)[1]
        print(
            f"peak Python memory while streaming: {rows:,} rows "
            f"{peak_memory(client, CSV) / 1e6:.1f} MB; {small_rows:,} rows "
            f"{peak_memory(client, recent) / 1e6:.1f} MB"
        )

        owner = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        job = jobs.enqueue(PARTICIPANTS_XLSX, owner, filters={}, locale="en")
        db.session.commit()
        started = time.perf_counter()
        jobs.run(job.id)
        elapsed = time.perf_counter() - started
        db.session.commit()
        db.session.refresh(job)
        print(
            f"the workbook job: {job.status.value}, {job.total:,} rows, "
            f"{(job.result_size or 0) / 1e6:.1f} MB in {elapsed:.1f} s"
        )
        db.session.delete(job)
        db.session.commit()


if __name__ == "__main__":
    main()
