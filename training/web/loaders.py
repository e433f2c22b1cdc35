"""One loader per object: fetch by id or 404, then authorise (403), in one
call (flaskr's get_post(id, check_author))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from flask import abort

from training.extensions import db
from training.permissions import authorize

T = TypeVar("T")


def found(obj: T | None, action: str | None = None) -> T:
    """`obj` from a look-up other than by id (a certificate by its serial):
    404 when there is none, then 403 unless the signed-in user may `action`
    it (no check when None)."""
    if obj is None:
        abort(404)
    if action is not None:
        authorize(action, obj)
    return obj


def load(
    model: type[T], object_id: int, action: str | None = None, *, options: Sequence[Any] = ()
) -> T:
    """The `model` row with this id (404 when there is none) that the
    signed-in user may `action` (403 otherwise; no check when None)."""
    return found(db.session.get(model, object_id, options=options), action)


def load_child(
    model: type[T], object_id: int, parent_id: int, parent_column: str, action: str | None = None
) -> T:
    """A row that belongs to another (an enrollment of a session, a module of
    a curriculum): 404 unless its `parent_column` is `parent_id`, so an id
    taken from another parent names nothing (checked before `action`: a
    refusal would say that the id exists)."""
    obj = load(model, object_id)
    if getattr(obj, parent_column) != parent_id:
        abort(404)
    return found(obj, action)
