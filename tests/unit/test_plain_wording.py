"""Issue 18.13: plain words for the NPS interval, per-hour self-pay, euro-counted services."""

from __future__ import annotations

from hbapp.domain.nps import NpsSummary
from hbapp.i18n import Translator, of_each_unit
from hbapp.views.providers import nps_text, price_text


def _summary(**values):
    fields = {name: None for name in NpsSummary.__dataclass_fields__}
    fields.update(values)
    return NpsSummary(**fields)


def test_a_wide_nps_interval_is_said_plainly():
    t = Translator("fi")
    text = nps_text(t, _summary(n=9, nps=33.3, low=0.0, high=83.0))
    assert ":n väli" not in text and "95" not in text
    assert t("Few answers yet: the true score may be anywhere between {low} and {high}.",
             low=0, high=83) in text


def test_self_pay_says_the_units_own_word():
    assert of_each_unit(210, "hour", Translator("fi")) == "2,10\xa0€ jokaisesta tunnista"
    assert "hour" in of_each_unit(210, "hour", Translator("en"))
    assert "unit" not in of_each_unit(210, "day", Translator("en"))


def test_a_service_counted_in_euros_has_no_price_per_euro():
    t = Translator("fi")
    assert "€" not in price_text(t, 100, "euro")
    assert price_text(t, 3990, "hour") == "39,90\xa0€/t"
