"""What sessions announce to the areas that depend on them (blinker, as
Flask's own signals). Receivers are connected by create_app."""

from __future__ import annotations

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
