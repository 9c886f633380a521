"""Budget decisions: register clients, grant, change and end budgets, read the history.

Who may write: a case worker of the client's organizer who is assigned to the client (the
worker who registers a client is assigned at once), or an administrator of the organizer.
Writing needs no consent: the decision is the organizer's own act; consent governs the worker's
view of the client's other data (surveys, providers, events). Every write is one transaction,
audited with actor and subject, and checks `Client.decisions_revision` against the revision the
writer saw (`expected_revision`): two workers editing at once, the second is told "changed
meanwhile" and nothing is lost.

Versions: a decision's versions are `Budget` rows sharing `decision_reference`. A change from a
month makes a new version from that month; the version in force then ends on the last day of
the month before (or is superseded when it would not start at all). Swap adjustments and swap
requests of the months from the change on follow the new version's line of the same service;
what cannot follow is kept as a `DecisionConflict` for the worker to resolve.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from hbapp.db import read_session, write_session
from hbapp.domain.money import cents_for
from hbapp.domain.decisions import (
    AdditionDraft,
    DecisionDraft,
    DecisionError,
    LineDraft,
    PricedLine,
    check_draft,
    clean_text,
    end_of_month,
    format_number,
    line_changes,
    LineChange,
    monthly_total_cents,
    number_sequence,
)
from hbapp.domain.identifiers import InvalidIdentifier, validate_personal_identity_code
from hbapp.domain.ledger import add_months, month_start
from hbapp.models import (
    Budget,
    BudgetAddition,
    BudgetLine,
    BudgetLineBandValue,
    BudgetStatus,
    CaseWorkerAssignment,
    Client,
    Consent,
    DecisionConflict,
    DecisionSequence,
    LineAdjustment,
    Municipality,
    Person,
    ServiceType,
    SwapRequest,
    SwapStatus,
    utcnow,
)
from hbapp.services import audit, messages
from hbapp.services.access import AccessDenied, Actor, require_client_access, worker_serves
from hbapp.services.budget import ServiceNames
from hbapp.services.catalog import BASE_BAND, service_bands, unit_values_on

LANGUAGES = ("fi", "sv", "en")
OPEN_SWAPS = (SwapStatus.PENDING.value,)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ExistingClient:
    """An identity code already in the register."""

    client_id: int
    may_see: bool  # the worker may open them (assigned, or an administrator)
    name: str  # empty unless may_see
    own_worker: str  # whom to ask otherwise


class DuplicateClient(Exception):
    def __init__(self, existing: ExistingClient):
        super().__init__("duplicate_client")
        self.existing = existing


@dataclass(frozen=True)
class ClientDraft:
    identity_code: str
    first_name: str
    last_name: str
    municipality_code: str
    language: str
    street_address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ServiceOption:
    code: str
    names: ServiceNames
    unit: str
    time_banded: bool
    values: dict[str, int]  # band -> cents in force on the asked date


@dataclass(frozen=True)
class VersionLine:
    service_code: str
    names: ServiceNames
    unit: str
    units: Decimal
    unit_value_cents: int
    band_values: dict[str, int]
    own_reason: str  # non-empty when the decision fixed the value

    def priced(self) -> PricedLine:
        return PricedLine(self.service_code, self.units, self.unit_value_cents)


@dataclass(frozen=True)
class VersionView:
    budget_id: int
    version: int
    decision_date: date | None
    valid_from: date
    valid_to: date | None
    status: str
    reason: str
    lines: tuple[VersionLine, ...]
    additions: tuple[AdditionDraft, ...]
    monthly_cents: int  # the lines' values per month plus monthly additions
    changes: tuple[LineChange, ...]  # against the version before (empty for the first)
    end_decision_date: date | None
    end_reason: str


@dataclass(frozen=True)
class DecisionView:
    number: str
    versions: tuple[VersionView, ...]  # oldest first; superseded versions left out

    @property
    def first_month(self) -> date:
        return self.versions[0].valid_from

    @property
    def last_day(self) -> date | None:
        return self.versions[-1].valid_to

    def version_on(self, day: date) -> VersionView | None:
        for version in self.versions:
            if version.valid_from <= day and (version.valid_to is None or day <= version.valid_to):
                return version
        return None


@dataclass(frozen=True)
class ConflictView:
    id: int
    month: date
    kind: str
    service: ServiceNames | None
    unit: str
    swap_request_id: int | None
    swap_pending: bool
    details: dict
    created_at: object


@dataclass(frozen=True)
class ClientDecisions:
    client_id: int
    client_name: str
    revision: int
    decisions: tuple[DecisionView, ...]  # newest first
    conflicts: tuple[ConflictView, ...]  # open ones
    can_write: bool

    def open_decision(self, today: date) -> DecisionView | None:
        """The decision in force today or starting later (the one to change or end)."""
        for decision in self.decisions:
            last = decision.last_day
            if last is None or last >= month_start(today):
                return decision
        return None


# ---------------------------------------------------------------- authorization


def _person(session: Session, actor: Actor) -> Person:
    person = session.get(Person, actor.person_id)
    if person is None:
        raise AccessDenied("not_signed_in")
    return person


def _organizer_staff(session: Session, actor: Actor) -> Person:
    person = _person(session, actor)
    if not (person.is_worker or person.is_admin) or person.organizer_id is None:
        raise AccessDenied("not_a_worker")
    return person


def _require_writer(session: Session, actor: Actor, client_id: int, today: date,
                    lock: bool = False) -> Client:
    """The client, when the actor may read and write their decisions; else AccessDenied."""
    person = _organizer_staff(session, actor)
    query = select(Client).where(Client.id == client_id)
    client = session.exec(query.with_for_update() if lock else query).first()
    if client is None or client.organizer_id != person.organizer_id:
        raise AccessDenied("not_assigned")
    if person.is_admin:
        return client
    if worker_serves(session, person.id, client_id, today) == "not_assigned":
        raise AccessDenied("not_assigned")
    return client


def _check_revision(client: Client, expected_revision: int) -> None:
    if client.decisions_revision != expected_revision:
        raise DecisionError("changed_meanwhile")


def _bump(session: Session, client: Client) -> None:
    client.decisions_revision += 1
    session.add(client)


# ---------------------------------------------------------------- registering clients


def _existing(session: Session, person: Person, client: Client, today: date) -> ExistingClient:
    may_see = client.organizer_id == person.organizer_id and (
        person.is_admin or worker_serves(session, person.id, client.id, today) != "not_assigned")
    worker = session.get(Person, client.own_worker_id) if client.own_worker_id else None
    return ExistingClient(client.id, may_see, client.full_name if may_see else "",
                          worker.display_name if worker else "")


def find_by_identity_code(engine: Engine, actor: Actor, identity_code: str,
                          today: date) -> ExistingClient | None:
    """Whether a code is in the register already (checked as the first step of registering).

    Raises DecisionError('identity_code_invalid') for an invalid code. Audited when found.
    """
    try:
        code = validate_personal_identity_code(identity_code)
    except InvalidIdentifier:
        raise DecisionError("identity_code_invalid", "identity_code") from None
    with write_session(engine) as session:
        person = _organizer_staff(session, actor)
        if not person.is_worker:
            raise AccessDenied("not_a_worker")
        client = session.exec(select(Client).where(Client.personal_identity_code == code)).first()
        if client is None:
            return None
        found = _existing(session, person, client, today)
        audit.record(session, actor.person_id, "register_client_duplicate", client.id)
        return found


def municipalities(engine: Engine, actor: Actor) -> list[tuple[str, str, str]]:
    """(code, Finnish name, Swedish name) of the worker's organizer."""
    with read_session(engine) as session:
        person = _organizer_staff(session, actor)
        return [(m.code, m.name_fi, m.name_sv) for m in session.exec(
            select(Municipality).where(Municipality.organizer_id == person.organizer_id)
            .order_by(Municipality.name_fi)).all()]


