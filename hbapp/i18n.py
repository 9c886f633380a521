"""Translations (gettext catalogs in locales/) and locale-aware formatting with Babel.

English msgids are the source; Finnish is the default UI language. This module does not
import Reflex, so services and HTTP routes can use it too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from hbapp.config import REPO_ROOT, SUPPORTED_LOCALES, get_settings
from hbapp.domain.money import hours_minutes
from hbapp.domain.units import Unit

LOCALES_DIR = REPO_ROOT / "locales"
DOMAIN = "messages"
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it here (translated later)."""
    return msgid


@lru_cache(maxsize=len(SUPPORTED_LOCALES) + 1)
def translations(locale: str) -> NullTranslations:
    if locale not in SUPPORTED_LOCALES:
        locale = get_settings().default_locale
    return Translations.load(str(LOCALES_DIR), [locale], domain=DOMAIN)


@lru_cache(maxsize=16)
def babel_locale(locale: str) -> Locale:
    """Babel's Locale for a code, parsed once: Babel parses a code string on every call,
    which doubled the cost of each formatted amount and date on a page."""
    return Locale.parse(locale)


def gettext_for(locale: str, msgid: str) -> str:
    return translations(locale).gettext(msgid)


def ngettext_for(locale: str, singular: str, plural: str, n: int) -> str:
    return translations(locale).ngettext(singular, plural, n)


class Translator:
    """gettext bound to one locale, with Babel formatting for that locale."""

    def __init__(self, locale: str):
        self.locale = locale if locale in SUPPORTED_LOCALES else get_settings().default_locale

    def __call__(self, msgid: str, **values) -> str:
        text = gettext_for(self.locale, msgid)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values) -> str:
        return ngettext_for(self.locale, singular, plural, count).format(**values)

    def money(self, cents: int) -> str:
        return format_money(cents, self.locale)

    def number(self, value: Decimal | int, max_decimals: int = 2) -> str:
        return format_number(value, self.locale, max_decimals)

    def date(self, value: date | datetime, style: str = "medium") -> str:
        return dates.format_date(value, style, locale=babel_locale(self.locale))

    def weekday_date(self, value: date | datetime) -> str:
        return dates.format_date(value, "EEE d.M.", locale=babel_locale(self.locale))

    def time(self, value: datetime) -> str:
        return dates.format_time(value, "short", locale=babel_locale(self.locale))

    def month(self, value: date) -> str:
        # Stand-alone month name ("marraskuu 2026", "november 2026").
        return dates.format_date(value, "LLLL yyyy", locale=babel_locale(self.locale))

    def quantity(self, units: Decimal, unit: str) -> str:
        return format_quantity(units, unit, self)


def format_money(cents: int, locale: str) -> str:
    return numbers.format_currency(Decimal(cents) / 100, "EUR", locale=babel_locale(locale))


def format_number(value: Decimal | int, locale: str, max_decimals: int = 2) -> str:
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=babel_locale(locale))


def format_quantity(units: Decimal, unit: str, t: Translator) -> str:
    """A quantity in its natural unit: "14 h 30 min", "4 days", "6 trips", "45,00 €"."""
    negative = units < 0
    units = abs(Decimal(units))
    sign = "−" if negative else ""
    if unit == Unit.HOUR.value:
        hours, minutes = hours_minutes(units)
        if minutes == 0:
            return sign + t("{hours} h", hours=t.number(hours))
        if hours == 0:
            return sign + t("{minutes} min", minutes=minutes)
        return sign + t("{hours} h {minutes} min", hours=t.number(hours), minutes=minutes)
    if unit == Unit.EURO.value:
        return sign + t.money(int(units * 100))
    count = t.number(units)
    plural_n = int(units) if units == units.to_integral_value() else 2
    if unit == Unit.DAY.value:
        return sign + t.ngettext("{n} day", "{n} days", plural_n, n=count)
    if unit == Unit.VISIT.value:
        return sign + t.ngettext("{n} visit", "{n} visits", plural_n, n=count)
    if unit == Unit.KM.value:
        return sign + t("{n} km", n=count)
    raise ValueError(f"unknown unit {unit!r}")


def unit_price_label(cents: int, unit: str, t: Translator) -> str:
    """ "39,90 €/h", "100,00 €/day" ."""
    labels = {
        Unit.HOUR.value: N_("{price}/h"),
        Unit.DAY.value: N_("{price}/day"),
        Unit.VISIT.value: N_("{price}/visit"),
        Unit.KM.value: N_("{price}/km"),
        Unit.EURO.value: N_("{price}"),
    }
    return t(labels[unit], price=t.money(cents))


def of_each_unit(cents: int, unit: str, t: Translator) -> str:
    """ "2,10 € of each hour" — the unit's own word, never "unit" (issue 18.13)."""
    labels = {
        Unit.HOUR.value: N_("{amount} of each hour"),
        Unit.DAY.value: N_("{amount} of each day"),
        Unit.VISIT.value: N_("{amount} of each visit"),
        Unit.KM.value: N_("{amount} of each kilometre"),
        Unit.EURO.value: N_("{amount}"),
    }
    return t(labels.get(unit, labels[Unit.EURO.value]), amount=t.money(cents))


def best_locale(accept_language: str | None) -> str:
    """The first supported language of an Accept-Language header, else the default."""
    default = get_settings().default_locale
    if not accept_language:
        return default
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        language = tag.split("-")[0]
        if language in SUPPORTED_LOCALES:
            return language
    return default


@lru_cache(maxsize=1)
def catalog_msgids() -> tuple[str, ...]:
    """Every msgid of the extracted template, so the UI dictionary is complete in any process."""
    pot = LOCALES_DIR / f"{DOMAIN}.pot"
    if not pot.exists():
        return ()
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    return tuple(str(message.id) for message in catalog if message.id and isinstance(message.id, str))


def locale_display_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(locale) or LANGUAGE_NAMES[locale]
