"""The keys, as a PKI keeps them: `flask keys create | rotate | compromise |
list`, private parts out of the database in 0600 files or the
environment, windows and statuses in the database."""

from __future__ import annotations

import stat
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.certificates.conftest import completed_session, graduate
from training.audit.models import AuditEvent
from training.certificates import keys, services, signing, verification
from training.certificates.models import KeyPurpose, KeyStatus, SigningKey
from training.domain import DomainError
from training.extensions import db


@pytest.fixture
def key_dir(app, tmp_path):
    """A key folder of the test's own, and no keys made on demand."""
    folder = tmp_path / "keys"
    app.config.update(ATELIER_KEY_DIR=str(folder), ATELIER_KEYS_ON_DEMAND=False)
    keys._private_keys.clear()
    yield folder
    app.config.update(ATELIER_KEY_DIR=None, ATELIER_KEYS_ON_DEMAND=True)
    keys._private_keys.clear()


def rows() -> list[SigningKey]:
    return list(db.session.scalars(sa.select(SigningKey).order_by(SigningKey.id)))


def test_create_makes_a_root_and_a_signing_key_with_private_files(runner, key_dir):
    result = runner.invoke(args=["keys", "create"])
    assert result.exit_code == 0, result.output
    root, signer = rows()
    assert (root.purpose, signer.purpose) == (KeyPurpose.ROOT, KeyPurpose.CERTIFICATES)
    assert root.status == signer.status == KeyStatus.ACTIVE
    assert signer.not_after - signer.not_before == timedelta(days=729)
    assert root.not_after - root.not_before == timedelta(days=3649)
    for key in (root, signer):
        path = key_dir / f"{key.kid}.pem"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert key.kid in result.output
        # The kid is the public key's fingerprint; the database holds no
        # private part (only the DER public key, 91 bytes).
        loaded = signing.load_private_key(path.read_bytes())
        assert signing.key_id(loaded.public_key()).hex() == key.kid
        assert len(key.public_key) == 91 and b"PRIVATE" not in key.public_key
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("key.created") == 2


def test_create_twice_is_refused_unless_if_missing(runner, key_dir):
    assert runner.invoke(args=["keys", "create"]).exit_code == 0
    again = runner.invoke(args=["keys", "create"])
    assert again.exit_code != 0 and "already exist" in again.output
    quiet = runner.invoke(args=["keys", "create", "--if-missing"])
    assert quiet.exit_code == 0 and "already exist" in quiet.output
    assert len(rows()) == 2


def test_rotate_retires_the_old_key_whose_certificates_keep_verifying(runner, key_dir, app):
    assert runner.invoke(args=["keys", "create"]).exit_code == 0
    enrollment = graduate(completed_session())
    first = services.issue_certificate(enrollment, None)
    old_kid = first.signing_key.kid
    result = runner.invoke(args=["keys", "rotate", "--days", "365"])
    assert result.exit_code == 0, result.output
    assert f"Retired: {old_kid}" in result.output
    old = db.session.scalar(sa.select(SigningKey).where(SigningKey.kid == old_kid))
    new = rows()[-1]
    assert old.status == KeyStatus.RETIRED and old.not_after == date.today()
    assert new.status == KeyStatus.ACTIVE and new.not_before == date.today()
    code = signing.encode_code(first.signed_payload)
    assert verification.verify_signed(code).state == "valid"
    second = services.issue_certificate(graduate(completed_session()), None)
    assert second.signing_key.kid == new.kid


def test_compromise_marks_the_key_and_its_certificates(runner, key_dir):
    assert runner.invoke(args=["keys", "create"]).exit_code == 0
    certificate = services.issue_certificate(graduate(completed_session()), None)
    kid = certificate.signing_key.kid
    result = runner.invoke(args=["keys", "compromise", kid, "--reason", "Laptop stolen"])
    assert result.exit_code == 0, result.output
    assert "flask keys rotate" in result.output
    assert certificate.signing_key.status == KeyStatus.COMPROMISED
    assert verification.verify(certificate.verification_code).state == "compromised"
    assert verification.verify_signed(signing.encode_code(certificate.signed_payload)).state == (
        "compromised"
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "key.compromised"))
    assert event.reason == "Laptop stolen"
    # It signs no more: issuing waits for a rotation.
    with pytest.raises(DomainError, match="flask keys"):
        services.issue_certificate(graduate(completed_session()), None)
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert services.issue_certificate(graduate(completed_session()), None).signing_key.kid != kid