def check_client_draft(draft: ClientDraft) -> ClientDraft:
    """The draft cleaned, or DecisionError naming the first bad field."""
    try:
        code = validate_personal_identity_code(draft.identity_code)
    except InvalidIdentifier:
        raise DecisionError("identity_code_invalid", "identity_code") from None
    first = clean_text(draft.first_name, 100, "first_name_missing", "text_too_long", "first_name")
    last = clean_text(draft.last_name, 100, "last_name_missing", "text_too_long", "last_name")
    if draft.language not in LANGUAGES:
        raise DecisionError("language_missing", "language")
    address = " ".join((draft.street_address or "").split())
    if len(address) > 200:
        raise DecisionError("text_too_long", "street_address", limit=200)
    phone = " ".join((draft.phone or "").split())
    if len(phone) > 40 or (phone and not all(c.isdigit() or c in "+ -()" for c in phone)):
        raise DecisionError("phone_invalid", "phone")
    return ClientDraft(code, first, last, draft.municipality_code, draft.language, address,
                       phone)


def register_client(engine: Engine, actor: Actor, draft: ClientDraft, consent: bool,
                    consent_note: str, today: date) -> int:
    """Add a client: the registering worker becomes the own worker (assignment from today),
    and the client's consent to the worker's view is recorded in the same step, or left out
    to be asked later. Raises DuplicateClient when the identity code is already registered."""
    draft = check_client_draft(draft)
    note = " ".join((consent_note or "").split())[:300]
    try:
        with write_session(engine) as session:
            person = _organizer_staff(session, actor)
            if not person.is_worker:
                raise AccessDenied("not_a_worker")
            existing = session.exec(select(Client).where(
                Client.personal_identity_code == draft.identity_code)).first()
            if existing is not None:
                raise DuplicateClient(_existing(session, person, existing, today))
            municipality = session.get(Municipality, draft.municipality_code)
            if municipality is None or municipality.organizer_id != person.organizer_id:
                raise DecisionError("municipality_missing", "municipality")
            # Someone who already signed in with this verified code is this client.
            signed_in = session.exec(select(Person.id).where(
                Person.identity_code == draft.identity_code,
                Person.oidc_subject.is_not(None))).first()
            client = Client(
                organizer_id=person.organizer_id, person_id=signed_in,
                first_name=draft.first_name, last_name=draft.last_name,
                personal_identity_code=draft.identity_code,
                municipality_code=draft.municipality_code, language=draft.language,
                own_worker_id=person.id, street_address=draft.street_address,
                phone=draft.phone,
            )
            session.add(client)
            session.flush()
            session.add(CaseWorkerAssignment(worker_person_id=person.id, client_id=client.id,
                                             starts_on=today))
            if consent:
                session.add(Consent(client_id=client.id, given_by_person_id=signed_in,
                                    recorded_by_person_id=person.id, given_on=today,
                                    note=note))
            audit.record(session, actor.person_id, "register_client", client.id,
                         municipality=draft.municipality_code, language=draft.language,
                         consent=consent, linked=signed_in is not None)
            return client.id
    except IntegrityError:
        # Another worker registered the same code at the same moment (PostgreSQL).
        with read_session(engine) as session:
            person = _organizer_staff(session, actor)
            existing = session.exec(select(Client).where(
                Client.personal_identity_code == draft.identity_code)).first()
            if existing is None:
                raise
            raise DuplicateClient(_existing(session, person, existing, today)) from None


