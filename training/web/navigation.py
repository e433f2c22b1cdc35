"""The navigation bar: each role sees only what it may use."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import url_for
from flask_babel import lazy_gettext as _l

from training.permissions import can


class NavItem(NamedTuple):
    endpoint: str
    label: Any
    action: str


NAV_ITEMS = (
    NavItem("home.index", _l("Home"), "home"),
    NavItem("sessions.list_sessions", _l("Sessions"), "sessions.list"),
    NavItem("curricula.list_curricula", _l("Curricula"), "curricula.view"),
    NavItem("people.list_participants", _l("Participants"), "participants.view"),
    NavItem("people.list_trainers", _l("Trainers"), "trainers.view"),
    NavItem("organisations.list_organisations", _l("Organisations"), "organisations.view"),
    NavItem("reports.index", _l("Reports"), "reports.view"),
    NavItem("certificates.my_trainings", _l("My trainings"), "me.view"),
    NavItem("auth.users", _l("Users"), "users.manage"),
    NavItem("mail.outbox", _l("Mail"), "mail.view"),
)


def navigation_for(user: Any) -> list[tuple[str, Any, str]]:
    """(url, label, endpoint) of the pages this user may open."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        (url_for(item.endpoint), item.label, item.endpoint)
        for item in NAV_ITEMS
        if can(user, item.action)
    ]
