"""The audit trail: one function every service calls to record a change."""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

from training.audit.models import AuditEvent
from training.extensions import db

if TYPE_CHECKING:
    from training.auth.models import User

# The personal access token the current request acts through (the API sets
# it for each request it authenticates): every event recorded meanwhile
# names it, whichever service writes it.
_acting_token: ContextVar[int | None] = ContextVar("atelier_audit_token", default=None)


def act_through_token(token_id: int | None) -> Token[int | None]:
    """From now on in this context, events name the token `token_id`."""
    return _acting_token.set(token_id)


def stop_acting_through_token(token: Token[int | None]) -> None:
    _acting_token.reset(token)


def _plain(value: Any) -> Any:
    """JSON-safe form of a value for the `changes` column."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "value"):  # enums
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def record_event(
    action: str,
    *,
    actor: User | None = None,
    entity: Any = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    session_id: int | None = None,
    participant_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an AuditEvent to the database session (flushed with the change it
    describes, committed by the caller's transaction)."""
    if entity is not None:
        if entity.id is None:
            db.session.flush()
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else entity.id
    changes: dict[str, Any] = {}
    if before:
        changes["before"] = {key: _plain(value) for key, value in before.items()}
    if after:
        changes["after"] = {key: _plain(value) for key, value in after.items()}
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        entity_type=entity_type or "",
        entity_id=entity_id,
        session_id=session_id,
        participant_id=participant_id,
        changes=changes,
        reason=reason,
        token_id=_acting_token.get(),
    )
    db.session.add(event)
    return event
