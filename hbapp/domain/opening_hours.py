"""Opening hours as providers write them in Finnish ("ma–pe 8–16, kotikäynnit joka päivä
7–21"), shown in the reader's language: weekday abbreviations and the few words providers
use are translated word by word; anything else (a provider's own words) is kept as written.
Pure: no Reflex, no database."""

from __future__ import annotations

import re

# Finnish weekday abbreviations → Swedish and English.
WEEKDAYS = {
    "ma": ("mån", "Mon"), "ti": ("tis", "Tue"), "ke": ("ons", "Wed"), "to": ("tors", "Thu"),
    "pe": ("fre", "Fri"), "la": ("lör", "Sat"), "su": ("sön", "Sun"),
}
# Phrases seen in providers' opening hours (longest first when matching).
PHRASES = {
    "joka päivä": ("varje dag", "every day"),
    "arkisin": ("vardagar", "on weekdays"),
    "kotikäynnit": ("hembesök", "home visits"),
    "toimisto": ("kontor", "office"),
    "päivystys": ("jour", "on call"),
    "avustajat": ("assistenter", "assistants"),
    "suljettu": ("stängt", "closed"),
    "sopimuksen mukaan": ("enligt överenskommelse", "by agreement"),
    "ja": ("och", "and"),
    "klo": ("kl.", "at"),
}
_INDEX = {"sv": 0, "en": 1}
_WORDS = sorted([*PHRASES, *WEEKDAYS], key=len, reverse=True)
_PATTERN = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in _WORDS) + r")(?![\w])",
                      re.IGNORECASE)
_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?![\d.])")


def localize_opening_hours(text: str, locale: str) -> str:
    """The opening hours in `locale` (fi: as written)."""
    if locale not in _INDEX or not text:
        return text
    index = _INDEX[locale]

    def word(match: re.Match) -> str:
        found = match.group(1)
        key = found.lower()
        translated = (PHRASES.get(key) or WEEKDAYS[key])[index]
        return translated[:1].upper() + translated[1:] if found[:1].isupper() else translated

    result = _PATTERN.sub(word, text)
    # "15.30" is the Finnish way to write a time; Swedish and English readers expect 15:30
    # (Swedish accepts both; the colon is unambiguous next to dates).
    return _TIME.sub(r"\1:\2", result)
