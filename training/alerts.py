"""What a home-page alert is: a list of things to fix, capped, and how many
in all. Each area builds its own alerts (sessions/alerts.py, ...) from the
rule it owns; training.home composes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from training.extensions import db

ALERT_LIMIT = 10


@dataclass(frozen=True)
class Alert:
    """At most ALERT_LIMIT items, and how many there are in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def alert(statement: sa.Select, *, scalars: bool = True) -> Alert:
    """The statement's first ALERT_LIMIT rows and its count: two queries."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    limited = statement.limit(ALERT_LIMIT)
    items = list(db.session.scalars(limited) if scalars else db.session.execute(limited).all())
    return Alert(items, total or 0)
