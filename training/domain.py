"""The errors services raise when a rule is broken. No Flask here: services,
the CLI and any future API raise these; the web layer (training.web.errors)
turns them into a form error or a flash."""

from __future__ import annotations


class DomainError(Exception):
    """A broken business rule. The message is already translated and safe to
    show to the user; views turn it into a form error or a flash."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The rule exists, and this user may not break it."""
