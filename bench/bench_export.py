"""Time the participant-level export on a generated database.

    .venv/bin/python bench/generate.py --scale 0.25 --database-url sqlite:////tmp/atelier-quarter.sqlite3
    .venv/bin/python bench/bench_export.py --database-url sqlite:////tmp/atelier-quarter.sqlite3
    .venv/bin/python bench/bench_export.py --rows 200000 --database-url sqlite:////tmp/atelier-full.sqlite3

At a quarter of the full scale the programme holds about 50,000
person-trainings. For the CSV (`/reports/export-participants.csv`, streamed
as the rows are read) it prints the median and worst time of --runs
downloads read to their end through the test client, and the peak of
Python memory allocated while streaming all the rows and a tenth of them
(tracemalloc, a run of its own): streaming keeps it flat. Then it times the
workbook job (`reports.participants_xlsx`, what "Participants (Excel)"
starts) once, run inline (--no-workbook skips it).

--rows N first makes sure the database holds about N person-trainings:
when it holds fewer, bench/generate.py fills it afresh at the scale that
gives them (200,000 at full scale). Beside tracemalloc's figure it prints
the process's peak resident memory (VmHWM, reset before each measure)
while streaming all the rows and a tenth of them: constant memory means
the two are alike. Targets (issue 18): 200,000 rows under 3 s; 50,000
under 5 s before it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
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
FULL_SCALE_ROWS = 200_000  # person-trainings of bench/generate.py at --scale 1
FULL_SCALE_TARGET_SECONDS = 3.0


def resident_peak_after(work) -> int:
    """The process's peak resident memory (bytes) while `work` runs, the
    peak reset first (Linux: /proc/self/clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")
    work()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def ensure_rows(url: str, rows: int) -> None:
    """Fill the database afresh with bench/generate.py when it holds fewer
    than about `rows` person-trainings."""
    app = bench_app(url)
    with app.app_context():
        try:
            held = db.session.scalar(sa.select(sa.func.count()).select_from(ReportTraining)) or 0
        except sa.exc.OperationalError:
            held = 0
        db.session.remove()
        db.engine.dispose()
    if held >= rows * 0.98:
        return
    scale = rows / FULL_SCALE_ROWS
    generator = Path(__file__).resolve().parent / "generate.py"
    subprocess.run(
        [sys.executable, str(generator), "--scale", f"{scale:.4f}", "--database-url", url],
        check=True,
    )


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
    parser.add_argument("--rows", type=int, help="fill the database to about this many first")
    parser.add_argument("--no-workbook", action="store_true", help="skip the workbook job")
    arguments = parser.parse_args()
    if arguments.rows:
        ensure_rows(arguments.database_url, arguments.rows)

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
        target = FULL_SCALE_TARGET_SECONDS if rows > 150_000 else TARGET_SECONDS
        verdict = "met" if median < target else "MISSED"
        print(
            f"{CSV}: {rows:,} rows, {size / 1e6:.1f} MB, median {median:.2f} s "
            f"({rows / median:,.0f} rows/s), worst {max(timings):.2f} s "
            f"(target < {target:.0f} s: {verdict})"
        )

        recent = f"{CSV}?date_from={years[-1]}-01-01" if years else CSV
        small_rows = download(client, recent)[1]
        print(
            f"peak Python memory while streaming: {rows:,} rows "
            f"{peak_memory(client, CSV) / 1e6:.1f} MB; {small_rows:,} rows "
            f"{peak_memory(client, recent) / 1e6:.1f} MB"
        )
        db.session.remove()
        everything = resident_peak_after(lambda: download(client, CSV))
        db.session.remove()
        tenth = resident_peak_after(lambda: download(client, recent))
        print(
            f"peak resident memory while streaming: {rows:,} rows {everything / 1e6:.0f} MB; "
            f"{small_rows:,} rows {tenth / 1e6:.0f} MB"
        )
        if arguments.no_workbook:
            return

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
