"""Surveys on a real database: assign, save as given, submit exactly once, denials, audit."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from hbapp.db import read_session
from hbapp.domain.scoring import score
from hbapp.models import AuditLog, Client, Person, SurveyAssignment, SurveyResponse
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.surveys import (
    SurveyError,
    assign_survey,
    client_assignments,
    due_surveys,
    open_assignment,
    results_for_client,
    save_answer,
    save_answers,
    submit,
)

TODAY = date.today()
PROMIS = {
    "Global01": 4, "Global02": 3, "Global03": 3, "Global04": 4, "Global05": 4,
    "Global06": 4, "Global07r": 2, "Global08r": 4, "Global09r": 3, "Global10r": 4,
}
KEY = "k" * 20


def person_id(engine, subject: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()


def actor(engine, subject: str):
    with read_session(engine) as session:
        return load_actor(session, person_id(engine, subject))


def client_by_first_name(engine, first_name: str) -> int:
    with read_session(engine) as session:
        return session.exec(select(Client.id).where(Client.first_name == first_name)).one()


@pytest.fixture
def db(empty_engine):
    seed_demo(empty_engine)
    return empty_engine


def new_assignment(engine, instrument="promis10", client="Aino", timepoint="end"):
    worker = actor(engine, "demo-worker")
    return assign_survey(engine, worker, client_by_first_name(engine, client), instrument,
                         TODAY + timedelta(days=14), timepoint, TODAY)


def counts(engine):
    with read_session(engine) as session:
        return (session.exec(select(func.count()).select_from(SurveyResponse)).one(),
                session.exec(select(func.count()).select_from(AuditLog)).one())


def test_assign_save_submit_and_results(db):
    assignment = new_assignment(db)
    aino_actor = actor(db, "demo-client")
    aino = client_by_first_name(db, "Aino")
    due = due_surveys(db, aino_actor, aino, TODAY)
    assert assignment.id in [a.id for a in due]
    assert [a.due_on for a in due] == sorted(a.due_on for a in due)

    # Each answer is saved as given and comes back on another day.
    save_answer(db, aino_actor, assignment.id, "Global01", 4, TODAY)
    draft = save_answers(db, aino_actor, assignment.id, {"Global02": 3, "Global07r": 2}, TODAY)
    assert draft == {"Global01": 4, "Global02": 3, "Global07r": 2}
    view, own, earlier = open_assignment(db, aino_actor, assignment.id, TODAY + timedelta(days=1))
    assert view.draft == draft and own is None
    assert len(earlier) == 2  # the seeded baseline and follow-up PROMIS answers

    result = submit(db, aino_actor, assignment.id, PROMIS, KEY, TODAY, "en")
    assert not result.repeated
    assert result.response.scores == score("promis10", PROMIS)
    assert result.response.proxy_reported is False
    with read_session(db) as session:
        row = session.get(SurveyAssignment, assignment.id)
        assert row.completed_at is not None
        stored = session.exec(select(SurveyResponse).where(
            SurveyResponse.assignment_id == assignment.id)).one()
        assert json.loads(stored.scores) == score("promis10", PROMIS)
        assert json.loads(stored.answers) == PROMIS
        actions = session.exec(select(AuditLog.action).where(
            AuditLog.subject_client_id == aino)).all()
    for action in ("survey_assign", "survey_save", "survey_view", "survey_submit",
                   "survey_due_view"):
        assert action in actions
    assert assignment.id not in [a.id for a in due_surveys(db, aino_actor, aino, TODAY)]
    results = results_for_client(db, aino_actor, aino, TODAY)
    assert results[0].assignment_id == assignment.id


def test_same_key_returns_first_result_and_other_key_is_refused(db):
    assignment = new_assignment(db)
    aino_actor = actor(db, "demo-client")
    first = submit(db, aino_actor, assignment.id, PROMIS, KEY, TODAY)
    before = counts(db)
    again = submit(db, aino_actor, assignment.id, PROMIS | {"Global01": 1}, KEY, TODAY)
    assert again.repeated and again.response.id == first.response.id
    assert again.response.scores == first.response.scores
    with pytest.raises(SurveyError) as refused:
        submit(db, aino_actor, assignment.id, PROMIS, "other-key-123456789", TODAY)
    assert refused.value.code == "already_submitted"
    with pytest.raises(SurveyError) as late:
        save_answer(db, aino_actor, assignment.id, "Global01", 2, TODAY)
    assert late.value.code == "already_submitted"
    assert counts(db)[0] == before[0]
    # A key used for one survey cannot complete another.
    other = new_assignment(db, "whodas12")
    with pytest.raises(SurveyError) as reused:
        submit(db, aino_actor, other.id, {f"S{i}": 2 for i in range(1, 13)}, KEY, TODAY)
    assert reused.value.code == "key_reused"


@pytest.mark.parametrize("answers, code, item", [
    ({"Global99": 3}, "unknown_item", "Global99"),
    ({"Global01": 6}, "out_of_range", "Global01"),
    ({"Global07r": 11}, "out_of_range", "Global07r"),
    ({"Global01": "3"}, "not_integer", "Global01"),
    ({"Global01": True}, "not_integer", "Global01"),
])
def test_bad_input_saves_nothing(db, answers, code, item):
    assignment = new_assignment(db)
    aino_actor = actor(db, "demo-client")
    save_answer(db, aino_actor, assignment.id, "Global02", 3, TODAY)
    for call in (
        lambda: save_answers(db, aino_actor, assignment.id, {"Global03": 2, **answers}, TODAY),
        lambda: submit(db, aino_actor, assignment.id, PROMIS | answers, KEY, TODAY),
    ):
        before = counts(db)
        with pytest.raises(SurveyError) as error:
            call()
        assert (error.value.code, error.value.item) == (code, item)
        assert counts(db) == before
    with read_session(db) as session:
        row = session.get(SurveyAssignment, assignment.id)
        assert json.loads(row.draft_answers) == {"Global02": 3}  # Global03 not half-saved
        assert row.completed_at is None


def test_relative_with_surveys_scope_answers_as_proxy(db):
    assignment = new_assignment(db, "hb-experience")
    mikko = actor(db, "demo-relative")
    answers = {"heard": 4, "choose": 5, "understand": 3, "sufficient": 2, "would_keep": 1,
               "comment": "Äiti pitää kotihoitajasta."}
    result = submit(db, mikko, assignment.id, answers, KEY, TODAY, "fi")
    assert result.response.proxy_reported is True
    assert result.response.answered_by_person_id == person_id(db, "demo-relative")
    assert result.response.scores == score("hb-experience", answers)
    assert result.response.answers["comment"] == "Äiti pitää kotihoitajasta."


def test_denials(db):
    assignment = new_assignment(db)
    aino = client_by_first_name(db, "Aino")
    liisa = actor(db, "demo-relative-view")  # view only: no surveys scope
    bengt = actor(db, "demo-client-2")
    before = counts(db)
    for who in (liisa, bengt):
        with pytest.raises(AccessDenied):
            open_assignment(db, who, assignment.id, TODAY)
        with pytest.raises(AccessDenied):
            save_answer(db, who, assignment.id, "Global01", 3, TODAY)
        with pytest.raises(AccessDenied):
            submit(db, who, assignment.id, PROMIS, KEY, TODAY)
        with pytest.raises(AccessDenied):
            due_surveys(db, who, aino, TODAY)
    with pytest.raises(AccessDenied):
        open_assignment(db, bengt, 999999, TODAY)  # unknown id: same answer as someone else's
    assert counts(db)[0] == before[0]

    # Workers: no consent (Greta), no assignment (demo-worker-2), not a worker (a client).
    greta = client_by_first_name(db, "Greta")
    with pytest.raises(AccessDenied) as no_consent:
        assign_survey(db, actor(db, "demo-worker"), greta, "promis10",
                      TODAY + timedelta(days=7), "baseline", TODAY)
    assert no_consent.value.reason == "no_consent"
    with pytest.raises(AccessDenied) as not_assigned:
        client_assignments(db, actor(db, "demo-worker-2"), aino, TODAY)
    assert not_assigned.value.reason == "not_assigned"
    with pytest.raises(AccessDenied):
        assign_survey(db, actor(db, "demo-client"), aino, "promis10",
                      TODAY + timedelta(days=7), "baseline", TODAY)
    # A case worker does not answer for the client.
    with pytest.raises(AccessDenied):
        submit(db, actor(db, "demo-worker"), assignment.id, PROMIS, KEY, TODAY)


def test_assign_rejects_bad_input(db):
    worker = actor(db, "demo-worker")
    aino = client_by_first_name(db, "Aino")
    for instrument, timepoint, due, code in (
        ("sf36", "baseline", TODAY, "unknown_instrument"),
        ("promis10", "tomorrow", TODAY, "unknown_timepoint"),
        ("promis10", "baseline", TODAY - timedelta(days=1), "due_in_past"),
    ):
        with pytest.raises(SurveyError) as error:
            assign_survey(db, worker, aino, instrument, due, timepoint, TODAY)
        assert error.value.code == code
    assignments, responses = client_assignments(db, worker, aino, TODAY)
    assert {a.instrument_id for a in assignments} == {"promis10"}
    assert len(responses) == 2


def test_concurrent_submits_store_exactly_one(db):
    assignment = new_assignment(db)
    aino_actor = actor(db, "demo-client")
    outcomes: list[object] = []

    def run(key: str):
        try:
            outcomes.append(submit(db, aino_actor, assignment.id, PROMIS, key, TODAY))
        except SurveyError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=run, args=(k,))
               for k in (KEY, KEY, "another-key-0123456789")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with read_session(db) as session:
        stored = session.exec(select(SurveyResponse).where(
            SurveyResponse.assignment_id == assignment.id)).all()
    assert len(stored) == 1
    ids = {o.response.id for o in outcomes if not isinstance(o, str)}
    assert ids <= {stored[0].id}
    assert all(o == "already_submitted" for o in outcomes if isinstance(o, str))
