"""`flask jobs worker`: serve the RQ queue (ATELIER_REDIS_URL)."""

from __future__ import annotations

import click
from flask import Flask


def register_job_commands(app: Flask) -> None:
    group = click.Group("jobs", help="Long work run off the request path.")

    @group.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    def worker_command(burst: bool):
        """Run the jobs queued on Redis (ATELIER_REDIS_URL), one at a time."""
        from training.jobs import runner, services

        with app.app_context():
            chosen = services.runner()
        if chosen != "rq":
            raise click.ClickException(
                f"ATELIER_JOB_RUNNER is {chosen!r}: set ATELIER_REDIS_URL (or "
                "ATELIER_JOB_RUNNER=rq) for workers to serve a queue."
            )
        runner.work(app, burst=burst)

    @group.command("status")
    def status_command():
        """How many jobs wait, run, are ready or failed."""
        import sqlalchemy as sa

        from training.extensions import db
        from training.jobs.models import Job, JobStatus

        counts = dict(
            db.session.execute(sa.select(Job.status, sa.func.count()).group_by(Job.status)).all()
        )
        for status in JobStatus:
            click.echo(f"{status.value}: {counts.get(status, 0)}")

    app.cli.add_command(group)
