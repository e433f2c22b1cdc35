"""Flask commands: `flask seed-demo`, `flask create-user`, `flask backup`, `flask restore`,
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

    @app.cli.command("restore")
    @click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--database-url",
        default=None,
        help="The empty database to restore into (default: DATABASE_URL's).",
    )
    def restore_command(backup_file: Path, database_url: str | None):
        """Restore BACKUP_FILE (written by `flask backup`) into an empty
        database, then check it and count its rows. Refused when the
        database already holds tables: a restore never mixes two."""
        import sqlalchemy as sa

        from training.backup import BackupError, restore_database

        url = sa.engine.make_url(database_url) if database_url else db.engine.url
        engine = sa.create_engine(url)
        try:
            existing = sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()
        if existing:
            raise click.ClickException(
                f"{url.render_as_string(hide_password=True)} already holds {len(existing)} tables: "
                "restore into a new, empty database (createdb, or a new SQLite file), then "
                "point DATABASE_URL at it."
            )
        try:
            restore_database(backup_file, url)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                if url.get_backend_name() == "sqlite":
                    check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
                    if (
                        check != "ok"
                        or connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    ):
                        raise click.ClickException(f"The restored database is damaged: {check}.")
                counts = {
                    table: connection.scalar(
                        sa.select(sa.func.count()).select_from(sa.table(table))
                    )
                    for table in ("user_account", "participant", "training_session", "certificate")
                }
                revision = (
                    connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
                    if sa.inspect(connection).has_table("alembic_version")
                    else "unknown"
                )
        finally:
            engine.dispose()
        click.echo(
            f"Restored {backup_file} (schema {revision}): "
            + ", ".join(f"{count} {table}" for table, count in counts.items())
            + ". Run `flask db upgrade` if this release is newer than the backup."
        )

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
