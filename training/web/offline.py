"""The pages a trainer opens without network (static/js/service-worker.js).

The server says which pages the service worker may keep: a response marked
with OFFLINE_HEADER, whose value is the signed-in user's id, is kept in that
user's cache (and a response for another user clears it first). Nothing
else is kept: sign-in pages, PDFs, forms sent back with errors. The
requests the worker sends on its own to fill the cache carry
PREFETCH_HEADER, so they never take the flash messages meant for the page
the user opens next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import make_response, request, url_for
from flask_login import current_user

from training.permissions import can

OFFLINE_HEADER = "X-Atelier-Offline"
PREFETCH_HEADER = "X-Atelier-Prefetch"

F = TypeVar("F", bound=Callable[..., Any])


def offline_page(view: F) -> F:
    """Mark the page a view shows (GET, 200) as one the service worker keeps
    for the signed-in user."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        response = make_response(view(*args, **kwargs))
        if (
            request.method == "GET"
            and response.status_code == 200
            and current_user.is_authenticated
        ):
            response.headers[OFFLINE_HEADER] = str(current_user.id)
        return response

    return wrapped  # type: ignore[return-value]


def is_prefetch() -> bool:
    """The service worker fills its cache with this request (no one reads it now)."""
    return request.headers.get(PREFETCH_HEADER) == "1"


def session_pages(training_sessions: Iterable[Any]) -> list[str]:
    """The pages to keep offline for these sessions, as the trainer's home
    lists them: the day grid of every day (with its roster), the overview
    and the test scores."""
    pages: list[str] = []
    for training_session in training_sessions:
        session_id = training_session.id
        pages.extend(
            url_for("attendance.day_sheet", session_id=session_id, day=day.isoformat())
            for day in training_session.days
        )
        pages.append(url_for("attendance.overview", session_id=session_id))
        if can(current_user, "scores.record", training_session):
            pages.append(url_for("attendance.scores", session_id=session_id))
    return pages
