"""An audit trail under a page: its newest HISTORY_ROWS events in the
reader's share, and "Show the whole history" (`?history=all`) when older
ones were left out. The session page and a day's grid show theirs so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for

from training.audit.history import HistoryRow, history_rows, readable_events
from training.audit.models import AuditEvent
from training.permissions import can

HISTORY_ROWS = 30


def shown_history(
    reader: Any,
    training_session: Any,
    read: Callable[[int | None], list[AuditEvent]],
    endpoint: str,
    anchor: str,
    **url_values: Any,
) -> tuple[list[HistoryRow], str | None]:
    """(the rows to show, the address of the whole history or None).
    `read(limit)` gives the trail newest first, at most `limit` events (all
    with None). A reader without "history.view_all" gets their share,
    chosen from the whole trail, then cut."""
    limit = None if request.args.get("history") == "all" else HISTORY_ROWS
    if can(reader, "history.view_all"):
        events = read(None if limit is None else limit + 1)
    else:
        events = readable_events(reader, training_session, read(None))
    more = limit is not None and len(events) > limit
    whole = url_for(endpoint, history="all", _anchor=anchor, **url_values) if more else None
    return history_rows(events[:limit], reader), whole
