"""What each user's home page shows, composed from the alerts and lists of
the areas that own each rule, chosen by what the user may do."""

from __future__ import annotations

from datetime import date
from typing import Any

from training.alerts import ALERT_PAGE_SIZE, AlertPage
from training.attendance.alerts import days_without_attendance
from training.attendance.home import trainer_home
from training.auth.models import User
from training.certificates.home import participant_home
from training.enrollment.alerts import nominees_awaiting_screening
from training.permissions import can
from training.reports import projection
from training.reports.alerts import certificates_to_issue
from training.sessions.alerts import sessions_without_lead, upcoming_sessions


def coordinator_home(today: date) -> dict[str, Any]:
    """The coordinator's (and administrator's) home: the sessions coming up
    and what needs doing, each item linking to where it is done. A fixed
    number of queries whatever the size of the programme."""
    projection.catch_up()  # "certificates to issue" reads the reports' table
    return {
        "today": today,
        "upcoming_sessions": upcoming_sessions(today),
        "sessions_without_lead": sessions_without_lead(today),
        "nominees_awaiting_screening": nominees_awaiting_screening(today),
        "days_without_attendance": days_without_attendance(today),
        "certificates_to_issue": certificates_to_issue(),
    }


# The home page's alerts whose "and N more" leads to their whole list.
FULL_ALERTS = (
    "sessions_without_lead",
    "nominees_awaiting_screening",
    "days_without_attendance",
    "certificates_to_issue",
)


def alert_page(name: str, page: int = 1, today: date | None = None) -> AlertPage:
    """Page `page` (from 1) of the whole list behind the home page's alert
    `name` (KeyError for an alert the home page does not have)."""
    if name not in FULL_ALERTS:
        raise KeyError(name)
    today = today or date.today()
    window = {"limit": ALERT_PAGE_SIZE, "offset": (page - 1) * ALERT_PAGE_SIZE}
    if name == "sessions_without_lead":
        found = sessions_without_lead(today, **window)
    elif name == "nominees_awaiting_screening":
        found = nominees_awaiting_screening(today, **window)
    elif name == "days_without_attendance":
        found = days_without_attendance(today, **window)
    else:
        projection.catch_up()  # "certificates to issue" reads the reports' table
        found = certificates_to_issue(**window)
    return AlertPage(found, page, ALERT_PAGE_SIZE)


def home_page(user: User, today: date | None = None) -> tuple[str, dict[str, Any]]:
    """The home template for this user and its context."""
    today = today or date.today()
    if can(user, "users.manage"):
        return "home/admin.html", coordinator_home(today)
    if can(user, "sessions.manage"):
        return "home/coordinator.html", coordinator_home(today)
    if can(user, "attendance.record"):
        return "home/trainer.html", trainer_home(user, today)
    return "home/participant.html", participant_home(user)
