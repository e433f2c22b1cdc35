"""The declarative base and column types shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest id an INTEGER primary key holds on every engine (PostgreSQL's
# INTEGER is 32-bit): routes and forms refuse larger ones as unknown.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware, on SQLite
    (which keeps no zone) as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(enum.StrEnum):
    """A str enum whose members carry their vocabulary (Indico's RichEnum):
    the translated label a user reads and the badge style a page shows, so a
    status reads the same on every page and two enums sharing a value (the
    trainer role, the trainer certificate) never share a label.

    Members are declared as ``VALUE = "value", _l("Label"), "badge"``."""

    _label: Any
    _badge: str

    def __new__(cls, value: str, label: Any = None, badge: str = "secondary") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        member._badge = badge
        return member

    @property
    def label(self) -> str:
        """The member's label in the current language."""
        return str(self._label) if self._label is not None else self.value

    @property
    def lazy_label(self) -> Any:
        """The label, translated when shown (for choices built at import)."""
        return self._label if self._label is not None else self.value

    @property
    def badge(self) -> str:
        """The Bootstrap colour of the member's badge (text-bg-<badge>)."""
        return self._badge


def str_enum(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store a str-based enum by its value in a VARCHAR guarded by a CHECK
    constraint: portable, readable in SQL, and refused by the database when
    wrong."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
        name=enum_class.__name__.lower(),
    )
