"""What accounts contribute to the pages below it (training.web.panels): the
"Access" panel of a trainer's and a participant's page, and the linked record
on the administrator's user form."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from training.accounts import services
from training.accounts.forms import LinkRecordForm
from training.auth.models import Role, User
from training.people.models import Participant, Trainer
from training.web import panels


def person_access(person: Trainer | Participant) -> dict[str, Any]:
    """The person's account, if any, and its newest link that still works."""
    user = person.user
    return {
        "access": {
            "user": user,
            "kind": "trainers" if isinstance(person, Trainer) else "participants",
            "pending_link": services.pending_link(user) if user is not None else None,
        }
    }


def user_link(user: User) -> dict[str, Any]:
    """The account's record, its newest link, and the records the search box
    (?record=...) finds for an account of its role."""
    query = request.args.get("record", "").strip()[:100]
    kind = "trainer" if user.role is Role.TRAINER else "participant"
    return {
        "linked": services.linked_person(user),
        "link_kind": kind if user.role in (Role.TRAINER, Role.PARTICIPANT) else None,
        "record_query": query,
        "candidates": services.search_records(user.role, query) if query else [],
        "pending_link": services.pending_link(user),
        "link_form": LinkRecordForm(kind=kind),
    }


def init_app(app: Flask) -> None:
    panels.participant_page.connect(person_access)
    panels.trainer_page.connect(person_access)
    panels.user_page.connect(user_link)
