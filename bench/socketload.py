"""Part 3: N simulated clients on Reflex's websocket, a realistic event mix, round trips.

Reflex's frontend talks Socket.IO (Engine.IO v4, websocket transport only) on `/_event/`:
it connects with `?token=<tab uuid>&EIO=4&transport=websocket`, gets the Engine.IO open
packet `0{...}`, and connects to the `/_event` namespace with its first event in the CONNECT
packet's auth (`40/_event,{"event": hydrate_and_load, ...}`). Events go up as
`42/_event,["event", {name, payload, router_data}]`; state deltas come down as
`42/_event,["event", {"delta": ..., "events": ...}]`. The server pings (`2`), we pong (`3`).
This client speaks exactly that over a raw websocket (wsproto), so no extra package is needed.

Each simulated client is one signed-in browser tab. Its events, with pauses between them:
  open_page     a full page load of / or /budget (the app's links are plain links): a new
                websocket whose hydrate runs the page's on_load (session, access, audit,
                budget month). Done when `is_hydrated` turns true.
  change_month  BudgetState.change_month(±1) on /budget. Done at the event's call_script.
Memory: RSS of the worker processes and Redis `used_memory`, before and with N clients.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from urllib.parse import urlsplit

from bench.results import save_part
from bench.server import REDIS_URL, SIGNED_IN_SUBJECTS, rss_bytes
from bench.stats import kib, summarize

STATE = "reflex___state____state"
BUDGET_STATE = f"{STATE}.hbapp___state____app_state.hbapp___pages___client___budget____budget_state"
HYDRATE = f"{STATE}.hydrate_and_load"
# The mix of one client's actions after its first page (weights).
EVENT_MIX = (("change_month", 3), ("open_budget", 1), ("open_home", 1))


class SocketError(Exception):
    pass


class ReflexSocket:
    """One Reflex websocket connection (one browser tab on one page)."""

    def __init__(self, host: str, port: int, cookie: str, route: str):
        self.host, self.port, self.cookie, self.route = host, port, cookie, route
        self.token = str(uuid.uuid4())
        self.reader = self.writer = None
        self.messages: asyncio.Queue = asyncio.Queue()
        self._pump_task = None
        self.bytes_received = 0

    def _router_data(self) -> dict:
        path = self.route if self.route.endswith("/") else self.route + "/"
        return {"pathname": path, "asPath": path}

    async def open(self, timeout: float = 60) -> None:
        """Connect and hydrate the page: returns when its on_load has answered."""
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import Request

        self.ws = WSConnection(ConnectionType.CLIENT)
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(self.ws.send(Request(
            host=f"{self.host}:{self.port}",
            target=f"/_event/?token={self.token}&EIO=4&transport=websocket",
            extra_headers=[(b"cookie", self.cookie.encode()),
                           (b"origin", f"http://{self.host}:{self.port}".encode()),
                           (b"user-agent", b"hb-bench")],
        )))
        self._pump_task = asyncio.create_task(self._pump())
        await self._expect(lambda m: m.startswith("0"), timeout)
        hydrate = {"name": HYDRATE, "payload": {"hashes": []}, "router_data": self._router_data()}
        self._send("40/_event," + json.dumps({"event": hydrate}))
        await self._expect(lambda m: '"is_hydrated_rx_state_":true' in m, timeout)

    async def change_month(self, step: int, timeout: float = 60) -> None:
        event = {"name": f"{BUDGET_STATE}.change_month", "payload": {"step": step},
                 "router_data": self._router_data()}
        self._send("42/_event," + json.dumps(["event", event]))
        await self._expect(lambda m: "_call_script" in m, timeout)

    async def close(self) -> None:
        from wsproto.events import CloseConnection

        if self._pump_task:
            self._pump_task.cancel()
        if self.writer:
            try:
                self.writer.write(self.ws.send(CloseConnection(code=1000)))
                self.writer.close()
            except Exception:  # noqa: BLE001 - closing a broken socket
                pass

    def _send(self, text: str) -> None:
        from wsproto.events import Message

        self.writer.write(self.ws.send(Message(data=text)))

    async def _expect(self, predicate, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SocketError("timeout")
            message = await asyncio.wait_for(self.messages.get(), remaining)
            if isinstance(message, Exception):
                raise message
            if message.startswith("44"):
                raise SocketError(f"connect refused: {message[:200]}")
            if predicate(message):
                return message

    async def _pump(self) -> None:
        from wsproto.events import (AcceptConnection, CloseConnection, Ping, RejectConnection,
                                    TextMessage)

        parts: list[str] = []
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    raise SocketError("connection closed")
                self.bytes_received += len(data)
                self.ws.receive_data(data)
                for event in self.ws.events():
                    if isinstance(event, TextMessage):
                        parts.append(event.data)
                        if not event.message_finished:
                            continue
                        text, parts = "".join(parts), []
                        if text == "2":  # Engine.IO ping
                            self._send("3")
                            continue
                        await self.messages.put(text)
                    elif isinstance(event, Ping):
                        self.writer.write(self.ws.send(event.response()))
                    elif isinstance(event, RejectConnection):
                        raise SocketError(f"rejected: HTTP {event.status_code}")
                    elif isinstance(event, CloseConnection):
                        raise SocketError("closed by the server")
                    elif isinstance(event, AcceptConnection):
                        pass
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the waiting client
            await self.messages.put(exc if isinstance(exc, SocketError) else SocketError(repr(exc)))


class SimulatedClient:
    def __init__(self, index: int, base_url: str, cookie: str, rng: random.Random):
        parts = urlsplit(base_url)
        self.host, self.port = "127.0.0.1", parts.port or 80
        self.cookie = cookie
        self.rng = rng
        self.index = index
        self.socket: ReflexSocket | None = None
        self.timings: dict[str, list[float]] = {"open_page": [], "change_month": []}
        self.errors: list[str] = []

    async def open_page(self, route: str) -> None:
        if self.socket:
            await self.socket.close()
        self.socket = ReflexSocket(self.host, self.port, self.cookie, route)
        started = time.perf_counter()
        await self.socket.open()
        self.timings["open_page"].append((time.perf_counter() - started) * 1000)

    async def run(self, stop_at: float, think: float, connected: asyncio.Event | None) -> None:
        try:
            await self.open_page("/budget")
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            self.errors.append(f"open_page: {exc}")
            self.socket = None
        finally:
            if connected is not None:
                connected.set()
        while time.monotonic() < stop_at:
            await asyncio.sleep(self.rng.uniform(0.5 * think, 1.5 * think))
            if time.monotonic() >= stop_at:
                break
            action = self.rng.choices([a for a, _ in EVENT_MIX], [w for _, w in EVENT_MIX])[0]
            try:
                if action == "change_month" and self.socket and self.socket.route == "/budget":
                    started = time.perf_counter()
                    await self.socket.change_month(self.rng.choice((-1, 1)))
                    self.timings["change_month"].append((time.perf_counter() - started) * 1000)
                else:
                    await self.open_page("/" if action == "open_home" else "/budget")
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"{action}: {exc}")
                self.socket = None

    async def close(self) -> None:
        if self.socket:
            await self.socket.close()


def redis_used_memory() -> int:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


async def run_level(app, clients: int, duration: float, think: float, seed: int) -> dict:
    rng = random.Random(seed)
    cookies = [f"hb_session={app.session_token(SIGNED_IN_SUBJECTS[i % len(SIGNED_IN_SUBJECTS)])}"
               for i in range(clients)]
    rss_before = rss_bytes(app.worker_pids())
    redis_before = redis_used_memory()
    # Ramp up over a few seconds, like people arriving, not one thundering herd.
    ramp = min(10.0, clients / 50)
    stop_at = time.monotonic() + ramp + duration
    simulated = [SimulatedClient(i, app.base_url, cookies[i], random.Random(rng.random()))
                 for i in range(clients)]
    connected = [asyncio.Event() for _ in simulated]
    tasks = []
    for i, client in enumerate(simulated):
        tasks.append(asyncio.create_task(client.run(stop_at, think, connected[i])))
        await asyncio.sleep(ramp / clients)
    await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), timeout=300)
    await asyncio.sleep(max(0.0, min(5.0, stop_at - time.monotonic())))
    rss_with_clients = rss_bytes(app.worker_pids())
    redis_with_clients = redis_used_memory()
    await asyncio.gather(*tasks)
    received = sum(c.socket.bytes_received for c in simulated if c.socket)
    for client in simulated:
        await client.close()
    by_event = {name: summarize([t for c in simulated for t in c.timings[name]])
                for name in ("open_page", "change_month")}
    everything = [t for c in simulated for times in c.timings.values() for t in times]
    errors = [e for c in simulated for e in c.errors]
    return {
        "clients": clients,
        "duration_s": duration,
        "think_s": think,
        "all": summarize(everything),
        "by_event": by_event,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "events_per_s": round(len(everything) / (duration + ramp), 1),
        "rss_before_bytes": rss_before,
        "rss_with_clients_bytes": rss_with_clients,
        "rss_per_client_bytes": round(max(0, rss_with_clients - rss_before) / clients),
        "redis_per_client_bytes": round(max(0, redis_with_clients - redis_before) / clients),
        "bytes_received_last_sockets": received,
    }


def run(app, args) -> dict:
    figures: dict = {"workers": len(app.worker_pids()) or None, "mix": dict(EVENT_MIX), "runs": []}
    # Warm every worker (imports, connection pools) so the first level is not penalised.
    asyncio.run(run_level(app, 6, 3.0, 0.5, seed=1))
    for n in args.client_counts:
        result = asyncio.run(run_level(app, n, args.duration, args.think, seed=n))
        figures["runs"].append(result)
        print(f"  {n:>4} clients: {result['all']['count']} events, {result['errors']} errors, "
              f"p50 {result['all']['p50']} p95 {result['all']['p95']} p99 {result['all']['p99']} ms "
              f"(open page p95 {result['by_event']['open_page']['p95']}, change month p95 "
              f"{result['by_event']['change_month']['p95']}); worker RSS "
              f"{kib(result['rss_per_client_bytes'])}/client, Redis "
              f"{kib(result['redis_per_client_bytes'])}/client", flush=True)
        if result["error_samples"]:
            print(f"        errors e.g. {result['error_samples'][:3]}", flush=True)
    save_part("events", figures)
    return figures
