"""`flask create-token` and `flask revoke-token`: personal access tokens of
the API for a program run by an administrator (a nightly export, the
field office's sync), by the same rules as the account page."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from training.auth import tokens
from training.auth.models import ApiToken, User
from training.domain import DomainError
from training.extensions import db


def register_token_commands(app: Flask) -> None:
    @app.cli.command("create-token")
    @click.option("--email", required=True, help="The account the token acts as.")
    @click.option("--name", required=True, help="What the token is for, to recognise it.")
    @click.option(
        "--scope",
        "scopes",
        multiple=True,
        required=True,
        help="<area>:read or <area>:write (write includes read); repeat for several: "
        + ", ".join(tokens.ALL_SCOPES),
    )
    @click.option(
        "--days",
        type=click.IntRange(1, tokens.MAX_LIFETIME_DAYS),
        default=90,
        show_default=True,
        help="How long the token lasts.",
    )
    def create_token_command(email: str, name: str, scopes: tuple[str, ...], days: int) -> None:
        """Create a token and print its secret, once: it is never shown again."""
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            raise click.ClickException(f"No active account has the email {email}.")
        try:
            token, secret = tokens.create_token(user, name=name, scopes=scopes, lifetime_days=days)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(
            f"Token {token.id} ({token.name}) for {user.email}, scopes {token.scopes}, "
            f"expires {token.expires_at:%Y-%m-%d}. Keep it now, it is not shown again:",
            err=True,
        )
        click.echo(secret)

    @app.cli.command("revoke-token")
    @click.argument("token_id", type=int)
    def revoke_token_command(token_id: int) -> None:
        """Revoke the token with this id (as listed on its owner's account page)."""
        token = db.session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException(f"No token has the id {token_id}.")
        tokens.revoke_token(token, actor=token.user)
        db.session.commit()
        click.echo(f"Token {token.id} ({token.name}) of {token.user.email} is revoked.")
