"""Opening hours written in Finnish, shown in Swedish and English (issue 18.13)."""

from __future__ import annotations

import pytest

from hbapp.domain.opening_hours import localize_opening_hours

CASES = [
    ("toimisto ma–pe 8–16, kotikäynnit joka päivä 7–21",
     "kontor mån–fre 8–16, hembesök varje dag 7–21",
     "office Mon–Fri 8–16, home visits every day 7–21"),
    ("ma–pe 8–15.30, la 9–14", "mån–fre 8–15:30, lör 9–14", "Mon–Fri 8–15:30, Sat 9–14"),
    ("Ma–to 9–15", "Mån–tors 9–15", "Mon–Thu 9–15"),
    # a provider's own word is kept; "maanantai" is not "ma"
    ("maanantaisin Lappeenrannassa", "maanantaisin Lappeenrannassa",
     "maanantaisin Lappeenrannassa"),
]


@pytest.mark.parametrize("finnish, swedish, english", CASES)
def test_weekdays_and_common_words_are_translated(finnish, swedish, english):
    assert localize_opening_hours(finnish, "fi") == finnish
    assert localize_opening_hours(finnish, "sv") == swedish
    assert localize_opening_hours(finnish, "en") == english


def test_empty_and_unknown_locale_are_kept():
    assert localize_opening_hours("", "en") == ""
    assert localize_opening_hours("ma–pe 8–16", "de") == "ma–pe 8–16"
