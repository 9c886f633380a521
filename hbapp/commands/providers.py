"""`hb providers import FILE.csv`: add or update providers from a CSV file, all or nothing.

The file is UTF-8 CSV with a header row. One row is one price of one provider: repeat the
provider's columns on each of its rows (they must be the same on every row of one business ID).

Columns:
  business_id      Y-tunnus with a valid check digit, e.g. 1234567-1
  name             the company name
  service_code     a service type code of the organizer, e.g. home_care, cleaning, transport
  band             weekday_day, weekday_evening, saturday or sunday_holiday (empty = weekday_day)
  price_eur        price per unit in euros, greater than zero, e.g. 38,50 or 38.50
  municipalities   Statistics Finland codes served, separated by spaces, e.g. "405 416"
  languages        service languages, separated by spaces: fi, sv, en (empty = fi)
  takes_new_clients, evening_service, weekend_service   yes/no (also kyllä/ei, 1/0, true/false)
  phone, email, street_address, postal_code, city, opening_hours   the local contact
  description_fi, description_sv, description_en   plain-language descriptions

Fields may be quoted ("...") and a quoted description may span lines. Prices are at most
10 000 euros; no field is longer than 5 000 characters; NUL bytes, control characters and the
Unicode line and paragraph separators (U+2028, U+2029) are refused, and so are repeated column
names. Every row is checked first and every bad row is reported with the line number where it
starts (the header is line 1). If any row is bad, nothing is imported and the exit status is 1.
New providers are imported as waiting for approval; an administrator approves them at /admin/providers. For a
provider that exists already (same business ID) its details, municipalities and the listed prices
are updated, and its approval status is kept.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from hbapp.config import get_settings
from hbapp.db import make_engine, write_session
from hbapp.domain.identifiers import InvalidIdentifier, validate_business_id
from hbapp.domain.money import MoneyFormatError, parse_euros
from hbapp.domain.timebands import TimeBand
from hbapp.models import (
    ApprovalStatus,
    Municipality,
    Provider,
    ProviderMunicipality,
    ProviderPrice,
    ServiceType,
)
from hbapp.services import audit

REQUIRED = ("business_id", "name", "service_code", "price_eur", "municipalities")
PROVIDER_FIELDS = (
    "name", "municipalities", "languages", "takes_new_clients", "evening_service",
    "weekend_service", "phone", "email", "street_address", "postal_code", "city",
    "opening_hours", "description_fi", "description_sv", "description_en",
)
COLUMNS = ("business_id", "service_code", "band", "price_eur", *PROVIDER_FIELDS)
LANGUAGES = {"fi", "sv", "en"}
YES = {"yes", "kyllä", "kylla", "ja", "1", "true", "x"}
NO = {"no", "ei", "nej", "0", "false", ""}
LIMITS = {"name": 200, "phone": 40, "email": 200, "street_address": 200, "postal_code": 5,
          "city": 100, "opening_hours": 200}
DESCRIPTIONS = ("description_fi", "description_sv", "description_en")  # may span lines
MAX_FIELD = 5000  # characters in any field
MAX_PRICE_EUR = 10_000  # per hour, day, visit or km: anything above is a typing mistake


@dataclass
class ProviderRow:
    business_id: str
    values: dict[str, str]
    municipalities: list[str]
    languages: list[str]
    flags: dict[str, bool]
    prices: dict[tuple[str, str], int] = field(default_factory=dict)


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def _text_problem(column: str, value: str) -> str | None:
    """Why a field's text cannot be stored as it is, or None."""
    if len(value) > MAX_FIELD:
        return f"{column} is longer than {MAX_FIELD} characters"
    for char in value:
        if char == "\n" and column in DESCRIPTIONS:
            continue
        if char in "\u2028\u2029" or unicodedata.category(char) == "Cc":
            what = "a line break" if char in "\n\r\u2028\u2029\x85" else "a control character"
            return f"{column} contains {what} (U+{ord(char):04X})"
    return None