# ---------------------------------------------------------------- reading


def _names(service: ServiceType) -> ServiceNames:
    return ServiceNames(service.name_fi, service.name_sv, service.name_en)


def _versions(session: Session, client_id: int) -> list[Budget]:
    return list(session.exec(
        select(Budget).where(Budget.client_id == client_id,
                             Budget.status != BudgetStatus.SUPERSEDED.value)
        .order_by(Budget.valid_from, Budget.decision_version)
    ).all())


def _version_lines(session: Session, budget_id: int) -> tuple[VersionLine, ...]:
    rows = session.exec(
        select(BudgetLine, ServiceType).join(ServiceType,
                                             ServiceType.id == BudgetLine.service_type_id)
        .where(BudgetLine.budget_id == budget_id)
        .order_by(ServiceType.sort_order, ServiceType.code)
    ).all()
    bands: dict[int, dict[str, int]] = defaultdict(dict)
    ids = [line.id for line, _ in rows]
    if ids:
        for row in session.exec(select(BudgetLineBandValue).where(
                BudgetLineBandValue.budget_line_id.in_(ids))).all():
            bands[row.budget_line_id][row.band] = row.unit_value_cents
    return tuple(
        VersionLine(service.code, _names(service), service.unit,
                    Decimal(line.granted_units_per_month), line.unit_value_cents,
                    dict(bands[line.id]), line.unit_value_reason)
        for line, service in rows
    )


