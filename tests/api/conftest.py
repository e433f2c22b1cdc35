"""The API's fixtures: a personal access token per role, and a client that
sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests import factories
from training.auth import tokens
from training.extensions import db


def make_token(user, scopes=None, days: int = 30) -> str:
    """A token of `user` holding `scopes` (every scope their role may use
    when None); its secret."""
    chosen = list(scopes) if scopes is not None else tokens.offered_scopes(user)
    _token, secret = tokens.create_token(user, name="test", scopes=chosen, lifetime_days=days)
    db.session.commit()
    return secret


class ApiClient:
    """The test client, sending a token and JSON."""

    def __init__(self, client, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, json: Any = None, headers=None, **kwargs):
        url = path if path.startswith("/api/") else "/api/v1" + path
        return self.client.open(
            url, method=method, json=json, headers=self.headers(headers), **kwargs
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json if json is not None else {}, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api_as(client) -> Callable[..., ApiClient]:
    """`api_as("coordinator")`: a client with a token of a new user of
    that role (every scope it may use); `api_as(user, scopes=[...])`."""

    def _api_as(role_or_user, scopes=None, **attributes) -> ApiClient:
        user = (
            factories.make_user(role=role_or_user, **attributes)
            if isinstance(role_or_user, str)
            else role_or_user
        )
        db.session.commit()
        api = ApiClient(client, make_token(user, scopes))
        api.user = user  # type: ignore[attr-defined]
        return api

    return _api_as
