"""Production refuses to start unsafe, and the demo never lands on real data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import config
from tests import factories
from training.extensions import db
from training.people.models import Participant

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 48
GOOD_URL = "https://atelier.example.org"


def production(**settings):
    """A ProductionConfig with these settings instead of the environment's."""
    values = {"SECRET_KEY": GOOD_SECRET, "ATELIER_PUBLIC_URL": GOOD_URL, **settings}
    return type("Settings", (config.ProductionConfig,), values)


@pytest.fixture(autouse=True)
def _no_flask_debug(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)


def test_safe_production_settings_start():
    settings = production()()
    assert settings.ATELIER_PUBLIC_URL == GOOD_URL


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"ATELIER_PUBLIC_URL": ""}, "ATELIER_PUBLIC_URL is not set"),
        ({"ATELIER_PUBLIC_URL": "http://127.0.0.1:5000"}, "ATELIER_PUBLIC_URL must be an https"),
        ({"ATELIER_PUBLIC_URL": "https://"}, "ATELIER_PUBLIC_URL must be an https"),
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY is shorter than 32 bytes"),
        ({"SECRET_KEY": "é" * 15}, "SECRET_KEY is shorter than 32 bytes"),  # 30 bytes
        ({"DEBUG": True}, "FLASK_DEBUG is on"),
    ],
)
def test_production_refuses_each_unsafe_setting(settings, named):
    with pytest.raises(config.UnsafeConfiguration, match=named):
        production(**settings)()


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_production_refuses_flask_debug(monkeypatch, value):
    monkeypatch.setenv("FLASK_DEBUG", value)
    with pytest.raises(config.UnsafeConfiguration, match="FLASK_DEBUG is on"):
        production()()


def _flask(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ATELIER_", "FLASK_")) and key != "SECRET_KEY"
    }
    env.update(
        {
            "ATELIER_ENV": "production",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            **environment,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_production_has_no_development_public_url(tmp_path):
    """Without ATELIER_PUBLIC_URL, production does not fall back on the
    development address (which QR codes would freeze)."""
    result = _flask(tmp_path, "routes", SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "ATELIER_PUBLIC_URL is not set" in result.stderr


def test_the_application_exits_naming_every_unsafe_variable(tmp_path):
    result = _flask(
        tmp_path,
        "routes",
        SECRET_KEY="short",
        ATELIER_PUBLIC_URL="http://atelier.example.org",
        FLASK_DEBUG="1",
    )
    assert result.returncode != 0
    for variable in ("SECRET_KEY", "ATELIER_PUBLIC_URL", "FLASK_DEBUG"):
        assert variable in result.stderr
    assert "refuses to start in production" in result.stderr


def test_seed_demo_refuses_to_run_in_production(tmp_path):
    safe = {"SECRET_KEY": GOOD_SECRET, "ATELIER_PUBLIC_URL": GOOD_URL}
    assert _flask(tmp_path, "routes", **safe).returncode == 0  # the settings are safe...
    result = _flask(tmp_path, "seed-demo", "--if-empty", **safe)
    assert result.returncode != 0  # ...and still no demo
    assert "seed-demo refuses to run in production" in result.stderr


def test_seed_demo_refused_by_the_command_itself(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "ATELIER_ENV", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0


def test_if_empty_means_no_data_at_all(runner):
    factories.make_participant(family_name="Real")  # real data, and not one user yet
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not empty" in result.output and "participant" in result.output
    assert "not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 1


def test_signatory_defaults_live_in_the_configuration_only(monkeypatch, app):
    """Regression (issue 10): certificates/services.py kept a second set of
    signatory defaults ("Training Director"), which an empty environment
    variable silently switched to. An empty variable now means the
    configuration's default, and the certificate prints what the
    configuration says."""
    import importlib

    import config as config_module
    from training.certificates.statements import certificate_settings

    monkeypatch.setenv("ATELIER_SIGNATORY_2_NAME", "")
    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.ATELIER_SIGNATORY_2_NAME == "Head of Training"
    finally:
        monkeypatch.delenv("ATELIER_SIGNATORY_2_NAME")
        importlib.reload(config_module)
    monkeypatch.setitem(app.config, "ATELIER_SIGNATORY_2_NAME", "Mariam Koné")
    signatories = certificate_settings(app.config)["signatories"]
    assert signatories[1].name == "Mariam Koné"
    assert "Training Director" not in repr(certificate_settings(app.config))