def _records(text: str):
    """(line where the record starts, fields) of the CSV text, quoted newlines kept.

    Raises ImportFailed when the file cannot be read as CSV at all."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed([f"line {line}: contains a NUL byte; save the file as UTF-8 text"])
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed([f"line {start}: {exc}; the rest of the file was not checked"]) \
                from None
        yield start, fields
        start = reader.line_num + 1


def parse_rows(text: str, service_codes: set[str], municipality_codes: set[str]):
    """Validate the whole file: (providers by business ID, errors as 'line N: ...')."""
    errors: list[str] = []
    try:
        records = list(_records(text.replace("\r\n", "\n")))
    except ImportFailed as failed:
        return {}, failed.errors
    if not records:
        return {}, [f"line 1: missing columns: {', '.join(REQUIRED)}"]
    _, header = records[0]
    header = [name.strip() for name in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return {}, [f"line 1: missing columns: {', '.join(missing)}"]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        return {}, [f"line 1: unknown columns: {', '.join(unknown)}"]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        return {}, [f"line 1: columns named twice: {', '.join(repeated)}"]
    providers: dict[str, ProviderRow] = {}
    bands = {band.value for band in TimeBand}
    rows = 0
    for line, fields in records[1:]:
        if not any(field.strip() for field in fields):
            continue  # an empty line
        rows += 1
        if len(fields) > len(header):
            errors.append(f"line {line}: more fields than columns")
            continue
        row = {name: (fields[i] if i < len(fields) else "").strip()
               for i, name in enumerate(header)}
        problems = [problem for column, value in row.items()
                    if (problem := _text_problem(column, value)) is not None]
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
            continue
        try:
            business_id = validate_business_id(row["business_id"])
        except InvalidIdentifier as exc:
            problems.append(f"business ID {row['business_id']!r}: {exc}")
            business_id = None
        if not row["name"]:
            problems.append("name is empty")
        for column, limit in LIMITS.items():
            if len(row.get(column, "")) > limit:
                problems.append(f"{column} is longer than {limit} characters")
        if row["service_code"] not in service_codes:
            problems.append(f"unknown service code {row['service_code']!r}")
        band = row.get("band") or TimeBand.WEEKDAY_DAY.value
        if band not in bands:
            problems.append(f"unknown band {band!r} (use {', '.join(sorted(bands))})")
        try:
            price = parse_euros(row["price_eur"])
            if price <= 0:
                problems.append("price must be greater than zero")
            elif price > MAX_PRICE_EUR * 100:
                problems.append(f"price must be at most {MAX_PRICE_EUR} euros")
        except MoneyFormatError as exc:
            shown = row["price_eur"] if len(row["price_eur"]) <= 30 else row["price_eur"][:30] + "…"
            problems.append(f"price {shown!r} is not a positive euro amount ({exc})")
            price = 0
        municipalities = row["municipalities"].replace(",", " ").split()
        if not municipalities:
            problems.append("no municipalities")
        bad = [m for m in municipalities if m not in municipality_codes]
        if bad:
            problems.append(f"unknown municipalities: {', '.join(bad)}")
        languages = row.get("languages", "").replace(",", " ").split() or ["fi"]
        bad_languages = [lang for lang in languages if lang not in LANGUAGES]
        if bad_languages:
            problems.append(f"unknown languages: {', '.join(bad_languages)}")
        flags = {}
        for column in ("takes_new_clients", "evening_service", "weekend_service"):
            value = _flag(row.get(column, ""))
            if value is None:
                problems.append(f"{column} must be yes or no")
            flags[column] = bool(value)
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
            continue
        values = {k: row.get(k, "") for k in PROVIDER_FIELDS}
        existing = providers.get(business_id)
        if existing is None:
            existing = providers[business_id] = ProviderRow(
                business_id, values, sorted(set(municipalities)), languages, flags)
        elif existing.values != values:
            errors.append(f"line {line}: provider columns differ from an earlier row of "
                          f"{business_id}")
            continue
        key = (row["service_code"], band)
        if key in existing.prices:
            errors.append(f"line {line}: a second price for {key[0]} {key[1]} of {business_id}")
            continue
        existing.prices[key] = price
    if rows == 0 and not errors:
        errors.append("line 2: the file has no rows")
    return providers, errors


def import_providers(engine: Engine, text: str) -> tuple[int, int]:
    """Validate and import in one transaction: (new providers, updated providers).

    Raises ImportFailed with every error; then nothing has been written.
    """
    with write_session(engine) as session:
        services = {s.code: s for s in session.exec(select(ServiceType)).all()}
        municipalities = set(session.exec(select(Municipality.code)).all())
        providers, errors = parse_rows(text, set(services), municipalities)
        if errors:
            raise ImportFailed(errors)
        added = updated = 0
        for bid, data in providers.items():
            provider = session.exec(
                select(Provider).where(Provider.business_id == bid).with_for_update()
            ).first()
            if provider is None:
                provider = Provider(business_id=bid, name=data.values["name"],
                                    approval_status=ApprovalStatus.PENDING.value)
                added += 1
            else:
                updated += 1
            for key in PROVIDER_FIELDS:
                if key in ("municipalities", "languages", "takes_new_clients",
                           "evening_service", "weekend_service"):
                    continue
                setattr(provider, key, data.values[key])
            provider.languages = ",".join(data.languages)
            for key, value in data.flags.items():
                setattr(provider, key, value)
            session.add(provider)
            session.flush()
            for old in session.exec(select(ProviderMunicipality).where(
                    ProviderMunicipality.provider_id == provider.id)).all():
                session.delete(old)
            session.flush()
            for code in data.municipalities:
                session.add(ProviderMunicipality(provider_id=provider.id, municipality_code=code))
            for (code, band), cents in data.prices.items():
                service_id = services[code].id
                price = session.exec(select(ProviderPrice).where(
                    ProviderPrice.provider_id == provider.id,
                    ProviderPrice.service_type_id == service_id, ProviderPrice.band == band,
                )).first()
                if price is None:
                    price = ProviderPrice(provider_id=provider.id, service_type_id=service_id,
                                          band=band, price_cents=cents)
                price.price_cents = cents
                session.add(price)
        audit.record(session, None, "import_providers", None, added=added, updated=updated)
        return added, updated


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"hb providers import: error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(get_settings().database_url)
    try:
        added, updated = import_providers(engine, text)
    except ImportFailed as failed:
        for error in failed.errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"hb providers import: {len(failed.errors)} bad rows; nothing was imported",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"imported: {added} new providers (waiting for approval), {updated} updated")
    return 0


def run_token(args: argparse.Namespace) -> int:
    """Create an API token for a provider (printed once), or revoke one by its prefix."""
    from hbapp.services.provider_tokens import (
        TokenError,
        create_token,
        provider_by_business_id,
        revoke_token,
    )

    engine = make_engine(get_settings().database_url)
    try:
        provider_id = provider_by_business_id(engine, args.business_id)
        if provider_id is None:
            print(f"hb providers token: error: no provider with business ID {args.business_id}",
                  file=sys.stderr)
            return 2
        if args.revoke:
            try:
                info = revoke_token(engine, provider_id=provider_id, actor=None,
                                    prefix=args.revoke)
            except TokenError:
                print(f"hb providers token: error: the provider has no token {args.revoke}",
                      file=sys.stderr)
                return 1
            print(f"revoked: {info.prefix} {info.label}".rstrip())
            return 0
        try:
            new = create_token(engine, provider_id=provider_id, label=args.label or "",
                               actor=None)
        except TokenError:
            print("hb providers token: error: the label is too long or has control characters",
                  file=sys.stderr)
            return 2
        print(new.token)
        print(f"(token {new.info.prefix}…: shown only now; store it in the provider's system. "
              f"Revoke it with: hb providers token {args.business_id} --revoke {new.info.prefix})",
              file=sys.stderr)
        return 0
    finally:
        engine.dispose()


TOKEN_HELP = """Create an API token of a provider for the provider API (/api/provider/v1/).

The token is printed once, on standard output; only its hash is kept. Give it to the provider's
system (Authorization: Bearer TOKEN). Revoke a token with --revoke and the prefix shown on
/provider/api (its first 12 characters, e.g. hbp_AbCdEfGh). Both are audited.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "providers", help="manage the provider register",
        description="Manage the provider register.")
    actions = parser.add_subparsers(dest="action", required=True)
    importer = actions.add_parser(
        "import", help="import providers from a CSV file (all or nothing)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    importer.add_argument("file", metavar="FILE.csv")
    importer.set_defaults(func=run)
    token = actions.add_parser(
        "token", help="create (or revoke) a provider's API token",
        description=TOKEN_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    token.add_argument("business_id", metavar="BUSINESS_ID")
    token.add_argument("--label", default="", help="what the token is for, e.g. the system")
    token.add_argument("--revoke", metavar="PREFIX", help="revoke the token with this prefix")
    token.set_defaults(func=run_token)
