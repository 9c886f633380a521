"""Faults under traffic: kill -9 a backend worker, restart PostgreSQL, restart Redis.

`run_faults` starts its own PostgreSQL cluster, its own Redis and HB's production backend
(`servers.py`; never the machine's shared servers), then keeps traffic going while it injects
faults one after another:

- **survey submits** over HTTP (`POST /api/surveys/<id>/submit`, as the survey outbox sends
  them): each assignment's answers are sent with one idempotency key and re-sent after any
  failure until acknowledged, as the outbox in the browser does;
- **swaps** through the websocket by Aino's tab (the swap wizard's events: start, from, to,
  amount, check, confirm), in the backend workers that are being killed;
- **decision changes** by her case worker (the service, in this process) on the same database;
- **provider events** over HTTP through the provider API (`POST /api/provider/v1/events`, in
  the backend workers that are being killed) by the provider of her voucher: each with an
  `external_id` of its own, re-sent after any failure until answered, as a provider's system
  does (a 429 waits for Retry-After).

Fault kinds: `kill` (SIGKILL to a random Granian worker: Granian starts a new one), `postgres`
(an immediate shutdown, as a crash, then a start: recovery), `redis` (killed: every tab state
is lost, then started empty). After each fault /healthz must answer 200 again by itself.

Afterwards: every acknowledged survey is stored exactly once (idempotency key unique, one
response per assignment), no swap was doubled (each swap request has its two adjustments or
none), every acknowledged provider event is stored exactly once and no `external_id` of a
provider twice, the month is never over budget, /healthz reported the PostgreSQL and Redis outages
(a non-200 answer during them) and recovered without a manual step, a person's tab answered
during faults with data or with the translated notice (never silence), and a tab with the
same session cookie is still signed in afterwards.
"""

from __future__ import annotations

import json
import random
import secrets as pysecrets
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
from sqlmodel import func, select

from tests.reliability import servers

PROMIS_ANSWERS = {
    "Global01": 3, "Global02": 3, "Global03": 3, "Global04": 4, "Global05": 4,
    "Global06": 3, "Global07r": 4, "Global08r": 3, "Global09r": 4, "Global10r": 4,
}


@dataclass
class FaultResult:
    injected: Counter = field(default_factory=Counter)
    survived: Counter = field(default_factory=Counter)
    surveys_acknowledged: int = 0
    swaps_acknowledged: int = 0
    changes_committed: int = 0
    provider_events_acknowledged: int = 0
    operations_tried: Counter = field(default_factory=Counter)
    outage_seen: Counter = field(default_factory=Counter)  # /healthz non-200 during a fault
    recovery_seconds: list[float] = field(default_factory=list)
    silent_answers: int = 0
    notices: int = 0
    problems: list[str] = field(default_factory=list)
    lost: int = 0
    doubled: int = 0


def _make_assignments(engine, client_id: int, count: int) -> list[int]:
    from hbapp.db import write_session
    from hbapp.models import SurveyAssignment

    ids = []
    with write_session(engine) as session:
        for index in range(count):
            row = SurveyAssignment(client_id=client_id, instrument_id="promis10",
                                   timepoint="other", due_on=date.today() + timedelta(days=30))
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


