"""The API's machinery, the same for every area: the blueprint, who is
asking (a personal access token, never the session cookie), what they may
do (the token's scopes, then the role and object checks of
training.permissions, as on the pages), the commit of a write with its
audit row, cursor pagination, ETags and If-Match."""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, g, jsonify, request
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import missing

from training.api import fields as f
from training.api.problems import ApiProblem
from training.audit.services import (
    act_through_token,
    record_event,
    stop_acting_through_token,
)
from training.auth import tokens
from training.auth.models import ApiToken
from training.extensions import db, limiter, login_manager
from training.permissions import PUBLIC_ENDPOINTS, authorize
from training.transactions import writing

API_PREFIX = "/api/v1"
bp = Blueprint(
    "api",
    __name__,
    url_prefix=API_PREFIX,
    description="Atelier's JSON API.",
)

# How often a token's "last used" is written (at most), so that a busy
# client does not write on every request.
LAST_USED_EVERY = timedelta(minutes=1)
BEARER = "Bearer "


def rate_limit_key() -> str:
    """Each token counts on its own (by its secret's hash: no database read
    before the limit); a request without one counts for its address."""
    header = request.headers.get("Authorization", "")
    if header.startswith(BEARER):
        return "api-token:" + tokens.hash_secret(header[len(BEARER) :].strip())[:32]
    return "api-address:" + (get_remote_address() or "")


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT") or "300 per minute"


limiter.shared_limit(_rate_limit, scope="api", key_func=rate_limit_key)(bp)


def current_token() -> ApiToken | None:
    return g.get("api_token")


def _unauthenticated(code: str, detail: str) -> ApiProblem:
    challenge = 'Bearer realm="atelier"'
    if code == "invalid_token":
        challenge += ', error="invalid_token"'
    return ApiProblem(401, code, detail, headers={"WWW-Authenticate": challenge})


@bp.before_request
def authenticate() -> None:
    """The token in the Authorization header, or 401. The session cookie is
    never read: a browser signed in to the pages is nobody here."""
    g._login_user = login_manager.anonymous_user()
    g.api_token = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    if not header.startswith(BEARER):
        raise _unauthenticated(
            "unauthenticated",
            _("Send a personal access token: Authorization: Bearer <token>."),
        )
    token = tokens.find_token(header[len(BEARER) :].strip())
    now = datetime.now(UTC)
    if token is None or not token.is_usable_at(now) or not token.user.is_active:
        raise _unauthenticated(
            "invalid_token", _("This token is unknown, expired or revoked, or its account is off.")
        )
    g._login_user = token.user
    g.api_token = token
    g._audit_token = act_through_token(token.id)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        _touch(token, now)


def _touch(token: ApiToken, now: datetime) -> None:
    """Write the token's "last used" in a transaction of its own (a read
    request holds no write lock on SQLite)."""
    token_id = token.id
    db.session.commit()
    with writing():
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        )
        db.session.commit()


@bp.teardown_request
def stop_acting(_error: BaseException | None = None) -> None:
    audit_token = g.pop("_audit_token", None)
    if audit_token is not None:
        stop_acting_through_token(audit_token)


# Operations --------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])

_ERROR_RESPONSES = {
    400: "BAD_REQUEST",  # a body that is not JSON, a cursor no list gave
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    429: "TOO_MANY_REQUESTS",
}


def operation(
    action: str | None,
    scope: str | None,
    *,
    write: bool = False,
    if_match: str | None = None,
    responses: Sequence[int] = (),
) -> Callable[[F], F]:
    """An operation of the API (under `bp.route`, above `bp.arguments` and
    `bp.response`): the token must hold `scope` and its user's role
    `action` (training.permissions, as `@require` on the pages; object
    checks come with each loader); a `write` commits when it succeeds,
    with an audit row naming the token, and keeps nothing when it fails.
    `if_match` ("required" or "optional") documents the If-Match header
    the view checks (check_if_match). Scope "": any token; None for both: a
    public operation (training.permissions.PUBLIC_ENDPOINTS)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if scope:  # "" (any token, any scope) and None (public) check none
                token = current_token()
                if token is None or not tokens.grants(token.scope_set, scope):
                    raise ApiProblem(
                        403,
                        "insufficient_scope",
                        _("This token does not hold the scope %(scope)s.", scope=scope),
                        required_scope=scope,
                    )
            if action is not None:
                authorize(action)
            response = current_app.make_response(view(*args, **kwargs))
            if write:
                _end_write(response)
            return response

        if action is not None:
            wrapped.required_action = action  # type: ignore[attr-defined]
        wrapped.required_scope = scope  # type: ignore[attr-defined]
        apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        codes = set(responses)
        if scope is not None:
            manual["security"] = [{"bearerAuth": [scope] if scope else []}]
            codes |= set(_ERROR_RESPONSES)
        else:
            manual["security"] = []
            codes.add(429)
        if if_match is not None:
            codes |= {412} | ({428} if if_match == "required" else set())
            manual.setdefault("parameters", []).append(
                {
                    "in": "header",
                    "name": "If-Match",
                    "required": if_match == "required",
                    "description": "The ETag of the version this change applies to.",
                    "schema": {"type": "string", "maxLength": 200},
                }
            )
        manual_responses = manual.setdefault("responses", {})
        for code in sorted(codes):
            manual_responses[code] = _response_name(code)  # a reference apispec resolves
        wrapped._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def _response_name(code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(code).name


def _end_write(response: Response) -> None:
    """A write that succeeded is committed with its audit row; one that did
    not leaves nothing."""
    if response.status_code >= 400:
        db.session.rollback()
        return
    token = current_token()
    record_event(
        "api.write",
        actor=current_user._get_current_object(),
        entity_type="api_token",
        entity_id=token.id if token else None,
        after={
            "method": request.method,
            "path": request.path[:200],
            "endpoint": request.endpoint,
            "status": response.status_code,
        },
    )
    db.session.commit()


# Loading -------------------------------------------------------------------

T = TypeVar("T")


def get_or_404(model: type[T], object_id: int, *, for_update: bool = False) -> T:
    """The row, or a 404 problem; for a change, read again under its write
    lock (PostgreSQL: FOR UPDATE), so that the ETag compared is the
    committed version's."""
    obj = db.session.get(
        model,
        object_id,
        with_for_update=for_update or None,
        populate_existing=for_update,
    )
    if obj is None:
        raise not_found()
    return obj


