"""One JSON line per request, for log collectors; and its request id.

The request id is the proxy's (nginx's `$request_id` sent as X-Request-ID)
when it looks like one, else made here; it is sent back in X-Request-ID so
that a user's report and the log lines meet. The line names the route by
its rule (`/sessions/<int:session_id>`), never the path or the query, which
can hold a name searched for or a token.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request
from flask_login import current_user

logger = logging.getLogger("atelier.requests")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FORMATS = ("json", "off")


class JsonLines(logging.Formatter):
    """The record's fields as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {"message": record.getMessage()}
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def request_id() -> str:
    return g.get("request_id") or ""


def _user_id() -> int | None:
    try:
        return int(current_user.id) if current_user.is_authenticated else None
    except (AttributeError, RuntimeError, TypeError, ValueError):
        return None


def _write_json_lines_to_stderr() -> None:
    if not any(isinstance(h.formatter, JsonLines) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def init_app(app: Flask) -> None:
    if app.config.get("ATELIER_REQUEST_LOG") == "json":
        _write_json_lines_to_stderr()

    @app.before_request
    def start_request() -> None:
        g.request_started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = request_id()
        started = g.get("request_started")
        duration = time.perf_counter() - started if started is not None else None
        if app.config.get("ATELIER_REQUEST_LOG") == "json":
            rule = request.url_rule.rule if request.url_rule is not None else None
            logger.info(
                "request",
                extra={
                    "fields": {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                        "request_id": request_id(),
                        "user_id": _user_id(),
                        "route": rule,
                        "endpoint": request.endpoint,
                        "method": request.method,
                        "status": response.status_code,
                        "duration_ms": round(duration * 1000, 1) if duration is not None else None,
                    }
                },
            )
        return response
