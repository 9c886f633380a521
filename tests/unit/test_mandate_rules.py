"""Pure mandate rules and the plain-language texts of the audit trail."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hbapp.domain.mandates import (
    InvalidMandate,
    action_kind,
    check_period,
    is_in_force,
    parse_day_month_year,
    parse_scopes,
    stored_scopes,
)
from hbapp.i18n import Translator
from hbapp.services.privacy import AccessEntry
from hbapp.views.access import ACTION_TEXTS, ERROR_TEXTS, entry_texts, when

TODAY = date(2026, 11, 12)


def test_scopes_are_canonical_and_checked():
    assert parse_scopes("surveys, view") == ("view", "surveys")
    assert parse_scopes(["manage", "view", "view"]) == ("view", "manage")
    for bad, reason in (("", "no_scopes"), ([], "no_scopes"), ("view,admin", "unknown_scope")):
        with pytest.raises(InvalidMandate, match=reason):
            parse_scopes(bad)
    assert stored_scopes("view,bogus,feedback") == ("view", "feedback")


@pytest.mark.parametrize("status, start, end, expected", [
    ("active", date(2026, 1, 1), None, True),
    ("active", date(2026, 1, 1), TODAY, True),
    ("active", date(2026, 1, 1), date(2026, 11, 11), False),  # expired yesterday
    ("active", date(2026, 11, 13), None, False),  # not started
    ("revoked", date(2026, 1, 1), None, False),
    ("requested", date(2026, 1, 1), None, False),
])
def test_in_force(status, start, end, expected):
    assert is_in_force(status, start, end, TODAY) is expected


def test_periods_and_dates():
    check_period(TODAY, None, TODAY)
    with pytest.raises(InvalidMandate, match="ends_in_past"):
        check_period(TODAY, date(2026, 11, 11), TODAY)
    with pytest.raises(InvalidMandate, match="ends_before_start"):
        check_period(date(2027, 1, 10), date(2027, 1, 5), TODAY)
    assert parse_day_month_year(" 2", "9", "1958") == date(1958, 9, 2)
    with pytest.raises(InvalidMandate, match="date_missing"):
        parse_day_month_year("2", "", "1958")
    for day, month, year in (("31", "2", "2027"), ("x", "1", "2027"), ("1", "1", "27")):
        with pytest.raises(InvalidMandate, match="date_invalid"):
            parse_day_month_year(day, month, year)


def test_action_kinds():
    assert action_kind("view_budget") == "view"
    assert action_kind("login") == "sign_in"
    assert action_kind("grant_mandate") == "mandate"
    assert action_kind("view_mandates") == "mandate"
    assert action_kind("record_consent") == "mandate"
    assert action_kind("choose_provider") == "change"


def _entry(action: str, role: str = "case_worker", actor: int | None = 5) -> AccessEntry:
    return AccessEntry(1, datetime(2026, 11, 12, 8, 15), actor, "Sari Mäkinen", role, action,
                       action_kind(action), {"agent": "Mikko Virtanen"})


def test_entries_read_as_plain_language_in_finnish_time():
    fi = entry_texts(Translator("fi"), _entry("view_budget"))
    assert fi["text"] == "Sari Mäkinen (sosiaalityöntekijä) katsoi budjettiasi"
    assert fi["when"] == "12.11.2026 klo 10.15"  # 08.15 UTC is 10.15 in Helsinki in November
    sv = entry_texts(Translator("sv"), _entry("grant_mandate", role="self"))
    assert sv["text"] == "Sari Mäkinen (du) gav fullmakt till Mikko Virtanen"
    assert when(Translator("fi"), datetime(2026, 7, 1, 9, 0)).endswith("klo 12.00")  # summer


def test_unknown_actions_fall_back_and_system_entries_have_no_person():
    t = Translator("fi")
    assert entry_texts(t, _entry("view_something_new"))["text"].endswith("katsoi tietojasi")
    assert entry_texts(t, _entry("do_something_new"))["text"].endswith("muutti tietojasi")
    assert entry_texts(t, _entry("sync_suomifi_mandate", actor=None))["text"] == \
        "Henkilön Mikko Virtanen Suomi.fi-valtuutus päivittyi"


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_every_action_and_error_text_is_translated(locale):
    t = Translator(locale)
    for msgid in (*ACTION_TEXTS.values(), *ERROR_TEXTS.values()):
        assert t(msgid, who="X", agent="Y") != msgid.format(who="X", agent="Y"), msgid


def test_names_are_found_in_parts_ignoring_case_and_accents():
    from hbapp.domain.mandates import fold_name, name_matches

    assert fold_name("  Eeva  KÖRHÖNEN ") == "eeva korhonen"
    assert name_matches("korhon eeva", "Eeva Körhönen")
    assert name_matches("MÄKI", "Sari Mäkinen") and name_matches("maki", "Sari Mäkinen")
    assert not name_matches("virtanen aino", "Liisa Virtanen")
    assert not name_matches("", "Liisa Virtanen")


def test_a_birth_date_cannot_be_in_the_future():
    from datetime import date

    from hbapp.domain.mandates import check_birth_date

    today = date(2026, 11, 30)
    assert check_birth_date(date(1958, 9, 2), today) == date(1958, 9, 2)
    for wrong in (date(2026, 12, 1), date(1899, 12, 31)):
        with pytest.raises(InvalidMandate, match="birth_date_invalid"):
            check_birth_date(wrong, today)
