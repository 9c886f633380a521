"""`hb decisions import FILE.csv`: load existing clients and their budget decisions, all or nothing.

The file is UTF-8 CSV (a byte-order mark is allowed) with a header row; one row is one budget
line. Repeat the client's columns on every row of the client and the decision's columns on
every row of the decision.

Columns (* = required):
  identity_code *      personal identity code with a valid check character (temporary 9xx
                       codes allowed), e.g. 140345-9025
  first_name *, last_name *
  municipality *       Statistics Finland code of a municipality of the organizer, e.g. 405
  language             fi, sv or en (empty = fi)
  street_address, phone
  worker_email         e-mail address of the client's own case worker (must exist in HB as a
                       case worker of the organizer); empty = no own worker yet
  decision_number *    the decision's number in the old system, e.g. HB-2025-0042 (letters,
                       digits, "-", "/" and "."; at most 60 characters)
  decision_date *      YYYY-MM-DD or D.M.YYYY, not in the future
  valid_from *         the first day of a month
  valid_to             the last day of a month; empty = until further notice
  reason *             the reason in plain language, as the client reads it
  service_code *       a service code of the organizer's catalog, e.g. home_care
  units_per_month *    granted units per month, above zero (e.g. 20 or 2,5)
  unit_value_eur       the decision's own unit value, e.g. 41,50; empty = the catalog's value
                       in force on valid_from. Not for time-banded services (they take the
                       catalog's band values)
  unit_value_reason    why the decision fixes its own value (required with unit_value_eur)

Every row is checked first (identity codes, known services, municipalities and workers,
positive units and values, dates, the same client and decision columns on every row of one
client and decision, no service twice in a decision, decisions of one client not overlapping),
and every bad row is reported by its line number (the header is line 1). If any row is bad,
nothing is imported and the exit status is 1.

Re-running a file changes nothing: a decision is identified by the client's identity code and
the decision number, and one that exists already is left as it is (also when its rows differ).
A client who exists already (same identity code) keeps their details; new decisions are added
to them. Imported decisions are version 1 of their decision; change them on the worker's
decision page.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from hbapp.config import get_settings
from hbapp.db import make_engine, write_session
from hbapp.domain.decisions import (
    DecisionDraft,
    DecisionError,
    LineDraft,
    check_draft,
    end_of_month,
    parse_units,
)
from hbapp.domain.identifiers import InvalidIdentifier, validate_personal_identity_code
from hbapp.domain.ledger import month_start
from hbapp.domain.money import MoneyFormatError, parse_euros
from hbapp.models import (
    Budget,
    BudgetStatus,
    CaseWorkerAssignment,
    Client,
    Municipality,
    Organizer,
    Person,
    ServiceType,
)
from hbapp.services import audit
from hbapp.services.catalog import BASE_BAND
from hbapp.services.decisions import add_version, note_decision_number, periods_overlap

REQUIRED = ("identity_code", "first_name", "last_name", "municipality", "decision_number",
            "decision_date", "valid_from", "reason", "service_code", "units_per_month")
CLIENT_FIELDS = ("first_name", "last_name", "municipality", "language", "street_address",
                 "phone", "worker_email")
DECISION_FIELDS = ("decision_date", "valid_from", "valid_to", "reason")
COLUMNS = ("identity_code", *CLIENT_FIELDS, "decision_number", *DECISION_FIELDS,
           "service_code", "units_per_month", "unit_value_eur", "unit_value_reason")
LIMITS = {"first_name": 100, "last_name": 100, "street_address": 200, "phone": 40,
          "worker_email": 200, "decision_number": 60, "reason": 2000, "unit_value_reason": 300}
FIELD_SIZE_LIMIT = 10_000  # characters in one field: anything longer is not a real value
MAX_BYTES = 50_000_000
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,59}$")


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@dataclass
class DecisionRows:
    number: str
    first_line: int
    values: dict[str, str]
    draft_fields: dict
    lines: list[LineDraft] = field(default_factory=list)


@dataclass
class ClientRows:
    code: str
    first_line: int
    values: dict[str, str]
    decisions: dict[str, DecisionRows] = field(default_factory=dict)


@dataclass
class Summary:
    clients_added: int = 0
    decisions_added: int = 0
    decisions_unchanged: int = 0
    lines_added: int = 0


def parse_date(text: str) -> date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _records(text: str) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """(header, [(line number, fields)], errors): read with the csv module, so quoted fields
    may hold commas and line breaks; the line number is where a record starts."""
    errors: list[str] = []
    if "\x00" in text:
        for number, line in enumerate(text.split("\n"), start=1):
            if "\x00" in line:
                errors.append(f"line {number}: contains a NUL byte")
        return [], [], errors
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        records: list[tuple[int, list[str]]] = []
        start = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                message = str(exc)
                if "field larger than field limit" in message:
                    message = f"a field is longer than {FIELD_SIZE_LIMIT} characters"
                errors.append(f"line {start}: cannot be read as CSV ({message})")
                return [], [], errors
            records.append((start, fields))
            start = reader.line_num + 1
    finally:
        csv.field_size_limit(previous_limit)
    if not records:
        return [], [], ["line 1: the file is empty"]
    header = [name.strip() for name in records[0][1]]
    return header, records[1:], errors


def parse_rows(text: str, services: dict[str, ServiceType], municipality_codes: set[str],
               worker_emails: set[str], today: date) -> tuple[dict[str, ClientRows], list[str]]:
    header, records, errors = _records(text)
    if errors:
        return {}, errors
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return {}, [f"line 1: missing columns: {', '.join(missing)}"]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        return {}, [f"line 1: unknown columns: {', '.join(unknown)}"]
    if len(set(header)) != len(header):
        return {}, ["line 1: a column is named twice"]
    clients: dict[str, ClientRows] = {}
    rows = 0
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue  # a blank line
        rows += 1
        if len(fields) != len(header):
            errors.append(f"line {line}: {len(fields)} fields, the header has {len(header)}")
            continue
        row = {name: value.strip() for name, value in zip(header, fields)}
        problems: list[str] = []
        try:
            code = validate_personal_identity_code(row["identity_code"])
        except InvalidIdentifier as exc:
            problems.append(f"identity code {row['identity_code']!r}: {exc}")
            code = ""
        for column in ("first_name", "last_name", "reason"):
            if not " ".join(row.get(column, "").split()):
                problems.append(f"{column} is empty")
        for column, limit in LIMITS.items():
            if len(row.get(column, "")) > limit:
                problems.append(f"{column} is longer than {limit} characters")
        if row["municipality"] not in municipality_codes:
            problems.append(f"unknown municipality {row['municipality']!r}")
        language = row.get("language") or "fi"
        if language not in ("fi", "sv", "en"):
            problems.append(f"unknown language {language!r} (use fi, sv or en)")
        email = row.get("worker_email", "").lower()
        if email and email not in worker_emails:
            problems.append(f"no case worker of the organizer has the e-mail {email!r}")
        number = row["decision_number"]
        if not _NUMBER.fullmatch(number):
            problems.append(f"decision number {number!r} must be letters, digits, '-', '/' "
                            "or '.' (at most 60)")
        dates: dict[str, date | None] = {}
        for column in ("decision_date", "valid_from", "valid_to"):
            value = row.get(column, "")
            if not value and column == "valid_to":
                dates[column] = None
                continue
            try:
                dates[column] = parse_date(value)
            except ValueError:
                problems.append(f"{column} {value!r} is not a date (YYYY-MM-DD or D.M.YYYY)")
                dates[column] = None
        if dates.get("valid_from") and dates["valid_from"] != month_start(dates["valid_from"]):
            problems.append("valid_from must be the first day of a month")
        if dates.get("valid_to") and dates["valid_to"] != end_of_month(dates["valid_to"]):
            problems.append("valid_to must be the last day of a month")
        service = services.get(row["service_code"])
        if service is None:
            problems.append(f"unknown service code {row['service_code']!r}")
        try:
            units = parse_units(row["units_per_month"])
        except DecisionError as exc:
            problems.append(f"units_per_month {row['units_per_month']!r}: "
                            + exc.code.replace("_", " "))
            units = None
        own_values = None
        if row.get("unit_value_eur"):
            try:
                cents = parse_euros(row["unit_value_eur"])
                if cents <= 0:
                    raise MoneyFormatError("zero")
                own_values = {BASE_BAND: cents}
            except MoneyFormatError:
                problems.append(f"unit_value_eur {row['unit_value_eur']!r} is not a positive "
                                "euro amount")
            if service is not None and service.time_banded:
                problems.append(f"{service.code} is time-banded: leave unit_value_eur empty "
                                "(the catalog's band values apply)")
            if not row.get("unit_value_reason"):
                problems.append("unit_value_reason is required with unit_value_eur")
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
            continue
        draft_fields = {"decision_date": dates["decision_date"], "valid_from": dates["valid_from"],
                        "valid_to": dates["valid_to"], "reason": " ".join(row["reason"].split())}
        try:
            check_draft(DecisionDraft(lines=(LineDraft(service.code, units),), **draft_fields),
                        today, allow_past=True)
        except DecisionError as exc:
            errors.append(f"line {line}: " + exc.code.replace("_", " "))
            continue
        client_values = {k: row.get(k, "") for k in CLIENT_FIELDS} | {"language": language,
                                                                     "worker_email": email}
        client = clients.get(code)
        if client is None:
            client = clients[code] = ClientRows(code, line, client_values)
        elif client.values != client_values:
            errors.append(f"line {line}: client columns differ from line {client.first_line} "
                          f"of the same identity code")
            continue
        decision = client.decisions.get(number)
        values = {k: row.get(k, "") for k in DECISION_FIELDS}
        if decision is None:
            decision = client.decisions[number] = DecisionRows(number, line, values,
                                                               draft_fields)
        elif decision.values != values:
            errors.append(f"line {line}: decision columns differ from line "
                          f"{decision.first_line} of decision {number}")
            continue
        if any(existing.service_code == service.code for existing in decision.lines):
            errors.append(f"line {line}: {service.code} twice in decision {number}")
            continue
        decision.lines.append(LineDraft(service.code, units, own_values,
                                        row.get("unit_value_reason", "")))
    for client in clients.values():
        listed = sorted(client.decisions.values(), key=lambda d: d.draft_fields["valid_from"])
        for earlier, later in zip(listed, listed[1:]):
            end = earlier.draft_fields["valid_to"]
            if end is None or end >= later.draft_fields["valid_from"]:
                errors.append(f"line {later.first_line}: decision {later.number} overlaps "
                              f"decision {earlier.number} of the same client")
    first_use: dict[str, tuple[str, int]] = {}
    for client in clients.values():
        for decision in client.decisions.values():
            owner = first_use.setdefault(decision.number, (client.code, decision.first_line))
            if owner[0] != client.code:
                errors.append(f"line {decision.first_line}: decision number {decision.number} "
                              f"is used for another client on line {owner[1]}")
    if rows == 0 and not errors:
        errors.append("line 2: the file has no rows")
    return clients, errors


def import_decisions(engine: Engine, text: str, today: date | None = None) -> Summary:
    """Validate and import in one transaction. Raises ImportFailed with every error; then
    nothing has been written."""
    today = today or date.today()
    with write_session(engine) as session:
        organizers = session.exec(select(Organizer)).all()
        if len(organizers) != 1:
            raise ImportFailed(["the database must hold exactly one organizer"])
        organizer = organizers[0]
        services = {s.code: s for s in session.exec(select(ServiceType).where(
            ServiceType.organizer_id == organizer.id)).all()}
        municipalities = set(session.exec(select(Municipality.code).where(
            Municipality.organizer_id == organizer.id)).all())
        workers = {p.email.lower(): p for p in session.exec(select(Person).where(
            Person.is_worker.is_(True), Person.organizer_id == organizer.id)).all() if p.email}
        clients, errors = parse_rows(text, services, municipalities, set(workers), today)
        summary = Summary()
        plans: list[tuple[ClientRows, Client | None, list[DecisionRows]]] = []
        for rows in clients.values():
            client = session.exec(select(Client).where(
                Client.personal_identity_code == rows.code).with_for_update()).first()
            if client is not None and client.organizer_id != organizer.id:
                errors.append(f"line {rows.first_line}: the identity code belongs to a client "
                              "of another organizer")
                continue
            new: list[DecisionRows] = []
            for decision in rows.decisions.values():
                existing = session.exec(select(Budget.id).where(
                    Budget.organizer_id == organizer.id,
                    Budget.decision_reference == decision.number)).first()
                if existing is not None:
                    owner = session.exec(select(Budget.client_id).where(
                        Budget.id == existing)).one()
                    if client is None or owner != client.id:
                        errors.append(f"line {decision.first_line}: decision number "
                                      f"{decision.number} belongs to another client")
                    else:
                        summary.decisions_unchanged += 1
                    continue
                if client is not None:
                    for budget in session.exec(select(Budget).where(
                            Budget.client_id == client.id,
                            Budget.status != BudgetStatus.SUPERSEDED.value)).all():
                        if periods_overlap(budget, decision.draft_fields["valid_from"],
                                     decision.draft_fields["valid_to"]):
                            errors.append(f"line {decision.first_line}: decision "
                                          f"{decision.number} overlaps decision "
                                          f"{budget.decision_reference} of the client in HB")
                            break
                new.append(decision)
            plans.append((rows, client, new))
        if errors:
            raise ImportFailed(sorted(set(errors), key=_line_number))
        for rows, client, new in plans:
            if not new:
                continue
            if client is None:
                worker = workers.get(rows.values["worker_email"])
                client = Client(
                    organizer_id=organizer.id, first_name=rows.values["first_name"],
                    last_name=rows.values["last_name"], personal_identity_code=rows.code,
                    municipality_code=rows.values["municipality"],
                    language=rows.values["language"], street_address=rows.values["street_address"],
                    phone=rows.values["phone"], own_worker_id=worker.id if worker else None,
                    person_id=session.exec(select(Person.id).where(
                        Person.identity_code == rows.code,
                        Person.oidc_subject.is_not(None))).first(),
                )
                session.add(client)
                session.flush()
                if worker is not None:
                    session.add(CaseWorkerAssignment(worker_person_id=worker.id,
                                                     client_id=client.id, starts_on=today))
                summary.clients_added += 1
                audit.record(session, None, "import_client", client.id)
            for decision in new:
                draft = DecisionDraft(lines=tuple(decision.lines), **decision.draft_fields)
                budget = add_version(session, None, client, decision.number, 1, draft)
                if budget.valid_to is not None and budget.valid_to < today:
                    budget.status = BudgetStatus.ENDED.value
                    session.add(budget)
                note_decision_number(session, organizer.id, decision.number)
                client.decisions_revision += 1
                session.add(client)
                summary.decisions_added += 1
                summary.lines_added += len(decision.lines)
                audit.record(session, None, "import_decision", client.id,
                             number=decision.number, lines=len(decision.lines))
        audit.record(session, None, "import_decisions", None,
                     clients_added=summary.clients_added,
                     decisions_added=summary.decisions_added,
                     decisions_unchanged=summary.decisions_unchanged)
        return summary


def _line_number(error: str) -> tuple[int, str]:
    match = re.match(r"line (\d+)", error)
    return (int(match.group(1)) if match else 0, error)


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_BYTES:
            print(f"hb decisions import: error: {path} is larger than {MAX_BYTES} bytes",
                  file=sys.stderr)
            return 2
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"hb decisions import: error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(get_settings().database_url)
    try:
        summary = import_decisions(engine, text)
    except ImportFailed as failed:
        for error in failed.errors:
            print(f"{path}: {error}", file=sys.stderr)
        print(f"hb decisions import: {len(failed.errors)} errors; nothing was imported",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"imported: {summary.clients_added} new clients, {summary.decisions_added} new "
          f"decisions ({summary.lines_added} lines); {summary.decisions_unchanged} decisions "
          "were already in HB and were left as they are")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "decisions", help="budget decisions",
        description="Budget decisions.")
    actions = parser.add_subparsers(dest="action", required=True)
    importer = actions.add_parser(
        "import", help="import clients and their decisions from a CSV file (all or nothing)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    importer.add_argument("file", metavar="FILE.csv")
    importer.set_defaults(func=run)


__all__ = ["ImportFailed", "import_decisions", "parse_rows", "register"]