def _version_additions(session: Session, budget_id: int) -> tuple[AdditionDraft, ...]:
    return tuple(
        AdditionDraft(a.description, a.amount_cents, a.month, a.monthly)
        for a in session.exec(select(BudgetAddition).where(BudgetAddition.budget_id == budget_id)
                              .order_by(BudgetAddition.month, BudgetAddition.id)).all()
    )


def _decisions(session: Session, client_id: int) -> tuple[DecisionView, ...]:
    grouped: dict[str, list[Budget]] = defaultdict(list)
    for budget in _versions(session, client_id):
        grouped[budget.decision_reference].append(budget)
    decisions = []
    for number, budgets in grouped.items():
        budgets.sort(key=lambda b: (b.valid_from, b.decision_version))
        versions: list[VersionView] = []
        previous: tuple[VersionLine, ...] | None = None
        for budget in budgets:
            lines = _version_lines(session, budget.id)
            additions = _version_additions(session, budget.id)
            monthly = monthly_total_cents([line.priced() for line in lines],
                                          [a for a in additions if a.monthly], date.max)
            changes = (tuple(line_changes([line.priced() for line in previous],
                                          [line.priced() for line in lines]))
                       if previous is not None else ())
            versions.append(VersionView(
                budget.id, budget.decision_version, budget.decision_date, budget.valid_from,
                budget.valid_to, budget.status, budget.reason, lines, additions, monthly,
                changes, budget.end_decision_date, budget.end_reason))
            previous = lines
        decisions.append(DecisionView(number, tuple(versions)))
    decisions.sort(key=lambda d: d.first_month, reverse=True)
    return tuple(decisions)


def _conflicts(session: Session, client_id: int) -> tuple[ConflictView, ...]:
    rows = session.exec(
        select(DecisionConflict).where(DecisionConflict.client_id == client_id,
                                       DecisionConflict.resolved_at.is_(None))
        .order_by(DecisionConflict.month, DecisionConflict.id)
    ).all()
    views = []
    for row in rows:
        service = session.get(ServiceType, row.service_type_id) if row.service_type_id else None
        swap = session.get(SwapRequest, row.swap_request_id) if row.swap_request_id else None
        views.append(ConflictView(
            row.id, row.month, row.kind, _names(service) if service else None,
            service.unit if service else "", row.swap_request_id,
            bool(swap and swap.status in OPEN_SWAPS), json.loads(row.details or "{}"),
            row.created_at))
    return tuple(views)


def worker_decisions(engine: Engine, actor: Actor, client_id: int, today: date) -> ClientDecisions:
    """The decision page of a case worker (or administrator). Audited."""
    with write_session(engine) as session:
        client = _require_writer(session, actor, client_id, today)
        result = ClientDecisions(client.id, client.full_name, client.decisions_revision,
                                 _decisions(session, client_id), _conflicts(session, client_id),
                                 True)
        audit.record(session, actor.person_id, "worker_view_decisions", client_id)
        return result


def client_decisions(engine: Engine, actor: Actor, client_id: int, today: date) -> ClientDecisions:
    """The client's own (or a proxy's with `view`) decision history. Audited."""
    with write_session(engine) as session:
        require_client_access(session, actor, client_id, "view", today)
        client = session.get(Client, client_id)
        result = ClientDecisions(client.id, client.full_name, client.decisions_revision,
                                 _decisions(session, client_id), (), False)
        audit.record(session, actor.person_id, "view_decisions", client_id)
        return result


def service_options(engine: Engine, actor: Actor, client_id: int, on: date,
                    today: date) -> list[ServiceOption]:
    """The organizer's catalog with the unit values in force on `on` (a version's start)."""
    with read_session(engine) as session:
        client = _require_writer(session, actor, client_id, today)
        return _service_options(session, client.organizer_id, on)


def _service_options(session: Session, organizer_id: int, on: date) -> list[ServiceOption]:
    services = session.exec(select(ServiceType).where(ServiceType.organizer_id == organizer_id)
                            .order_by(ServiceType.sort_order, ServiceType.code)).all()
    return [ServiceOption(s.code, _names(s), s.unit, s.time_banded,
                          unit_values_on(session, s, on)) for s in services]


# ---------------------------------------------------------------- writing