def test_compromise_refuses_the_root_an_unknown_key_and_twice(runner, key_dir):
    assert runner.invoke(args=["keys", "create"]).exit_code == 0
    root, signer = rows()
    refused = runner.invoke(args=["keys", "compromise", root.kid])
    assert refused.exit_code != 0 and "root key cannot" in refused.output
    assert runner.invoke(args=["keys", "compromise", "0" * 16]).exit_code != 0
    assert runner.invoke(args=["keys", "compromise", signer.kid]).exit_code == 0
    again = runner.invoke(args=["keys", "compromise", signer.kid])
    assert again.exit_code != 0 and "already" in again.output


def test_list_shows_each_key_and_where_its_private_part_is(runner, key_dir, monkeypatch):
    assert "No keys yet" in runner.invoke(args=["keys", "list"]).output
    assert runner.invoke(args=["keys", "create"]).exit_code == 0
    root, signer = rows()
    output = runner.invoke(args=["keys", "list"]).output
    assert f"{root.kid}  root" in output and f"{signer.kid}  certificates" in output
    assert output.count("private part: file") == 2
    (key_dir / f"{signer.kid}.pem").unlink()
    assert "private part: MISSING" in runner.invoke(args=["keys", "list"]).output


def test_a_private_key_can_come_from_the_environment(key_dir, monkeypatch):
    keys.create_keys()
    signer = rows()[1]
    pem = (key_dir / f"{signer.kid}.pem").read_text()
    (key_dir / f"{signer.kid}.pem").unlink()
    keys._private_keys.clear()
    with pytest.raises(DomainError, match=f"ATELIER_KEY_{signer.kid.upper()}"):
        keys.certificate_signer()
    # One line, as an environment variable often has to be.
    monkeypatch.setenv(f"ATELIER_KEY_{signer.kid.upper()}", pem.replace("\n", "\\n"))
    assert keys.private_key_location(signer.kid) == "environment"
    assert keys.certificate_signer().key.kid == signer.kid


def test_another_keys_private_part_is_refused(key_dir):
    keys.create_keys()
    signer = rows()[1]
    (key_dir / f"{signer.kid}.pem").write_bytes(signing.private_key_pem(signing.new_private_key()))
    keys._private_keys.clear()
    with pytest.raises(DomainError, match="belongs to another key"):
        keys.certificate_signer()


def test_issuing_without_a_key_is_refused_with_what_to_run(client, login_as, key_dir):
    """Production's rule (no key is ever made on demand there): a clear
    refusal, nothing issued."""
    enrollment = graduate(completed_session())
    with pytest.raises(DomainError, match="flask keys create"):
        services.issue_certificate(enrollment, None)
    login_as("coordinator")
    response = client.post(
        f"/sessions/{enrollment.session_id}/certificates/issue", follow_redirects=False
    )
    assert response.status_code == 409
    assert "flask keys create" in response.text
    assert enrollment.current_certificate is None


def test_a_signing_key_past_its_window_signs_nothing(key_dir):
    keys.create_keys(signing_days=30)
    enrollment = graduate(completed_session())
    later = date.today() + timedelta(days=45)
    with time_machine.travel(later), pytest.raises(DomainError, match="flask keys rotate"):
        services.issue_certificate(enrollment, None)


def test_a_development_server_refuses_too(app, key_dir):
    from config import DevelopmentConfig

    assert DevelopmentConfig.ATELIER_KEYS_ON_DEMAND is False


def test_production_warns_of_a_key_folder_others_can_read(tmp_path):
    from config import production_problems

    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)

    class Settings:
        SECRET_KEY = "x" * 48
        ATELIER_PUBLIC_URL = "https://atelier.example.org"
        ATELIER_KEY_DIR = str(folder)

    assert any("ATELIER_KEY_DIR" in problem for problem in production_problems(Settings()))
    folder.chmod(0o700)
    assert not any("ATELIER_KEY_DIR" in problem for problem in production_problems(Settings()))
