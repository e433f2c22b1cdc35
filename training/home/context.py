"""What each role's home page shows; each area owns its part."""

from __future__ import annotations

from typing import Any

from training.attendance.home import trainer_home
from training.auth.models import Role, User
from training.certificates.home import participant_home
from training.reports.home import coordinator_home


def context_for(user: User) -> dict[str, Any]:
    role = Role(user.role)
    if role in (Role.COORDINATOR, Role.ADMIN):
        return coordinator_home(user)
    if role == Role.TRAINER:
        return trainer_home(user)
    return participant_home(user)
