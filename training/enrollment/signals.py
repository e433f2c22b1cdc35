"""What enrollment announces to the areas above it (blinker). Receivers are
connected by create_app and write in the caller's transaction: a rollback
undoes what they wrote (training.notifications queues the nominee's mail)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sender: the Enrollment, just confirmed; `promoted` is True when it moved
# up from the waiting list because a place freed.
enrollment_confirmed = _signals.signal("enrollment-confirmed")
# Sender: the Enrollment, just placed on the waiting list (its
# `waitlist_position` set).
enrollment_waitlisted = _signals.signal("enrollment-waitlisted")
