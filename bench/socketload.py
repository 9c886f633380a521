"""Part 3: N simulated tabs on Reflex's websocket, HB and the bare Reflex floor side by side.

Each simulated client is one signed-in browser tab, driven by the maintained `python-socketio`
asyncio client (Engine.IO v4, websocket transport only, on `/_event`), the way Reflex's
frontend talks: it connects with `?token=<tab token>` and puts its first event (the hydrate of
the page) into the CONNECT packet's auth; events go up as `event` messages with
`{name, payload, router_data}`; state deltas come down as `event` messages with
`{delta, events}`. Like a browser tab, a client keeps its token (Reflex keeps it in the tab's
sessionStorage) and its cookies across page loads, and adopts a `new_token` when the server
hands one out.

Its actions, with pauses of `think` ± 50 % between them:
  open_page     a full page load of / or /budget (the app's links are plain links): a new
                websocket whose hydrate runs the page's on_load. Done when `is_hydrated` turns
                true (Reflex sets it after the on_load events have run).
  change_month  `change_month(±1)` on /budget. Done at the event's call_script (both apps
                rewrite the address with it).

Every level runs against the floor first, then HB, with the same clients, think time, mix
and random seed, so the two figures are measured under the same machine load, and the ratio
HB / floor is reported. Next to the round trips: worker CPU per event (the backend processes'
user + system time over the level, a figure that noise on a shared machine disturbs less than
latency), the load generator's own CPU and event-loop lag (does it keep up?), the machine's
load average, worker RSS and Redis memory per tab (`MEMORY USAGE` of every key of a sample of
the tabs' tokens).
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.results import save_part
from bench.server import (FLOOR_ACCOUNTS, FLOOR_REDIS_DB, REDIS_URL, SIGNED_IN_SUBJECTS, App,
                          cpu_seconds, redis_url, rss_bytes)
from bench.stats import kib, ratio, summarize

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
HB_BUDGET_STATE = (f"{ROOT_STATE}.hbapp___state____app_state"
                   ".hbapp___pages___client___budget____budget_state")
FLOOR_STATE = f"{ROOT_STATE}.floor___floor____floor_state"
NAMESPACE = "/_event"
# The mix of one client's actions after its first page (weights).
EVENT_MIX = (("change_month", 3), ("open_budget", 1), ("open_home", 1))
EVENT_KINDS = ("open_page", "change_month")
REDIS_SAMPLE_TABS = 40


class SocketError(Exception):
    pass


@dataclass
class Target:
    """One app under load: where it runs, its month-changing state, one cookie per client."""

    name: str
    app: App
    page_state: str
    cookie_for: Callable[[int], str]
    redis_db: int | None = None

    def worker_pids(self) -> list[int]:
        return self.app.worker_pids()


def hb_target(app: App) -> Target:
    return Target("hb", app, HB_BUDGET_STATE,
                  lambda i: f"hb_session={app.session_token(SIGNED_IN_SUBJECTS[i % len(SIGNED_IN_SUBJECTS)])}")


def baseline_target(app: App, revision: str) -> Target:
    from bench.server import BASELINE_REDIS_DB

    target = hb_target(app)
    target.name, target.redis_db = f"hb@{revision}", BASELINE_REDIS_DB
    return target


def floor_target(app: App) -> Target:
    return Target("floor", app, FLOOR_STATE,
                  lambda i: f"floor_account={i % FLOOR_ACCOUNTS + 1}", redis_db=FLOOR_REDIS_DB)


def _is_hydrated(update: dict) -> bool:
    return any(isinstance(values, dict) and values.get("is_hydrated_rx_state_") is True
               for values in (update.get("delta") or {}).values())


def _has_call_script(update: dict) -> bool:
    return any(str(event.get("name", "")).endswith("_call_script")
               for event in update.get("events") or () if isinstance(event, dict))


class Tab:
    """One browser tab: a token and a cookie jar that outlive its page loads."""

    def __init__(self, base_url: str, cookie: str):
        import aiohttp

        self.base_url = base_url.replace("localhost", "127.0.0.1")
        # A browser sends the address it opened: HB accepts only its public URL's origin on
        # the websocket (the connection itself goes to 127.0.0.1, without a name lookup).
        self.origin = base_url
        self.cookie = cookie
        self.token = str(uuid.uuid4())
        # unsafe: accept cookies for an IP address host (the bench talks to 127.0.0.1).
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.client = None
        self.route = ""
        self.updates: asyncio.Queue = asyncio.Queue()

    def _router_data(self) -> dict:
        path = self.route if self.route.endswith("/") else self.route + "/"
        return {"pathname": path, "asPath": path}

    async def open(self, route: str, timeout: float = 60) -> None:
        """A full page load: close the old page's websocket, connect, hydrate, run on_load."""
        import socketio

        await self.close_page()
        self.route = route
        self.updates = asyncio.Queue()
        client = socketio.AsyncClient(reconnection=False, http_session=self.http,
                                      request_timeout=timeout)
        updates = self.updates

        async def on_event(data):
            updates.put_nowait(data)

        async def on_new_token(token):
            self.token = token

        async def on_connect_error(data):
            updates.put_nowait(SocketError(f"connect refused: {str(data)[:200]}"))

        async def on_disconnect(*_args):
            updates.put_nowait(SocketError("disconnected"))

        client.on("event", on_event, namespace=NAMESPACE)
        client.on("new_token", on_new_token, namespace=NAMESPACE)
        client.on("connect_error", on_connect_error, namespace=NAMESPACE)
        client.on("disconnect", on_disconnect, namespace=NAMESPACE)
        self.client = client
        hydrate = {"name": HYDRATE, "payload": {"hashes": []}, "router_data": self._router_data()}
        await client.connect(
            f"{self.base_url}?token={self.token}",
            headers={"Cookie": self.cookie, "Origin": self.origin, "User-Agent": "hb-bench"},
            auth={"event": hydrate}, transports=["websocket"], namespaces=[NAMESPACE],
            socketio_path="/_event", wait=False, wait_timeout=timeout)
        await self._expect(_is_hydrated, timeout)

    async def change_month(self, state: str, step: int, timeout: float = 60) -> None:
        event = {"name": f"{state}.change_month", "payload": {"step": step},
                 "router_data": self._router_data()}
        await self.client.emit("event", event, namespace=NAMESPACE)
        await self._expect(_has_call_script, timeout)

    async def _expect(self, predicate, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SocketError("timeout")
            try:
                update = await asyncio.wait_for(self.updates.get(), remaining)
            except asyncio.TimeoutError:
                raise SocketError("timeout") from None
            if isinstance(update, Exception):
                raise update
            if isinstance(update, dict) and predicate(update):
                return update

    async def close_page(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                await client.disconnect()
            except Exception:  # noqa: BLE001 - closing a broken socket
                pass

    async def close(self) -> None:
        await self.close_page()
        await self.http.close()


class SimulatedClient:
    def __init__(self, target: Target, index: int, rng: random.Random):
        self.target = target
        self.rng = rng
        self.tab = Tab(target.app.base_url, target.cookie_for(index))
        self.timings: dict[str, list[float]] = {kind: [] for kind in EVENT_KINDS}
        self.errors: list[str] = []
        self.open = False

    async def open_page(self, route: str) -> None:
        started = time.perf_counter()
        self.open = False
        await self.tab.open(route)
        self.open = True
        self.timings["open_page"].append((time.perf_counter() - started) * 1000)

    async def run(self, stop_at: float, think: float, connected: asyncio.Event) -> None:
        try:
            await self.open_page("/budget")
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            self.errors.append(f"open_page: {exc!r}"[:200])
        finally:
            connected.set()
        while time.monotonic() < stop_at:
            await asyncio.sleep(self.rng.uniform(0.5 * think, 1.5 * think))
            if time.monotonic() >= stop_at:
                break
            action = self.rng.choices([a for a, _ in EVENT_MIX], [w for _, w in EVENT_MIX])[0]
            try:
                if action == "change_month" and self.open and self.tab.route == "/budget":
                    started = time.perf_counter()
                    await self.tab.change_month(self.target.page_state, self.rng.choice((-1, 1)))
                    self.timings["change_month"].append((time.perf_counter() - started) * 1000)
                else:
                    await self.open_page("/" if action == "open_home" else "/budget")
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"{action}: {exc!r}"[:200])
                self.open = False

    async def close(self) -> None:
        await self.tab.close()


@dataclass
class LagMonitor:
    """How late the load generator's own event loop wakes up (it must keep up to measure)."""

    interval: float = 0.05
    lags: list[float] = field(default_factory=list)
    task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, (time.perf_counter() - started - self.interval) * 1000))

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> dict:
        if self.task:
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass
        return summarize(self.lags)


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def redis_client(db: int | None):
    import redis

    return redis.Redis.from_url(redis_url(db) if db is not None else REDIS_URL)