def not_found() -> ApiProblem:
    return ApiProblem(
        404, "not_found", _("There is nothing at this address, or you may not see it.")
    )


def check(action: str, obj: Any) -> None:
    """The object-level check of the pages (training.permissions.can)."""
    authorize(action, obj)


# Responses, ETags and If-Match -------------------------------------------


def etag_of(data: Any) -> str:
    """A strong ETag: the digest of the representation a GET returns."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'


def resource(
    obj: Any, schema: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """One resource as JSON, with its ETag."""
    data = schema.dump(obj)
    response = jsonify(data)
    response.status_code = status
    response.headers["ETag"] = etag_of(data)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def check_if_match(obj: Any, schema: Any, *, required: bool) -> None:
    """Refuse a change made to a version other than the current one: 428
    when the header is missing (and `required`), 412 when it names another
    version (someone changed the resource since it was read)."""
    if "If-Match" not in request.headers:
        if required:
            raise ApiProblem(
                428,
                "if_match_required",
                _(
                    "Send If-Match with the ETag of the version you read, so that a newer "
                    "version is never overwritten."
                ),
            )
        return
    current = etag_of(schema.dump(obj))
    if request.if_match.star_tag or request.if_match.contains(current.strip('"')):
        return
    raise ApiProblem(
        412,
        "stale",
        _("This resource changed since you read it: read it again, then send your change."),
        current_etag=current,
    )


# Pagination ----------------------------------------------------------------

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class PageArgs(f.Schema):
    """Every list: `limit` items from after `cursor` (the `next_cursor` of
    the page before), in the order they were created."""

    class Meta:
        unknown = "exclude"

    limit = f.Int(
        strict=False, load_default=DEFAULT_PAGE_SIZE, validate=f.between(1, MAX_PAGE_SIZE)
    )
    cursor = f.Str(load_default=None, validate=f.length(64))


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, _sep, number = text.partition(":")
        if version != "v1" or not number.isdigit():
            raise ValueError
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiProblem(
            400,
            "invalid_cursor",
            _("This cursor is not one a list gave: start again without it."),
        ) from None


def page_of_statement(statement: sa.Select, id_column: Any, args: dict[str, Any]) -> dict[str, Any]:
    """A page of a service's statement (its filters and the user's scope
    kept), ordered by id for a cursor that never skips nor repeats."""
    after = _decode_cursor(args.get("cursor"))
    limit = args["limit"]
    statement = statement.order_by(None).order_by(id_column)
    if after:
        statement = statement.where(id_column > after)
    rows = list(db.session.scalars(statement.limit(limit + 1)).unique())
    return _page(rows[:limit], len(rows) > limit, lambda row: row.id)


def page_of_list(
    items: Sequence[Any], args: dict[str, Any], key: Callable[[Any], int]
) -> dict[str, Any]:
    """A page of a list a service computed (a session's enrollments, its
    eligibility), by the same cursor, ordered by `key` (an id)."""
    after = _decode_cursor(args.get("cursor"))
    limit = args["limit"]
    rest = sorted((item for item in items if key(item) > after), key=key)
    return _page(rest[:limit], len(rest) > limit, key)


def _page(items: list[Any], more: bool, key: Callable[[Any], int]) -> dict[str, Any]:
    return {
        "items": items,
        "next_cursor": _encode_cursor(key(items[-1])) if more and items else None,
    }


def page_schema(item_schema: type[f.Schema]) -> type[f.Schema]:
    """The schema of a page of `item_schema` items."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    return type(
        name,
        (f.Schema,),
        {
            "items": f.List(f.Nested(item_schema), required=True),
            "next_cursor": f.Str(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last."},
            ),
        },
    )


def patch_of(schema_class: type[f.Schema], name: str) -> type[f.Schema]:
    """The same fields, none required, none defaulted: a PATCH changes only
    what it sends."""
    declared: dict[str, Any] = {}
    for field_name, field in schema_class._declared_fields.items():
        optional = copy.deepcopy(field)
        optional.required = False
        optional.load_default = missing
        declared[field_name] = optional
    return type(name, (f.Schema,), declared)


def page_response(page: dict[str, Any], schema: Any) -> Response:
    return jsonify(schema.dump(page))
