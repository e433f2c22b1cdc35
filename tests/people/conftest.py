"""Helpers for the people area's tests."""

from __future__ import annotations

ROLES = ("admin", "coordinator", "trainer", "participant")