def database_backend_cpu(database_url: str) -> float:
    """CPU seconds of the PostgreSQL backends serving this app's database (its pooled
    connections live through a level, so the difference over a level is the app's SQL)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            pids = [row[0] for row in connection.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"))]
    finally:
        engine.dispose()
    return cpu_seconds(pids)


def redis_cpu_seconds() -> float:
    """The Redis server's own CPU time (user + system), shared by every database in it."""
    client = redis_client(None)
    try:
        info = client.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
    finally:
        client.close()


def redis_used_memory(db: int | None = None) -> int:
    client = redis_client(db)
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


def redis_tab_bytes(db: int | None, tokens: list[str]) -> dict:
    """`MEMORY USAGE` of every key of each tab (its state keys, locks, token records)."""
    client = redis_client(db)
    try:
        per_tab = []
        for token in tokens:
            total = 0
            for key in client.scan_iter(match=f"{token}*", count=1000):
                total += int(client.memory_usage(key, samples=0) or 0)
            per_tab.append(total)
    finally:
        client.close()
    return {"tabs": len(per_tab), "mean": round(sum(per_tab) / len(per_tab)) if per_tab else None,
            "max": max(per_tab) if per_tab else None}


async def run_level(target: Target, clients: int, duration: float, think: float,
                    seed: int) -> dict:
    rng = random.Random(seed)
    simulated = [SimulatedClient(target, i, random.Random(rng.random())) for i in range(clients)]
    pids = target.worker_pids()
    rss_before = rss_bytes(pids)
    redis_before = redis_used_memory(target.redis_db)
    # Ramp up over a few seconds, like people arriving, not one thundering herd.
    ramp = min(10.0, clients / 50)
    load_before = os.getloadavg()[0]
    cpu_before, own_before = cpu_seconds(pids), _own_cpu_seconds()
    db_before, redis_cpu_before = database_backend_cpu(target.app.database_url), redis_cpu_seconds()
    lag = LagMonitor()
    lag.start()
    started = time.monotonic()
    stop_at = started + ramp + duration
    connected = [asyncio.Event() for _ in simulated]
    tasks = []
    for i, client in enumerate(simulated):
        tasks.append(asyncio.create_task(client.run(stop_at, think, connected[i])))
        await asyncio.sleep(ramp / clients)
    await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), timeout=300)
    await asyncio.sleep(max(0.0, min(5.0, stop_at - time.monotonic())))
    rss_with_clients = rss_bytes(pids)
    redis_with_clients = redis_used_memory(target.redis_db)
    sample = [c.tab.token for c in simulated[:REDIS_SAMPLE_TABS] if c.open]
    redis_tabs = await asyncio.to_thread(redis_tab_bytes, target.redis_db, sample)
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    cpu_used, own_used = cpu_seconds(pids) - cpu_before, _own_cpu_seconds() - own_before
    db_used = database_backend_cpu(target.app.database_url) - db_before
    redis_used = redis_cpu_seconds() - redis_cpu_before
    generator_lag = await lag.stop()
    load_after = os.getloadavg()[0]
    for client in simulated:
        await client.close()
    by_event = {kind: summarize([t for c in simulated for t in c.timings[kind]])
                for kind in EVENT_KINDS}
    everything = [t for c in simulated for times in c.timings.values() for t in times]
    errors = [e for c in simulated for e in c.errors]
    count = len(everything) or 1
    return {
        "target": target.name,
        "clients": clients,
        "duration_s": duration,
        "think_s": think,
        "all": summarize(everything),
        "by_event": by_event,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "events_per_s": round(len(everything) / elapsed, 1),
        "worker_cpu_ms_per_event": round(cpu_used * 1000 / count, 2),
        "worker_cpu_share": round(cpu_used / elapsed, 2),
        "database_cpu_ms_per_event": round(db_used * 1000 / count, 2),
        "redis_cpu_ms_per_event": round(redis_used * 1000 / count, 2),
        "generator_cpu_ms_per_event": round(own_used * 1000 / count, 2),
        "generator_cpu_share": round(own_used / elapsed, 2),
        "generator_lag_ms": generator_lag,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "rss_before_bytes": rss_before,
        "rss_with_clients_bytes": rss_with_clients,
        "rss_per_client_bytes": round(max(0, rss_with_clients - rss_before) / clients),
        "redis_per_client_bytes": redis_tabs["mean"],
        "redis_tab_max_bytes": redis_tabs["max"],
        "redis_used_memory_per_client_bytes":
            round(max(0, redis_with_clients - redis_before) / clients),
    }


