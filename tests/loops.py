"""Run a coroutine to its end from a synchronous test.

In `make test` the browser tests' Playwright keeps an event loop running in the main thread,
so `asyncio.run` there fails with "cannot be called from a running event loop". A thread of
its own has no running loop, whatever ran before."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Coroutine, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    context = contextvars.copy_context()
    with ThreadPoolExecutor(1, thread_name_prefix="test-loop") as runner:
        return runner.submit(context.run, asyncio.run, coroutine).result()


class LoopThread:
    """One event loop driven from one thread of its own, for objects that live across calls
    (an in-process Reflex app): every `run` uses the same loop and the same thread."""

    def __init__(self) -> None:
        self._runner = ThreadPoolExecutor(1, thread_name_prefix="test-loop")
        self.loop = self._runner.submit(asyncio.new_event_loop).result()
        self._thread_id = self._runner.submit(threading.get_ident).result()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.get_ident() == self._thread_id:  # called from `call`: drive it here
            return self.loop.run_until_complete(coroutine)
        # In the caller's context: context variables set in the calling thread (Reflex's
        # RegistrationContext, set when the app module is imported) reach the coroutine and
        # every task it starts, as they would with asyncio.run in that thread.
        context = contextvars.copy_context()
        return self._runner.submit(context.run, self.loop.run_until_complete,
                                   coroutine).result()

    def call(self, function: Callable[[], T]) -> T:
        """Run a plain function in the loop's thread (in the caller's context): its `run`s
        then drive the loop directly, without a hand-over between threads for each."""
        context = contextvars.copy_context()
        return self._runner.submit(context.run, function).result()

    def close(self) -> None:
        self._runner.submit(self.loop.close).result()
        self._runner.shutdown()
