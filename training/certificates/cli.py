"""flask keys create | rotate | compromise KID | list: the certificate
signing keys (training.certificates.keys)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def _describe(key) -> str:
    from training.certificates import keys

    where = keys.private_key_location(key.kid) or "MISSING"
    return (
        f"{key.kid}  {key.purpose.value:<12} {key.status.value:<11} "
        f"{key.not_before.isoformat()} to {key.not_after.isoformat()}  private part: {where}"
    )


def register_key_commands(app: Flask) -> None:
    group = AppGroup("keys", help="The keys that sign certificates and their trust list.")

    @group.command("create")
    @click.option(
        "--days",
        type=click.IntRange(min=1),
        default=730,
        show_default=True,
        help="How long the signing key signs.",
    )
    @click.option(
        "--root-days",
        type=click.IntRange(min=1),
        default=3650,
        show_default=True,
        help="How long the root key is valid.",
    )
    @click.option("--if-missing", is_flag=True, help="Do nothing when the keys already exist.")
    def create_command(days: int, root_days: int, if_missing: bool):
        """Create the root key and the first signing key."""
        from training.certificates import keys
        from training.extensions import db

        if if_missing and keys.root_key() is not None:
            click.echo("The keys already exist.")
            return
        try:
            root, signer = keys.create_keys(signing_days=days, root_days=root_days)
        except keys.SigningKeyError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(_describe(root))
        click.echo(_describe(signer))
        click.echo(
            f"Private keys written to {keys.key_folder()} (readable by this account only). "
            "Copy them to each application server, or set ATELIER_KEY_<KID> there."
        )

    @group.command("rotate")
    @click.option(
        "--days",
        type=click.IntRange(min=1),
        default=730,
        show_default=True,
        help="How long the new signing key signs.",
    )
    def rotate_command(days: int):
        """A new signing key from today; the active one is retired (what it
        signed keeps verifying)."""
        from training.certificates import keys
        from training.extensions import db

        try:
            new, old = keys.rotate_signing_key(days=days)
        except keys.SigningKeyError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        if old is not None:
            click.echo(f"Retired: {_describe(old)}")
        click.echo(f"Active:  {_describe(new)}")

    @group.command("compromise")
    @click.argument("kid")
    @click.option("--reason", default="", help="What happened (kept in the audit trail).")
    def compromise_command(kid: str, reason: str):
        """Mark a signing key compromised: every certificate it signed shows
        as such, and it signs no more."""
        from training.certificates import keys
        from training.extensions import db

        try:
            key = keys.mark_compromised(kid, reason)
        except keys.SigningKeyError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Compromised: {_describe(key)}")
        if keys.root_key() is not None and not any(
            other.status.value == "active" and other.purpose.value == "certificates"
            for other in keys.all_keys()
        ):
            click.echo("No key signs certificates now: run `flask keys rotate`.")

    @group.command("list")
    def list_command():
        """Every key: id, purpose, status, window, where its private part is."""
        from training.certificates import keys

        listed = keys.all_keys()
        if not listed:
            click.echo("No keys yet: run `flask keys create`.")
        for key in listed:
            click.echo(_describe(key))

    app.cli.add_command(group)
