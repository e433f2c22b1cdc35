"""The one way a view sends a document: named by the server, never kept by a
shared browser."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from flask import Response

from training.text import ascii_name

__all__ = ["ascii_name", "send_download"]


def send_download(
    body: bytes | str | Iterable[str] | Iterable[bytes],
    filename: str,
    mimetype: str,
    *,
    inline: bool = False,
) -> Response:
    """`body` as a download named `filename` (an ASCII name for every
    browser, and the exact name as RFC 6266's filename*), with
    `Cache-Control: no-store`: personal documents stay off shared
    computers' caches. `inline` opens it in the browser (a sheet to print)
    instead of saving it."""
    # A type that names its charset is taken as it is; a bare text type
    # gets "; charset=utf-8" from Werkzeug (which would add it twice).
    if ";" in mimetype:
        response = Response(body, content_type=mimetype)
    else:
        response = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    fallback = ascii_name(filename)
    header = f'{disposition}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename)}"
    response.headers["Content-Disposition"] = header
    response.headers["Cache-Control"] = "no-store"
    return response
