"""What attendance reports before a session is completed (the sessions'
completion_checklist signal): the half-days not recorded, day by day, and
the test scores missing when the curriculum has a test. Connected by
create_app."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext

from training.attendance.services import confirmed_enrollments, day_statuses
from training.formatting import format_day
from training.sessions.models import Period, TrainingSession
from training.sessions.signals import ChecklistItem, completion_checklist

# Names listed in full before "and N others".
NAMES_SHOWN = 8


def _period_text(period: Period, missing: int) -> str:
    return ngettext(
        "%(period)s: %(num)d participant not recorded",
        "%(period)s: %(num)d participants not recorded",
        missing,
        period=str(period.label).lower(),
    )


def unrecorded_half_days(training_session: TrainingSession) -> ChecklistItem | None:
    """The half-days on which a confirmed participant has no record, one
    line per day (a day still to come says so)."""
    today = date.today()
    details: list[str] = []
    facts: list[tuple[str, str, int]] = []
    for status in day_statuses([training_session])[training_session.id]:
        periods = [(period, missing) for period, missing in status.missing.items() if missing > 0]
        if not periods:
            continue
        facts.extend((status.day.isoformat(), period.value, missing) for period, missing in periods)
        line = _(
            "%(day)s — %(periods)s",
            day=format_day(status.day, "full"),
            periods="; ".join(_period_text(period, missing) for period, missing in periods),
        )
        if status.day > today:
            line = _("%(line)s (still to come)", line=line)
        details.append(line)
    if not facts:
        return None
    return ChecklistItem(
        key="unrecorded_half_days",
        count=len(facts),
        title=ngettext(
            "%(num)d half-day not recorded", "%(num)d half-days not recorded", len(facts)
        ),
        details=tuple(details),
        facts=tuple(facts),
        endpoint="attendance.overview",
        order=10,
    )


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    hidden = len(names) - NAMES_SHOWN
    if hidden <= 0:
        return shown
    return ngettext(
        "%(names)s and %(num)d other", "%(names)s and %(num)d others", hidden, names=shown
    )


def missing_scores(training_session: TrainingSession) -> ChecklistItem | None:
    """When the curriculum has a test: the confirmed participants without a
    pre-test or a post-test score (without a post-test, no certificate of
    completion can be earned)."""
    if not training_session.curriculum.has_test:
        return None
    enrollments = confirmed_enrollments(training_session)
    no_pre = [e for e in enrollments if e.pre_test_score is None]
    no_post = [e for e in enrollments if e.post_test_score is None]
    missing = {e.id for e in no_pre} | {e.id for e in no_post}
    if not missing:
        return None
    details = []
    if no_post:
        details.append(
            ngettext(
                "Post-test: %(num)d participant without a score (%(names)s)",
                "Post-test: %(num)d participants without a score (%(names)s)",
                len(no_post),
                names=_names([e.participant.full_name for e in no_post]),
            )
        )
    if no_pre:
        details.append(
            ngettext(
                "Pre-test: %(num)d participant without a score (%(names)s)",
                "Pre-test: %(num)d participants without a score (%(names)s)",
                len(no_pre),
                names=_names([e.participant.full_name for e in no_pre]),
            )
        )
    return ChecklistItem(
        key="missing_scores",
        count=len(missing),
        title=ngettext(
            "%(num)d participant without all their test scores",
            "%(num)d participants without all their test scores",
            len(missing),
        ),
        details=tuple(details),
        facts=(tuple(sorted(e.id for e in no_pre)), tuple(sorted(e.id for e in no_post))),
        endpoint="attendance.scores",
        order=20,
    )


def init_app(app: Flask) -> None:
    completion_checklist.connect(unrecorded_half_days)
    completion_checklist.connect(missing_scores)
