"""Errors as an API client reads them: problem details (RFC 9457), served
as application/problem+json, each with a stable `code` a program tests and
a `detail` translated into the language the client asks for
(Accept-Language).

A broken rule reaches the client as the service said it (its message, in
the client's language); a 403 leaves an audit row as the pages' refusals
do; no error of the API answers with a stack trace or an HTML page."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from training.domain import DomainError, NotAllowed
from training.extensions import db

PROBLEM_MIMETYPE = "application/problem+json"
TYPE_PREFIX = "urn:atelier:problem:"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Access refused"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        410: _("Gone"),
        412: _("Precondition failed"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Invalid request"),
        428: _("Precondition required"),
        429: _("Too many requests"),
        500: _("Internal error"),
    }


# The codes of HTTP errors raised outside the API's own refusals.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
}


def _http_details() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Send a personal access token: Authorization: Bearer <token>."),
        403: _("You may not do this."),
        404: _("There is nothing at this address, or you may not see it."),
        405: _("This address does not accept that method."),
        406: _("This address answers in JSON only."),
        409: _("The request conflicts with the current state."),
        413: _("Too much sent at once."),
        415: _("Send JSON (Content-Type: application/json)."),
        422: _("Some values are not valid."),
        429: _("Too many requests in a short time. Wait, then try again."),
        500: _("The error has been recorded. Please try again in a moment."),
    }


class ApiProblem(Exception):
    """A refusal of the API: its status, stable code, translated detail and
    any extension members (`errors`, `duplicates`, ...)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def plain(value: Any) -> Any:
    """Validation messages (lazy translations, in dicts and lists) as JSON."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def problem_response(problem: ApiProblem):
    """The problem as a response; a 403 is audited, and nothing of the
    request is kept (rollback)."""
    from training.web.errors import _audit_refusal

    db.session.rollback()
    if problem.status == 403:
        _audit_refusal()
    body = {
        "type": TYPE_PREFIX + problem.code,
        "title": _titles().get(problem.status, _("Error")),
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        "instance": request.path,
        **{key: plain(value) for key, value in problem.extra.items()},
    }
    response = current_app.response_class(
        current_app.json.dumps(body), status=problem.status, mimetype=PROBLEM_MIMETYPE
    )
    response.headers["Content-Language"] = str(get_locale() or "en")
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def from_http_error(error: HTTPException) -> ApiProblem:
    """An HTTP error (abort(404), a body that is not JSON, webargs' 422 for
    values a schema refuses, Flask-Limiter's 429) as a problem."""
    status = error.code or 500
    code = HTTP_CODES.get(status, "error")
    detail = _http_details().get(status) or _("The request could not be served.")
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if status in (400, 422) and messages:
        locations = messages if isinstance(messages, dict) else {"json": messages}
        if status == 400:  # webargs: a body that is not JSON
            detail = _("The body is not valid JSON.")
            code = "malformed_json"
        else:
            code = "invalid"
            named = sorted(
                {
                    str(name)
                    for fields in locations.values()
                    if isinstance(fields, dict)
                    for name in fields
                }
            )
            detail = _("Some values are not valid: %(fields)s.", fields=", ".join(named) or "-")
        extra["errors"] = plain(locations)
    if status == 429:
        detail = _(
            "Too many requests in a short time: at most %(limit)s. Wait, then try again.",
            limit=str(getattr(error, "description", "") or "").strip() or "-",
        )
    response = error.get_response()
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in response.headers:
            headers[name] = response.headers[name]
    return ApiProblem(status, code, detail, headers=headers, **extra)


# Rules whose refusal is a conflict with the state of things (409) even
# though they name a field; other refusals naming a field are a value the
# request must change (422).
_CONFLICT_NAMES = {
    "TrainerClash",
    "ParticipantClash",
    "CapacityBelowConfirmed",
    "DuplicateParticipant",
    "AssignmentRefused",
    "ChecklistNotAcknowledged",
    "StatusMoveRefused",
    "CurriculumNotSchedulable",
}
_GENERIC = {"DomainError": "refused", "NotAllowed": "not_allowed", "CertificateError": "refused"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# The pages' names of the fields a service's refusal names, as the API's
# bodies call them.
FIELD_NAMES = {"create_anyway": "allow_duplicate"}


def from_domain_error(
    error: DomainError, *, rename: dict[str, str] | None = None, **extra: Any
) -> ApiProblem:
    """A service's refusal: its message, in the client's language, and a
    code naming the rule (the error's own code, else its class); the field
    it names, by the API's name for it (`rename` for one operation)."""
    name = type(error).__name__
    code = getattr(error, "code", None) or _GENERIC.get(name) or _snake(name)
    if isinstance(error, NotAllowed):
        status = 403
    elif error.field and name not in _CONFLICT_NAMES:
        status = 422
    else:
        status = 409
    if error.field:
        field = (rename or {}).get(error.field) or FIELD_NAMES.get(error.field, error.field)
        extra.setdefault("errors", {"json": {field: [error.message]}})
    return ApiProblem(status, code, error.message, **extra)
