"""training.text.clean returns most text untouched without its character
loop; the shortcut must give what the loop gives, whatever the text."""

from __future__ import annotations

import unicodedata

import pytest

from training import text

SAMPLES = [
    "Aïcha Traoré",
    "Traore\u0301",  # decomposed: not NFC
    "Moussa\x0bIbrahim",
    "Diallo\x00\x1f",
    " leading",
    "trailing ",
    "two  spaces",
    "no-break\u00a0space",
    "tab\there",
    "line\nbreak",
    "C1\x85control",
    "separator\u2028here",
    "nonchar\ufffe",
    "plane\U0001fffe",
    "lone\ud800surrogate",
    "ideographic\u3000space",
    '=HYPERLINK("x")',
    "N'Djamena",
    "محمد ولد أحمد",
    "😀 emoji",
]


def _loop_only(value: str) -> str:
    """What clean gives without the shortcut."""
    original = text._needs_cleaning
    text._needs_cleaning = lambda _value: True  # always the loop
    try:
        return text.clean(value)
    finally:
        text._needs_cleaning = original


@pytest.mark.parametrize("value", SAMPLES)
def test_the_shortcut_gives_what_the_loop_gives(value):
    assert text.clean(value) == _loop_only(value)


def test_every_character_of_the_first_planes_alone_and_between_words():
    for code in range(0x3000):
        character = chr(code)
        for value in (character, f"a{character}b", f"a {character} b"):
            if unicodedata.is_normalized("NFC", value):
                assert text.clean(value) == _loop_only(value), hex(code)


def test_the_printable_check_answers_as_the_expression_does():
    for code in range(0x3001):  # U+3000 is the last space
        character = chr(code)
        for value in (character, f"a{character}b", f"a {character} b", f"{character} ", "a  b"):
            expected = text._NEEDS_CLEANING.search(value) is not None
            assert text._needs_cleaning(value) == expected, hex(code)
    for value in SAMPLES:
        assert text._needs_cleaning(value) == (text._NEEDS_CLEANING.search(value) is not None)
