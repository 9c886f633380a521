"""Server-side login sessions: the browser holds a random token, the database its sha256.

Storing only the hash means a leaked database (or backup) gives no usable cookies. The
session's expiry on the server is what counts; the cookie itself has no max-age.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from http.cookies import CookieError, SimpleCookie

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from hbapp.config import get_settings
from hbapp.db import read_session, write_session
from hbapp.domain.identifiers import InvalidIdentifier, validate_personal_identity_code
from hbapp.models import Client, Consent, LoginSession, Mandate, Person, ProviderStaff, utcnow
from hbapp.services import audit

log = logging.getLogger(__name__)
SESSION_COOKIE = "hb_session"
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")


@dataclass(frozen=True)
class SessionInfo:
    session_id: int
    person_id: int
    expires_at: datetime  # naive UTC
    acting_for_client_id: int | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(minutes=get_settings().session_minutes)


def _naive_utc(value: datetime) -> datetime:
    """Naive UTC, whether the column type hands back naive or aware (UTC) datetimes."""
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _is_valid(row: LoginSession | None, now: datetime) -> bool:
    return (
        row is not None
        and row.ended_at is None
        and _naive_utc(row.expires_at) > _naive_utc(now)
    )


def _claimed_code(identity_code: str | None) -> str | None:
    """The identity-code claim, normalised, or None when missing or not a valid code."""
    if not identity_code:
        return None
    try:
        return validate_personal_identity_code(str(identity_code))
    except InvalidIdentifier:
        log.warning("sign-in: the identity-code claim is not a valid personal identity code")
        return None


def _link_by_identity_code(session, person: Person | None, subject: str, code: str,
                           name: str, email: str) -> Person:
    """Find or create the Person of a sign-in whose provider verified `code`.

    A row recorded by a case worker by identity code (no subject yet, e.g. a relative given a
    mandate before ever signing in) becomes this person's. Never matched by name or e-mail.
    """
    by_code = session.exec(
        select(Person).where(Person.identity_code == code).with_for_update()).first()
    if person is None:
        if by_code is None:
            person = Person(oidc_subject=subject, display_name=name, email=email,
                            identity_code=code)
        elif by_code.oidc_subject is None:
            person = by_code
            person.oidc_subject = subject
            audit.record(session, person.id, "link_identity", None, how="recorded_person")
        else:
            # The same verified person under a new subject (e.g. a new provider): follow the
            # code, which is what identifies them.
            audit.record(session, by_code.id, "link_identity", None, how="new_subject")
            person = by_code
            person.oidc_subject = subject
    elif by_code is not None and by_code.id != person.id:
        if by_code.oidc_subject is None:
            # A row recorded by code for someone who had signed in before without the claim:
            # their mandates and client record move to the signed-in person.
            session.exec(sa.update(Mandate).where(Mandate.agent_person_id == by_code.id)
                         .values(agent_person_id=person.id))
            session.exec(sa.update(Consent).where(Consent.given_by_person_id == by_code.id)
                         .values(given_by_person_id=person.id))
            session.exec(sa.update(Client).where(Client.person_id == by_code.id)
                         .values(person_id=None))
            # Staff places recorded by code (a provider's main user added them) move too.
            already = set(session.exec(select(ProviderStaff.provider_id).where(
                ProviderStaff.person_id == person.id)).all())
            for place in session.exec(select(ProviderStaff).where(
                    ProviderStaff.person_id == by_code.id)).all():
                if place.provider_id not in already:
                    session.add(ProviderStaff(
                        provider_id=place.provider_id, person_id=person.id,
                        is_main_user=place.is_main_user,
                        added_by_person_id=place.added_by_person_id, added_at=place.added_at))
                session.delete(place)
            session.flush()
            session.exec(sa.update(ProviderStaff)
                         .where(ProviderStaff.added_by_person_id == by_code.id)
                         .values(added_by_person_id=person.id))
            session.delete(by_code)
            session.flush()
            person.identity_code = code
            audit.record(session, person.id, "link_identity", None, how="merged_recorded")
        else:
            log.warning("sign-in: identity code already belongs to another signed-in person")
    elif person.identity_code != code:
        person.identity_code = code
    session.add(person)
    session.flush()
    # A client registered by this identity code is this person's own record.
    client = session.exec(select(Client).where(Client.personal_identity_code == code)
                          .with_for_update()).first()
    if client is not None and client.person_id is None:
        client.person_id = person.id
        session.add(client)
        audit.record(session, person.id, "link_client", client.id)
    return person


def upsert_person(engine: Engine, subject: str, name: str, email: str = "",
                  identity_code: str | None = None) -> int:
    """The Person of an OpenID subject, created on first login; the name follows the provider.

    `identity_code` is the provider's verified identity-code claim (HB_OIDC_ID_CLAIM): it links
    the sign-in to a client or relative recorded by that code before their first sign-in.
    """
    if not subject:
        raise ValueError("an OpenID subject is required")
    name = (name or subject)[:200]
    email = (email or "")[:200]
    code = _claimed_code(identity_code)
    for attempt in range(2):
        try:
            with write_session(engine) as session:
                person = session.exec(select(Person).where(Person.oidc_subject == subject)).first()
                if code is not None:
                    person = _link_by_identity_code(session, person, subject, code, name, email)
                elif person is None:
                    person = Person(oidc_subject=subject, display_name=name, email=email)
                    session.add(person)
                if person.display_name != name:
                    person.display_name = name
                # Keep an address the person may have set here when the provider sends none.
                if email and person.email != email:
                    person.email = email
                session.add(person)
                session.flush()
                assert person.id is not None
                return person.id
        except IntegrityError:
            # Two first logins of the same subject raced (PostgreSQL); the other one created
            # the row, so the second attempt finds it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def create_session(engine: Engine, person_id: int, id_token: str = "") -> tuple[str, datetime]:
    """A new session: returns the cookie token (shown only here) and the expiry (naive UTC)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + _lifetime()
    with write_session(engine) as session:
        # Sessions of this person that expired without a logout keep no id_token either.
        for stale in session.exec(
            select(LoginSession).where(LoginSession.person_id == person_id,
                                       LoginSession.expires_at <= now,
                                       LoginSession.id_token_hint != "")
        ).all():
            stale.id_token_hint = ""
            session.add(stale)
        session.add(
            LoginSession(
                token_hash=_hash(token),
                person_id=person_id,
                created_at=now,
                expires_at=expires_at,
                id_token_hint=id_token or "",
            )
        )
        audit.record(session, person_id, "login")
    return token, _naive_utc(expires_at)