class _Traffic:
    def __init__(self, app: servers.OwnApp, engine, result: FaultResult) -> None:
        from tests.reliability.world import sign_in

        self.app, self.engine, self.result = app, engine, result
        self.stop = threading.Event()
        self.cookie, _ = sign_in(engine, "demo-client")
        self.lock = threading.Lock()
        from hbapp.models import Client

        from hbapp.db import read_session

        with read_session(engine) as session:
            self.client_id = session.exec(select(Client.id).where(
                Client.first_name == "Aino")).one()
        self.assignments = _make_assignments(engine, self.client_id, 400)
        self.acknowledged: dict[int, str] = {}  # assignment -> key
        self.events_acknowledged: dict[str, int] = {}  # external_id -> event id answered
        self.events_refused: dict[str, str] = {}  # external_id -> the refusal's code
        self.provider = _provider_token(engine, self.client_id)
        self.threads = [threading.Thread(target=self._surveys, daemon=True),
                        threading.Thread(target=self._swaps, daemon=True),
                        threading.Thread(target=self._changes, daemon=True)]
        if self.provider is not None:
            self.threads.append(threading.Thread(target=self._provider_events, daemon=True))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(120)

    # -- survey outbox ------------------------------------------------------------------

    def _surveys(self) -> None:
        headers = {"cookie": self.cookie, "origin": self.app.base_url, "x-hb-request": "1",
                   "content-type": "application/json"}
        with httpx.Client(base_url=self.app.base_url, timeout=10) as http:
            for assignment in self.assignments:
                if self.stop.is_set():
                    return
                key = pysecrets.token_hex(12)
                body = json.dumps({"answers": PROMIS_ANSWERS, "idempotency_key": key,
                                   "language": "fi"})
                while not self.stop.is_set():  # the outbox re-sends until acknowledged
                    self.result.operations_tried["survey submit"] += 1
                    try:
                        response = http.post(f"/api/surveys/{assignment}/submit",
                                             content=body, headers=headers)
                    except httpx.HTTPError:
                        time.sleep(0.3)
                        continue
                    if response.status_code == 200:
                        with self.lock:
                            self.acknowledged[assignment] = key
                            self.result.surveys_acknowledged += 1
                        break
                    if response.status_code in (400, 401, 403, 404, 409, 413, 415):
                        self.result.problems.append(
                            f"survey {assignment}: {response.status_code} {response.text[:120]}")
                        break
                    time.sleep(0.3)  # 5xx/503 during an outage: try again
                time.sleep(0.05)

    # -- swaps through the websocket ----------------------------------------------------

    def _swaps(self) -> None:
        from tests.browser.reflex_socket import ReflexTab

        while not self.stop.is_set():
            token = str(uuid.uuid4())

            def page(path: str):
                tab = ReflexTab(self.app.socket_url, self.cookie, token=token,
                                origin=self.app.base_url)
                tab.connect(path, timeout=30)
                return tab, "\n".join(tab.frames)

            try:
                done = swap_through_pages(page, self.result)
                if done:
                    with self.lock:
                        self.result.swaps_acknowledged += 1
            except Exception as error:  # noqa: BLE001 - a dropped socket: the page reconnects
                self.result.operations_tried[f"swap: {type(error).__name__}"] += 1
                time.sleep(0.5)

    # -- provider events through the provider API ----------------------------------------

    def _provider_events(self) -> None:
        from hbapp.services.provider_events import local_now
        from hbapp.web.provider_api import PREFIX

        provider_id, voucher, service_code, token = self.provider
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        base = (local_now() - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
        number = 0
        with httpx.Client(base_url=self.app.base_url, timeout=10) as http:
            while not self.stop.is_set():
                number += 1
                external_id = f"fault-{number}"
                start = base - timedelta(minutes=37 * (number % 110))
                body = json.dumps({"voucher": voucher, "service_code": service_code,
                                   "start": start.isoformat(timespec="minutes"),
                                   "end": (start + timedelta(minutes=30))
                                   .isoformat(timespec="minutes"),
                                   "external_id": external_id})
                while not self.stop.is_set():  # re-sent until answered
                    self.result.operations_tried["provider event"] += 1
                    try:
                        response = http.post(f"{PREFIX}/events", content=body, headers=headers)
                    except httpx.HTTPError:
                        time.sleep(0.3)
                        continue
                    if response.status_code in (200, 201):
                        with self.lock:
                            self.events_acknowledged[external_id] = response.json()["id"]
                            self.result.provider_events_acknowledged += 1
                        break
                    if response.status_code == 429:
                        time.sleep(float(response.headers.get("retry-after", "1")))
                        continue
                    if 400 <= response.status_code < 500:
                        try:
                            code = response.json().get("error", {}).get("code", "?")
                        except ValueError:
                            code = response.text[:40]
                        self.events_refused[external_id] = f"{response.status_code} {code}"
                        break
                    time.sleep(0.3)  # 5xx/503 during an outage: try again
                time.sleep(0.5)  # under the API's 120 requests a minute

    # -- decision changes ---------------------------------------------------------------

    def _changes(self) -> None:
        from tests.reliability.volume import _change, volume_world

        rng = random.Random(5)
        while not self.stop.is_set():
            try:
                world = volume_world(self.engine)
                _change(world, rng)()
                self.result.changes_committed += 1
            except Exception:  # noqa: BLE001 - refused or database down: counted as tried
                time.sleep(0.5)
            self.result.operations_tried["decision change"] += 1
            time.sleep(0.3)


def _provider_token(engine, client_id: int):
    """(provider id, voucher code, its service's code, API token) of the client's first
    voucher."""
    import importlib.util

    if importlib.util.find_spec("hbapp.web.provider_api") is None:
        return None
    from hbapp.db import read_session
    from hbapp.models import ServiceType, Voucher
    from hbapp.services.provider_tokens import create_token

    with read_session(engine) as session:
        found = session.exec(select(Voucher, ServiceType.code).join(
            ServiceType, ServiceType.id == Voucher.service_type_id).where(
            Voucher.client_id == client_id, Voucher.ended_at.is_(None))
            .order_by(Voucher.id)).first()
    if found is None:
        return None
    voucher, service_code = found
    token = create_token(engine, provider_id=voucher.provider_id, label="faults",
                         actor=None).token
    return voucher.provider_id, voucher.code, service_code, token


SWAP = "reflex___state____state.hbapp___state____app_state." \
       "hbapp___pages___client___swap____swap_state"
SWAP_STEPS = (
    ("/swap", "start", None),
    ("/swap?step=month", "submit_month", "month"),
    ("/swap?step=from", "submit_from", {"from": "home_care"}),
    ("/swap?step=to", "submit_to", {"to": "cleaning"}),
    ("/swap?step=amount", "submit_amount", {"amount": "1"}),
    ("/swap?step=preview", "to_check", None),
    ("/swap?step=check", "confirm", None),
)


def swap_through_pages(page, result: FaultResult) -> bool:
    """One swap as the wizard does it: each step is its own address (a page load), then the
    step's event. `page(path)` loads a page and returns (tab, what the load sent). True when
    the last answer shows the result step."""
    answer = ""
    for path, handler, form in SWAP_STEPS:
        tab, loaded = page(path)
        try:
            if form == "month":
                found = re.search(r'"months_rx_state_": ?\[\{"code": ?"([^"]+)"', loaded)
                if not found:
                    return False
                form = {"month": found.group(1)}
            payload = {"form_data": form} if form is not None else {}
            result.operations_tried["swap event"] += 1
            answer = tab.call(path, f"{SWAP}.{handler}", payload, timeout=30)
            if "hbNotice" in answer:
                result.notices += 1
        finally:
            tab.close()
    return re.search(r'"step_rx_state_": ?"result"', answer) is not None


def _watch_health(app: servers.OwnApp, stop: threading.Event, seen: list[int]) -> None:
    while not stop.is_set():
        seen.append(app.healthz())
        time.sleep(0.2)


def run_faults(per_kind: int = 20, workers: int = 2, kinds=("kill", "postgres", "redis"),
               seed: int = 17) -> FaultResult:
    from hbapp.db import make_engine

    result = FaultResult()
    rng = random.Random(seed)
    pg = servers.OwnPostgres()
    redis = servers.OwnRedis()
    app = None
    engine = None
    try:
        url = pg.create_database("hb_faults")
        app = servers.OwnApp(url, redis.url, workers=workers)
        engine = make_engine(url)
        traffic = _Traffic(app, engine, result)
        traffic.start()
        time.sleep(3)
        plan = [kind for kind in kinds for _ in range(per_kind)]
        rng.shuffle(plan)
        for kind in plan:
            seen: list[int] = []
            stop = threading.Event()
            watcher = threading.Thread(target=_watch_health, args=(app, stop, seen),
                                       daemon=True)
            watcher.start()
            time.sleep(rng.uniform(0.5, 1.5))  # traffic in flight
            result.injected[kind] += 1
            killed_at = time.monotonic()
            try:
                if kind == "kill":
                    pids = app.worker_pids()
                    if pids:
                        servers.os.kill(rng.choice(pids), 9)
                elif kind == "postgres":
                    pg.restart(down_seconds=1.5)
                elif kind == "redis":
                    redis.restart(down_seconds=1.5)
            except Exception as error:  # noqa: BLE001 - e.g. pg_ctl timing out under load
                result.problems.append(f"{kind}: injecting the fault failed: "
                                       f"{type(error).__name__}: {str(error)[-300:]}")
            try:
                took = app.wait_healthy(120)
                time.sleep(0.5)
                result.recovery_seconds.append(took)
                result.survived[kind] += 1
            except RuntimeError as error:
                result.problems.append(f"{kind}: no recovery: {str(error)[-3000:]}")
            stop.set()
            watcher.join(5)
            if any(code != 200 for code in seen):
                result.outage_seen[kind] += 1
            if kind == "kill" and len(app.worker_pids()) < workers:
                time.sleep(5)
                if len(app.worker_pids()) < workers:
                    result.problems.append("a killed worker was not replaced")
            if kind == "kill":
                # Granian stops the whole server when a worker dies within 5.5 s of being
                # started ("worker crash loop detected"): the next fault waits that out, so
                # the replacement worker is not killed or starved of Redis at its start.
                time.sleep(max(0.0, 6.0 - (time.monotonic() - killed_at)))
            if app.process.poll() is not None:
                result.problems.append(f"the app exited after {sum(result.injected.values())} "
                                       f"faults (the last: {kind}):\n"
                                       + app.log_path.read_text()[-3000:])
                break
        time.sleep(3)
        traffic.join()
        try:
            _check(engine, app, traffic, result)
        except Exception as error:  # noqa: BLE001 - a check that breaks is a failure, not
            import traceback  # the loss of every figure gathered

            result.problems.append(f"check after faults broke: {type(error).__name__}: "
                                   f"{traceback.format_exc()[-1500:]}")
    finally:
        if engine is not None:
            engine.dispose()
        if app is not None:
            app.close()
        redis.close()
        pg.close()
    return result


def _check_provider_events(engine, traffic: _Traffic, result: FaultResult) -> None:
    """Every acknowledged event stored once, as the event answered; no external_id twice;
    nothing stored for an event that was refused."""
    if traffic.provider is None:
        return
    from hbapp.db import read_session
    from hbapp.models import ServiceEvent

    provider_id = traffic.provider[0]
    with read_session(engine) as session:
        stored: dict[str, list[int]] = {}
        for event_id, external_id in session.exec(
                select(ServiceEvent.id, ServiceEvent.external_id).where(
                    ServiceEvent.provider_id == provider_id,
                    ServiceEvent.external_id.like("fault-%"))):
            stored.setdefault(external_id, []).append(event_id)
    for external_id, event_id in traffic.events_acknowledged.items():
        rows = stored.get(external_id, [])
        if not rows:
            result.lost += 1
            result.problems.append(f"provider event {external_id} acknowledged but not stored")
        elif rows != [event_id]:
            result.problems.append(f"provider event {external_id} answered as {event_id}, "
                                   f"stored as {rows}")
    for external_id, rows in stored.items():
        if len(rows) > 1:
            result.doubled += 1
            result.problems.append(f"provider event {external_id} stored {len(rows)} times")
        if external_id in traffic.events_refused:
            result.problems.append(f"provider event {external_id} refused "
                                   f"({traffic.events_refused[external_id]}) but stored")
    refused = Counter(code for code in traffic.events_refused.values())
    result.operations_tried.update({f"provider event refused {k}": v
                                    for k, v in refused.items()})


def _check(engine, app, traffic: _Traffic, result: FaultResult) -> None:
    from hbapp.db import read_session
    from hbapp.models import SurveyAssignment, SurveyResponse
    from tests.browser.reflex_socket import ReflexTab
    from tests.reliability.volume import ledger_problems, volume_world

    with read_session(engine) as session:
        for assignment, key in traffic.acknowledged.items():
            stored = session.exec(select(SurveyResponse).where(
                SurveyResponse.assignment_id == assignment)).all()
            if not stored:
                result.lost += 1
                result.problems.append(f"survey {assignment} acknowledged but not stored")
            if len(stored) > 1:
                result.doubled += 1
                result.problems.append(f"survey {assignment} stored {len(stored)} times")
        counts = session.exec(select(SurveyResponse.assignment_id, func.count())
                              .group_by(SurveyResponse.assignment_id)
                              .having(func.count() > 1)).all()
        result.doubled += len(counts)
        completed = session.exec(select(func.count()).select_from(SurveyAssignment).where(
            SurveyAssignment.id.in_(traffic.assignments),
            SurveyAssignment.completed_at.is_not(None))).one()
        if completed < len(traffic.acknowledged):
            result.problems.append(f"{completed} assignments completed, "
                                   f"{len(traffic.acknowledged)} acknowledged")
        from hbapp.models import SwapRequest

        stored_swaps = session.exec(select(func.count()).select_from(SwapRequest).where(
            SwapRequest.client_id == traffic.client_id)).one()
        if stored_swaps < result.swaps_acknowledged:
            result.lost += result.swaps_acknowledged - stored_swaps
            result.problems.append(f"{result.swaps_acknowledged} swaps acknowledged, "
                                   f"{stored_swaps} stored")
    _check_provider_events(engine, traffic, result)
    problems = ledger_problems(volume_world(engine))
    result.problems.extend(f"ledger: {p}" for p in problems)
    result.doubled += sum(1 for p in problems if "adjustments" in p or "created money" in p)
    try:
        app.wait_healthy(60)
    except RuntimeError as error:
        result.problems.append(f"the app did not answer after the faults: {str(error)[-800:]}")
        return
    # The same session cookie, a new tab: still signed in (the session is in PostgreSQL).
    with ReflexTab(app.socket_url, traffic.cookie, origin=app.base_url) as tab:
        hydrated = tab.connect("/", timeout=30)
        frames = "\n".join(tab.frames)
        if '"signed_in_rx_state_":true' not in frames:
            result.problems.append("the session was lost: the tab is signed out after faults")
        del hydrated