def next_decision_number(session: Session, organizer_id: int, year: int) -> str:
    """The next free number of an organizer's year, safe under concurrency: the sequence row
    is created if missing (ON CONFLICT DO NOTHING) and then locked (FOR UPDATE)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.exec(insert(DecisionSequence).values(organizer_id=organizer_id, year=year,
                                                 last_number=0)
                 .on_conflict_do_nothing(index_elements=["organizer_id", "year"]))
    row = session.exec(select(DecisionSequence).where(
        DecisionSequence.organizer_id == organizer_id, DecisionSequence.year == year)
        .with_for_update()).one()
    number = row.last_number
    while True:
        number += 1
        candidate = format_number(year, number)
        taken = session.exec(select(Budget.id).where(
            Budget.organizer_id == organizer_id,
            Budget.decision_reference == candidate)).first()
        if taken is None:
            break
    row.last_number = number
    session.add(row)
    return candidate


def note_decision_number(session: Session, organizer_id: int, number: str) -> None:
    """Keep the sequence ahead of a number given from outside (the CSV import)."""
    parsed = number_sequence(number)
    if parsed is None:
        return
    year, sequence = parsed
    row = session.exec(select(DecisionSequence).where(
        DecisionSequence.organizer_id == organizer_id, DecisionSequence.year == year)
        .with_for_update()).first()
    if row is None:
        session.add(DecisionSequence(organizer_id=organizer_id, year=year, last_number=sequence))
    elif row.last_number < sequence:
        row.last_number = sequence
        session.add(row)


def _services_by_code(session: Session, organizer_id: int) -> dict[str, ServiceType]:
    return {s.code: s for s in session.exec(
        select(ServiceType).where(ServiceType.organizer_id == organizer_id)).all()}


def periods_overlap(budget: Budget, start: date, end: date | None) -> bool:
    return (budget.valid_to is None or budget.valid_to >= start) and (
        end is None or budget.valid_from <= end)


def add_version(session: Session, created_by: int | None, client: Client, number: str,
                version: int, draft: DecisionDraft) -> Budget:
    """Write one decision version with its lines (values from the catalog in force on its
    first day unless fixed) and additions, inside the caller's transaction."""
    services = _services_by_code(session, client.organizer_id)
    budget = Budget(
        client_id=client.id, organizer_id=client.organizer_id, valid_from=draft.valid_from,
        valid_to=draft.valid_to, status=BudgetStatus.ACTIVE.value, decision_reference=number,
        decision_version=version, decision_date=draft.decision_date,
        reason=" ".join(draft.reason.split()), created_by_person_id=created_by,
    )
    session.add(budget)
    session.flush()
    for line in draft.lines:
        service = services.get(line.service_code)
        if service is None:
            raise DecisionError("unknown_service", "lines", service=line.service_code)
        bands = service_bands(service)
        if line.own_values is not None:
            values = dict(line.own_values)
            if set(values) != set(bands):
                raise DecisionError("value_not_positive", "lines", service=line.service_code)
            reason = " ".join(line.own_reason.split())
        else:
            values = unit_values_on(session, service, draft.valid_from)
            reason = ""
        row = BudgetLine(budget_id=budget.id, service_type_id=service.id,
                         granted_units_per_month=line.units,
                         unit_value_cents=values[BASE_BAND], unit_value_reason=reason)
        session.add(row)
        session.flush()
        if service.time_banded:
            for band in bands:
                session.add(BudgetLineBandValue(budget_line_id=row.id, band=band,
                                                unit_value_cents=values[band]))
    for addition in draft.additions:
        session.add(BudgetAddition(budget_id=budget.id, month=addition.month,
                                   amount_cents=addition.amount_cents,
                                   description=" ".join(addition.description.split()),
                                   monthly=addition.monthly))
    session.flush()
    return budget


def _draft_details(draft: DecisionDraft) -> dict:
    return {
        "decision_date": draft.decision_date, "valid_from": draft.valid_from,
        "valid_to": draft.valid_to,
        "lines": [{"service": line.service_code, "units": str(line.units),
                   "own_values": line.own_values, "own_reason": line.own_reason}
                  for line in draft.lines],
        "additions": [{"month": a.month, "amount_cents": a.amount_cents, "monthly": a.monthly}
                      for a in draft.additions],
    }


