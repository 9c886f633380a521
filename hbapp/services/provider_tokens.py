"""A provider's API tokens: created by its staff (or `hb providers token`), shown once, stored
only as a SHA-256 hash with a short prefix to tell them apart, revoked at will.

A token is `hbp_` + 43 URL-safe characters (256 random bits), so a hash without salt is
enough: nobody can try the token space. `verify` looks the hash up by its unique index (no
comparison of secrets whose timing depends on how much of them matches) and refuses revoked
tokens and tokens of providers that are no longer approved. Creating and revoking are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.db import read_session, write_session
from hbapp.models import ApprovalStatus, Provider, ProviderApiToken
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor
from hbapp.services.provider_access import require_staff

TOKEN_PREFIX = "hbp_"
PREFIX_LENGTH = 12  # "hbp_" + 8 characters: shown in lists, never enough to guess the rest
MAX_LABEL = 100
MAX_TOKEN_LENGTH = 200  # anything longer is not one of ours: not even hashed
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    """A token operation that cannot be done: `code` is stable (`not_found`, `bad_label`)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class TokenInfo:
    id: int
    prefix: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    token: str  # the only time the token itself exists outside its holder
    info: TokenInfo


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _info(row: ProviderApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.prefix, row.label, row.created_at, row.last_used_at,
                     row.revoked_at)


def _check_label(label: str) -> str:
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL or any(ord(ch) < 32 for ch in label):
        raise TokenError("bad_label")
    return label


def _authorize(session: Session, actor: Actor | None, provider_id: int) -> None:
    """Staff of the provider, or an administrator; None is the command line (the operator)."""
    if actor is None or actor.is_admin:
        return
    require_staff(session, actor, provider_id)


def create_token(engine: Engine, *, provider_id: int, label: str, actor: Actor | None,
                 now: datetime | None = None) -> NewToken:
    label = _check_label(label)
    now = now or datetime.utcnow()
    with write_session(engine) as session:
        _authorize(session, actor, provider_id)
        if session.get(Provider, provider_id) is None:
            raise TokenError("not_found")
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ProviderApiToken(provider_id=provider_id, token_hash=hash_token(raw),
                               prefix=raw[:PREFIX_LENGTH], label=label,
                               created_by_person_id=actor.person_id if actor else None,
                               created_at=now)
        session.add(row)
        session.flush()
        audit.record(session, actor.person_id if actor else None, "api_token_created", None,
                     provider_id=provider_id, token_id=row.id, prefix=row.prefix, label=label)
        return NewToken(raw, _info(row))


def list_tokens(engine: Engine, *, provider_id: int, actor: Actor | None) -> list[TokenInfo]:
    """Every token of the provider, newest first (revoked ones too, marked)."""
    with read_session(engine) as session:
        _authorize(session, actor, provider_id)
        rows = session.exec(select(ProviderApiToken)
                            .where(ProviderApiToken.provider_id == provider_id)
                            .order_by(ProviderApiToken.created_at.desc(),
                                      ProviderApiToken.id.desc())).all()
        return [_info(row) for row in rows]


def revoke_token(engine: Engine, *, provider_id: int, actor: Actor | None,
                 token_id: int | None = None, prefix: str | None = None,
                 now: datetime | None = None) -> TokenInfo:
    """Revoke one of the provider's tokens, by id (the page) or by its prefix (the CLI).

    Another provider's token is `not_found` like an unknown one. Revoking twice is harmless."""
    now = now or datetime.utcnow()
    with write_session(engine) as session:
        _authorize(session, actor, provider_id)
        query = select(ProviderApiToken).where(ProviderApiToken.provider_id == provider_id)
        if token_id is not None:
            query = query.where(ProviderApiToken.id == token_id)
        elif prefix:
            query = query.where(ProviderApiToken.prefix == prefix.strip())
        else:
            raise TokenError("not_found")
        row = session.exec(query.with_for_update()).first()
        if row is None:
            raise TokenError("not_found")
        if row.revoked_at is None:
            row.revoked_at = now
            row.revoked_by_person_id = actor.person_id if actor else None
            session.add(row)
            audit.record(session, actor.person_id if actor else None, "api_token_revoked", None,
                         provider_id=provider_id, token_id=row.id, prefix=row.prefix)
        return _info(row)


def verify(engine: Engine, raw: str | None, now: datetime | None = None) -> tuple[int, int] | None:
    """(provider_id, token_id) for a valid token of an approved provider, else None."""
    found = check_token(engine, raw, now)
    if found is None or not found[2]:
        return None
    return found[0], found[1]


def check_token(engine: Engine, raw: str | None,
                now: datetime | None = None) -> tuple[int, int, bool] | None:
    """(provider_id, token_id, provider approved) for a token that is not revoked, else None.

    `last_used_at` is written at most once a minute per token, so a busy integration does not
    turn every request into a write."""
    if not raw or not isinstance(raw, str) or len(raw) > MAX_TOKEN_LENGTH \
            or not raw.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(raw)
    now = now or datetime.utcnow()
    with read_session(engine) as session:
        found = session.exec(
            select(ProviderApiToken.id, ProviderApiToken.provider_id,
                   ProviderApiToken.token_hash, ProviderApiToken.revoked_at,
                   ProviderApiToken.last_used_at, Provider.approval_status)
            .join(Provider, Provider.id == ProviderApiToken.provider_id)
            .where(ProviderApiToken.token_hash == digest)).first()
    if found is None:
        return None
    token_id, provider_id, stored, revoked_at, last_used_at, approval = found
    if not hmac.compare_digest(stored, digest) or revoked_at is not None:
        return None
    if last_used_at is None or now - last_used_at >= LAST_USED_EVERY:
        with engine.begin() as connection:
            # A plain UPDATE outside `write_session`: it holds no lock for long, and two
            # requests of the same minute writing the same value is harmless.
            connection.execute(sa.update(ProviderApiToken)
                               .where(ProviderApiToken.id == token_id,
                                      ProviderApiToken.revoked_at.is_(None))
                               .values(last_used_at=now))
    return provider_id, token_id, approval == ApprovalStatus.APPROVED.value


def audit_api_read(engine: Engine, *, provider_id: int, api_token_id: int, action: str,
                   clients: list[int] | None = None, **details) -> None:
    """What a provider's system read through the API (the clients whose data it saw)."""
    with write_session(engine) as session:
        audit.record(session, None, action, None, provider_id=provider_id,
                     api_token_id=api_token_id, clients=sorted(set(clients or [])), **details)


def provider_by_business_id(engine: Engine, business_id: str) -> int | None:
    with read_session(engine) as session:
        return session.exec(select(Provider.id)
                            .where(Provider.business_id == business_id.strip())).first()


__all__ = ["AccessDenied", "NewToken", "TokenError", "TokenInfo", "audit_api_read", "check_token", "create_token", "hash_token",
           "list_tokens", "provider_by_business_id", "revoke_token", "verify"]
