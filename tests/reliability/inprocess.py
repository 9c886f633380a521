"""HB's real Reflex app driven in-process: events go through Reflex's own event processor.

`InProcessApp` configures Reflex's `BaseStateEventProcessor` exactly as `rx.App` does for a
worker (the app as middleware, HB's backend exception handler, an in-memory state manager) and
collects what would be sent down the websocket. An event therefore passes through HB's
`GuardMiddleware` (session boundary, authorization registry, argument checks), Reflex's hydrate
middleware, the handler (in HB's event thread pool) and the delta computation — everything but
the socket. It is how the authorization matrix and the fuzzers call every handler cheaply.

Discovery is generic: `handlers()` walks every page state under `AppState` and every event
handler it registers, and `page_route()` finds a page whose on_load belongs to a state, so a
page or handler added later (the provider side, month end) is covered without listing it here.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import typing
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.loops import LoopThread

ROOT = "reflex___state____state"
HYDRATE = f"{ROOT}.hydrate_and_load"


@dataclass(frozen=True)
class HandlerRef:
    state: type
    name: str
    fn: Any

    @property
    def event_name(self) -> str:
        return f"{self.state.get_full_name()}.{self.name}"

    @property
    def qualname(self) -> str:
        return f"{self.state.__module__}.{self.state.__name__}.{self.name}"

    @property
    def family(self) -> str:
        """The page module the handler belongs to (its 'handler family')."""
        return self.state.__module__.removeprefix("hbapp.")

    def parameters(self) -> dict[str, Any]:
        hints = typing.get_type_hints(self.fn)
        return {name: hints.get(name, Any)
                for name in list(inspect.signature(self.fn).parameters)[1:]}

    def form_keys(self) -> list[str]:
        """The keys the handler's body reads from a form (string literals of its source)."""
        try:
            source = inspect.getsource(inspect.unwrap(self.fn))
        except (OSError, TypeError):
            return []
        return sorted(set(re.findall(r"""(?:get\(|\[)\s*["']([a-z_][a-z0-9_]{0,40})["']""",
                                     source)))


def app_module():
    import hbapp.hbapp as module

    if not module.app._load_events:
        module.app._apply_decorated_pages()
    return module


def _all_substates(cls) -> Iterator[type]:
    for sub in cls.get_substates():
        yield sub
        yield from _all_substates(sub)


def handlers() -> list[HandlerRef]:
    """Every event handler of AppState and of every page state (Reflex's setvar included)."""
    app_module()
    from hbapp.state import AppState

    found = []
    for cls in (AppState, *_all_substates(AppState)):
        for name, handler in sorted(cls.event_handlers.items()):
            found.append(HandlerRef(cls, name, handler.fn))
    return found


def page_routes() -> dict[str, list[str]]:
    """State full name -> the routes whose on_load calls one of its handlers."""
    module = app_module()
    routes: dict[str, list[str]] = {}
    for route, events in module.app._load_events.items():
        for event in events:
            name = getattr(event, "state_full_name", None)
            if name and route not in routes.setdefault(name, []):
                routes[name].append(route)
    return routes


def concrete_path(route: str, params: dict[str, str]) -> str:
    """/worker/clients/[client_id] with {"client_id": "3"} -> /worker/clients/3."""
    def fill(match: re.Match) -> str:
        return params.get(match.group(1), "1")

    path = re.sub(r"\[\[?\.{0,3}([a-z_]+)\]?\]", fill, route)
    return path if path.startswith("/") else "/" + path


@dataclass
class Answer:
    """What one event sent back, and what went wrong on the server while handling it."""

    updates: list = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)  # reached the exception handler
    logged_errors: list[str] = field(default_factory=list)  # ERROR log records meanwhile

    @property
    def text(self) -> str:
        return "\n".join(_dump(u) for u in self.updates)

    @property
    def scripts(self) -> list[str]:
        found = []
        for update in self.updates:
            for event in getattr(update, "events", None) or []:
                code = (event.payload or {}).get("javascript_code")
                if code:
                    found.append(code)
        return found

    @property
    def delta(self) -> dict:
        merged: dict = {}
        for update in self.updates:
            for state, values in (getattr(update, "delta", None) or {}).items():
                merged.setdefault(state, {}).update(values)
        return merged

    def unhandled(self) -> list[BaseException]:
        from hbapp.services.access import AccessDenied

        return [e for e in self.errors if not isinstance(e, AccessDenied)]


