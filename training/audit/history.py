"""Audit events made readable for the session, curriculum and participant
pages.

The rows are prepared in Python once per page, with the locale and time
zone looked up once: a session with a long history stays quick to render.
A change reads like the rest of the interface: the field under its form
label, an enum value under its `label()`, dates, numbers and countries in
the reader's language. A field nobody named yet shows its raw key and value
rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _

from training.audit.labels import SIGN_IN_FAILURES, action_label, action_subject, field_enum
from training.audit.labels import field_label as _field_label
from training.audit.models import AuditEvent
from training.extensions import Model, db
from training.formatting import country_name, percent
from training.labels import label
from training.permissions import can

if TYPE_CHECKING:
    from training.auth.models import User
    from training.sessions.models import TrainingSession

NOTHING = "—"

DATE_FIELDS = frozenset(
    {
        "start_date",
        "end_date",
        "screened_on",
        "valid_until",
        "date",
        "qualified_on",
        "expires_on",
        "active_from",
        "active_until",
    }
)
# Fields holding an ISO country code, shown by the country's name.
COUNTRY_FIELDS = frozenset({"country", "merged_country"})
PERCENT_FIELDS = frozenset({"min_attendance_percent", "pass_mark_percent"})
MONTH_FIELDS = frozenset({"certificate_validity_months"})

# Fields holding another record's id, shown by that record's name: the
# mapped class (by name) and what to show of it. Named, not imported: every
# area records events through audit.services, so audit finds their models
# in the ORM's registry instead of importing them back.
REFERENCE_FIELDS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "organisation_id": ("Organisation", lambda organisation: organisation.label),
    "trainer_id": ("Trainer", lambda trainer: trainer.name),
    "curriculum_id": ("Curriculum", lambda curriculum: curriculum.code),
}


def _mapped(name: str) -> Any:
    """The mapped class of that name (every model is mapped by create_app)."""
    for mapper in Model.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    raise LookupError(f"no mapped class named {name}")


# What a reader without "history.view_all" (a session's trainer) reads of a
# session's trail: the session, its trainers, attendance, scores, and the
# enrollments and certificates of the participants confirmed in it; never a
# screening, nor the events of nominees who were not confirmed.
SHARED_SUBJECTS = frozenset(
    {"session", "assignment", "attendance", "scores", "enrollment", "certificate"}
)
# The reasons such a reader may read: those of corrections to their own
# records. Override and revocation reasons are coordinators' decisions.
SHARED_REASONS = frozenset({"attendance", "scores"})
# Fields such a reader never sees: a certificate's fingerprint, whether a
# trainer was assigned by override.
COORDINATOR_FIELDS = frozenset({"sha256", "qualified"})


@dataclass(frozen=True)
class Change:
    """One field of an event. `before` is None when there was nothing
    before (a creation) or when the field did not change and is only there
    to say which record moved (the day of an attendance correction)."""

    key: str
    label: str
    before: str | None
    after: str


@dataclass(frozen=True)
class HistoryRow:
    when: str
    who: str | None
    action: str
    action_label: str
    session_id: int | None
    participant_id: int | None
    participant_name: str | None  # whom the event concerns, on a session's page
    link_participant: bool  # whether the reader may open that participant's page
    changes: list[Change]
    reason: str | None


def _changes(event: AuditEvent) -> tuple[dict[str, Any], dict[str, Any]]:
    changes = event.changes or {}
    return changes.get("before") or {}, changes.get("after") or {}


def _referenced_names(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names behind the ids the events mention: one query per kind of
    record mentioned, whatever the number of events."""
    wanted: dict[str, set[int]] = {key: set() for key in REFERENCE_FIELDS}
    for event in events:
        for values in _changes(event):
            for key in wanted:
                if isinstance(values.get(key), int):
                    wanted[key].add(values[key])
    names: dict[tuple[str, int], str] = {}
    for key, ids in wanted.items():
        if not ids:
            continue
        model_name, name_of = REFERENCE_FIELDS[key]
        model = _mapped(model_name)
        for record in db.session.scalars(sa.select(model).where(model.id.in_(ids))):
            names[(key, record.id)] = name_of(record)
    return names


def _participant_names(events: list[AuditEvent]) -> dict[int, str]:
    """The names of the participants the events concern (one query)."""
    ids = {event.participant_id for event in events if event.participant_id}
    if not ids:
        return {}
    participant_model = _mapped("Participant")
    return {
        participant.id: participant.full_name
        for participant in db.session.scalars(
            sa.select(participant_model).where(participant_model.id.in_(ids))
        )
    }