def describe(result: dict) -> str:
    return (f"{result['all']['count']} events, {result['errors']} errors, p50 {result['all']['p50']} "
            f"p95 {result['all']['p95']} p99 {result['all']['p99']} ms (open page p95 "
            f"{result['by_event']['open_page']['p95']}, change month p95 "
            f"{result['by_event']['change_month']['p95']}); CPU per event: workers "
            f"{result['worker_cpu_ms_per_event']} ms, PostgreSQL {result['database_cpu_ms_per_event']} "
            f"ms, Redis {result['redis_cpu_ms_per_event']} ms; Redis "
            f"{kib(result['redis_per_client_bytes'])}/tab; load {result['load_average'][0]}")


def compare(floor: dict, hb: dict) -> dict:
    """HB / floor for the figures the goals name."""
    return {
        "p95": ratio(hb["all"]["p95"], floor["all"]["p95"]),
        "p50": ratio(hb["all"]["p50"], floor["all"]["p50"]),
        "open_page_p95": ratio(hb["by_event"]["open_page"]["p95"],
                               floor["by_event"]["open_page"]["p95"]),
        "change_month_p95": ratio(hb["by_event"]["change_month"]["p95"],
                                  floor["by_event"]["change_month"]["p95"]),
        "worker_cpu_per_event": ratio(hb["worker_cpu_ms_per_event"],
                                      floor["worker_cpu_ms_per_event"]),
        "total_cpu_per_event": ratio(
            hb["worker_cpu_ms_per_event"] + hb["database_cpu_ms_per_event"]
            + hb["redis_cpu_ms_per_event"],
            floor["worker_cpu_ms_per_event"] + floor["database_cpu_ms_per_event"]
            + floor["redis_cpu_ms_per_event"]),
        "redis_per_client": ratio(hb["redis_per_client_bytes"], floor["redis_per_client_bytes"]),
    }


