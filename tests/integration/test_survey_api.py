"""The JSON routes behind assets/survey.js: cookie auth, CSRF header, same authorization."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hbapp.db import read_session
from hbapp.domain.scoring import score
from hbapp.models import SurveyResponse
from hbapp.seed import seed_demo
from hbapp.services.sessions import create_session
from hbapp.services.surveys import assign_survey
from hbapp.web import guard, survey_api
from tests.integration.test_survey_service import actor, client_by_first_name, person_id

TODAY = date.today()
ANSWERS = {f"S{i}": (i % 5) + 1 for i in range(1, 13)}
HEADERS = {"X-HB-Request": "1", "Content-Type": "application/json"}


@pytest.fixture
def setup(empty_engine, monkeypatch):
    seed_demo(empty_engine)
    monkeypatch.setattr(survey_api, "get_engine", lambda: empty_engine)
    monkeypatch.setattr(guard, "get_engine", lambda: empty_engine)
    assignment = assign_survey(empty_engine, actor(empty_engine, "demo-worker"),
                               client_by_first_name(empty_engine, "Aino"), "whodas12",
                               TODAY + timedelta(days=3), "6_months", TODAY)
    client = TestClient(Starlette(routes=survey_api.survey_routes()),
                        base_url="http://localhost:3000")

    def sign_in(subject: str) -> None:
        token, _ = create_session(empty_engine, person_id(empty_engine, subject))
        client.cookies.set("hb_session", token)

    return empty_engine, assignment.id, client, sign_in


def test_save_and_submit_exactly_once(setup):
    engine, aid, client, sign_in = setup
    sign_in("demo-client")
    saved = client.put(f"/api/surveys/{aid}/answers", headers=HEADERS,
                       content=json.dumps({"answers": {"S1": 2, "S2": 3}}))
    assert saved.status_code == 200 and saved.json()["draft"] == {"S1": 2, "S2": 3}
    body = json.dumps({"answers": ANSWERS, "idempotency_key": "a" * 36, "language": "fi"})
    first = client.post(f"/api/surveys/{aid}/submit", headers=HEADERS, content=body)
    assert first.status_code == 200, first.text
    assert first.json()["scores"] == score("whodas12", ANSWERS)
    retry = client.post(f"/api/surveys/{aid}/submit", headers=HEADERS, content=body)
    assert retry.status_code == 200 and retry.json()["repeated"] is True
    assert retry.json()["response_id"] == first.json()["response_id"]
    other = client.post(f"/api/surveys/{aid}/submit", headers=HEADERS, content=json.dumps(
        {"answers": ANSWERS, "idempotency_key": "b" * 36}))
    assert other.status_code == 409 and other.json()["error"] == "already_submitted"
    assert other.json()["message"]  # a translated sentence for the person
    with read_session(engine) as session:
        rows = session.exec(select(SurveyResponse).where(
            SurveyResponse.assignment_id == aid)).all()
    assert len(rows) == 1 and rows[0].language == "en"  # WHODAS was shown in English


def test_bad_answers_get_a_clear_error(setup):
    _engine, aid, client, sign_in = setup
    sign_in("demo-client")
    for answers, code in (({"S13": 1}, "unknown_item"), ({"S1": 6}, "out_of_range")):
        response = client.put(f"/api/surveys/{aid}/answers", headers=HEADERS,
                              content=json.dumps({"answers": answers}))
        assert response.status_code == 400
        assert response.json()["error"] == code
        assert response.json()["item"] == next(iter(answers))
    garbage = client.put(f"/api/surveys/{aid}/answers", headers=HEADERS, content="[1, 2")
    assert garbage.status_code == 400


def test_csrf_and_authentication(setup):
    _engine, aid, client, sign_in = setup
    body = json.dumps({"answers": {"S1": 2}})
    assert client.put(f"/api/surveys/{aid}/answers", headers=HEADERS,
                      content=body).status_code == 401
    sign_in("demo-client")
    no_header = client.put(f"/api/surveys/{aid}/answers",
                           headers={"Content-Type": "application/json"}, content=body)
    assert no_header.status_code == 403
    cross = client.put(f"/api/surveys/{aid}/answers",
                       headers={**HEADERS, "Origin": "https://evil.example"}, content=body)
    assert cross.status_code == 403
    cross_site = client.put(f"/api/surveys/{aid}/answers",
                            headers={**HEADERS, "Sec-Fetch-Site": "cross-site"}, content=body)
    assert cross_site.status_code == 403
    same = client.put(f"/api/surveys/{aid}/answers",
                      headers={**HEADERS, "Origin": "http://localhost:3000"}, content=body)
    assert same.status_code == 200
    form = client.put(f"/api/surveys/{aid}/answers",
                      headers={"X-HB-Request": "1",
                               "Content-Type": "application/x-www-form-urlencoded"},
                      content="answers=1")
    assert form.status_code == 415


@pytest.mark.parametrize("subject", ["demo-relative-view", "demo-client-2", "demo-worker"])
def test_others_are_refused(setup, subject):
    _engine, aid, client, sign_in = setup
    sign_in(subject)
    response = client.put(f"/api/surveys/{aid}/answers", headers=HEADERS,
                          content=json.dumps({"answers": {"S1": 2}}))
    assert response.status_code == 403
    response = client.post(f"/api/surveys/{aid}/submit", headers=HEADERS, content=json.dumps(
        {"answers": ANSWERS, "idempotency_key": "c" * 36}))
    assert response.status_code == 403


def test_relative_submit_is_proxy_reported(setup):
    engine, aid, client, sign_in = setup
    sign_in("demo-relative")
    response = client.post(f"/api/surveys/{aid}/submit", headers=HEADERS, content=json.dumps(
        {"answers": ANSWERS, "idempotency_key": "d" * 36, "language": "fi"}))
    assert response.status_code == 200
    with read_session(engine) as session:
        row = session.exec(select(SurveyResponse).where(SurveyResponse.assignment_id == aid)).one()
    assert row.proxy_reported is True


def test_hostile_bodies_and_addresses_get_4xx_json_never_500(setup):
    engine, aid, client, sign_in = setup
    sign_in("demo-client")
    hostile = TestClient(client.app, base_url="http://localhost:3000",
                         raise_server_exceptions=False)
    hostile.cookies = client.cookies
    bodies = [
        '{"answers": {"S1": ' + "9" * 5000 + "}}",  # 5 000 digits: int() refuses them
        '{"answers": ' + "[" * 20_000 + "]" * 20_000 + "}",  # the parser's stack
        '{"answers": {"\\ud800": 1}}',  # a lone surrogate, which would be echoed back
        '{"answers": {"S1": 1e999}}',
    ]
    for body in bodies:
        for method, path in (("PUT", "answers"), ("POST", "submit")):
            response = hostile.request(method, f"/api/surveys/{aid}/{path}", headers=HEADERS,
                                       content=body)
            assert response.status_code == 400, (body[:40], response.text[:200])
            assert response.json()["error"] == "bad_request" and response.json()["message"]
    for wrong in ("99999999999999999999999", str(2**31), "0", "-1", "x"):
        response = hostile.put(f"/api/surveys/{wrong}/answers", headers=HEADERS,
                               content=json.dumps({"answers": {"S1": 2}}))
        assert response.status_code == 404 and response.json()["error"] == "forbidden"
    # The idempotency key is 16–64 characters and nothing else, not even a final newline.
    for key in ("a" * 36 + "\n", "a" * 65, "a" * 15, "ä" * 20):
        response = hostile.post(f"/api/surveys/{aid}/submit", headers=HEADERS,
                                content=json.dumps({"answers": ANSWERS, "idempotency_key": key}))
        assert response.status_code == 400 and response.json()["error"] == "bad_key", key
    # An unknown question is named back only when it is a question-sized key.
    long_key = "Q" * 5000
    response = hostile.put(f"/api/surveys/{aid}/answers", headers=HEADERS,
                           content=json.dumps({"answers": {long_key: 1}}))
    assert response.status_code == 400 and response.json()["item"] is None
    with read_session(engine) as session:
        assert session.exec(select(SurveyResponse).where(
            SurveyResponse.assignment_id == aid)).all() == []