class _ValueWriter:
    """Writes one page's values: the locale, the words for yes and no and
    the referenced names are looked up once."""

    def __init__(self, locale: Locale, names: dict[tuple[str, int], str]) -> None:
        self.locale = locale
        self.locale_name = str(locale)
        self.yes, self.no = _("Yes"), _("No")
        self.names = names
        self.labels: dict[tuple[str, str], str] = {}

    def field_label(self, action: str, key: str) -> str:
        subject = (action_subject(action), key)
        if subject not in self.labels:
            self.labels[subject] = _field_label(action, key)
        return self.labels[subject]

    def value(self, action: str, key: str, value: Any) -> str:
        if value is None or value == "":
            return NOTHING
        if isinstance(value, bool):
            return self.yes if value else self.no
        if key in REFERENCE_FIELDS and isinstance(value, int):
            return self.names.get((key, value), str(value))
        enum_class = field_enum(action, key)
        if enum_class is not None:
            try:
                return label(enum_class(value))
            except ValueError:
                return str(value)
        if key in DATE_FIELDS and isinstance(value, str):
            try:
                return format_date(date.fromisoformat(value), "medium", locale=self.locale)
            except ValueError:
                return value
        if key in COUNTRY_FIELDS and isinstance(value, str):
            return country_name(value, self.locale_name)
        if key == "languages" and isinstance(value, str):
            return ", ".join(self._language(code) for code in value.split(",") if code)
        if key == "reason" and action_subject(action) == "auth":
            found = SIGN_IN_FAILURES.get(value)
            return str(found) if found is not None else str(value)
        if isinstance(value, int | float):
            return self._number(key, value)
        return str(value)

    def _language(self, code: str) -> str:
        try:
            language = field_enum("session.updated", "language")
            return label(language(code)) if language is not None else code
        except ValueError:
            return code

    def _number(self, key: str, value: float) -> str:
        if key in PERCENT_FIELDS:
            return percent(value / 100, 0 if value == int(value) else 1, self.locale_name)
        if key in MONTH_FIELDS and value == int(value):
            return ngettext("%(num)d month", "%(num)d months", int(value))
        return format_decimal(value, locale=self.locale)

    def changes(self, event: AuditEvent) -> list[Change]:
        """The event's fields, in the order recorded. A field that kept its
        value is shown once, without an arrow; a field that appears empty
        with nothing before it says nothing and is left out."""
        before, after = _changes(event)
        changes = []
        for key in dict.fromkeys([*before, *after]):
            old, new = before.get(key), after.get(key)
            if key not in before and (new is None or new == ""):
                continue
            unchanged = key in before and key in after and old == new
            changes.append(
                Change(
                    key=key,
                    label=self.field_label(event.action, key),
                    before=(
                        self.value(event.action, key, old)
                        if key in before and not unchanged
                        else None
                    ),
                    after=self.value(event.action, key, new),
                )
            )
        return changes


def readable_events(
    reader: User, training_session: TrainingSession, events: Iterable[AuditEvent]
) -> list[AuditEvent]:
    """The events of a session's trail that `reader` may read, in the order
    given: all of them with "history.view_all"; otherwise only those of
    SHARED_SUBJECTS that concern no participant or a confirmed one."""
    events = list(events)
    if can(reader, "history.view_all"):
        return events
    confirmed = {
        enrollment.participant_id
        for enrollment in training_session.enrollments
        if enrollment.is_confirmed
    }
    return [
        event
        for event in events
        if action_subject(event.action) in SHARED_SUBJECTS
        and (event.participant_id is None or event.participant_id in confirmed)
    ]


def history_rows(events: Iterable[AuditEvent], reader: User | None = None) -> list[HistoryRow]:
    """One row per event, newest first as given, dates in the reader's
    locale and time zone. A `reader` without "history.view_all" gets no
    coordinator-only field or reason (choose the events with
    readable_events first); without a reader, everything is shown (pages
    only coordinators open)."""
    events = list(events)
    everything = reader is None or can(reader, "history.view_all")
    link_participant = reader is None or can(reader, "participants.view")
    locale, timezone = get_locale() or Locale.parse("en"), get_timezone()
    writer = _ValueWriter(locale, _referenced_names(events))
    participants = _participant_names(events)
    return [
        HistoryRow(
            when=format_datetime(event.occurred_at, "short", tzinfo=timezone, locale=locale),
            who=event.actor.name if event.actor else None,
            action=event.action,
            action_label=action_label(event.action),
            session_id=event.session_id,
            participant_id=event.participant_id,
            participant_name=participants.get(event.participant_id or 0),
            link_participant=link_participant,
            changes=(
                writer.changes(event)
                if everything
                else [c for c in writer.changes(event) if c.key not in COORDINATOR_FIELDS]
            ),
            reason=(
                event.reason
                if everything or action_subject(event.action) in SHARED_REASONS
                else None
            ),
        )
        for event in events
    ]