def warm_up(targets: list[Target]) -> None:
    """Every worker imports, connects and compiles what it needs before the first level."""
    for target in targets:
        asyncio.run(run_level(target, 6, 3.0, 0.5, seed=1))


def run(targets: list[Target], args) -> dict:
    """Each client count against every target in turn (floor first), the ratio HB / floor."""
    figures: dict = {"workers": len(targets[0].worker_pids()) or None, "mix": dict(EVENT_MIX),
                     "oplock": args.oplock, "cpu_count": os.cpu_count(),
                     "baseline": getattr(args, "baseline", None), "levels": []}
    warm_up(targets)
    for n in args.client_counts:
        level: dict = {"clients": n}
        for target in targets:
            result = asyncio.run(run_level(target, n, args.duration, args.think, seed=n))
            level[target.name] = result
            print(f"  {n:>4} clients {target.name:>5}: {describe(result)}", flush=True)
            if result["error_samples"]:
                print(f"        errors e.g. {result['error_samples'][:3]}", flush=True)
        for name in list(level):
            if name == "hb" or not isinstance(level[name], dict) or "hb" not in level:
                continue
            key = "hb_over_floor" if name == "floor" else "hb_over_baseline"
            level[key] = compare(level[name], level["hb"])
            r = level[key]
            print(f"  {n:>4} clients HB/{name}: p95 {r['p95']}× (open page {r['open_page_p95']}×, "
                  f"change month {r['change_month_p95']}×), CPU per event: workers "
                  f"{r['worker_cpu_per_event']}×, with PostgreSQL and Redis "
                  f"{r['total_cpu_per_event']}×; Redis per tab {r['redis_per_client']}×",
                  flush=True)
        figures["levels"].append(level)
    save_part("events", figures)
    return figures
