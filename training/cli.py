"""Flask commands: `flask seed-demo`, `flask create-user`, `flask backup`,
`flask rebuild-reports`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app

from training.auth.models import Role
from training.extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Pretend today is this date (YYYY-MM-DD); the current cycle is built around it.",
    )
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Do nothing unless the database is empty: no row in any table.",
    )
    def seed_demo_command(today, if_empty):
        """Load the demo programme (idempotent). Refused in production: its
        accounts share one published password."""
        from training.demo import seed_demo, tables_holding_data

        if current_app.config.get("ATELIER_ENV") == "production":
            raise click.ClickException(
                "seed-demo refuses to run in production (ATELIER_ENV=production): the demo "
                "accounts share a published password. Create real users with "
                "`flask create-user`."
            )
        if if_empty:
            holding_data = tables_holding_data()
            if holding_data:
                click.echo(
                    "The database is not empty (rows in "
                    + ", ".join(holding_data)
                    + "); the demo programme was not loaded."
                )
                return
        summary = seed_demo(today.date() if today else date.today())
        db.session.commit()
        click.echo(
            "Demo programme loaded: "
            + ", ".join(f"{count} {name}" for name, count in summary.items())
        )

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option(
        "--role", type=click.Choice([role.value for role in Role]), default=Role.ADMIN.value
    )
    @click.password_option()
    def create_user_command(email, name, role, password):
        """Create a user (the first administrator, typically)."""
        from training.auth.services import create_user
        from training.domain import DomainError

        try:
            user = create_user(email=email, name=name, password=password, role=Role(role))
        except DomainError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Created {user.role} {user.email}.")

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(target: Path):
        """Write a consistent backup of the database to TARGET (SQLite online
        backup, or pg_dump's custom format on PostgreSQL)."""
        from training.backup import BackupError, backup_database

        try:
            backup_database(db.engine.url, target)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backup written to {target}.")

    @app.cli.command("rebuild-reports")
    def rebuild_reports_command():
        """Rebuild the reports' rows (report_training) from the source tables,
        after the database was edited by hand. Safe at any time."""
        from training.reports.projection import rebuild

        rows = rebuild()
        db.session.commit()
        click.echo(f"Report rows rebuilt: {rows} person-trainings.")

    @app.shell_context_processor
    def shell_context():
        from training import models

        return {"db": db, **{name: getattr(models, name) for name in models.__all__}}
