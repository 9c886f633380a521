"""Part 4: data scale on PostgreSQL: 100 000 clients, millions of service events, query p95.

The generator fills a separate database `hb_bench` (created and migrated here, with the demo
data as its base) using COPY. Timed queries, each on random inputs, after a warm-up:
  balance    hbapp.services.budget.load_month for a client and a month (what / and /budget
             show: budget, lines, adjustments, choices, the month's events, additions)
  caseload   a worker's assigned clients with each one's use of money in a month
  providers  approved providers serving a municipality for a service, with their prices
"""

from __future__ import annotations

import io
import random
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from bench.results import save_part
from bench.server import PG_PREFIX
from bench.stats import summarize

DATABASE = "hb_bench"
TODAY = date(2026, 11, 15)
YEAR_START = date(2026, 1, 1)
CLIENTS_PER_WORKER = 100
PROVIDERS = 300
CHUNK = 200_000

CASELOAD_SQL = sa.text("""
SELECT c.id, c.first_name, c.last_name, COALESCE(SUM(e.amount_cents), 0) AS used_cents
FROM caseworkerassignment a
JOIN client c ON c.id = a.client_id
LEFT JOIN serviceevent e
  ON e.client_id = c.id AND e.started_at >= :start AND e.started_at < :end
WHERE a.worker_person_id = :worker AND a.starts_on <= :today
  AND (a.ends_on IS NULL OR a.ends_on >= :today)
GROUP BY c.id, c.first_name, c.last_name
ORDER BY c.last_name, c.first_name
""")

PROVIDERS_SQL = sa.text("""
SELECT p.id, p.name, pp.band, pp.price_cents
FROM provider p
JOIN providermunicipality pm ON pm.provider_id = p.id AND pm.municipality_code = :municipality
JOIN providerprice pp ON pp.provider_id = p.id AND pp.service_type_id = :service
WHERE p.approval_status = 'approved'
ORDER BY p.name, pp.band
""")


