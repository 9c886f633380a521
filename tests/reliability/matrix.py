"""The authorization matrix: every event handler of every page state × every demo role.

Used by `tests/integration/test_authz_matrix.py` (and `make reliability`). For each role the
page of each state is loaded (for a page of one client, once per sample client) and every
handler of the state is called with plausible arguments aimed at a client the role may not
see. Each call is classified and checked:

- **refused at the gate** (the registry says the role is outside the handler's audience, or the
  handler is undeclared): the person gets the translated refusal notice, no state changes, the
  database is unchanged, and the refusal of a signed-in person is in the audit log;
- **refused by a service** (an `AccessDenied` reached the exception handler): a translated
  notice and an unchanged database;
- **ran**: no unhandled exception.

In every case nothing in the answer may belong to a client the role may not see (their
identity code, address, phone; names unless the role may know who the client is).
"""

from __future__ import annotations

import json
import typing
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hbapp.authz import declared_audience, permits, refusal_message
from hbapp.config import SUPPORTED_LOCALES
from hbapp.i18n import gettext_for

from tests.reliability import world
from tests.reliability.inprocess import HandlerRef, InProcessApp, handlers, page_routes

# Reflex's own handlers on AppState-derived states that no page sends to ours.
SKIP = {"hydrate_and_load", "hydrate", "set_is_hydrated", "update_vars_internal",
        "on_load_internal"}


def plausible_value(name: str, annotation: Any, target: int, keys: list[str]) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin = typing.get_origin(annotation)
    if annotation is int:
        return target
    if annotation is bool:
        return True
    if annotation is float:
        return 1.0
    if annotation is dict or origin is dict:
        return {key: str(target) if key.endswith("id") else "1" for key in keys}
    if annotation is list or origin is list:
        return [str(target)]
    return str(target) if ("id" in name or name in ("value", "choice")) else "1"


def plausible_payload(handler: HandlerRef, target: int) -> dict:
    keys = handler.form_keys()
    return {name: plausible_value(name, annotation, target, keys)
            for name, annotation in handler.parameters().items()}


def refusal_texts(reason: str) -> list[str]:
    return [json.dumps(gettext_for(locale, refusal_message(reason)))[1:-1]
            for locale in SUPPORTED_LOCALES]


@dataclass
class MatrixResult:
    calls: int = 0
    outcomes: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    roles: int = 0
    handlers: int = 0

    def problem(self, text: str) -> None:
        self.problems.append(text)


def _route_for(state, routes: dict[str, list[str]]) -> str:
    for candidate in routes.get(state.get_full_name(), []):
        return "/" + candidate.lstrip("/") if candidate != "index" else "/"
    return "/"


def run_matrix(url: str, roles=world.ROLES, sample_clients: int = 3,
               only: set[str] | None = None) -> MatrixResult:
    engine = world.use_database(url)
    today = date.today()
    secrets = world.Secrets.load(engine)
    all_handlers = [h for h in handlers() if h.name not in SKIP
                    and (only is None or h.family in only)]
    routes = page_routes()
    by_state: dict[type, list[HandlerRef]] = {}
    for handler in all_handlers:
        by_state.setdefault(handler.state, []).append(handler)
    client_ids = sorted(secrets.clients)[:max(sample_clients, 1)]
    result = MatrixResult(roles=len(roles), handlers=len(all_handlers))
    from hbapp.services import identity

    watch = world.WriteWatch(engine)
    with InProcessApp() as app:
        for subject in roles:
            cookie, person_id = world.sign_in(engine, subject)
            token = cookie.partition("=")[2] or None
            current = identity.signed_in(engine, token, today) if token else None
            own_name = current.actor.name if current else ""
            visible = secrets.visibility(engine, person_id, today)
            represented = {r.client_id for r in current.represented} if current else set()
            hidden = [c for c in client_ids if visible.get(c) != "full"] or client_ids
            for state, state_handlers in by_state.items():
                route = _route_for(state, routes)
                dynamic = "[client_id]" in route
                contexts = client_ids if dynamic else [hidden[0]]
                for target in contexts:
                    tab = app.tab(cookie)
                    allowed = visible
                    if dynamic:
                        # A page of one client: only that client, and whom the person
                        # acts for (the person switcher on every page names them).
                        allowed = {c: "full" for c in represented}
                        if target in visible:
                            allowed[target] = visible[target]
                    opened = tab.open(route, {"client_id": str(target)} if dynamic else None)
                    where = f"{subject or 'signed out'} {route} client {target}"
                    # The privacy page lists who handled the person's data, by name: the
                    # matrix's own earlier calls by other roles among them.
                    names_ok = route == "/privacy"
                    _check_common(result, secrets, opened, allowed, own_name,
                                  f"{where} page load", names_ok)
                    for handler in state_handlers:
                        _call(result, engine, watch, secrets, tab, handler, current, allowed,
                              own_name, target, where, names_ok)
    watch.close()
    return result


def _check_common(result, secrets, answer, allowed, own_name, where,
                  names_ok: bool = False) -> None:
    for leak in secrets.leaks(answer.text, allowed, own_name, names_ok):
        result.problem(f"LEAK {where}: {leak}")
    for error in answer.unhandled():
        result.problem(f"UNHANDLED {where}: {type(error).__name__}: {error}")


def _call(result, engine, watch, secrets, tab, handler: HandlerRef, current, allowed, own_name,
          target, where, names_ok) -> None:
    audience = declared_audience(handler.fn)
    reason = "undeclared" if audience is None else permits(audience, current)
    payload = plausible_payload(handler, target)
    before = watch.mark()
    refused_before = world.refusals(engine)
    answer = tab.call(handler, payload)
    result.calls += 1
    label = f"{where} {handler.qualname}"
    _check_common(result, secrets, answer, allowed, own_name, label, names_ok)
    scripts = "\n".join(answer.scripts)
    if reason is not None:
        result.outcomes["refused at the gate"] += 1
        if not any(text in scripts for text in refusal_texts(reason)):
            result.problem(f"NO NOTICE {label}: refused ({reason}) without the notice")
        if answer.delta:
            result.problem(f"STATE CHANGED {label}: {list(answer.delta)}")
        if watch.since(before):
            result.problem(f"DATA CHANGED {label} although refused ({reason}): "
                           f"{watch.since(before)}")
        audited = world.refusals(engine) - refused_before
        if current is not None and audited < 1:
            result.problem(f"NOT AUDITED {label}: refusal of a signed-in person")
        return
    denied = [e for e in answer.errors if e not in answer.unhandled()]
    if denied:
        result.outcomes["refused by a service"] += 1
        if watch.since(before):
            result.problem(f"DATA CHANGED {label} although a service refused it: "
                           f"{watch.since(before)}")
        if not any(text in scripts for text in refusal_texts(getattr(denied[0], "reason", "")))\
                and not any(text in scripts for text in refusal_texts("")):
            result.problem(f"NO NOTICE {label}: a service refused without a notice")
        return
    result.outcomes["ran"] += 1
