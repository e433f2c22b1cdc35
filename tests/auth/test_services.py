import pytest
import sqlalchemy as sa

from tests import factories
from training.audit.models import AuditEvent
from training.auth import services
from training.auth.models import Role, SessionEnd
from training.domain import DomainError
from training.extensions import db


def test_password_is_stored_as_scrypt_hash(app):
    user = services.create_user(
        email="Awa.Sow@Example.org", name="Awa Sow", password="Kora-Sunset-1984", role=Role.TRAINER
    )
    assert user.password_hash.startswith("scrypt:")
    assert "Kora-Sunset-1984" not in user.password_hash
    assert user.email == "awa.sow@example.org"


def test_long_passphrase_is_accepted_whole(app):
    passphrase = "the river niger flows through bamako and niamey " * 4
    user = services.create_user(
        email="long@example.org", name="Long Phrase", password=passphrase, role=Role.TRAINER
    )
    db.session.commit()
    assert services.authenticate("long@example.org", passphrase) is user
    # Cutting the passphrase must not work: it was hashed whole.
    assert services.authenticate("long@example.org", passphrase[:72]) is None


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "Azerty123", "1234567890", "aaaaaaaaaaaa", "atelier-123"],
)
def test_weak_passwords_are_refused(app, password):
    with pytest.raises(services.WeakPassword):
        services.check_password_strength(password, email="x@example.org", name="X")


def test_context_password_is_refused(app):
    with pytest.raises(services.WeakPassword):
        services.check_password_strength(
            "ousmane-cisse-2024", email="ousmane@example.org", name="Ousmane Cissé"
        )


@pytest.mark.parametrize(
    "password",
    [
        "Welcome2024",  # a common word and a year
        "P@ssw0rd12",  # leet and trailing digits
        "1234512345",  # a sequence, repeated
        "Motdepasse2024!",  # a French favourite
        "Bamako1960",  # a place of the programme and a year
        "azertyazerty",  # a keyboard row, repeated
    ],
)
def test_common_and_breached_style_passwords_are_refused(app, password):
    with pytest.raises(services.WeakPassword) as refused:
        services.check_password_strength(password, email="awa.sow@example.org", name="Awa Sow")
    assert "too common" in refused.value.message


@pytest.mark.parametrize(
    ("password", "email", "name"),
    [
        ("CISSE-fleuve-Niger-9", "o.c@example.org", "Ousmane Cissé"),  # accents, case
        ("Harmattan-0usmane!", "o.c@example.org", "Ousmane Cissé"),  # leet
        ("Baobab-awasow-2026", "awa.sow@example.org", "Awa Sow"),  # name written whole
        ("Baobab-n.diaye-2026", "n.diaye@example.org", "Nafi Diaye"),  # email local part
    ],
)
def test_password_with_the_users_name_or_email_is_refused(app, password, email, name):
    with pytest.raises(services.WeakPassword) as refused:
        services.check_password_strength(password, email=email, name=name)
    assert "name or email" in refused.value.message


def test_a_good_passphrase_passes(app):
    services.check_password_strength(
        "baobab harmattan kora fleuve", email="awa.sow@example.org", name="Awa Sow"
    )
    user = services.create_user(
        email="awa.sow@example.org",
        name="Awa Sow",
        password="baobab harmattan kora fleuve",
        role=Role.TRAINER,
    )
    assert user.password_hash.startswith("scrypt:")


def test_the_weak_password_message_is_translated(app):
    from flask_babel import force_locale

    with force_locale("fr"), pytest.raises(services.WeakPassword) as refused:
        services.check_password_strength("Welcome2024", email="x@example.org", name="X")
    assert "trop courant" in refused.value.message


def test_duplicate_email_whatever_the_case_is_refused(app):
    factories.make_user(email="fatou@example.org")
    with pytest.raises(services.DuplicateEmail):
        services.create_user(
            email="FATOU@example.org", name="F", password="Kora-Sunset-1984", role=Role.TRAINER
        )


def test_authenticate_audits_failures_and_refuses_inactive(app):
    user = factories.make_user(email="ali@example.org")
    assert services.authenticate("ali@example.org", factories.TEST_PASSWORD) is user
    assert services.authenticate("ali@example.org", "wrong-password-here") is None
    assert services.authenticate("nobody@example.org", "wrong-password-here") is None
    user.active = False
    assert services.authenticate("ali@example.org", factories.TEST_PASSWORD) is None
    reasons = [
        event.changes["after"]["reason"]
        for event in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
        )
    ]
    assert sorted(reasons) == ["inactive", "password", "unknown"]


def test_admin_cannot_remove_own_admin_access(app):
    admin = factories.make_user(role="admin")
    with pytest.raises(DomainError):
        services.update_user(
            admin,
            name=admin.name,
            email=admin.email,
            role=Role.COORDINATOR,
            active=True,
            locale=None,
            actor=admin,
        )
    with pytest.raises(DomainError):
        services.deactivate_user(admin, actor=admin)


def test_deactivation_ends_the_users_sessions(app):
    admin = factories.make_user(role="admin")
    user = factories.make_user(role="trainer")
    record, _token = services.open_session(user, user_agent="", address="10.1.2.3")
    services.deactivate_user(user, actor=admin)
    assert not user.active
    db.session.refresh(record)
    assert record.ended_at is not None and record.end_reason == SessionEnd.DEACTIVATED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event.actor_id == admin.id and event.entity_id == user.id
