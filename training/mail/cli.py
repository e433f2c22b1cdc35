"""flask mail send (for cron) and flask mail status."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register_mail_commands(app: Flask) -> None:
    group = AppGroup("mail", help="The outbox: send what is due, or count it.")

    @group.command("send")
    @click.option("--limit", default=200, show_default=True, help="At most this many messages.")
    def send_command(limit: int):
        """Send the messages that are due (retries included)."""
        from training.mail import sender, services

        if not sender.is_configured():
            kept = sum(services.counts().values())
            click.echo(f"Mail is not configured (ATELIER_MAIL_HOST): {kept} messages kept.")
            return
        sent = sender.send_pending(limit=limit)
        click.echo(f"Sent: {sent}.")

    @group.command("status")
    def status_command():
        """How many messages are queued, sent and failed."""
        from training.mail import sender, services

        counts = services.counts()
        state = "configured" if sender.is_configured() else "not configured (kept in the outbox)"
        click.echo(f"Mail {state}.")
        for status, number in counts.items():
            click.echo(f"{status.value}: {number}")

    app.cli.add_command(group)
