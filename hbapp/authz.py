"""Who may call each event handler and HTTP route: declared next to the code, enforced centrally.

Every Reflex event handler of HB's page states carries `@allow(Audience.X)`, and every HTTP
endpoint `@route_allows(Audience.X)` (`hbapp.web.guard`, which also enforces it for routes). `hbapp.middleware.GuardMiddleware` refuses any event whose
handler has no declaration (Reflex's generic `setvar` included) or whose caller is outside the
audience, before the handler runs; `tests/unit/test_authz_registry.py` walks every handler and
route and fails on an undeclared one, so a new handler cannot ship unguarded.

The audience is the coarse gate (who is signed in, whom they act for and with which scope, their
role). The fine-grained rules stay in the services, which every handler still calls: which client
a case worker serves (assignment and consent, `services.access`), which provider's vouchers a
staff member sees, which mandate a person may revoke.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import functools
import inspect
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from hbapp.i18n import N_

if TYPE_CHECKING:
    from hbapp.services.identity import SignedIn

__all__ = ["ATTRIBUTE", "refusal_message", "Audience", "allow", "declared_audience", "permits"]

ATTRIBUTE = "hb_audience"
F = TypeVar("F", bound=Callable)

MSG_NO_RIGHT = N_("You do not have the right to do this.")
MSG_BAD_INPUT = N_("Something in the form could not be read. Please check it and try again.")
MSG_SIGNED_OUT = N_("You have been signed out. Sign in again to continue.")


def refusal_message(reason: str) -> str:
    """The msgid shown for a refusal code (translate it with the person's language)."""
    if reason == "not_signed_in":
        return MSG_SIGNED_OUT
    if reason == "bad_input":
        return MSG_BAD_INPUT
    return MSG_NO_RIGHT


class Audience(str, enum.Enum):
    ANYONE = "anyone"  # signed out too: page loads that show a sign-in prompt, language choice
    SIGNED_IN = "signed_in"  # anyone signed in, whatever their role
    CLIENT_VIEW = "client:view"  # acting for a client (themself or by mandate) with this scope
    CLIENT_MANAGE = "client:manage"
    CLIENT_FEEDBACK = "client:feedback"
    CLIENT_SURVEYS = "client:surveys"
    WORKER = "worker"  # a case worker; the services check assignment and consent per client
    ADMIN = "admin"  # the organizer's administrator
    WORKER_OR_ADMIN = "worker_or_admin"
    PROVIDER_STAFF = "provider_staff"  # staff of a provider; the services check the voucher
    PROVIDER_TOKEN = "provider_token"  # HTTP only: a provider's API token (Bearer)

    @property
    def scope(self) -> str | None:
        return self.value.split(":", 1)[1] if self.value.startswith("client:") else None


# Reflex runs a synchronous handler on the worker's event loop, so while one handler waits
# for the database every other tab on that worker waits too. `allow` therefore turns each
# synchronous handler into a coroutine that runs its body in this pool; Reflex still holds
# the tab's state lock while it awaits it, so nothing else touches that state meanwhile.
# HB_EVENT_THREADS sets the pool size (the database pool has 10 connections per worker);
# 0 keeps handlers on the event loop.
EVENT_THREADS = int(os.environ.get("HB_EVENT_THREADS", "8"))
_EVENT_POOL = (ThreadPoolExecutor(max_workers=EVENT_THREADS, thread_name_prefix="hb-event")
               if EVENT_THREADS > 0 else None)


def off_the_loop(fn: F) -> F:
    """A synchronous handler as a coroutine running in the event pool (with this event's
    context variables); async and generator handlers are returned unchanged."""
    if _EVENT_POOL is None or not inspect.isfunction(fn) or inspect.iscoroutinefunction(fn) \
            or inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
        return fn

    @functools.wraps(fn)
    async def in_thread(*args, **kwargs):
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(_EVENT_POOL, call)

    return in_thread  # type: ignore[return-value]


def allow(audience: Audience) -> Callable[[F], F]:
    """Declare who may call an event handler or endpoint (put it under `@rx.event`).

    A synchronous handler also leaves the event loop: see `off_the_loop`."""
    if not isinstance(audience, Audience):
        raise TypeError("allow() takes an Audience")

    def declare(fn: F) -> F:
        fn = off_the_loop(fn)
        setattr(fn, ATTRIBUTE, audience)
        return fn

    return declare


def declared_audience(fn: Callable) -> Audience | None:
    return getattr(fn, ATTRIBUTE, None)


def permits(audience: Audience, current: SignedIn | None) -> str | None:
    """None when `current` belongs to the audience, else a stable refusal code."""
    if audience is Audience.ANYONE:
        return None
    if audience is Audience.PROVIDER_TOKEN:
        return "token_required"  # never satisfied by a browser session
    if current is None:
        return "not_signed_in"
    actor = current.actor
    if audience is Audience.SIGNED_IN:
        return None
    if audience.scope is not None:
        if current.acting_for is None:
            return "no_mandate"
        return None if audience.scope in current.acting_for.scopes else "missing_scope"
    if audience is Audience.WORKER:
        return None if actor.is_worker else "not_a_worker"
    if audience is Audience.ADMIN:
        return None if actor.is_admin else "not_an_admin"
    if audience is Audience.WORKER_OR_ADMIN:
        return None if actor.is_worker or actor.is_admin else "not_a_worker"
    if audience is Audience.PROVIDER_STAFF:
        return None if current.provider_ids else "not_provider_staff"
    raise ValueError(f"unknown audience {audience!r}")  # pragma: no cover - enum is closed