def _admin(sql: str) -> None:
    engine = sa.create_engine(f"{PG_PREFIX}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(sql))
    finally:
        engine.dispose()


def _copy(engine, table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples; None → NULL) into a table in chunks; returns the count."""
    count = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Bulk load of consistent generated rows: skip the per-row foreign key triggers.
        cursor.execute("SET session_replication_role = replica")
        buffer = io.StringIO()
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

        def flush():
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            buffer.seek(0)
            buffer.truncate()

        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
            buffer.write("\n")
            count += 1
            if count % CHUNK == 0:
                flush()
        flush()
        raw.commit()
    finally:
        raw.close()
    return count


def _current_size(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        clients = connection.execute(sa.text("SELECT count(*) FROM client")).scalar_one()
        events = connection.execute(sa.text("SELECT count(*) FROM serviceevent")).scalar_one()
    return clients, events


def generate(engine, clients: int, events: int, seed: int = 9) -> None:
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, 12, 0)
    with engine.connect() as connection:
        org_id = connection.execute(sa.text("SELECT min(id) FROM organizer")).scalar_one()
        municipalities = [r[0] for r in connection.execute(sa.text("SELECT code FROM municipality"))]
        services = connection.execute(sa.text(
            "SELECT id, unit_value_cents FROM servicetype ORDER BY id")).all()
        base_person = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM person")).scalar_one()
        base_client = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM client")).scalar_one()
        base_provider = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM provider")).scalar_one()
    t0 = time.monotonic()
    workers = max(1, clients // CLIENTS_PER_WORKER)
    _copy(engine, "person", ["oidc_subject", "display_name", "email", "phone", "text_size",
                             "is_worker", "is_admin", "organizer_id", "created_at"],
          ((f"bench-worker-{i}", f"Worker {i}", "", "", "normal", True, False, org_id, now)
           for i in range(workers)))
    worker_ids = list(range(base_person + 1, base_person + workers + 1))
    first = ["Aino", "Eino", "Helmi", "Väinö", "Elli", "Toivo", "Sylvi", "Onni", "Lyyli", "Arvo"]
    last = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen"]
    _copy(engine, "client", ["organizer_id", "first_name", "last_name", "personal_identity_code",
                             "municipality_code", "language", "own_worker_id", "street_address",
                             "created_at"],
          ((org_id, rng.choice(first), f"{rng.choice(last)}-{i}", f"B{i:07d}-X0"[:11],
            rng.choice(municipalities), "fi", worker_ids[i % workers], "", now)
           for i in range(clients)))
    client_ids = range(base_client + 1, base_client + clients + 1)
    _copy(engine, "caseworkerassignment", ["worker_person_id", "client_id", "starts_on"],
          ((worker_ids[i % workers], cid, YEAR_START) for i, cid in enumerate(client_ids)))
    with engine.connect() as connection:
        base_budget = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM budget")).scalar_one()
        base_line = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM budgetline")).scalar_one()
    _copy(engine, "budget", ["client_id", "organizer_id", "valid_from", "status",
                             "decision_reference", "version", "created_at"],
          ((cid, org_id, YEAR_START, "active", f"B-{cid}", 0, now) for cid in client_ids))
    lines: list[tuple[int, int, int, int]] = []  # line id, client id, service id, unit value
    line_rows = []
    next_line = base_line + 1
    for offset, cid in enumerate(client_ids):
        for service_id, unit_value in rng.sample(services, 3):
            line_rows.append((base_budget + 1 + offset, service_id, rng.choice((10, 20, 40)),
                              unit_value))
            lines.append((next_line, cid, service_id, unit_value))
            next_line += 1
    _copy(engine, "budgetline", ["budget_id", "service_type_id", "granted_units_per_month",
                                 "unit_value_cents"], line_rows)
    extra = max(0, PROVIDERS - base_provider)
    _copy(engine, "provider", ["business_id", "name", "description_fi", "description_sv",
                               "description_en", "approval_status", "languages",
                               "takes_new_clients", "evening_service", "weekend_service", "phone",
                               "email", "street_address", "postal_code", "city",
                               "opening_hours", "created_at"],
          ((f"9{i:06d}-{i % 10}", f"Bench Provider {i}", "", "", "",
            "approved" if i % 5 else "pending", "fi", True, False, False, "", "", "", "", "", "",
            now) for i in range(extra)))
    provider_ids = list(range(base_provider + 1, base_provider + extra + 1))
    _copy(engine, "providermunicipality", ["provider_id", "municipality_code"],
          ((pid, code) for pid in provider_ids for code in rng.sample(municipalities,
                                                                      min(3, len(municipalities)))))
    bands = ("weekday_day", "weekday_evening", "saturday", "sunday_holiday")
    _copy(engine, "providerprice", ["provider_id", "service_type_id", "band", "price_cents"],
          ((pid, sid, band, unit + rng.randint(-500, 1500))
           for pid in provider_ids for sid, unit in rng.sample(services, 3) for band in bands))
    all_providers = list(range(1, base_provider + extra + 1))
    print(f"    people, clients, budgets, lines, providers: {time.monotonic() - t0:.0f} s", flush=True)
    days = (TODAY - YEAR_START).days

    def event_rows():
        for _ in range(events):
            line_id, cid, service_id, unit_value = lines[rng.randrange(len(lines))]
            started = datetime.combine(YEAR_START + timedelta(days=rng.randrange(days)),
                                       datetime.min.time()) + timedelta(minutes=rng.randrange(7 * 60, 21 * 60))
            units = rng.choice((1, 1, 2, 3))
            yield (rng.choice(all_providers), cid, line_id, service_id, started, f"{units}.000",
                   "weekday_day", units * unit_value, 0, "0.000", 0, now)

    t1 = time.monotonic()
    _copy(engine, "serviceevent", ["provider_id", "client_id", "budget_line_id", "service_type_id",
                                   "started_at", "units", "band", "amount_cents",
                                   "self_pay_cents", "km", "km_compensation_cents", "created_at"],
          event_rows())
    print(f"    {events} service events: {time.monotonic() - t1:.0f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))


def prepare(args) -> str:
    """hb_bench with the wanted size: reused when asked and already that size, else rebuilt."""
    from hbapp.db import make_engine
    from hbapp.migrations import upgrade
    from hbapp.seed import seed_demo

    url = f"{PG_PREFIX}/{DATABASE}"
    if args.reuse_data:
        try:
            engine = make_engine(url)
            clients, events = _current_size(engine)
            engine.dispose()
            if clients >= args.scale_clients and events >= args.events:
                print(f"  reusing {DATABASE}: {clients} clients, {events} events", flush=True)
                return url
        except sa.exc.OperationalError:
            pass
    _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DATABASE}"')
    upgrade(url)
    engine = make_engine(url)
    try:
        seed_demo(engine, today=TODAY)
        print(f"  generating {args.scale_clients} clients and {args.events} service events "
              f"in {DATABASE}", flush=True)
        generate(engine, args.scale_clients, args.events)
    finally:
        engine.dispose()
    return url


def _timed(fn, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(url: str, samples: int, seed: int = 3) -> dict:
    from sqlmodel import Session

    from hbapp.db import make_engine
    from hbapp.models import Client
    from hbapp.services.budget import load_month

    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            client_ids = [r[0] for r in connection.execute(sa.text(
                "SELECT client_id FROM budget TABLESAMPLE SYSTEM (5) LIMIT 5000"))]
            worker_ids = [r[0] for r in connection.execute(sa.text(
                "SELECT DISTINCT worker_person_id FROM caseworkerassignment"))]
            municipalities = [r[0] for r in connection.execute(sa.text("SELECT code FROM municipality"))]
            services = [r[0] for r in connection.execute(sa.text("SELECT id FROM servicetype"))]
        months = [date(2026, m, 1) for m in range(1, 12)]

        def balance():
            with Session(engine) as session:
                client = session.get(Client, rng.choice(client_ids))
                load_month(session, client, rng.choice(months), TODAY)

        def caseload():
            month = rng.choice(months)
            end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            with engine.connect() as connection:
                connection.execute(CASELOAD_SQL, {"worker": rng.choice(worker_ids), "start": month,
                                                  "end": end, "today": TODAY}).all()

        def providers():
            with engine.connect() as connection:
                connection.execute(PROVIDERS_SQL, {"municipality": rng.choice(municipalities),
                                                   "service": rng.choice(services)}).all()

        queries = {}
        for name, fn in (("balance", balance), ("caseload", caseload), ("providers", providers)):
            _timed(fn, max(10, samples // 10))  # warm-up: connection pool, plans, caches
            queries[name] = summarize(_timed(fn, samples), digits=2)
        return queries
    finally:
        engine.dispose()


def run(args) -> dict:
    url = prepare(args)
    queries = measure(url, args.samples)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        clients = connection.execute(sa.text("SELECT count(*) FROM client")).scalar_one()
        events = connection.execute(sa.text("SELECT count(*) FROM serviceevent")).scalar_one()
        size = connection.execute(sa.text(
            "SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar_one()
    engine.dispose()
    for name, figures in queries.items():
        print(f"  {name:<10} p50 {figures['p50']} p95 {figures['p95']} p99 {figures['p99']} ms "
              f"({figures['count']} runs)", flush=True)
    figures = {"clients": clients, "events": events, "database_size": size, "queries": queries}
    save_part("datascale", figures)
    return figures