def _dump(update) -> str:
    try:
        return json.dumps({"delta": update.delta,
                           "events": [{"name": e.name, "payload": e.payload}
                                      for e in (update.events or [])]},
                          default=str, ensure_ascii=False)
    except Exception:  # noqa: BLE001 - a value json cannot take: its repr is scanned instead
        return repr(update)


class _Collector:
    """Stands in for Reflex's EventNamespace: keeps what would go down each tab's socket."""

    def __init__(self) -> None:
        self.by_token: dict[str, list] = {}

    async def emit_update(self, update, token: str) -> None:
        self.by_token.setdefault(token, []).append(update)


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


class InProcessApp:
    """HB's Reflex app with its real event processing, in this process (one event loop)."""

    def __init__(self) -> None:
        from reflex.istate.manager.memory import StateManagerMemory
        from reflex_base.event.processor import BaseStateEventProcessor

        self.module = app_module()
        self.errors: list[BaseException] = []
        original = self.module.app.backend_exception_handler

        def exception_handler(exc: Exception):
            self.errors.append(exc)
            return original(exc)

        self.collector = _Collector()
        # Its own thread: in `make test` Playwright may keep a loop running in this one.
        self.runner = LoopThread()
        self.loop = self.runner.loop
        self.processor = BaseStateEventProcessor(middleware=self.module.app,
                                                 backend_exception_handler=exception_handler)
        self.processor.configure(state_manager=StateManagerMemory(),
                                 event_namespace=self.collector)
        self.runner.run(self.processor.start())
        self.error_log = _ErrorLog()
        logging.getLogger().addHandler(self.error_log)

    def close(self) -> None:
        logging.getLogger().removeHandler(self.error_log)
        # start() attached the root context inside its own task's context: nothing to reset.
        self.processor._attached_root_context_token = None
        self.runner.run(self.processor.stop())

        async def cancel_the_rest():
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            await asyncio.sleep(0)

        self.runner.run(cancel_the_rest())
        self.runner.close()

    def __enter__(self) -> InProcessApp:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    async def _drain(self, timeout: float) -> None:
        processor = self.processor
        await processor.join(timeout)
        deadline = self.loop.time() + timeout
        spins = 0
        while self.loop.time() < deadline:
            spins += 1
            if not processor._tasks and not processor._token_queues and processor._queue.empty():
                return
            if processor._tasks:  # wait for the running handlers themselves, not a poll
                await asyncio.wait(tuple(processor._tasks.values()),
                                   timeout=max(deadline - self.loop.time(), 0),
                                   return_when=asyncio.ALL_COMPLETED)
            else:
                await asyncio.sleep(0 if spins < 20 else 0.001)
        raise TimeoutError("events still running")

    def send(self, tab: Tab, name: str, payload: Any, path: str | None = None,
             timeout: float = 60) -> Answer:
        from reflex_base.event import Event

        start = len(self.collector.by_token.get(tab.token, []))
        errors_before = len(self.errors)
        logged_before = len(self.error_log.records)
        event = Event(name=name, payload=payload, router_data=tab.router(path))

        async def run():
            await self.processor.enqueue(tab.token, event)
            await self._drain(timeout)

        self.runner.run(run())
        return Answer(updates=self.collector.by_token.get(tab.token, [])[start:],
                      errors=self.errors[errors_before:],
                      logged_errors=self.error_log.records[logged_before:])

    def tab(self, cookie: str = "", locale: str = "fi") -> Tab:
        return Tab(self, cookie=cookie, accept_language=locale)


@dataclass
class Tab:
    app: InProcessApp
    cookie: str = ""
    accept_language: str = "fi"
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    path: str = "/"
    params: dict = field(default_factory=dict)

    def router(self, path: str | None = None) -> dict:
        path = path or self.path
        headers = {"origin": "http://localhost:3000", "accept-language": self.accept_language,
                   "user-agent": "hb-reliability", "host": "localhost:3000"}
        if self.cookie:
            headers["cookie"] = self.cookie
        return {"pathname": path, "asPath": path, "query": dict(self.params),
                "token": self.token, "headers": headers, "ip": "127.0.0.1"}

    def open(self, route: str, params: dict | None = None) -> Answer:
        """A page load: hydrate the tab at a route (its on_load handlers run)."""
        self.params = dict(params or {})
        self.path = concrete_path(route, self.params)
        return self.app.send(self, HYDRATE, {}, self.path)

    def call(self, handler: HandlerRef | str, payload: Any) -> Answer:
        name = handler.event_name if isinstance(handler, HandlerRef) else handler
        return self.app.send(self, name, payload, self.path)
