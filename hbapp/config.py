"""Settings read from environment variables (documented in README.md).

Defaults give the embedded development set-up: SQLite in ./data, the bundled
development OpenID provider, Finnish as the default language.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("HB_DATA_DIR", REPO_ROOT / "data"))
SUPPORTED_LOCALES = ("fi", "sv", "en")


class ConfigurationError(ValueError):
    """Settings that must not run; the message says what to change."""


DEV_OIDC_WITH_HTTPS = (
    "HB_DEV_OIDC=1 is refused with an https:// HB_PUBLIC_URL: the development OpenID provider "
    "signs anyone in as anyone without a password and is only for a local demo. For a "
    "deployment unset HB_DEV_OIDC and set HB_OIDC_ISSUER, HB_OIDC_CLIENT_ID and "
    "HB_OIDC_CLIENT_SECRET of a real provider."
)


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret() -> str:
    """A per-checkout random key, so development never runs on a published constant."""
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    public_url: str
    secret_key: str
    default_locale: str
    dev_oidc_enabled: bool
    oidc_issuer: str
    oidc_client_id: str
    oidc_client_secret: str | None
    oidc_scopes: str
    oidc_id_claim: str
    session_minutes: int
    secure_cookies: bool

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    public_url = os.environ.get("HB_PUBLIC_URL", "http://localhost:3000").rstrip("/")
    # The development provider only when asked for by name, and never where people reach the
    # app over TLS (a deployment): passwordless sign-in must not be one forgotten variable away.
    dev_oidc = _flag("HB_DEV_OIDC", False)
    if dev_oidc and public_url.lower().startswith("https://"):
        raise ConfigurationError(DEV_OIDC_WITH_HTTPS)
    issuer = os.environ.get("HB_OIDC_ISSUER") or (f"{public_url}/dev-oidc" if dev_oidc else "")
    default_locale = os.environ.get("HB_DEFAULT_LOCALE", "fi")
    if default_locale not in SUPPORTED_LOCALES:
        raise ValueError(f"HB_DEFAULT_LOCALE must be one of {SUPPORTED_LOCALES}")
    secret = os.environ.get("HB_SECRET_KEY") or _dev_secret()
    return Settings(
        database_url=os.environ.get("HB_DATABASE_URL", f"sqlite:///{DATA_DIR / 'hb.db'}"),
        redis_url=os.environ.get("HB_REDIS_URL") or None,
        public_url=public_url,
        secret_key=secret,
        default_locale=default_locale,
        dev_oidc_enabled=dev_oidc,
        oidc_issuer=issuer.rstrip("/"),
        oidc_client_id=os.environ.get("HB_OIDC_CLIENT_ID", "hb-dev"),
        oidc_client_secret=os.environ.get("HB_OIDC_CLIENT_SECRET") or None,
        oidc_scopes=os.environ.get("HB_OIDC_SCOPES", "openid profile"),
        # The verified personal identity code (Suomi.fi's claim name by default).
        oidc_id_claim=os.environ.get("HB_OIDC_ID_CLAIM") or "nationalIdentificationNumber",
        session_minutes=int(os.environ.get("HB_SESSION_MINUTES", "30")),
        secure_cookies=public_url.startswith("https://"),
    )
