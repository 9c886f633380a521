"""One gate in front of every Reflex event: session boundary, declared audience, sane arguments.

`GuardMiddleware` runs before Reflex's own hydrate middleware and before any handler:

1. **Session boundary.** The tab's page states remember a fingerprint of the session they were
   built for (who is signed in, whom they act for). When it differs from the session of this
   event (signed out, expired, another person signed in, another person acted for) every page
   state of the tab is reset first, so a hydrate or a reconnect with an old tab token never
   carries the previous person's data. This runs for every hydrate and every event of HB's
   own states; the session comes from `hbapp.services.identity.SESSIONS` (the session row
   read for each of these events, the person read fresh at each hydrate and reused briefly)
   and is handed to the handler (`AppState._session`) so it is not read twice.
2. **Authorization registry.** The handler must declare its audience (`hbapp.authz.allow`);
   an undeclared handler (Reflex's generic `setvar` among them) is refused, and so is a caller
   outside the audience. Refusals of signed-in people are written to the audit log.
3. **Arguments.** The payload must bind to the handler's parameters with the annotated types
   and bounded sizes; anything else is refused with a translated message instead of reaching
   the handler (missing keys, non-dict forms, ints for strings, megabyte strings).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
import typing
from datetime import date
from functools import lru_cache
from typing import Any

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event, EventSpec

from hbapp.authz import declared_audience, permits, refusal_message
from hbapp.config import SUPPORTED_LOCALES
from hbapp.db import get_engine
from hbapp.i18n import N_, gettext_for
from hbapp.services import audit
from hbapp.services.identity import EVENT_SESSION, SESSIONS, SignedIn
from hbapp.services.sessions import token_from_cookie_header

log = logging.getLogger(__name__)

MAX_TEXT = 20_000  # characters in one argument or form field
MAX_ITEMS = 500  # keys of a form, items of a list
MAX_DEPTH = 4
# The events that send a whole tab's state to the browser: a page load's (or reconnect's) hydrate.
HYDRATE_EVENTS = frozenset({"hydrate_and_load", "hydrate"})



class Refusal(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _app_state_classes() -> tuple[type[BaseState], type[BaseState]]:
    from hbapp.state import AppState

    return AppState, rx.State


def _all_substates(cls: type[BaseState]) -> list[type[BaseState]]:
    found = []
    for sub in cls.get_substates():
        found.append(sub)
        found.extend(_all_substates(sub))
    return found


def session_fingerprint(token: str | None, current: SignedIn | None) -> str:
    """Who this tab's states belong to: empty when signed out."""
    if current is None or not token:
        return ""
    acting = current.acting_for.client_id if current.acting_for else 0
    raw = f"{token}|{current.actor.person_id}|{acting}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# ------------------------------------------------------------------------------ arguments


@lru_cache(maxsize=1024)
def _parameters(fn) -> tuple[inspect.Signature, dict[str, Any]]:
    return inspect.signature(fn), typing.get_type_hints(fn)


def _is_upload(value: Any) -> bool:
    """A file of an `rx.upload` (Reflex's upload endpoint built it from the multipart body, whose
    size `hbapp.web.api.UploadLimit` bounds); the handler reads a bounded part of it."""
    from reflex_components_core.core._upload import UploadFile

    return isinstance(value, UploadFile)


