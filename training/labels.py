"""Translated labels of enum values for templates and forms. The labels
live on the enums themselves (training.orm.LabelledEnum); these helpers only
read them, whatever the value's type."""

from __future__ import annotations

import enum
from typing import Any

from training.orm import LabelledEnum


def label(value: Any) -> str:
    """The translated label of an enum member (or the value itself)."""
    if value is None:
        return ""
    if isinstance(value, LabelledEnum):
        return value.label
    return str(value)


def choices(enum_class: type[enum.Enum]) -> list[tuple[str, Any]]:
    """(value, label) pairs for a SelectField, in the enum's order; the
    labels are translated when the form is shown."""
    return [
        (member.value, member.lazy_label if isinstance(member, LabelledEnum) else member.value)
        for member in enum_class
    ]
