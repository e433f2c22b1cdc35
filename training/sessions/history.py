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

from training.audit.labels import action_label
from training.audit.models import AuditEvent


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
        rows.append(
            HistoryRow(
                when=format_datetime(event.occurred_at, "short", tzinfo=timezone, locale=locale),
                who=event.actor.name if event.actor else None,
                action=event.action,
                action_label=action_label(event.action),
                changes=[
                    (key, _shown(before.get(key)), _shown(after.get(key)), key in before)
                    for key in keys
                ],
                reason=event.reason,
            )
        )
    return rows