def _bounded(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if _is_upload(value):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT and "\x00" not in value
    if isinstance(value, dict):
        return len(value) <= MAX_ITEMS and all(
            isinstance(k, str) and _bounded(k, depth + 1) and _bounded(v, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return len(value) <= MAX_ITEMS and all(_bounded(v, depth + 1) for v in value)
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, int):
        return abs(value) < 2**63
    return value is None or isinstance(value, bool)


def _matches(value: Any, annotation: Any) -> bool:
    if annotation is Any or annotation is inspect.Parameter.empty:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        return any(_matches(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if annotation is dict or origin is dict:
        return isinstance(value, dict)
    if annotation is list or origin is list:
        args = typing.get_args(annotation)
        return isinstance(value, list) and (not args or all(_matches(v, args[0]) for v in value))
    if isinstance(annotation, type):
        # E.g. rx.UploadFile: only Reflex's upload endpoint builds one; a forged event's
        # strings in its place reached the handler and crashed it (issue 17's matrix).
        return isinstance(value, annotation)
    return True


def check_arguments(fn, payload: Any) -> None:
    """Raise Refusal('bad_input') unless `payload` fits the handler's parameters."""
    if not isinstance(payload, dict):
        raise Refusal("bad_input")
    signature, hints = _parameters(fn)
    try:
        bound = signature.bind(None, **payload)
    except TypeError:
        raise Refusal("bad_input") from None
    for name, value in bound.arguments.items():
        if name == "self":
            continue
        if not _bounded(value) or not _matches(value, hints.get(name, Any)):
            raise Refusal("bad_input")


def _coerce(fn, payload: Any) -> Any:
    """Reflex turns numeric strings into ints for `int` parameters; check what it will pass."""
    if not isinstance(payload, dict):
        return payload  # check_arguments refuses it: an event's payload is an object
    _, hints = _parameters(fn)
    result = dict(payload)
    for name, value in payload.items():
        if hints.get(name) is int and isinstance(value, str) and value.strip().lstrip("-").isdigit() \
                and len(value) < 19:
            result[name] = int(value)
    return result


# ------------------------------------------------------------------------------ middleware


def _today() -> date:
    from hbapp.state import today

    return today()


def _audit_refusal(current: SignedIn, handler: str, reason: str) -> None:
    from hbapp.db import write_session

    client_id = current.acting_for.client_id if current.acting_for else None
    try:
        with write_session(get_engine()) as session:
            audit.record(session, current.actor.person_id, "refused", client_id,
                         handler=handler[-120:], reason=reason)
    except Exception:  # noqa: BLE001 - a failed audit write must not turn a refusal into a crash
        log.exception("could not audit a refusal")


MSG_FAILED = N_("Something went wrong and this was not done. Please try again. If it "
                "happens again, contact your case worker.")


def _notice_script(msgid: str) -> str:
    """Show a translated notice in the language of the page (the handler has no state)."""
    texts = {locale: gettext_for(locale, msgid) for locale in SUPPORTED_LOCALES}
    return (f"window.hbNotice && window.hbNotice(({json.dumps(texts)})"
            f"[document.documentElement.lang] || {json.dumps(texts['en'])})")


def handle_backend_exception(exception: Exception) -> EventSpec | None:
    """Reflex's backend exception handler: the last line of defence behind the handlers.

    A refusal (`AccessDenied`) that a handler did not catch is an answer, not a crash: it has
    been audited by `hbapp.db`, so it is logged without a traceback and the person reads that
    they may not do this. Anything else is a bug: logged with its traceback, and the person
    reads a plain translated message instead of Reflex's generic toast.
    """
    from hbapp.services.access import AccessDenied

    if isinstance(exception, AccessDenied):
        log.info("refused in a handler: %s", exception.reason)
        return rx.call_script(_notice_script(refusal_message(exception.reason)))
    log.error("event handler failed", exc_info=exception)
    return rx.call_script(_notice_script(MSG_FAILED))


class GuardMiddleware(Middleware):
    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        app_state_cls, root_cls = _app_state_classes()
        path, _, name = event.name.rpartition(".")
        try:
            state_cls = root_cls.get_class_substate(path)
        except ValueError:
            return None  # Reflex answers unknown events itself
        ours = issubclass(state_cls, app_state_cls)
        hydrate = name in HYDRATE_EVENTS
        if not ours and not hydrate:
            # Reflex's own events between a page's hydrate and its handlers (on_load_internal,
            # set_is_hydrated, client storage updates) send nothing of a person: the hydrate
            # before them and every handler of ours after them are checked.
            return None
        cookie = state.router.headers.cookie if state.router else ""
        token = token_from_cookie_header(cookie)
        # A page load reads the session's person fresh and keeps the session alive; the other
        # events of the page reuse it briefly (hbapp.services.identity.SignedInCache).
        current = await asyncio.to_thread(SESSIONS.lookup, get_engine(), token, _today(),
                                          hydrate)
        EVENT_SESSION.set((token, current))
        app_state = await state.get_state(app_state_cls)
        fingerprint = session_fingerprint(token, current)
        if app_state._session_fingerprint != fingerprint:
            await self._reset_tab(state, app_state_cls, app_state)
            app_state._session_fingerprint = fingerprint
        if not ours:
            return None
        handler = state_cls.event_handlers.get(name)
        if handler is None:
            return None
        audience = declared_audience(handler.fn)
        try:
            if audience is None:
                raise Refusal("undeclared")
            reason = permits(audience, current)
            if reason is not None:
                raise Refusal(reason)
            check_arguments(handler.fn, _coerce(handler.fn, event.payload))
        except Refusal as refusal:
            return await self._refuse(app_state, event.name, refusal.reason, current)
        return None

    async def _reset_tab(self, state: BaseState, app_state_cls, app_state) -> None:
        """Forget every page state of this tab; keep only the chosen language."""
        locale, lang_cookie = app_state.locale, app_state.lang_cookie
        for cls in _all_substates(app_state_cls):
            substate = await state.get_state(cls)
            substate.reset()
        app_state.reset()
        app_state.locale, app_state.lang_cookie = locale, lang_cookie

    async def _refuse(self, app_state, handler: str, reason: str,
                      current: SignedIn | None) -> StateUpdate:
        log.info("refused %s: %s", handler, reason)
        if current is not None:
            await asyncio.to_thread(_audit_refusal, current, handler, reason)
        message = gettext_for(app_state.locale, refusal_message(reason))
        script = f"window.hbNotice && window.hbNotice({json.dumps(message)})"
        return StateUpdate(delta={}, events=Event.from_event_type(rx.call_script(script)))
