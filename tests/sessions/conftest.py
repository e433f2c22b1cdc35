"""Service tests run inside a request context: domain messages are
translated with flask_babel, which reads the request's locale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield
