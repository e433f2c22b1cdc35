"""The API about itself: its OpenAPI description, its documentation page,
and who a token acts as."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from training.api import fields as f
from training.api.core import bp, current_token, operation

# The groups of operations, in the order the documentation shows them.
TAGS = [
    {"name": "Curricula", "description": "Curricula and their modules."},
    {"name": "Sessions", "description": "Workshop sessions, their status and their trainers."},
    {"name": "Trainers", "description": "The trainer registry and qualifications."},
    {"name": "Participants", "description": "Participants and their screening (coordination)."},
    {"name": "Enrollments", "description": "Nomination, confirmation, waiting line, withdrawal."},
    {"name": "Attendance", "description": "The day grid's sync, days and rates."},
    {"name": "Scores", "description": "Pre- and post-test scores."},
    {"name": "Certificates", "description": "Eligibility, issuing, revoking, the PDFs."},
    {"name": "Verification", "description": "Public: what a certificate's code says."},
    {"name": "Reports", "description": "The programme's figures, with the reports' filters."},
    {"name": "Meta", "description": "This description, its page, and who a token acts as."},
]


@bp.route("/openapi.json", tags=["Meta"])
@operation(None, None)
@bp.response(200, description="This description (OpenAPI 3.1).")
def openapi_json():
    """The OpenAPI 3.1 description of this API, generated from its code."""
    spec = current_app.extensions["atelier_api"].spec.to_dict()
    spec["tags"] = TAGS
    response = current_app.response_class(current_app.json.dumps(spec), mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/docs", tags=["Meta"])
@operation(None, None)
@bp.response(200, content_type="text/html", description="The documentation page.")
def docs():
    """This API's documentation page (Swagger UI, served by Atelier)."""
    return current_app.make_response(render_template("api/docs.html"))


class TokenSchema(f.Schema):
    id = f.Int(required=True)
    name = f.Str(required=True)
    prefix = f.Str(required=True)
    scopes = f.List(f.Str(), required=True, attribute="scope_list")
    expires_at = f.DateTime(required=True)


class MeSchema(f.Schema):
    id = f.Int(required=True)
    name = f.Str(required=True)
    email = f.Str(required=True)
    role = f.Str(required=True)
    trainer_id = f.Int(required=True, allow_none=True)
    participant_id = f.Int(required=True, allow_none=True)
    token = f.Nested(TokenSchema, required=True)


@bp.route("/me", tags=["Meta"])
@operation("home", "")  # any token
@bp.response(200, MeSchema)
def me():
    """The account the token acts as, and the token itself (any scope)."""
    token = current_token()
    user = current_user
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "trainer_id": user.trainer_id,
        "participant_id": user.participant_id,
        "token": {
            "id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "scope_list": sorted(token.scope_set),
            "expires_at": token.expires_at,
        },
    }
