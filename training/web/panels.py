"""What a page of one area shows from the areas above it.

A participant's page lists their trainings (enrollment), a trainer's page
their sessions (sessions), a session's page its enrollment counts
(enrollment); the areas that hold those records sit above the page's own
area and may not be imported by it. So the page announces itself, and each
upper area contributes the part it owns (Indico's way with signals): a
receiver takes the page's object and returns template context. Receivers are
connected by create_app (each area's `pages.init_app`)."""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

participant_page = _signals.signal("participant-page")  # sender: the Participant
trainer_page = _signals.signal("trainer-page")  # sender: the Trainer
session_page = _signals.signal("session-page")  # sender: the TrainingSession
sessions_list = _signals.signal("sessions-list")  # sender: the listed TrainingSessions
user_page = _signals.signal("user-page")  # sender: the User on the administrator's form
# sender: the Curriculum about to be retired, on the page that asks first
curriculum_retiring = _signals.signal("curriculum-retiring")


def contributions(signal: Any, sender: Any) -> dict[str, Any]:
    """The template context every receiver of `signal` contributes for
    `sender`, merged."""
    context: dict[str, Any] = {}
    for _receiver, part in signal.send(sender):
        context.update(part or {})
    return context