def grant(engine: Engine, actor: Actor, client_id: int, draft: DecisionDraft,
          expected_revision: int, today: date) -> str:
    """A new decision (version 1). Returns its number. The period must not overlap another
    decision of the client."""
    check_draft(draft, today)
    with write_session(engine) as session:
        client = _require_writer(session, actor, client_id, today, lock=True)
        _check_revision(client, expected_revision)
        for budget in _versions(session, client_id):
            if periods_overlap(budget, draft.valid_from, draft.valid_to):
                raise DecisionError("overlaps", "valid_from", number=budget.decision_reference)
        number = next_decision_number(session, client.organizer_id, draft.decision_date.year)
        budget = add_version(session, actor.person_id, client, number, 1, draft)
        _bump(session, client)
        audit.record(session, actor.person_id, "grant_decision", client_id, number=number,
                     budget_id=budget.id, **_draft_details(draft))
        messages.notify(session, messages.client_and_agents(session, client_id, "view", today),
                        "decision_made", subject_client_id=client_id, link="/decisions",
                        number=number, from_date=draft.valid_from)
        return number


def _decision_versions(session: Session, client_id: int, number: str) -> list[Budget]:
    rows = session.exec(
        select(Budget).where(Budget.client_id == client_id, Budget.decision_reference == number)
        .order_by(Budget.decision_version).with_for_update()
    ).all()
    if not rows:
        raise DecisionError("no_decision")
    return list(rows)


def _conflict(session: Session, client_id: int, budget_id: int, month: date, kind: str,
              service_type_id: int | None, swap_request_id: int | None, **details) -> None:
    session.add(DecisionConflict(
        client_id=client_id, budget_id=budget_id, month=month, kind=kind,
        service_type_id=service_type_id, swap_request_id=swap_request_id,
        details=json.dumps(details, default=str, sort_keys=True)))


def _carry_over(session: Session, client_id: int, old_ids: list[int], new: Budget | None,
                from_month: date) -> int:
    """Move swaps of the months from `from_month` on to the new version's lines of the same
    services. What cannot move (no such line, the line would fall below what was already
    moved, or no budget at all after an end) becomes a conflict. Returns the conflicts."""
    conflicts = 0
    old_lines = {line.id: line for line in session.exec(
        select(BudgetLine).where(BudgetLine.budget_id.in_(old_ids))).all()} if old_ids else {}
    if not old_lines:
        return 0
    new_lines = ({line.service_type_id: line for line in session.exec(
        select(BudgetLine).where(BudgetLine.budget_id == new.id)).all()} if new else {})
    owner = new.id if new is not None else next(iter(old_ids))
    adjustments = session.exec(
        select(LineAdjustment).where(LineAdjustment.budget_line_id.in_(list(old_lines)),
                                     LineAdjustment.month >= from_month)
        .order_by(LineAdjustment.month, LineAdjustment.id).with_for_update()
    ).all()
    touched: set[tuple[int, date]] = set()
    for adjustment in adjustments:
        old_line = old_lines[adjustment.budget_line_id]
        target = new_lines.get(old_line.service_type_id)
        if target is None:
            _conflict(session, client_id, owner, adjustment.month,
                      "no_line" if new is not None else "after_end", old_line.service_type_id,
                      adjustment.swap_request_id, delta_cents=adjustment.delta_cents)
            conflicts += 1
            continue
        adjustment.budget_line_id = target.id
        session.add(adjustment)
        touched.add((target.id, adjustment.month))
    session.flush()
    for line_id, month in sorted(touched, key=lambda k: (k[1], k[0])):
        line = session.get(BudgetLine, line_id)
        # The budget is money: swaps moved cents; the new line must still cover what left it.
        moved = int(session.exec(select(func.coalesce(func.sum(LineAdjustment.delta_cents), 0))
                                 .where(LineAdjustment.budget_line_id == line_id,
                                        LineAdjustment.month == month)).one())
        decided = cents_for(Decimal(line.granted_units_per_month), line.unit_value_cents)
        if decided + moved < 0:
            _conflict(session, client_id, owner, month, "below_moved", line.service_type_id,
                      None, decided_cents=decided, moved_cents=moved)
            conflicts += 1
    swaps = session.exec(
        select(SwapRequest).where(SwapRequest.client_id == client_id,
                                  SwapRequest.budget_id.in_(old_ids),
                                  SwapRequest.month >= from_month).with_for_update()
    ).all()
    for swap in swaps:
        source = old_lines.get(swap.from_line_id)
        dest = old_lines.get(swap.to_line_id)
        new_source = new_lines.get(source.service_type_id) if source else None
        new_dest = new_lines.get(dest.service_type_id) if dest else None
        if new is not None and new_source is not None and new_dest is not None:
            swap.budget_id, swap.from_line_id, swap.to_line_id = (new.id, new_source.id,
                                                                  new_dest.id)
            session.add(swap)
        elif swap.status in OPEN_SWAPS:
            _conflict(session, client_id, owner, swap.month,
                      "no_line" if new is not None else "after_end",
                      (source if new_source is None else dest).service_type_id
                      if source and dest else None, swap.id,
                      from_units=swap.from_units, to_units=swap.to_units)
            conflicts += 1
    return conflicts


