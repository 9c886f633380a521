"""Issue 18.14: an organizer drops its licensed Finnish translation into HB_SURVEYS_DIR and
the survey is then shown — and recorded — in Finnish; the case worker marks a response as
answered with help. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hbapp.db import read_session
from hbapp.domain.scoring import load_instrument
from hbapp.domain.survey_texts import localized_instrument
from hbapp.i18n import Translator
from hbapp.models import AuditLog, SurveyResponse
from hbapp.pages.client.survey_fill import questions
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied
from hbapp.services.sessions import create_session
from hbapp.services.surveys import assign_survey, client_assignments, mark_answered_with_help
from hbapp.views.surveys import response_texts
from hbapp.web import guard, survey_api
from tests.integration.test_survey_service import actor, client_by_first_name, person_id

TODAY = date.today()
SHIPPED = Path(__file__).resolve().parents[2] / "surveys"
ANSWERS = {f"S{i}": (i % 5) + 1 for i in range(1, 13)}
HEADERS = {"X-HB-Request": "1", "Content-Type": "application/json"}


def fake_finnish_whodas() -> dict:
    """A made-up (not the licensed) Finnish text for every item and option, as README says."""
    inst = load_instrument("whodas12")
    return {
        "id": "whodas12", "language": "fi", "licence": "Testi: ei oikea lisenssi",
        "title": "WHODAS 2.0 (keksitty testikäännös)",
        "time_frame": "Viimeisten 30 päivän aikana",
        "items": {item["key"]: {"text": f"Keksitty kysymys {item['key']}",
                                "options": {str(o["value"]): f"Keksitty vaihtoehto {o['value']}"
                                            for o in item["options"]}}
                  for item in inst["items"]},
    }


@pytest.fixture
def surveys_dir(tmp_path, monkeypatch):
    """HB_SURVEYS_DIR as an organizer sets it up: the shipped instruments plus `licensed/`."""
    directory = tmp_path / "surveys"
    shutil.copytree(SHIPPED, directory, ignore=shutil.ignore_patterns("licensed", "*.md"))
    (directory / "licensed").mkdir()
    (directory / "licensed" / "whodas12.fi.json").write_text(
        json.dumps(fake_finnish_whodas(), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("HB_SURVEYS_DIR", str(directory))
    monkeypatch.delenv("HB_SURVEYS_LICENSED_DIR", raising=False)
    return directory


def test_a_licensed_translation_in_hb_surveys_dir_is_shown_and_recorded(surveys_dir,
                                                                        empty_engine,
                                                                        monkeypatch):
    shown = localized_instrument("whodas12", "fi")
    assert (shown.language, shown.fallback, shown.overlay_error) == ("fi", False, None)
    texts = questions(Translator("fi"), shown.instrument, shown.language)
    assert texts[0].text == "Keksitty kysymys S1"
    assert texts[0].choices[0].label.startswith("Keksitty vaihtoehto")
    # Swedish has no file: still the English original, with the note.
    assert localized_instrument("whodas12", "sv").fallback is True

    # The client answers in Finnish: the response records that the texts were Finnish.
    seed_demo(empty_engine)
    monkeypatch.setattr(survey_api, "get_engine", lambda: empty_engine)
    monkeypatch.setattr(guard, "get_engine", lambda: empty_engine)
    assignment = assign_survey(empty_engine, actor(empty_engine, "demo-worker"),
                               client_by_first_name(empty_engine, "Aino"), "whodas12",
                               TODAY + timedelta(days=3), "6_months", TODAY)
    client = TestClient(Starlette(routes=survey_api.survey_routes()),
                        base_url="http://localhost:3000")
    token, _ = create_session(empty_engine, person_id(empty_engine, "demo-client"))
    client.cookies.set("hb_session", token)
    body = json.dumps({"answers": ANSWERS, "idempotency_key": "c" * 36, "language": "fi"})
    answer = client.post(f"/api/surveys/{assignment.id}/submit", headers=HEADERS, content=body)
    assert answer.status_code == 200, answer.text
    with read_session(empty_engine) as session:
        row = session.exec(select(SurveyResponse).where(
            SurveyResponse.assignment_id == assignment.id)).one()
    assert row.language == "fi"


def test_the_case_worker_marks_an_answer_given_with_help(empty_engine):
    seed_demo(empty_engine)
    worker = actor(empty_engine, "demo-worker")
    aino = client_by_first_name(empty_engine, "Aino")
    _, responses = client_assignments(empty_engine, worker, aino, TODAY)
    response = responses[0]
    assert not response.answered_with_help
    mark_answered_with_help(empty_engine, worker, response.id, True, TODAY)
    mark_answered_with_help(empty_engine, worker, response.id, True, TODAY)  # once only
    _, responses = client_assignments(empty_engine, worker, aino, TODAY)
    marked = next(r for r in responses if r.id == response.id)
    assert marked.answered_with_help
    texts = response_texts(Translator("fi"), marked)
    assert texts["helped"] == Translator("fi")("Answered with help (marked by the case worker)")
    with read_session(empty_engine) as session:
        row = session.get(SurveyResponse, response.id)
        assert row.help_marked_by_person_id == worker.person_id
        audits = session.exec(select(AuditLog).where(
            AuditLog.action == "survey_help_mark")).all()
    assert len(audits) == 1 and audits[0].subject_client_id == aino
    # Another worker without the client, and the client herself, are refused.
    for subject in ("demo-worker-2", "demo-client"):
        with pytest.raises(AccessDenied):
            mark_answered_with_help(empty_engine, actor(empty_engine, subject), response.id,
                                    False, TODAY)
    mark_answered_with_help(empty_engine, worker, response.id, False, TODAY)
    with read_session(empty_engine) as session:
        assert session.get(SurveyResponse, response.id).answered_with_help is False
