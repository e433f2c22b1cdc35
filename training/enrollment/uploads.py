"""Nominee files kept between the preview and the import.

An upload is parsed once, when it arrives; its rows (plain strings, as JSON)
wait under instance/imports/ (or IMPORT_FOLDER) in a file with a random name
whose token only this user's signed session cookie holds. The client never
sends the rows back, so what is imported is exactly what was checked (and it
is checked again at import time against the database as it then is); nothing
is uploaded twice over a poor connection. Files older than a day are removed
at the next upload.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app, session

from training.sessions.models import TrainingSession

UPLOAD_MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

Rows = list[dict[str, str]]


def _upload_folder() -> Path:
    folder = Path(
        current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the owner's eyes only
    return folder


def _session_key(training_session: TrainingSession) -> str:
    return f"import-{training_session.id}"


def _remove_stale_uploads(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # another request removed it first


def store_upload(training_session: TrainingSession, rows: Rows) -> None:
    """Keep the file's parsed rows for this user and session, replacing any
    earlier upload of theirs for the session."""
    folder = _upload_folder()
    _remove_stale_uploads(folder)
    discard_upload(training_session)
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.upload"
    content = json.dumps(rows, ensure_ascii=False).encode("utf-8")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stored:
        stored.write(content)
    session[_session_key(training_session)] = token


def _valid_rows(rows: object) -> bool:
    return isinstance(rows, list) and all(
        isinstance(row, dict)
        and all(isinstance(key, str) and isinstance(value, str) for key, value in row.items())
        for row in rows
    )


def stored_upload(training_session: TrainingSession) -> Rows | None:
    """The rows this user uploaded for the session, or None (none, expired,
    or unreadable)."""
    token = session.get(_session_key(training_session))
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    path = _upload_folder() / f"{token}.upload"
    try:
        rows = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return rows if _valid_rows(rows) else None


def discard_upload(training_session: TrainingSession) -> None:
    token = session.pop(_session_key(training_session), None)
    if isinstance(token, str) and _TOKEN.match(token):
        (_upload_folder() / f"{token}.upload").unlink(missing_ok=True)
