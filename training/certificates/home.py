"""The participant's home page."""

from __future__ import annotations

from typing import Any

from training.auth.models import User


def participant_home(user: User) -> dict[str, Any]:
    participant = user.participant
    return {"enrollments": list(participant.enrollments) if participant else []}
