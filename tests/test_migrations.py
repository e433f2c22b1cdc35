"""The migrations produce exactly the models' schema, on SQLite and on
PostgreSQL, and downgrade to nothing."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestConfig
from training import create_app
from training.extensions import db

# Threads or the CLI use connections of their own: real commits.
pytestmark = pytest.mark.committed


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database on the same engine as the suite's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"atelier_migrations_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(database_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def test_upgrade_yields_the_models_schema_and_downgrade_removes_it(empty_database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config())
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"migrations and models differ: {differences}"

        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"user_account", "training_session", "certificate", "audit_event"} <= tables

        downgrade(revision="base")
        db.engine.dispose()
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_the_report_rows_migration_fills_them_from_existing_data(empty_database_url):
    """A database that held a programme before `report_training` existed
    gets every row a rebuild would write, on this engine's SQL."""
    from datetime import date

    from training.demo import seed_demo
    from training.reports.projection import differences

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config())
    with app.app_context():
        upgrade()
        seed_demo(date(2026, 11, 26))
        db.session.commit()
        rows = db.session.scalar(sa.text("SELECT COUNT(*) FROM report_training"))
        assert rows > 200
        db.session.remove()
        downgrade(revision="00dbcaf9eb21")  # the programme stays; its report rows go
        assert "report_training" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        with db.engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT COUNT(*) FROM report_training")) == rows
            assert differences(connection) == 0
        db.session.remove()
        db.engine.dispose()


def test_the_organisation_search_text_migration_fills_existing_rows(empty_database_url):
    """Organisations registered before `organisation.search_text` existed are
    found by the accent-insensitive search once migrated."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config())
    with app.app_context():
        upgrade(revision="10edd9bc960c")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organisation (name, acronym, country, kind, is_security_force)"
                    " VALUES ('Direction générale de la Sûreté nationale', 'DGSN', 'MR',"
                    " 'police', true), ('Secrétariat du G5 Sahel', NULL, NULL,"
                    " 'regional_organisation', false)"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            texts = connection.scalars(
                sa.text("SELECT search_text FROM organisation ORDER BY id")
            ).all()
        assert texts == [
            "dgsn direction generale de la surete nationale",
            "secretariat du g5 sahel",
        ]
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


def test_marks_recorded_before_sources_were_kept_are_the_apps(empty_database_url):
    """The migration that adds `attendance_record.source` keeps every mark
    already recorded, each the app's; downgrading drops the scans' table."""
    from datetime import date

    from training.demo import seed_demo

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config())
    with app.app_context():
        upgrade()
        seed_demo(date(2026, 11, 26))
        db.session.commit()
        db.session.remove()
        downgrade(revision="d750c936fb7a")  # before sources and scans
        inspector = sa.inspect(db.engine)
        assert "attendance_scan" not in inspector.get_table_names()
        assert "source" not in {c["name"] for c in inspector.get_columns("attendance_record")}
        with db.engine.connect() as connection:
            marks = connection.scalar(sa.text("SELECT COUNT(*) FROM attendance_record"))
        assert marks > 1000
        upgrade()
        with db.engine.connect() as connection:
            sources = connection.execute(
                sa.text("SELECT source, COUNT(*) FROM attendance_record GROUP BY source")
            ).all()
        assert [tuple(row) for row in sources] == [("app", marks)]
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
