"""A provider's offer as its own staff keep it current: intake, evening and weekend service,
languages, the local contact, opening hours and plain-language descriptions.

Saving the form, or confirming that nothing changed, sets `facts_confirmed_at`: clients see the
date (the pilots' providers' facts went stale unnoticed). `takes_new_clients`, which the
clients' filters use, follows `intake`: true only for "yes". Every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from hbapp.db import lock_row, read_session, write_session
from hbapp.models import Intake, Provider, ProviderStaff, utcnow
from hbapp.services import audit
from hbapp.services.access import Actor
from hbapp.services.provider_home import staff_provider

LANGUAGES = ("fi", "sv", "en")
INTAKES = tuple(i.value for i in Intake)
MAX_WAIT_WEEKS = 104
MAX_DESCRIPTION = 5000
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,38}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
POSTAL_CODE = re.compile(r"^[0-9]{5}$")
# Control characters and the Unicode line/paragraph separators break the pages and CSV exports.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_LIMITS = {"phone": 40, "email": 200, "street_address": 200, "postal_code": 5, "city": 100,
           "opening_hours": 200, "description_fi": MAX_DESCRIPTION,
           "description_sv": MAX_DESCRIPTION, "description_en": MAX_DESCRIPTION}
TEXT_FIELDS = tuple(_LIMITS)


@dataclass(frozen=True)
class ProfileInput:
    """The form as typed (texts), checked by `check_profile`."""

    intake: str = Intake.YES.value
    expected_wait_weeks: str = ""
    evening_service: bool = False
    weekend_service: bool = False
    languages: tuple[str, ...] = ("fi",)
    phone: str = ""
    email: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    opening_hours: str = ""
    description_fi: str = ""
    description_sv: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class CheckedProfile:
    intake: str
    expected_wait_weeks: int | None
    evening_service: bool
    weekend_service: bool
    languages: tuple[str, ...]
    texts: dict[str, str] = field(default_factory=dict)


class ProfileError(ValueError):
    """The form has errors: {field: code}, in the form's order."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


def check_profile(data: ProfileInput) -> CheckedProfile:
    """Every field checked at once, so the form shows all its errors together."""
    errors: dict[str, str] = {}
    if data.intake not in INTAKES:
        errors["intake"] = "bad_intake"
    weeks = None
    if data.intake == Intake.WAITING_LIST.value:
        text = (data.expected_wait_weeks or "").strip()
        if not text:
            errors["expected_wait_weeks"] = "wait_needed"
        elif not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_WAIT_WEEKS:
            errors["expected_wait_weeks"] = "bad_wait"
        else:
            weeks = int(text)
    languages = tuple(code for code in LANGUAGES if code in set(data.languages))
    if not languages or set(data.languages) - set(LANGUAGES):
        errors["languages"] = "no_language"
    texts: dict[str, str] = {}
    for name, limit in _LIMITS.items():
        value = getattr(data, name)
        value = value.strip() if isinstance(value, str) else ""
        if name.startswith("description_"):
            value = value.replace("\r\n", "\n")
        if len(value) > limit:
            errors[name] = "too_long"
        elif _BAD_CHARS.search(value):
            errors[name] = "bad_characters"
        texts[name] = value
    if "phone" not in errors and texts["phone"] and not PHONE.fullmatch(texts["phone"]):
        errors["phone"] = "bad_phone"
    if "email" not in errors and texts["email"] and not EMAIL.fullmatch(texts["email"]):
        errors["email"] = "bad_email"
    if not texts["phone"] and not texts["email"] and "phone" not in errors:
        errors["phone"] = "contact_needed"
    if "postal_code" not in errors and texts["postal_code"] \
            and not POSTAL_CODE.fullmatch(texts["postal_code"]):
        errors["postal_code"] = "bad_postal_code"
    if not texts["description_fi"] and "description_fi" not in errors:
        errors["description_fi"] = "description_needed"
    if errors:
        raise ProfileError(errors)
    return CheckedProfile(data.intake, weeks, bool(data.evening_service),
                          bool(data.weekend_service), languages, texts)


@dataclass(frozen=True)
class Profile:
    provider_id: int
    name: str
    data: ProfileInput
    facts_confirmed_at: datetime | None
    is_main_user: bool


def _as_input(provider: Provider) -> ProfileInput:
    return ProfileInput(
        intake=provider.intake, expected_wait_weeks=str(provider.expected_wait_weeks or ""),
        evening_service=provider.evening_service, weekend_service=provider.weekend_service,
        languages=tuple(c for c in provider.languages.split(",") if c),
        **{name: getattr(provider, name) or "" for name in TEXT_FIELDS},
    )


def provider_profile(engine: Engine, actor: Actor, provider_id: int | None) -> Profile:
    with read_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        staff = session.get(ProviderStaff, (provider.id, actor.person_id))
        return Profile(provider.id, provider.name, _as_input(provider),
                       provider.facts_confirmed_at, staff.is_main_user)


def save_profile(engine: Engine, actor: Actor, provider_id: int | None, data: ProfileInput,
                 now: datetime | None = None) -> datetime:
    """Check and save the offer; its facts are confirmed now. Returns the confirmation time."""
    checked = check_profile(data)
    now = now or utcnow()
    with write_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        provider = lock_row(session, Provider, provider.id)
        before = _as_input(provider)
        provider.intake = checked.intake
        provider.takes_new_clients = checked.intake == Intake.YES.value
        provider.expected_wait_weeks = checked.expected_wait_weeks
        provider.evening_service = checked.evening_service
        provider.weekend_service = checked.weekend_service
        provider.languages = ",".join(checked.languages)
        for name, value in checked.texts.items():
            setattr(provider, name, value)
        provider.facts_confirmed_at = now
        session.add(provider)
        after = _as_input(provider)
        changed = sorted(name for name in ProfileInput.__dataclass_fields__
                         if getattr(before, name) != getattr(after, name))
        audit.record(session, actor.person_id, "provider_profile_saved", None,
                     provider_id=provider.id, changed=changed)
        return now


def confirm_profile(engine: Engine, actor: Actor, provider_id: int | None,
                    now: datetime | None = None) -> datetime:
    """Nothing changed: the facts are confirmed as they are."""
    now = now or utcnow()
    with write_session(engine) as session:
        provider = staff_provider(session, actor, provider_id)
        provider = lock_row(session, Provider, provider.id)
        provider.facts_confirmed_at = now
        session.add(provider)
        audit.record(session, actor.person_id, "provider_profile_confirmed", None,
                     provider_id=provider.id)
        return now
