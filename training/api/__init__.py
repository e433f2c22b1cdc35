"""Atelier's JSON API (/api/v1), described by OpenAPI 3.1 generated from
its code (flask-smorest, apispec): every operation calls the service the
pages call, with the same permissions, so the API adds no rule and skips
none. Authenticated by personal access tokens (training/auth/tokens.py),
never by the session cookie."""

from __future__ import annotations

import http
from importlib import import_module
from typing import Any

from flask import Flask, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from training.api import fields as f
from training.api.core import API_PREFIX, bp
from training.api.problems import PROBLEM_MIMETYPE, from_http_error, problem_response
from training.extensions import csrf

# The modules holding the operations, one per area; importing them routes
# their operations on the blueprint.
AREA_MODULES = (
    "training.api.errors",
    "training.api.meta",
    "training.api.curricula",
    "training.api.sessions",
    "training.api.people",
    "training.api.enrollment",
    "training.api.attendance",
    "training.api.certificates",
    "training.api.reports",
)

DESCRIPTION = """\
Atelier's data and rules for programs: curricula, sessions and trainers,
participants, enrollments, attendance, scores, certificates and the reports'
figures. Every operation goes through the same rules and permissions as the
pages.

**Authentication.** Every operation but the public verification needs a
personal access token, created on your account page (or by
`flask create-token`): `Authorization: Bearer atl_…`. A token acts as its
user, narrowed to its scopes (`<area>:read`, `<area>:write`; write includes
read). The session cookie of the pages is never used here.

**Errors** are problem details (RFC 9457, `application/problem+json`) with a
stable `code` and a `detail` in the language of `Accept-Language` (en, fr).

**Lists** return `items` and `next_cursor`: pass it as `cursor` for the next
page. **Changes** (`PATCH`) need `If-Match` with the resource's `ETag`: 428
without it, 412 when the resource changed since it was read.
"""


class ProblemSchema(f.Schema):
    """RFC 9457 problem details, with Atelier's extension members."""

    class Meta:
        unknown = "include"

    type = f.Str(required=True, metadata={"description": "urn:atelier:problem:<code>"})
    title = f.Str(required=True)
    status = f.Int(required=True)
    detail = f.Str(required=True, metadata={"description": "Why, in the client's language."})
    code = f.Str(required=True, metadata={"description": "Stable: what a program tests."})
    instance = f.Str(required=True)
    errors = f.Dict(metadata={"description": "Messages by location and field."})


class AtelierApi(Api):
    """flask-smorest inside the existing application: its errors are the
    blueprint's problem details (the pages keep their own error pages), its
    error responses are documented as problem details, and the description
    is served by the blueprint itself (public, from our static files)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Registered on the API's blueprint only (register_error_handlers)."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _install_unrouted_handler(app: Flask) -> None:
    """An address under /api/v1 that routes nowhere (404, 405) is answered
    as a problem too; the pages' handler answers the rest."""
    pages_handler = app.error_handler_spec[None][None].get(HTTPException)

    def unrouted(error: HTTPException):
        if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
            return problem_response(from_http_error(error))
        return pages_handler(error) if pages_handler is not None else error

    app.register_error_handler(HTTPException, unrouted)


def init_app(app: Flask) -> None:
    """Route the API, generate its description and register its command
    (called by create_app once the pages' error handlers are in place)."""
    for module_name in AREA_MODULES:
        import_module(module_name)
    csrf.exempt(bp)  # bearer tokens, never cookies: nothing for a forged form to ride on
    api = AtelierApi(
        spec_kwargs={
            "title": "Atelier API",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "atl_…",
            "description": "A personal access token, from your account page.",
        },
    )
    _install_unrouted_handler(app)
    api.register_blueprint(bp)
    app.extensions["atelier_api"] = api
    from training.api.cli import register_token_commands

    register_token_commands(app)
