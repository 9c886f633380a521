"""`@allow` moves a synchronous handler's body off the event loop, keeping what Reflex and the
middleware read from it (signature, annotations, audience) and the event's context."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
import inspect
import threading
import typing

from hbapp.authz import Audience, EVENT_THREADS, allow, declared_audience

CONTEXT: contextvars.ContextVar[str] = contextvars.ContextVar("test_context", default="")


@allow(Audience.SIGNED_IN)
def handler(self, client_id: str, step: int = 1):
    """A handler."""
    return threading.current_thread().name, CONTEXT.get(), self, client_id, step


def test_sync_handler_becomes_a_coroutine_that_runs_in_the_pool():
    assert EVENT_THREADS > 0
    assert inspect.iscoroutinefunction(handler)
    assert declared_audience(handler) is Audience.SIGNED_IN
    assert list(inspect.signature(handler).parameters) == ["self", "client_id", "step"]
    assert typing.get_type_hints(handler) == {"client_id": str, "step": int}
    assert handler.__name__ == "handler" and handler.__doc__ == "A handler."

    async def call():
        CONTEXT.set("this event")
        return await handler("state", client_id="7", step=-1), threading.current_thread().name

    # A loop of its own in a thread of its own: the browser tests' Playwright may run one here.
    with ThreadPoolExecutor(1) as runner:
        (thread, seen, state, client_id, step), loop_thread = runner.submit(
            asyncio.run, call()).result()
    assert thread.startswith("hb-event") and thread != loop_thread
    assert (seen, state, client_id, step) == ("this event", "state", "7", -1)


def test_async_and_generator_handlers_are_left_alone():
    async def coroutine(self):
        return 1

    def generator(self):
        yield 1

    assert allow(Audience.ANYONE)(coroutine) is coroutine
    assert allow(Audience.ANYONE)(generator) is generator
    assert declared_audience(generator) is Audience.ANYONE
