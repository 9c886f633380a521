"""Part 5: where an event's time goes in HB, next to the floor.

Three measurements, each of the running production profile:

  profile  py-spy samples every backend worker (the thread holding the GIL: Python at work)
           while `--breakdown-clients` tabs (default 50) load it with the usual mix for
           `--duration` seconds. Each sample is charged to the innermost frame that belongs to
           a known layer (HB's pages and state, its services, SQLAlchemy, psycopg2, Reflex's
           state handling, the Redis client, Socket.IO, Granian and asyncio, ...): the shares,
           times the worker CPU per event, say roughly how many milliseconds of an event each
           layer costs. The heaviest HB and Reflex functions are listed inclusively (share of
           samples with the function on the stack).
  redis    `MEMORY USAGE` of every Redis key of one tab after it opened /budget and /, per
           state: which states a tab carries and how big each one is.
  sql      PostgreSQL's own counters (pg_stat_database, pg_stat_user_tables) around a burst
           of one kind of event from a few tabs, after the statistics are flushed: committed
           transactions, index and sequential scans (a nested-loop join counts one index scan
           per probe) and rows written per event.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.results import save_part
from bench.stats import kib
from bench.socketload import (REDIS_SAMPLE_TABS, SimulatedClient, Target, redis_client,
                              run_level)

# Layers, tried in order against a frame's file path; the first match names the layer.
LAYERS = (
    ("HB services, domain and views", re.compile(r"hbapp/(services|domain|views)/")),
    ("HB pages, state and middleware", re.compile(r"hbapp/")),
    ("database driver (psycopg2)", re.compile(r"psycopg2")),
    ("SQLAlchemy and SQLModel", re.compile(r"sqlalchemy/|sqlmodel/")),
    ("Redis client", re.compile(r"/redis/")),
    ("Socket.IO and Engine.IO", re.compile(r"socketio/|engineio/")),
    ("Reflex state: (de)serialise, deltas, locks", re.compile(r"reflex/(state|istate)")),
    ("Reflex events and app", re.compile(r"reflex(_base)?/")),
    ("pickle, JSON, Babel", re.compile(r"pickle|json/|babel/")),
    ("Granian and asyncio", re.compile(r"granian|asyncio/|selectors")),
)
OTHER = "other Python"
KNOWN_FUNCTIONS = re.compile(r"hbapp/|reflex/(state|istate|app)|reflex_base/event")
FRAME = re.compile(r"^(?P<function>.+) \((?P<file>[^():]+):\d+\)$")


def layer_of(path: str) -> str | None:
    for name, pattern in LAYERS:
        if pattern.search(path):
            return name
    return None


def parse_collapsed(text: str) -> list[tuple[list[tuple[str, str]], int]]:
    """py-spy's raw (collapsed) format: `frame;frame;... count`, outermost frame first."""
    stacks = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = []
        for part in stack.split(";"):
            match = FRAME.match(part.strip())
            if match:
                frames.append((match["function"], match["file"]))
        stacks.append((frames, int(count)))
    return stacks


def attribute(stacks: list[tuple[list[tuple[str, str]], int]]) -> dict:
    """Self time per layer (innermost known frame) and inclusive time of HB/Reflex functions."""
    layers: Counter = Counter()
    functions: Counter = Counter()
    total = 0
    for frames, count in stacks:
        total += count
        for function, path in reversed(frames):
            name = layer_of(path)
            if name is not None:
                layers[name] += count
                break
        else:
            layers[OTHER] += count
        seen = set()
        for function, path in frames:
            if KNOWN_FUNCTIONS.search(path):
                short = f"{function} ({path.split('site-packages/')[-1].split('/wt16/')[-1]})"
                if short not in seen:
                    seen.add(short)
                    functions[short] += count
    share = (lambda n: round(100 * n / total, 1)) if total else (lambda n: None)  # noqa: E731
    return {
        "samples": total,
        "layers": [{"layer": name, "percent": share(n)} for name, n in layers.most_common()],
        "functions": [{"function": name, "percent": share(n)}
                      for name, n in functions.most_common(25)],
    }