def change(engine: Engine, actor: Actor, client_id: int, number: str, draft: DecisionDraft,
           expected_revision: int, today: date) -> int:
    """A new version of decision `number` from `draft.valid_from` (a coming month: the
    current month is running and keeps its lines). Returns the number of conflicts."""
    check_draft(draft, today)
    if draft.valid_from <= month_start(today):
        raise DecisionError("change_not_future", "valid_from")
    with write_session(engine) as session:
        client = _require_writer(session, actor, client_id, today, lock=True)
        _check_revision(client, expected_revision)
        versions = [b for b in _decision_versions(session, client_id, number)
                    if b.status != BudgetStatus.SUPERSEDED.value]
        if not versions:
            raise DecisionError("no_decision")
        start = min(b.valid_from for b in versions)
        if draft.valid_from < start:
            raise DecisionError("change_before_start", "valid_from")
        end = versions[-1].valid_to
        if end is not None and draft.valid_from > end:
            raise DecisionError("change_after_end", "valid_from")
        for other in _versions(session, client_id):
            if other.decision_reference != number and periods_overlap(other, draft.valid_from,
                                                                draft.valid_to):
                raise DecisionError("overlaps", "valid_to", number=other.decision_reference)
        old_ids = []
        for budget in versions:
            if budget.valid_from >= draft.valid_from:
                budget.status = BudgetStatus.SUPERSEDED.value
            elif budget.valid_to is None or budget.valid_to >= draft.valid_from:
                budget.valid_to = draft.valid_from - timedelta(days=1)
                budget.status = BudgetStatus.ACTIVE.value
                budget.end_decision_date, budget.end_reason = None, ""
            else:
                continue
            budget.version += 1  # swaps in flight on this version see the change
            old_ids.append(budget.id)
            session.add(budget)
        session.flush()
        version = max(b.decision_version for b in session.exec(
            select(Budget).where(Budget.client_id == client_id,
                                 Budget.decision_reference == number)).all()) + 1
        budget = add_version(session, actor.person_id, client, number, version, draft)
        conflicts = _carry_over(session, client_id, old_ids, budget, draft.valid_from)
        _bump(session, client)
        audit.record(session, actor.person_id, "change_decision", client_id, number=number,
                     version=version, budget_id=budget.id, conflicts=conflicts,
                     **_draft_details(draft))
        messages.notify(session, messages.client_and_agents(session, client_id, "view", today),
                        "decision_changed", subject_client_id=client_id, link="/decisions",
                        number=number, from_date=draft.valid_from)
        return conflicts


