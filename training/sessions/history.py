"""Audit events made readable for the session and curriculum pages.

The rows are prepared in Python once per page, with the locale and time
zone looked up once: a session with a long history stays quick to render.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_datetime
from flask_babel import get_locale, get_timezone
from flask_babel import lazy_gettext as _l

from training.audit.models import AuditEvent

ACTION_LABELS: dict[str, Any] = {
    "session.created": _l("Session scheduled"),
    "session.updated": _l("Session edited"),
    "session.status_changed": _l("Status changed"),
    "assignment.created": _l("Trainer assigned"),
    "assignment.removed": _l("Trainer removed"),
    "curriculum.created": _l("Curriculum created"),
    "curriculum.updated": _l("Curriculum edited"),
    "curriculum.approved": _l("Curriculum approved"),
    "curriculum.retired": _l("Curriculum retired"),
}


@dataclass(frozen=True)
class HistoryRow:
    when: str
    who: str | None
    action: str
    action_label: str
    changes: list[tuple[str, Any, Any, bool]]  # key, before, after, had a "before"
    reason: str | None


def _shown(value: Any) -> Any:
    return "—" if value is None or value == "" else value


def history_rows(events: Iterable[AuditEvent]) -> list[HistoryRow]:
    """One row per event, newest first as given, dates in the reader's
    locale and time zone."""
    locale, timezone = get_locale(), get_timezone()
    rows = []
    for event in events:
        before = (event.changes or {}).get("before", {})
        after = (event.changes or {}).get("after", {})
        keys = list(dict.fromkeys([*before, *after]))
        label = ACTION_LABELS.get(event.action)
        rows.append(
            HistoryRow(
                when=format_datetime(event.occurred_at, "short", tzinfo=timezone, locale=locale),
                who=event.actor.name if event.actor else None,
                action=event.action,
                action_label=str(label) if label is not None else event.action,
                changes=[
                    (key, _shown(before.get(key)), _shown(after.get(key)), key in before)
                    for key in keys
                ],
                reason=event.reason,
            )
        )
    return rows
