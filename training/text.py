"""Text normalisation shared by search, duplicate detection and imports."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "  Moussa TRAORÉ " -> "moussa traore"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def search_key(given_name: str | None, family_name: str | None) -> str:
    """The folded "given family" name stored in Participant.search_name."""
    return fold(f"{given_name or ''} {family_name or ''}")