def end(engine: Engine, actor: Actor, client_id: int, number: str, last_month: date,
        decision_date: date, reason: str, expected_revision: int, today: date) -> int:
    """End decision `number` after `last_month` (the current month or later). Returns the
    number of conflicts (swaps of later months)."""
    last_month = month_start(last_month)
    reason = clean_text(reason, 2000, "reason_missing", "reason_too_long", "reason")
    if decision_date > today:
        raise DecisionError("decision_date_in_future", "decision_date")
    if last_month < month_start(today):
        raise DecisionError("end_in_past", "last_month")
    last_day = end_of_month(last_month)
    with write_session(engine) as session:
        client = _require_writer(session, actor, client_id, today, lock=True)
        _check_revision(client, expected_revision)
        versions = [b for b in _decision_versions(session, client_id, number)
                    if b.status != BudgetStatus.SUPERSEDED.value]
        if not versions:
            raise DecisionError("no_decision")
        if last_month < month_start(min(b.valid_from for b in versions)):
            raise DecisionError("end_before_start", "last_month")
        current_end = versions[-1].valid_to
        if current_end is not None and current_end <= last_day:
            raise DecisionError("already_ends", "last_month", last=current_end)
        old_ids = []
        for budget in versions:
            if budget.valid_from > last_day:
                budget.status = BudgetStatus.SUPERSEDED.value
            elif budget.valid_to is None or budget.valid_to > last_day:
                budget.valid_to = last_day
                budget.status = BudgetStatus.ENDED.value
                budget.end_decision_date, budget.end_reason = decision_date, reason
            else:
                continue
            budget.version += 1
            old_ids.append(budget.id)
            session.add(budget)
        session.flush()
        conflicts = _carry_over(session, client_id, old_ids, None, add_months(last_month, 1))
        _bump(session, client)
        audit.record(session, actor.person_id, "end_decision", client_id, number=number,
                     last_month=last_month, decision_date=decision_date, conflicts=conflicts)
        messages.notify(session, messages.client_and_agents(session, client_id, "view", today),
                        "decision_ended", subject_client_id=client_id, link="/decisions",
                        number=number, month=last_month)
        return conflicts


def resolve_conflict(engine: Engine, actor: Actor, client_id: int, conflict_id: int, note: str,
                     expected_revision: int, today: date) -> None:
    """The worker resolved a conflict (e.g. changed the decision again or talked with the
    client) and says how. A pending swap request that could not follow is declined with the
    same words, so the client sees why."""
    note = clean_text(note, 1000, "note_missing", "note_too_long", "note")
    with write_session(engine) as session:
        client = _require_writer(session, actor, client_id, today, lock=True)
        _check_revision(client, expected_revision)
        conflict = session.exec(select(DecisionConflict).where(
            DecisionConflict.id == conflict_id, DecisionConflict.client_id == client_id)
            .with_for_update()).first()
        if conflict is None or conflict.resolved_at is not None:
            raise DecisionError("conflict_not_open")
        now = utcnow()
        conflict.resolved_at, conflict.resolved_by_person_id = now, actor.person_id
        conflict.resolution = note
        session.add(conflict)
        declined = False
        if conflict.swap_request_id is not None:
            swap = session.exec(select(SwapRequest).where(
                SwapRequest.id == conflict.swap_request_id).with_for_update()).first()
            if swap is not None and swap.status in OPEN_SWAPS:
                swap.status = SwapStatus.DECLINED.value
                swap.decided_by_person_id, swap.decided_at, swap.reason = (actor.person_id,
                                                                          now, note)
                session.add(swap)
                declined = True
        _bump(session, client)
        audit.record(session, actor.person_id, "resolve_decision_conflict", client_id,
                     conflict_id=conflict.id, kind=conflict.kind, swap_declined=declined)


def draft_from_version(version: VersionView, decision_date: date, valid_from: date,
                       reason: str) -> DecisionDraft:
    """A change's starting point: the lines of `version`, values fixed only where they were."""
    lines = tuple(
        LineDraft(line.service_code, line.units,
                  (line.band_values or {BASE_BAND: line.unit_value_cents})
                  if line.own_reason else None, line.own_reason)
        for line in version.lines
    )
    # Monthly additions go on from the change; one-off ones of the months it covers move too.
    additions = tuple(
        AdditionDraft(a.description, a.amount_cents, max(a.month, valid_from), True)
        if a.monthly else a
        for a in version.additions if a.monthly or a.month >= valid_from
    )
    return DecisionDraft(decision_date, valid_from, version.valid_to, reason, lines, additions)


__all__ = [
    "ClientDecisions", "ClientDraft", "ConflictView", "DecisionDraft", "DecisionError",
    "DecisionView", "DuplicateClient", "ExistingClient", "LineDraft", "AdditionDraft",
    "ServiceOption", "VersionView", "change", "client_decisions", "draft_from_version", "end",
    "find_by_identity_code", "grant", "municipalities", "next_decision_number",
    "register_client", "resolve_conflict", "service_options", "worker_decisions",
]
