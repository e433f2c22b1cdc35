"""Text normalisation shared by search, duplicate detection, imports and
file names."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import jellyfish

# Arabic letters written several ways for one name, folded to one: alef
# wasla to alef, alef maqsura and the Persian yeh to yeh, teh marbuta to heh,
# the Persian kaf to kaf, tatweel (the stretching stroke) dropped, Arabic-
# Indic digits to ASCII ones. NFKD has already split the hamza and madda off
# أ إ آ ؤ ئ, and the vowel marks (tashkeel), like accents, are combining.
_ARABIC_FOLDS = str.maketrans(
    {
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u06cc": "\u064a",  # ی -> ي
        "\u0629": "\u0647",  # ة -> ه
        "\u06a9": "\u0643",  # ک -> ك
        "\u0640": None,  # tatweel
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
    }
)


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "  Moussa TRAORÉ " -> "moussa traore";
    Arabic without vowel marks nor hamza, its variant letters unified:
    "أَحْمَد" -> "احمد", "فاطمة" -> "فاطمه", "مصطفى" -> "مصطفي"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.translate(_ARABIC_FOLDS).casefold().split())


_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f]")


def has_arabic_letters(text: str | None) -> bool:
    """Whether `text` holds a letter of the Arabic script."""
    return bool(text) and _ARABIC_LETTER.search(text or "") is not None


def search_key(given_name: str | None, family_name: str | None, name_ar: str | None = None) -> str:
    """The folded "given family" name stored in Participant.search_name,
    followed by the name in Arabic script when there is one: a search finds
    either."""
    return fold(f"{given_name or ''} {family_name or ''} {name_ar or ''}")


def name_tokens(given_name: str | None, family_name: str | None) -> list[str]:
    """The folded words of a name, hyphens and apostrophes splitting them:
    "Aïssata N'Diaye-Maïga" -> ["aissata", "n", "diaye", "maiga"]."""
    return re.findall(r"[^\W_]+", search_key(given_name, family_name))


def match_key(given_name: str | None, family_name: str | None) -> str:
    """The name's words in alphabetical order: the same for "Awa DIALLO",
    "Diallo Awa" and "awa diallo" (given and family names swapped, as forms
    from different services often do)."""
    return " ".join(sorted(name_tokens(given_name, family_name)))


def sound_key(given_name: str | None, family_name: str | None) -> str:
    """How the name sounds, word by word (Metaphone, from jellyfish), in
    alphabetical order: "Mohamed Traoré", "Mohammed Traore" and "Traoré
    Mouhamadou" share one key. It proposes candidates for a person to
    check, never a match on its own."""
    return " ".join(
        sorted(jellyfish.metaphone(word) for word in name_tokens(given_name, family_name))
    )


# Line and paragraph separators that some programs put inside a cell: Word's
# Shift+Enter (vertical tab), form feed, Unicode's own line separators.
_LINE_BREAKS = {"\r\n", "\r", "\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


def _is_unwanted(character: str) -> bool:
    """Control characters (C0, DEL, C1), lone surrogates and noncharacters:
    none is readable, and XML (hence XLSX) refuses most of them."""
    category = unicodedata.category(character)
    return category in ("Cc", "Cs") or (ord(character) & 0xFFFE) == 0xFFFE


# What the character loop below would change in a one-line text: a control
# character, a lone surrogate, a noncharacter, any whitespace but a single
# space between words. Text without any (nearly every stored name) is
# returned as it is, without the loop: exports clean every cell.
_NONCHARACTERS = "".join(
    chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17)
)
_NEEDS_CLEANING = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS + "]|[^\\S ]|  |^ | $"
)


def _needs_cleaning(text: str) -> bool:
    """Whether a non-empty text matches _NEEDS_CLEANING. Printable text
    holds no control, format, surrogate, unassigned or separator character
    but the space, so only its spaces can match: that is checked several
    times faster than by the expression, and most text is printable."""
    if text.isprintable():
        return "  " in text or text[0] == " " or text[-1] == " "
    return _NEEDS_CLEANING.search(text) is not None


def clean(text: str | None, *, multiline: bool = False) -> str:
    """Text as typed or pasted, made safe to store, export and print: NFC,
    no control characters, trimmed. A line break (any of them, Word's
    vertical tab included) becomes a space, or a newline in a multi-line
    text; a tab becomes a space."""
    if not text:
        return ""
    if not multiline and unicodedata.is_normalized("NFC", text) and not _needs_cleaning(text):
        return text
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    kept = []
    for character in text:
        if character in _LINE_BREAKS:
            kept.append("\n" if multiline else " ")
        elif character == "\t":
            kept.append(" ")
        elif not _is_unwanted(character):
            kept.append(character)
    cleaned = "".join(kept)
    if multiline:
        return "\n".join(line.strip() for line in cleaned.split("\n")).strip()
    return " ".join(cleaned.split())


# What a spreadsheet would read as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text without the control characters XML (hence XLSX) refuses, which
    older records may hold (Word's vertical tab in a name), and with a
    leading apostrophe if a spreadsheet would run it as a formula; numbers,
    dates and other values are returned unchanged."""
    if isinstance(value, str):
        value = clean(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def ascii_name(text: str, fallback: str = "document", *, keep: str = "._-") -> str:
    """`text` as a file name part every system accepts: accents dropped
    ("Traoré" -> "Traore"), each run of anything but letters, digits and the
    `keep` characters replaced by a dash, dashes and dots trimmed at both
    ends; `fallback` when nothing is left."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    unwanted = f"[^A-Za-z0-9{re.escape(keep)}]+"
    return re.sub(unwanted, "-", plain).strip("-.") or fallback
