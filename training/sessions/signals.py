"""What sessions announce to the areas that depend on them (blinker, as
Flask's own signals). Receivers are connected by create_app."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from blinker import Namespace

_signals = Namespace()

# Sent by update_session before a session's dates change, with the new
# `start_date` and `end_date`; a receiver refuses the change by raising a
# DomainError (attendance: days with records must stay in the session).
dates_changing = _signals.signal("session-dates-changing")

# Sent by assign_trainer once the assignment is made (sender: the
# Assignment), and by remove_assignment just before it is removed (sender:
# the Assignment, still whole). Receivers write in the caller's transaction
# (training.notifications queues the trainer's mail).
trainer_assigned = _signals.signal("session-trainer-assigned")
trainer_removed = _signals.signal("session-trainer-removed")

# Sent by closing_checklist (sessions.services) before a session is
# completed, and to show the checklist page. Each receiver looks at the
# session (the sender) in the area it owns and returns a ChecklistItem for
# what is still open there (half-days not recorded, scores missing,
# nominees pending), or None when nothing is. The session is completed only
# once each item returned is acknowledged.
completion_checklist = _signals.signal("session-completion-checklist")

# Sent by reopen_refusals (sessions.services) to ask whether a completed
# session may be reopened. A receiver returns the reason it may not (a
# translated sentence: certificates are issued for it), or None.
reopening = _signals.signal("session-reopening")


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a session's completion checklist, as an area reports it.

    `key` names it in the audit trail (the number of things acknowledged is
    kept under it); `count` and `facts` are what it states in plain values,
    whatever the reader's language; `title` and `details` say it in the
    reader's language; `endpoint` is the page where it is put right (it
    takes `session_id`)."""

    key: str
    count: int
    title: str
    details: tuple[str, ...] = ()
    facts: tuple[Any, ...] = ()
    endpoint: str | None = None
    order: int = 0

    @property
    def token(self) -> str:
        """What the checkbox acknowledging this item sends: it changes when
        the item does, so a checklist read before a change is not taken for
        the one that stands."""
        digest = hashlib.sha256(repr((self.key, self.count, self.facts)).encode()).hexdigest()
        return f"{self.key}:{digest[:12]}"
