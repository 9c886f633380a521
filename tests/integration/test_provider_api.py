"""The provider HTTP API against real databases: tokens, idempotency, rules, every 4xx, limits.

Each backend gets its own freshly seeded database for this module (the tests record events).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from hbapp.db import make_engine, read_session, write_session
from hbapp.i18n import Translator
from hbapp.models import (
    AuditLog,
    Client,
    EventStatus,
    Provider,
    ProviderApiToken,
    ServiceEvent,
    Voucher,
)
from hbapp.seed import seed_demo
from hbapp.services.budget import load_month
from hbapp.services.provider_events import local_now
from hbapp.services.provider_tokens import create_token, revoke_token, verify
from hbapp.web import provider_api
from hbapp.web.provider_api import MESSAGES, PREFIX, build_provider_api
from hbapp.web.rate_limit import RateLimiter
from tests.conftest import BACKENDS

TODAY = local_now().date()
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, database_factory):
    engine = make_engine(database_factory(request.param))
    seed_demo(engine)
    with read_session(engine) as session:
        kotihelmi = session.exec(select(Provider).where(
            Provider.name == "Saimaan Kotihelmi Oy")).one()
        voucher = session.exec(select(Voucher).where(Voucher.provider_id == kotihelmi.id)).one()
        used = {v.provider_id for v in session.exec(select(Voucher)).all()}
        from hbapp.models import Person, ProviderStaff

        other_staff = session.exec(select(ProviderStaff).join(
            Person, Person.id == ProviderStaff.person_id).where(
            Person.oidc_subject == "demo-provider-2")).one()
        assert other_staff.provider_id not in used
    token = create_token(engine, provider_id=kotihelmi.id, label="test", actor=None).token
    other = create_token(engine, provider_id=other_staff.provider_id, label="other",
                         actor=None).token
    yield {"engine": engine, "provider_id": kotihelmi.id, "voucher": voucher.code,
           "client_id": voucher.client_id, "token": token, "other_token": other,
           "other_provider_id": other_staff.provider_id}
    engine.dispose()


@pytest.fixture
def api(world, monkeypatch):
    monkeypatch.setattr(provider_api, "get_engine", lambda: world["engine"])
    monkeypatch.setattr(provider_api, "_LIMITER", RateLimiter(per_minute=10_000))
    app = Starlette(routes=[Mount(PREFIX, app=build_provider_api())])
    client = TestClient(app, base_url="http://localhost:8000", raise_server_exceptions=True)
    return world, client


def _auth(token: str, language: str = "en") -> dict:
    return {"Authorization": f"Bearer {token}", "Accept-Language": language, **JSON}


def _day(days_back: int) -> date:
    return TODAY - timedelta(days=days_back)


def _visit(world, days_back: int, start: str = "18:00", end: str = "19:00", **extra) -> dict:
    day = _day(days_back).isoformat()
    return {"voucher": world["voucher"], "service_code": "home_care",
            "start": f"{day}T{start}", "end": f"{day}T{end}", **extra}


def _post(client, token, body, language="en"):
    return client.post(f"{PREFIX}/events", headers=_auth(token, language),
                       content=json.dumps(body))


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    return body["error"]


# ---------------------------------------------------------------------- tokens


def test_tokens_are_stored_as_hashes_and_checked(api):
    world, client = api
    with read_session(world["engine"]) as session:
        rows = session.exec(select(ProviderApiToken)).all()
    assert all(world["token"] not in (row.token_hash, row.prefix) for row in rows)
    assert any(world["token"].startswith(row.prefix) for row in rows)
    assert verify(world["engine"], world["token"])[0] == world["provider_id"]
    assert verify(world["engine"], world["token"] + "x") is None
    assert verify(world["engine"], "") is None


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer hbp_nonsense", "Basic abc",
                                    "bearer " + "x" * 5000])
def test_no_or_a_wrong_token_is_401_with_www_authenticate(api, header):
    _world, client = api
    headers = {} if header is None else {"Authorization": header}
    for method, path in (("GET", "/vouchers"), ("GET", "/events"), ("POST", "/events"),
                         ("DELETE", "/events/1")):
        response = client.request(method, PREFIX + path, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert _error(response)["code"] == "unauthorized"


def test_a_revoked_token_is_refused(api):
    world, client = api
    new = create_token(world["engine"], provider_id=world["provider_id"], label="old",
                       actor=None)
    assert client.get(f"{PREFIX}/vouchers", headers=_auth(new.token)).status_code == 200
    revoke_token(world["engine"], provider_id=world["provider_id"], actor=None,
                 prefix=new.info.prefix)
    response = client.get(f"{PREFIX}/vouchers", headers=_auth(new.token))
    assert response.status_code == 401 and _error(response)["code"] == "unauthorized"


def test_a_provider_no_longer_approved_is_403(api):
    world, client = api
    engine = world["engine"]
    with write_session(engine) as session:
        provider = session.get(Provider, world["other_provider_id"])
        provider.approval_status = "pending"
        session.add(provider)
    try:
        response = client.get(f"{PREFIX}/vouchers", headers=_auth(world["other_token"]))
        assert response.status_code == 403
        assert _error(response)["code"] == "provider_not_active"
    finally:
        with write_session(engine) as session:
            provider = session.get(Provider, world["other_provider_id"])
            provider.approval_status = "approved"
            session.add(provider)


# ---------------------------------------------------------------------- recording


def test_post_records_and_a_repeated_external_id_answers_with_the_first(api):
    world, client = api
    body = _visit(world, 3, external_id="ext-repeat-1")
    first = _post(client, world["token"], body)
    assert first.status_code == 201, first.text
    event = first.json()
    assert event["voucher"] == world["voucher"] and event["client_name"]
    assert event["band"] == "weekday_evening" or _day(3).weekday() >= 5
    assert event["status"] in ("recorded", "needs_review") and event["amount_cents"] > 0
    again = _post(client, world["token"], body)
    assert again.status_code == 200 and again.json() == event
    # Whatever else a repeat says, it is the first event.
    changed = _post(client, world["token"], _visit(world, 4, external_id="ext-repeat-1"))
    assert changed.status_code == 200 and changed.json()["id"] == event["id"]
    with read_session(world["engine"]) as session:
        rows = session.exec(select(ServiceEvent).where(
            ServiceEvent.external_id == "ext-repeat-1")).all()
        assert len(rows) == 1 and rows[0].source == "api" and rows[0].api_token_id
        assert "identity" not in json.dumps(event)
        client_row = session.get(Client, world["client_id"])
        assert client_row.personal_identity_code not in first.text


def test_two_concurrent_requests_with_one_external_id_make_one_event(api):
    world, _client = api
    body = _visit(world, 5, "08:00", "09:00", external_id="ext-concurrent")
    barrier = threading.Barrier(4)

    def send(_):
        local = TestClient(Starlette(routes=[Mount(PREFIX, app=build_provider_api())]))
        barrier.wait()
        return _post(local, world["token"], body)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    with read_session(world["engine"]) as session:
        assert len(session.exec(select(ServiceEvent).where(
            ServiceEvent.external_id == "ext-concurrent")).all()) == 1


def test_the_60_day_rule_and_no_future(api):
    world, client = api
    old = _post(client, world["token"], _visit(world, 61))
    assert old.status_code == 422 and _error(old)["code"] == "too_old"
    assert "60" in _error(old)["message"]
    future = _post(client, world["token"], _visit(world, -1))
    assert future.status_code == 422 and _error(future)["code"] == "future"


def test_refusals_of_the_rules_are_422(api):
    world, client = api
    for body, code in (
        ({**_visit(world, 2), "voucher": "HB-2222-2222"}, "unknown_voucher"),
        ({**_visit(world, 2), "service_code": "no_such"}, "unknown_service"),
        ({**_visit(world, 2), "service_code": "cleaning"}, "service_not_on_voucher"),
    ):
        response = _post(client, world["token"], body)
        assert response.status_code == 422, (body, response.text)
        assert _error(response)["code"] == code


def test_another_providers_token_sees_nothing_of_this_provider(api):
    world, client = api
    own = _post(client, world["token"], _visit(world, 6, external_id="ext-own"))
    assert own.status_code == 201
    other = world["other_token"]
    refused = _post(client, other, _visit(world, 6))
    assert refused.status_code == 422 and _error(refused)["code"] == "unknown_voucher"
    assert client.get(f"{PREFIX}/vouchers", headers=_auth(other)).json() == {"vouchers": []}
    month = _day(6).strftime("%Y-%m")
    listed = client.get(f"{PREFIX}/events", params={"month": month}, headers=_auth(other))
    assert listed.status_code == 200 and listed.json()["events"] == []
    gone = client.request("DELETE", f"{PREFIX}/events/{own.json()['id']}",
                          headers=_auth(other), content=json.dumps({"reason": "no"}))
    assert gone.status_code == 404 and _error(gone)["code"] == "not_found"
    mine = client.get(f"{PREFIX}/events", params={"month": month}, headers=_auth(world["token"]))
    assert own.json()["id"] in [e["id"] for e in mine.json()["events"]]
    assert {e["voucher"] for e in mine.json()["events"]} <= {world["voucher"], ""}


def test_get_vouchers_lists_only_the_providers_valid_vouchers(api):
    world, client = api
    response = client.get(f"{PREFIX}/vouchers", headers=_auth(world["token"]))
    assert response.status_code == 200
    vouchers = response.json()["vouchers"]
    assert [v["code"] for v in vouchers] == [world["voucher"]]
    assert set(vouchers[0]) == {"code", "client_name", "service_code", "since"}
    assert vouchers[0]["service_code"] == "home_care"


def test_delete_cancels_once_with_a_reason(api):
    world, client = api
    event = _post(client, world["token"], _visit(world, 7, "10:00", "11:00",
                                                  external_id="ext-cancel")).json()
    path = f"{PREFIX}/events/{event['id']}"
    no_reason = client.request("DELETE", path, headers=_auth(world["token"]),
                               content=json.dumps({}))
    assert no_reason.status_code == 400 and _error(no_reason)["field"] == "reason"
    done = client.request("DELETE", path, headers=_auth(world["token"]),
                          content=json.dumps({"reason": "Wrong day"}))
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert done.json()["cancel_reason"] == "Wrong day"
    twice = client.request("DELETE", path, headers=_auth(world["token"]),
                           content=json.dumps({"reason": "Again"}))
    assert twice.status_code == 409 and _error(twice)["code"] == "already_cancelled"
    unknown = client.request("DELETE", f"{PREFIX}/events/2147483647",
                             headers=_auth(world["token"]), content=json.dumps({"reason": "x"}))
    assert unknown.status_code == 404
    bad_id = client.request("DELETE", f"{PREFIX}/events/99999999999999999999",
                            headers=_auth(world["token"]), content=json.dumps({"reason": "x"}))
    assert bad_id.status_code == 404


# ---------------------------------------------------------------------- every 4xx


def test_every_client_error_has_its_status(api):
    world, client = api
    token = world["token"]
    auth = _auth(token)
    cases = [
        (client.post(f"{PREFIX}/events", headers=auth, content="{"), 400, "bad_json"),
        (client.post(f"{PREFIX}/events", headers=auth, content="[]"), 400, "not_an_object"),
        (_post(client, token, {**_visit(world, 2), "price": 1}), 400, "unknown_field"),
        (_post(client, token, {**_visit(world, 2), "voucher": 7}), 400, "bad_type"),
        (_post(client, token, {**_visit(world, 2), "start": "yesterday"}), 400, "bad_datetime"),
        (_post(client, token, {"voucher": world["voucher"], "service_code": "home_care"}), 400,
         "missing_field"),
        (_post(client, token, {**_visit(world, 2, "19:00", "18:00")}), 400, "bad_time"),
        (_post(client, token, {**_visit(world, 2), "km": "-3"}), 400, "bad_number"),
        (client.post(f"{PREFIX}/events", headers={**auth, "Content-Type": "text/plain"},
                     content="{}"), 415, "unsupported_media_type"),
        (client.post(f"{PREFIX}/events", headers=auth, content="{" + " " * 20_000 + "}"), 413,
         "body_too_large"),
        (client.get(f"{PREFIX}/events", params={"month": "2026-13"}, headers=auth), 400,
         "bad_month"),
        (client.get(f"{PREFIX}/nothing", headers=auth), 404, "no_such_address"),
        (client.put(f"{PREFIX}/vouchers", headers=auth), 405, "method_not_allowed"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (code, response.status_code, response.text)
        assert _error(response)["code"] == code


def test_a_body_sent_in_chunks_is_limited_too(api):
    world, client = api

    def chunks():
        for _ in range(100):
            yield b" " * 1024

    response = client.post(f"{PREFIX}/events", headers=_auth(world["token"]), content=chunks())
    assert response.status_code == 413


GARBAGE = [
    b"", b"null", b"true", b"1", b'"x"', b"[" * 10_000, b'{"voucher": ' + b"9" * 5000 + b"}",
    b"\xff\xfe\x00", b'{"voucher": "\\ud800"}', b'{"voucher": null, "service_code": null}',
    b'{"voucher": [], "service_code": {}}', b'{"start": "2026-02-30T10:00"}',
    b'{"voucher": "HB-2222-2222", "service_code": "home_care", "date": "2026-02-30"}',
    b'{"voucher": "x", "service_code": "home_care", "start": "9999-12-31T23:59", '
    b'"end": "9999-12-31T23:59"}',
    b'{"voucher": "x", "service_code": "y", "date": "2026-01-01", "units": 1e400}',
    b'{"voucher": "x", "service_code": "y", "date": "2026-01-01", "units": "NaN"}',
    b'{"voucher": "x", "service_code": "y", "date": "2026-01-01", "units": 0.00001}',
    b'{"voucher": "x", "service_code": "y", "date": "0001-01-01", "units": 1}',
    b'{"voucher": "\x00", "service_code": "y", "date": "2026-01-01", "units": 1}',
    b'{"__proto__": 1}', b'{"external_id": "' + b"e" * 200 + b'"}',
]


def test_garbage_of_every_kind_is_never_a_500(api):
    world, client = api
    for body in GARBAGE:
        for path, method in (("/events", "POST"), ("/events/1", "DELETE")):
            response = client.request(method, PREFIX + path, headers=_auth(world["token"]),
                                      content=body)
            assert 400 <= response.status_code < 500, (body[:60], response.text)
            _error(response)
    for month in ("", "x", "0000-00", "2026-1", "99999-01", "2026-01-01"):
        response = client.get(f"{PREFIX}/events", params={"month": month},
                              headers=_auth(world["token"]))
        assert response.status_code == 400, month


def test_errors_speak_the_language_of_accept_language(api):
    world, client = api
    texts = {}
    for language in ("fi", "sv", "en"):
        response = _post(client, world["token"], {**_visit(world, 2), "price": 1}, language)
        texts[language] = _error(response)["message"]
        expected = Translator(language)(MESSAGES["unknown_field"]).format(field="price")
        assert texts[language] == expected
        unauthorized = client.get(f"{PREFIX}/vouchers",
                                  headers={"Accept-Language": language})
        assert _error(unauthorized)["message"] == Translator(language)(MESSAGES["unauthorized"])
    assert len(set(texts.values())) == 3  # three languages, three texts


def test_the_rate_limit_is_per_token_with_retry_after(api, monkeypatch):
    world, client = api
    monkeypatch.setattr(provider_api, "_LIMITER", RateLimiter(per_minute=3))
    for _ in range(3):
        assert client.get(f"{PREFIX}/vouchers", headers=_auth(world["token"])).status_code == 200
    limited = client.get(f"{PREFIX}/vouchers", headers=_auth(world["token"]))
    assert limited.status_code == 429 and _error(limited)["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    # Another token has its own bucket.
    assert client.get(f"{PREFIX}/vouchers",
                      headers=_auth(world["other_token"])).status_code == 200


# ---------------------------------------------------------------------- one month, many writers


def _line_left(engine, client_id: int, month) -> int:
    with read_session(engine) as session:
        client = session.get(Client, client_id)
        statement = load_month(session, client, month, TODAY).statement
        return next(b for b in statement.lines if b.service_code == "home_care").remaining_cents


def test_concurrent_recording_against_one_month_never_overspends_unnoticed(api):
    world, _client = api
    engine = world["engine"]
    # Days of one month, all in the past and within 60 days.
    month_first = (TODAY - timedelta(days=1)).replace(day=1)
    days = [month_first + timedelta(days=i) for i in range(31)
            if (month_first + timedelta(days=i)).month == month_first.month
            and month_first + timedelta(days=i) < TODAY][-12:]
    before = _line_left(engine, world["client_id"], month_first)
    bodies = [{"voucher": world["voucher"], "service_code": "home_care",
               "start": f"{day.isoformat()}T15:00", "end": f"{day.isoformat()}T17:00",
               "external_id": f"ext-month-{day.isoformat()}"} for day in days]
    barrier = threading.Barrier(len(bodies))

    def send(body):
        local = TestClient(Starlette(routes=[Mount(PREFIX, app=build_provider_api())]))
        barrier.wait()
        return _post(local, world["token"], body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        answers = [a.json() for a in pool.map(send, bodies)]
    assert all("id" in a for a in answers), answers
    recorded = [a for a in answers if a["status"] == "recorded"]
    waiting = [a for a in answers if a["status"] == "needs_review"]
    assert len(recorded) + len(waiting) == len(bodies)
    charged = sum(a["amount_cents"] + a["km_compensation_cents"] for a in recorded)
    after = _line_left(engine, world["client_id"], month_first)
    # What was recorded is exactly what the line lost, and never more than was left; every
    # event that did not fit waits for the case worker instead.
    assert before - after == charged
    assert after >= min(before, 0)
    total = sum(a["amount_cents"] + a["km_compensation_cents"] for a in answers)
    assert (total > max(before, 0)) == bool(waiting)
    with read_session(engine) as session:
        audited = session.exec(select(AuditLog).where(AuditLog.action == "event_recorded")).all()
        assert len([a for a in audited if "ext-month-" in a.details]) == len(bodies)


def test_naive_and_offset_times_are_finnish_local_time(api):
    world, client = api
    day = _day(8)
    offset = datetime(day.year, day.month, day.day, 16, 0).astimezone().strftime("%z")
    response = _post(client, world["token"], {
        "voucher": world["voucher"], "service_code": "home_care",
        "start": f"{day.isoformat()}T12:00+00:00", "end": f"{day.isoformat()}T13:00+00:00",
        "external_id": "ext-offset"})
    assert response.status_code == 201, response.text
    start = datetime.fromisoformat(response.json()["start"])
    assert start.hour in (14, 15) and offset is not None  # UTC+2 or +3 in Finland


def test_settlements_as_json_and_csv_only_the_providers_own(api):
    """Last in the module: it closes last month."""
    from hbapp.domain.ledger import add_months, month_start
    from hbapp.domain.reference import is_valid_reference
    from hbapp.services.settlements import close_month

    world, client = api
    last = add_months(month_start(date.today()), -1)
    assert client.get(f"{PREFIX}/settlements", headers=_auth(world["token"])).json() == {
        "settlements": []}
    close_month(world["engine"], last, date.today())
    listed = client.get(f"{PREFIX}/settlements", headers=_auth(world["token"]))
    assert listed.status_code == 200
    [summary] = listed.json()["settlements"]
    assert summary["month"] == f"{last:%Y-%m}" and is_valid_reference(summary["reference"])
    one = client.get(f"{PREFIX}/settlements?month={last:%Y-%m}", headers=_auth(world["token"]))
    body = one.json()
    assert one.status_code == 200 and body["reference"] == summary["reference"]
    assert body["totals"]["services_cents"] == sum(r["services_cents"] for r in body["rows"])
    assert world["voucher"] in {r["voucher"] for r in body["rows"]}
    as_csv = client.get(f"{PREFIX}/settlements?month={last:%Y-%m}",
                        headers={**_auth(world["token"]), "Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert summary["reference"] in as_csv.text
    other = client.get(f"{PREFIX}/settlements?month={last:%Y-%m}",
                       headers=_auth(world["other_token"]))
    assert other.status_code == 404 and _error(other)["code"] == "no_settlement"
    for bad in ("2026-13", "x", ""):
        response = client.get(f"{PREFIX}/settlements?month={bad}", headers=_auth(world["token"]))
        assert response.status_code == 400
    assert client.get(f"{PREFIX}/settlements?foo=1",
                      headers=_auth(world["token"])).status_code == 400
    assert client.get(f"{PREFIX}/settlements").status_code == 401
