"""Service events as people read them: bands, statuses, times, receipts, the review queue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hbapp.i18n import Translator
from hbapp.services.provider_events import MESSAGES, EventRefused, RecordedEvent, ReviewItem
from hbapp.views.events import (
    BAND_NAMES,
    STATUS_NAMES,
    band_name,
    receipt_texts,
    refusal_message,
    review_rows,
    when_text,
)

EVENING = datetime(2026, 11, 24, 18, 30)


def event(**changes) -> RecordedEvent:
    values = dict(
        id=7, status="recorded", voucher="HB-ABCD-EFGH", client_name="Aino Virtanen",
        service_code="home_care", started_at=EVENING, ended_at=datetime(2026, 11, 24, 19, 30),
        units=Decimal(1), band="weekday_evening", amount_cents=3990, self_pay_cents=460,
        km=Decimal(0), km_compensation_cents=0, external_id=None, cancelled_at=None,
        cancel_reason="", created=True, unit="hour",
        service_names=("Kotihoito", "Hemvård", "Home care"), price_cents=4450)
    values.update(changes)
    return RecordedEvent(**values)


def test_band_and_status_names_in_every_language():
    assert band_name(Translator("fi"), "weekday_evening") == "ilta"
    assert band_name(Translator("sv"), "weekday_evening") == "kväll"
    assert band_name(Translator("en"), "sunday_holiday") == "Sunday or holiday"
    for locale in ("fi", "sv"):
        t = Translator(locale)
        for msgid in list(BAND_NAMES.values()) + list(STATUS_NAMES.values()):
            assert t(msgid) != msgid, (locale, msgid)


def test_times_of_a_visit_and_of_a_day():
    t = Translator("fi")
    assert when_text(t, EVENING, datetime(2026, 11, 24, 19, 30)).endswith("klo 18.30–19.30")
    night = when_text(t, datetime(2026, 11, 24, 22), datetime(2026, 11, 25, 1))
    assert "22.00" in night and "1.00" in night and night.count("klo") == 2
    assert "klo" not in when_text(t, datetime(2026, 11, 24), None)


def test_the_receipt_says_what_was_derived():
    t = Translator("fi")
    receipt = receipt_texts(t, event())
    assert receipt["band"] == "ilta"
    assert receipt["price"] == "44,50\xa0€/t"  # tunti
    assert (receipt["amount"], receipt["self_pay"]) == ("39,90\xa0€", "4,60\xa0€")
    assert receipt["status_text"] == "Kirjattu" and receipt["km"] == ""
    trip = receipt_texts(t, event(unit="visit", units=Decimal(1), km=Decimal("35.5"),
                                  km_compensation_cents=612, ended_at=None))
    assert "35,5 km" in trip["km"] and "6,12" in trip["km"]


def test_every_refusal_has_a_translated_message():
    for locale in ("fi", "sv"):
        t = Translator(locale)
        for code in MESSAGES:
            error = EventRefused(code, days=60) if code == "too_old" else EventRefused(code)
            text = refusal_message(t, error)
            assert text and text != MESSAGES[code], (locale, code)
    assert "60" in refusal_message(Translator("fi"), EventRefused("too_old", days=60))


def test_review_rows_say_what_is_left_or_over():
    t = Translator("fi")
    item = ReviewItem(event_id=3, client_id=1, client_name="Aino Virtanen",
                      provider_name="Saimaan Kotihelmi Oy", service_code="home_care",
                      service_names=("Kotihoito", "Hemvård", "Home care"), unit="hour",
                      started_at=EVENING, ended_at=datetime(2026, 11, 24, 20, 30),
                      units=Decimal(2), band="weekday_evening", amount_cents=7980,
                      self_pay_cents=920, line_remaining_cents=2000, month_remaining_cents=9000,
                      created_at=EVENING)
    [row] = review_rows(t, [item])
    assert "20,00" in row["left"] and "59,80" in row["if_approved"]
    [over] = review_rows(t, [ReviewItem(**{**item.__dict__, "line_remaining_cents": -500})])
    assert "ylittynyt" in over["left"] and "79,80" in over["if_approved"]