def _find(session, token: str) -> LoginSession | None:
    return session.exec(select(LoginSession).where(LoginSession.token_hash == _hash(token))).first()


def resolve_session(engine: Engine, token: str | None) -> SessionInfo | None:
    """The live session of a cookie token, or None when missing, unknown, ended or expired."""
    if not token:
        return None
    with read_session(engine) as session:
        row = _find(session, token)
        if not _is_valid(row, utcnow()):
            return None
        assert row is not None and row.id is not None
        return SessionInfo(
            session_id=row.id,
            person_id=row.person_id,
            expires_at=_naive_utc(row.expires_at),
            acting_for_client_id=row.acting_for_client_id,
        )


def extend_session(engine: Engine, token: str | None) -> datetime | None:
    """Slide the expiry to now + session_minutes; None if the session is no longer valid."""
    if not token:
        return None
    with write_session(engine) as session:
        row = _find(session, token)
        now = utcnow()
        if not _is_valid(row, now):
            return None
        assert row is not None
        row.expires_at = now + _lifetime()
        session.add(row)
        return _naive_utc(row.expires_at)


def touch_session(engine: Engine, token: str | None) -> SessionInfo | None:
    """Resolve a session and keep it alive without a write on every page: extend only when
    at least a minute of its lifetime has passed since the last extension."""
    info = resolve_session(engine, token)
    if info is not None and info.expires_at - utcnow() < _lifetime() - timedelta(minutes=1):
        expires_at = extend_session(engine, token)
        info = replace(info, expires_at=expires_at) if expires_at else None
    return info


def end_session(engine: Engine, token: str | None) -> str:
    """End the session (logout); returns its id_token for the provider's logout, or "".

    The stored id_token is dropped here: it is handed over once, for this logout, and an ended
    session keeps nothing a leaked database could replay at the provider.
    """
    if not token:
        return ""
    with write_session(engine) as session:
        row = _find(session, token)
        if row is None or row.ended_at is not None:
            return ""
        id_token = row.id_token_hint or ""
        row.ended_at = utcnow()
        row.id_token_hint = ""
        session.add(row)
        audit.record(session, row.person_id, "logout")
        return id_token


def set_acting_for(engine: Engine, token: str | None, client_id: int | None) -> None:
    """Remember whom the person acts for. Authorization is checked by hbapp.services.access."""
    if not token:
        return
    with write_session(engine) as session:
        row = _find(session, token)
        if not _is_valid(row, utcnow()):
            return
        assert row is not None
        row.acting_for_client_id = client_id
        session.add(row)


def token_from_cookie_header(cookie_header: str | None) -> str | None:
    """The hb_session token of a Cookie header; None when absent or malformed."""
    if not cookie_header:
        return None
    value: str | None = None
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(cookie_header)
        morsel = cookie.get(SESSION_COOKIE)
        value = morsel.value if morsel is not None else None
    except CookieError:
        pass
    if value is None:
        # SimpleCookie silently drops the whole header at the first malformed pair (often
        # a third party's cookie), so look for ours among the pairs by hand.
        for part in cookie_header.split(";"):
            name, sep, raw = part.strip().partition("=")
            if sep and name.strip() == SESSION_COOKIE:
                value = raw.strip()
                break
    # Our tokens are URL-safe base64; anything else cannot be one of them.
    if value and _TOKEN_RE.fullmatch(value):
        return value
    return None