def profile(target: Target, clients: int, duration: float, think: float, rate: int = 100) -> dict:
    """py-spy on every worker of `target` while `clients` tabs load it."""
    pids = target.worker_pids()
    if not pids:
        return {"error": "no worker processes (an app started with --url is not profiled)"}
    py_spy = str(Path(sys.executable).parent / "py-spy")
    scratch = Path(tempfile.mkdtemp(prefix="hb-bench-pyspy-"))
    recorders = []
    for pid in pids:
        out = scratch / f"{pid}.txt"
        recorders.append((out, subprocess.Popen(
            # --gil: only samples of the thread holding the GIL, i.e. Python at work (threads
            # waiting for the database or Redis, idle pool threads and Granian's own Rust
            # threads are left out).
            [py_spy, "record", "--pid", str(pid), "--rate", str(rate), "--duration",
             str(int(duration)), "--format", "raw", "--gil", "--nonblocking", "--output",
             str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    load = asyncio.run(run_level(target, clients, duration, think, seed=clients))
    stacks = []
    for out, process in recorders:
        try:
            process.wait(timeout=duration + 60)
        except subprocess.TimeoutExpired:
            process.kill()
        if out.exists():
            stacks.extend(parse_collapsed(out.read_text()))
    result = attribute(stacks)
    for row in result["layers"]:
        row["ms_per_event"] = (round(row["percent"] * load["worker_cpu_ms_per_event"] / 100, 2)
                               if row["percent"] is not None else None)
    result.update({"clients": clients, "duration_s": duration, "events": load["all"]["count"],
                   "worker_cpu_ms_per_event": load["worker_cpu_ms_per_event"],
                   "rate_hz": rate, "samples_dir": str(scratch)})
    return result


async def _one_tab(target: Target) -> dict:
    client = SimulatedClient(target, REDIS_SAMPLE_TABS + 1, __import__("random").Random(7))
    try:
        await client.open_page("/budget")
        await client.open_page("/")
        token = client.tab.token
        redis = redis_client(target.redis_db)
        try:
            keys = {}
            for key in redis.scan_iter(match=f"{token}*", count=1000):
                name = key.decode()[len(token):].lstrip("_")
                keys[name] = int(redis.memory_usage(key, samples=0) or 0)
        finally:
            redis.close()
    finally:
        await client.close()
    return dict(sorted(keys.items(), key=lambda item: -item[1]))


def redis_per_state(target: Target) -> dict:
    keys = asyncio.run(_one_tab(target))
    return {"total_bytes": sum(keys.values()), "keys": [
        {"key": short_state(name), "bytes": size} for name, size in keys.items()]}


def short_state(key: str) -> str:
    """`reflex___state____state.hbapp___state____app_state.hbapp___pages___client___budget____budget_state`
    → `app_state.budget_state`."""
    parts = [part.rsplit("____", 1)[-1] for part in key.split(".")]
    return ".".join(parts[1:]) or parts[0]


STATS_SQL = {
    "database": "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, "
                "tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()",
    "tables": "SELECT relname, coalesce(idx_scan, 0), coalesce(seq_scan, 0), n_tup_ins, "
              "n_tup_upd, n_tup_del FROM pg_stat_user_tables",
}
STATS_FLUSH_WAIT = 12.0  # PostgreSQL 15 flushes an idle backend's statistics within 10 s


def _read_stats(engine) -> dict:
    import sqlalchemy as sa

    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
        database = connection.execute(sa.text(STATS_SQL["database"])).one()
        tables = {row[0]: row[1:] for row in connection.execute(sa.text(STATS_SQL["tables"]))}
    return {"database": tuple(database), "tables": tables}


def _delta(before: dict, after: dict, events: int) -> dict:
    db_names = ("commits", "rollbacks", "rows_returned", "rows_fetched", "rows_inserted",
                "rows_updated", "rows_deleted")
    per = lambda n: round(n / events, 2)  # noqa: E731 - a tiny local helper
    database = {name: per(a - b) for name, a, b in zip(db_names, after["database"],
                                                         before["database"], strict=True)}
    tables = {}
    for table, values in after["tables"].items():
        old = before["tables"].get(table, (0,) * len(values))
        diff = [a - b for a, b in zip(values, old, strict=True)]
        if any(diff):
            tables[table] = {"index_scans": per(diff[0]), "seq_scans": per(diff[1]),
                             "inserted": per(diff[2]), "updated": per(diff[3])}
    reads = sum(t["index_scans"] + t["seq_scans"] for t in tables.values())
    return {"events": events, "per_event": database, "table_reads_per_event": round(reads, 2),
            "tables": dict(sorted(tables.items(), key=lambda item: -(
                item[1]["index_scans"] + item[1]["seq_scans"])))}


async def _sql_phases(target: Target, engine, tabs: int, rounds: int) -> dict:
    import random

    # The tabs (and HB's login sessions for them) are made before anything is measured.
    clients = [SimulatedClient(target, i, random.Random(i)) for i in range(tabs)]
    result = {}
    try:
        for client in clients:
            await client.open_page("/budget")
        await asyncio.sleep(STATS_FLUSH_WAIT)
        before = await asyncio.to_thread(_read_stats, engine)
        for step in range(rounds):
            for client in clients:
                await client.tab.change_month(target.page_state, 1 if step % 2 else -1)
        await asyncio.sleep(STATS_FLUSH_WAIT)
        after = await asyncio.to_thread(_read_stats, engine)
        result["change_month"] = _delta(before, after, tabs * rounds)
        before = after
        for step in range(rounds):
            for client in clients:
                await client.open_page("/" if step % 2 else "/budget")
        await asyncio.sleep(STATS_FLUSH_WAIT)
        after = await asyncio.to_thread(_read_stats, engine)
        result["open_page"] = _delta(before, after, tabs * rounds)
    finally:
        for client in clients:
            await client.close()
    return result


def sql_per_event(target: Target, tabs: int = 4, rounds: int = 10) -> dict:
    """Transactions, table reads and writes per change_month and per page open."""
    import sqlalchemy as sa

    engine = sa.create_engine(target.app.database_url)
    try:
        return asyncio.run(_sql_phases(target, engine, tabs, rounds))
    finally:
        engine.dispose()


def run(targets: list[Target], args) -> dict:
    figures: dict = {"clients": args.breakdown_clients, "duration_s": args.duration,
                     "oplock": args.oplock}
    for target in targets:
        print(f"  {target.name}: py-spy on {len(target.worker_pids())} workers, "
              f"{args.breakdown_clients} tabs for {args.duration:.0f} s", flush=True)
        part = {"profile": profile(target, args.breakdown_clients, args.duration, args.think)}
        for layer in part["profile"].get("layers", [])[:8]:
            print(f"    {layer['percent']:>5} %  ~{layer['ms_per_event']:>5} ms/event  "
                  f"{layer['layer']}", flush=True)
        part["redis"] = redis_per_state(target)
        print(f"  {target.name}: Redis {kib(part['redis']['total_bytes'])} per tab; "
              + ", ".join(f"{k['key']} {kib(k['bytes'])}" for k in part["redis"]["keys"][:4]),
              flush=True)
        part["sql"] = sql_per_event(target)
        for kind, sql in part["sql"].items():
            print(f"  {target.name}: {kind}: {sql['per_event']['commits']} commits, "
                  f"{sql['per_event']['rollbacks']} rollbacks, "
                  f"{sql['table_reads_per_event']} index/sequential scans, "
                  f"{sql['per_event']['rows_inserted']} rows inserted, "
                  f"{sql['per_event']['rows_updated']} updated per event", flush=True)
        figures[target.name] = part
    save_part("breakdown", figures)
    return figures
