"""What a home-page alert is: a list of things to fix, capped, and how many
in all. Each area builds its own alerts (sessions/alerts.py, ...) from the
rule it owns; training.home composes them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from training.extensions import db

ALERT_LIMIT = 10
# The page behind an alert's "and N more" shows its whole list this many at a time.
ALERT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Alert:
    """A window of the items (the first ALERT_LIMIT on the home page), and
    how many there are in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def alert(
    statement: sa.Select, *, scalars: bool = True, limit: int = ALERT_LIMIT, offset: int = 0
) -> Alert:
    """The statement's rows `offset` to `offset + limit` and its count: two queries."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    window = statement.offset(offset).limit(limit)
    items = list(db.session.scalars(window) if scalars else db.session.execute(window).all())
    return Alert(items, total or 0)


@dataclass(frozen=True)
class AlertPage:
    """One page of an alert's whole list, with what a pager needs."""

    alert: Alert
    page: int
    per_page: int = ALERT_PAGE_SIZE

    @property
    def items(self) -> list[Any]:
        return self.alert.items

    @property
    def total(self) -> int:
        return self.alert.total

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
