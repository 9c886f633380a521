"""The demo data: loaded once into a migrated database, valid, realistic and self-consistent.

Runs against SQLite and against the local PostgreSQL server (a throw-away database per test).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from hbapp.db import make_engine
from hbapp.domain.identifiers import validate_business_id
from hbapp.domain.ledger import LineGrant, UsageEvent, add_months, month_start, month_statement
from hbapp.domain.money import cents_for
from hbapp.domain.pricing import charge_for
from hbapp.domain.timebands import band_for
from hbapp.domain.travel import km_compensation_cents
from hbapp.domain.units import Unit
from hbapp.migrations import upgrade
from hbapp.models import (
    AuditLog,
    Budget,
    BudgetAddition,
    BudgetLine,
    CaseWorkerAssignment,
    Client,
    Consent,
    Feedback,
    Mandate,
    Organizer,
    Person,
    Provider,
    ProviderChoice,
    ProviderMunicipality,
    ProviderPrice,
    ServiceBandValue,
    ServiceEvent,
    ServiceType,
    SurveyAssignment,
    SurveyResponse,
)
from hbapp.seed import seed_demo

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}

# --------------------------------------------------------------------------- local checksums

_CONTROL_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {"+": 1800, "-": 1900, "A": 2000}


def identity_code_is_valid_test_code(code: str) -> bool:
    """A well-formed Finnish personal identity code with a temporary/test number 900–999.

    (hbapp.domain.identifiers accepts only 002–899, the numbers of real people, so the seed's
    test codes are checked here.)
    """
    match = re.fullmatch(r"(\d{2})(\d{2})(\d{2})([-+A])(\d{3})([0-9A-Y])", code)
    if not match:
        return False
    dd, mm, yy, sign, nnn, check = match.groups()
    try:
        date(_CENTURY[sign] + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return 900 <= int(nnn) <= 999 and _CONTROL_CHARS[int(dd + mm + yy + nnn) % 31] == check


def business_id_is_valid(code: str) -> bool:
    match = re.fullmatch(r"(\d{7})-(\d)", code)
    if not match:
        return False
    digits, check = match.groups()
    remainder = sum(w * int(d) for w, d in zip((7, 9, 10, 5, 8, 4, 2), digits)) % 11
    if remainder == 1:
        return False
    return int(check) == (0 if remainder == 0 else 11 - remainder)


def test_local_checksums_know_good_and_bad_codes():
    assert business_id_is_valid("0737546-2")
    assert not business_id_is_valid("0737546-3")
    assert identity_code_is_valid_test_code("010190-900" + _CONTROL_CHARS[10190900 % 31])
    assert not identity_code_is_valid_test_code("131052-308T")  # a real-person number range


# --------------------------------------------------------------------------- databases


def _postgres_database():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(**PG_ADMIN, connect_timeout=3)
    except psycopg2.OperationalError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"no PostgreSQL server at 127.0.0.1:5432 ({exc})")
    admin.autocommit = True
    name = f"hb_test_seed_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return admin, name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'seed.db'}"
        upgrade(url)
        yield url
        return
    admin, name = _postgres_database()
    try:
        url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
        upgrade(url)
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def local(moment: datetime) -> datetime:
    """The stored wall-clock time, naive (the column type may hand it back tagged as UTC)."""
    return moment.replace(tzinfo=None)


# --------------------------------------------------------------------------- the test

TODAY = date.today()


def test_seed_loads_once_and_is_consistent(engine):
    assert seed_demo(engine, today=TODAY) is True
    assert seed_demo(engine, today=TODAY) is False

    with Session(engine) as s:
        organizers = s.exec(select(Organizer)).all()
        assert len(organizers) == 1
        org = organizers[0]
        assert org.name_fi == "Etelä-Karjalan hyvinvointialue"
        assert (org.km_rate_cents, org.km_free_km, org.km_max_km) == (24, 10, 100)
        assert business_id_is_valid(org.business_id)

        people = {p.oidc_subject: p for p in s.exec(select(Person))}
        _check_people(people)
        clients = {c.full_name: c for c in s.exec(select(Client))}
        aino, bengt = clients["Aino Virtanen"], clients["Bengt Lindholm"]
        _check_clients(s, clients, people)
        _check_providers(s)
        _check_mandates(s, aino, bengt, people)
        lines = _check_budgets(s, clients)
        _check_events(s, org, clients, lines)
        _check_feedback(s, aino)
        _check_surveys(s, aino, bengt, people)

        audit = s.exec(select(AuditLog).where(AuditLog.action == "seed")).all()
        assert len(audit) == 1 and audit[0].actor_person_id is None


def _check_people(people: dict[str, Person]) -> None:
    assert set(people) >= {
        "demo-client", "demo-client-2", "demo-relative", "demo-relative-view", "demo-guardian",
        "demo-worker", "demo-worker-2", "demo-admin",
    }
    assert people["demo-client"].display_name == "Aino Virtanen"
    for subject in ("demo-worker", "demo-worker-2"):
        assert people[subject].is_worker and people[subject].organizer_id is not None
    assert people["demo-admin"].is_admin
    assert not people["demo-client"].is_worker and not people["demo-relative"].is_admin


def _check_clients(s: Session, clients: dict[str, Client], people: dict[str, Person]) -> None:
    assert len(clients) >= 6
    for client in clients.values():
        assert identity_code_is_valid_test_code(client.personal_identity_code), client
    aino, bengt = clients["Aino Virtanen"], clients["Bengt Lindholm"]
    assert aino.person_id == people["demo-client"].id
    assert (aino.municipality_code, aino.language) == ("405", "fi")
    assert aino.personal_identity_code[4:6] == "45"
    assert bengt.person_id == people["demo-client-2"].id
    # The development provider's identity-code claim matches the seeded client records.
    assert people["demo-client"].identity_code == aino.personal_identity_code
    assert people["demo-client-2"].identity_code == bengt.personal_identity_code
    assert "demo-client-new" not in people  # registered by hand, by identity code
    assert (bengt.municipality_code, bengt.language) == ("153", "sv")
    assert bengt.personal_identity_code[4:6] == "58"
    others = [c for c in clients.values() if c.person_id is None]
    assert len(others) >= 4
    assert len({c.municipality_code for c in others}) >= 4
    assert {c.language for c in others} == {"fi", "sv"}

    worker = people["demo-worker"].id
    assert all(c.own_worker_id == worker for c in clients.values())
    assigned = {a.client_id for a in s.exec(select(CaseWorkerAssignment)).all()
                if a.worker_person_id == worker and a.ends_on is None}
    assert assigned == {c.id for c in clients.values()}
    for client in (aino, bengt):
        row = s.exec(select(CaseWorkerAssignment).where(
            CaseWorkerAssignment.client_id == client.id)).one()
        assert 360 <= (TODAY - row.starts_on).days <= 370

    consents = {c.client_id: c for c in s.exec(select(Consent)).all()}
    assert consents[aino.id].given_by_person_id == people["demo-client"].id
    assert consents[bengt.id].given_by_person_id == people["demo-guardian"].id
    without = [c for c in others if c.id not in consents]
    assert len(without) == 2
    assert not s.exec(select(CaseWorkerAssignment).where(
        CaseWorkerAssignment.worker_person_id == people["demo-worker-2"].id)).all()


def _check_providers(s: Session) -> None:
    providers = s.exec(select(Provider)).all()
    assert len(providers) >= 18
    for provider in providers:
        assert business_id_is_valid(provider.business_id), provider.name
        assert validate_business_id(provider.business_id) == provider.business_id
        assert provider.description_fi and provider.description_sv and provider.description_en
        assert provider.phone.startswith(("05 ", "04", "050")), provider.phone
        assert provider.postal_code.isdigit() and len(provider.postal_code) == 5
        assert provider.opening_hours
    statuses = [p.approval_status for p in providers]
    assert statuses.count("approved") >= 15
    assert statuses.count("pending") >= 1 and statuses.count("suspended") >= 1
    approved = {p.id for p in providers if p.approval_status == "approved"}
    areas = {pm.municipality_code for pm in s.exec(select(ProviderMunicipality))
             if pm.provider_id in approved}
    assert len(areas) >= 4
    languages = {p.languages for p in providers}
    assert {"fi", "fi,sv", "fi,sv,en"} <= languages
    assert {p.takes_new_clients for p in providers} == {True, False}
    assert {p.evening_service for p in providers} == {True, False}
    assert {p.weekend_service for p in providers} == {True, False}

    types = {t.id: t for t in s.exec(select(ServiceType))}
    home_care = next(t for t in types.values() if t.code == "home_care")
    hc_prices = [p for p in s.exec(select(ProviderPrice)) if p.service_type_id == home_care.id]
    weekday = [p.price_cents for p in hc_prices if p.band == "weekday_day"]
    assert min(weekday) >= 3200 and max(weekday) <= 4600
    assert any(p.price_cents > home_care.unit_value_cents for p in hc_prices)
    pa = next(t for t in types.values() if t.code == "personal_assistance")
    band_values = {b.band: b.unit_value_cents for b in s.exec(select(ServiceBandValue))
                   if b.service_type_id == pa.id}
    assert band_values == {"weekday_day": 2200, "weekday_evening": 2750, "saturday": 3300,
                           "sunday_holiday": 4400}
    for price in s.exec(select(ProviderPrice).where(ProviderPrice.service_type_id == pa.id)):
        assert price.price_cents <= band_values[price.band]


def _check_mandates(s: Session, aino: Client, bengt: Client, people) -> None:
    mandates = {(m.client_id, m.agent_person_id): m for m in s.exec(select(Mandate))}
    expected = [
        (aino, "demo-relative", "view,manage,feedback,surveys", "relative", "client_granted"),
        (aino, "demo-relative-view", "view", "relative", "worker_recorded"),
        (bengt, "demo-guardian", "view,manage,feedback,surveys", "guardian", "worker_recorded"),
    ]
    for client, subject, scopes, relation, source in expected:
        m = mandates[(client.id, people[subject].id)]
        assert (m.scopes, m.relation, m.source, m.status) == (scopes, relation, source, "active")
        assert m.valid_to is None
        assert 360 <= (TODAY - m.valid_from).days <= 370
    assert len(mandates) == 3


def _check_budgets(s: Session, clients: dict[str, Client]):
    budgets = {b.client_id: b for b in s.exec(select(Budget))}
    lines_by_budget = defaultdict(list)
    for line in s.exec(select(BudgetLine)):
        lines_by_budget[line.budget_id].append(line)
    monthly = {}
    for client in clients.values():
        budget = budgets[client.id]
        assert budget.status == "active" and budget.valid_to is None
        assert budget.valid_from == add_months(month_start(TODAY), -5)
        assert re.fullmatch(r"HB-\d{4}-\d{4}", budget.decision_reference)
        monthly[client.full_name] = sum(
            cents_for(line.granted_units_per_month, line.unit_value_cents)
            for line in lines_by_budget[budget.id]
        )
    assert monthly["Aino Virtanen"] == 156_400  # 1 564,00 €, the Kainuu average
    assert sum(130_000 <= cents <= 170_000 for cents in monthly.values()) >= 5
    additions = s.exec(select(BudgetAddition)).all()
    assert len(additions) == 1
    assert additions[0].month == add_months(month_start(TODAY), -1)
    assert additions[0].amount_cents == 18_000

    choices = {(c.client_id, c.service_type_id) for c in s.exec(select(ProviderChoice))}
    types = {t.code: t.id for t in s.exec(select(ServiceType))}
    aino, bengt = clients["Aino Virtanen"], clients["Bengt Lindholm"]
    assert {(aino.id, types["home_care"]), (aino.id, types["cleaning"]),
            (bengt.id, types["personal_assistance"])} <= choices
    return {line.id: (line, client_id) for client_id, budget in budgets.items()
            for line in lines_by_budget[budget.id]}


def _check_events(s: Session, org: Organizer, clients: dict[str, Client], lines) -> None:
    types = {t.id: t for t in s.exec(select(ServiceType))}
    band_values = {(b.service_type_id, b.band): b.unit_value_cents
                   for b in s.exec(select(ServiceBandValue))}
    prices = {(p.provider_id, p.service_type_id, p.band): p.price_cents
              for p in s.exec(select(ProviderPrice))}
    events = s.exec(select(ServiceEvent)).all()
    assert events
    this_month = month_start(TODAY)
    months = {add_months(this_month, -2), add_months(this_month, -1), this_month}
    for event in events:
        started = local(event.started_at)
        assert started.date() <= TODAY
        assert month_start(started.date()) in months
        line, client_id = lines[event.budget_line_id]
        assert client_id == event.client_id and line.service_type_id == event.service_type_id
        service = types[event.service_type_id]
        band = band_for(started).value
        assert event.band == band
        price = prices.get((event.provider_id, service.id, band),
                           prices.get((event.provider_id, service.id, "weekday_day")))
        assert price is not None
        value = (band_values[(service.id, band)] if service.time_banded
                 else line.unit_value_cents)
        assert (event.amount_cents, event.self_pay_cents) == charge_for(
            Decimal(event.units), price, value, service.self_pay_applies)
        expected_km = (km_compensation_cents(Decimal(event.km), org.km_rate_cents,
                                             org.km_free_km, org.km_max_km)
                       if event.km else 0)
        assert event.km_compensation_cents == expected_km
    assert any(e.self_pay_cents > 0 for e in events)
    assert any(e.km_compensation_cents > 0 for e in events)
    assert {e.band for e in events} >= {"weekday_day", "weekday_evening", "saturday",
                                       "sunday_holiday"}
    assert all(any(e.client_id == c.id and month_start(local(e.started_at).date()) == m
                   for e in events)
               for c in clients.values() for m in months - {this_month})

    # Use per month: within the budget for all but one client, who overspent last month a little.
    budgets = {b.client_id: b for b in s.exec(select(Budget))}
    additions = s.exec(select(BudgetAddition)).all()
    previous = add_months(this_month, -1)
    overspent = []
    for client in clients.values():
        budget = budgets[client.id]
        grants = [
            LineGrant(line.id, types[line.service_type_id].code,
                      Unit(types[line.service_type_id].unit),
                      Decimal(line.granted_units_per_month), line.unit_value_cents)
            for line, client_id in lines.values() if client_id == client.id
        ]
        usage = [
            UsageEvent(e.budget_line_id, local(e.started_at), Decimal(e.units), e.amount_cents,
                       e.self_pay_cents, e.km_compensation_cents)
            for e in events if e.client_id == client.id
        ]
        for month in sorted(months):
            extra = sum(a.amount_cents for a in additions
                        if a.budget_id == budget.id and a.month == month)
            statement = month_statement(month, grants, usage, extra, today=TODAY)
            if month == previous and statement.overspent:
                overspent.append(client.full_name)
                assert statement.used_cents <= statement.budget_cents * 1.15
            elif month < this_month:
                assert not statement.overspent, (client.full_name, month)
                assert statement.used_fraction >= Decimal("0.45"), (client.full_name, month)
            if client.full_name == "Aino Virtanen" and month == this_month:
                assert not statement.projected_overspend
    assert len(overspent) == 1


def _check_feedback(s: Session, aino: Client) -> None:
    feedback = s.exec(select(Feedback)).all()
    providers = s.exec(select(Provider)).all()
    counts = {p.id: sum(f.provider_id == p.id for f in feedback) for p in providers}
    assert any(n == 0 for n in counts.values())
    assert any(1 <= n <= 4 for n in counts.values())
    assert any(8 <= n <= 20 for n in counts.values())
    assert all(0 <= f.score <= 10 for f in feedback)
    assert all(f.replaced_at is None for f in feedback)
    flagged = [f for f in feedback if f.flag]
    assert len(flagged) == 1
    assert (flagged[0].client_id, flagged[0].flag) == (aino.id, "service_not_delivered")
    cleaning = s.exec(select(ServiceType).where(ServiceType.code == "cleaning")).one()
    choice = s.exec(select(ProviderChoice).where(ProviderChoice.client_id == aino.id,
                                                 ProviderChoice.service_type_id == cleaning.id)
                    ).one()
    assert flagged[0].provider_id == choice.provider_id
    # One client's answers about one provider are more than 30 days apart (none replaced).
    by_pair = defaultdict(list)
    for f in feedback:
        by_pair[(f.client_id, f.provider_id)].append(local(f.created_at))
    for moments in by_pair.values():
        moments.sort()
        assert all((b - a).days > 30 for a, b in zip(moments, moments[1:]))


def _check_surveys(s: Session, aino: Client, bengt: Client, people) -> None:
    responses = s.exec(select(SurveyResponse)).all()

    def scores(client, instrument):
        rows = sorted((r for r in responses
                       if r.client_id == client.id and r.instrument_id == instrument),
                      key=lambda r: local(r.submitted_at))
        assert len(rows) == 2
        assert 130 <= (TODAY - local(rows[0].submitted_at).date()).days <= 175
        assert 45 <= (TODAY - local(rows[1].submitted_at).date()).days <= 75
        return [json.loads(r.scores) for r in rows], rows

    (a0, a1), _ = scores(aino, "promis10")
    assert a0["gmh"]["t"] - a1["gmh"]["t"] >= 5
    (b0, b1), bengt_whoqol = scores(bengt, "whoqol-bref")
    assert b0["environment"]["score"] - b1["environment"]["score"] >= 10
    scores(bengt, "promis10")
    assert any(r.proxy_reported and r.answered_by_person_id == people["demo-guardian"].id
               for r in responses if r.client_id == bengt.id)
    assert len({r.idempotency_key for r in responses}) == len(responses)

    assignments = s.exec(select(SurveyAssignment)).all()
    open_aino = [a for a in assignments if a.client_id == aino.id and a.completed_at is None]
    assert [(a.instrument_id, a.timepoint, a.due_on) for a in open_aino] == [
        ("promis10", "6_months", date.fromordinal(TODAY.toordinal() + 7))]
    overdue = [a for a in assignments if a.completed_at is None and a.due_on < TODAY]
    assert [(a.instrument_id) for a in overdue] == ["whodas12"]
    assert overdue[0].client_id not in (aino.id, bengt.id)


# --------------------------------------------------------------------------- determinism, dates


def _event_fingerprint(url: str, today: date) -> list[tuple]:
    upgrade(url)
    engine = make_engine(url)
    try:
        assert seed_demo(engine, today=today)
        with Session(engine) as s:
            return [
                (e.client_id, local(e.started_at), str(e.units), e.amount_cents, e.provider_id)
                for e in s.exec(select(ServiceEvent).order_by(ServiceEvent.id))
            ]
    finally:
        engine.dispose()


def test_seed_is_deterministic(tmp_path):
    day = date(2026, 3, 18)
    first = _event_fingerprint(f"sqlite:///{tmp_path / 'a.db'}", day)
    second = _event_fingerprint(f"sqlite:///{tmp_path / 'b.db'}", day)
    assert first == second and first


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2026, 12, 31), date(2028, 2, 29)])
def test_seed_on_month_edges_has_nothing_in_the_future(tmp_path, today):
    events = _event_fingerprint(f"sqlite:///{tmp_path / 'edge.db'}", today)
    assert events
    assert max(moment for _, moment, *_ in events).date() < today
