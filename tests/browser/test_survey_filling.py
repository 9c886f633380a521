"""Answering surveys on the phone: every instrument, going offline mid-survey, resuming after a
reload, submitting exactly once, a relative answering as proxy, the case worker assigning."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hbapp.db import make_engine, read_session, write_session
from hbapp.domain.scoring import load_instrument, score
from hbapp.models import Client, Person, SurveyAssignment, SurveyResponse, utcnow
from hbapp.services.access import load_actor
from hbapp.services.surveys import assign_survey
from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded

PROMIS = {
    "Global01": 3, "Global02": 4, "Global03": 2, "Global04": 4, "Global05": 3,
    "Global09r": 3, "Global06": 2, "Global10r": 4, "Global08r": 3, "Global07r": 6,
}
WHOQOL = {f"Q{i}": (i % 5) + 1 for i in range(1, 27)}
WHODAS = {f"S{i}": (i % 4) + 1 for i in range(1, 13)}
HB_EXPERIENCE = {"heard": 4, "choose": 5, "understand": 3, "sufficient": 2, "would_keep": 1,
                 "comment": "Kotihoitaja on ihana."}
STEP = "#survey-form [data-step]:not([hidden])"


class Db:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.created: list[int] = []

    def restore(self) -> None:
        """Other browser tests (e.g. the worker's alerts) rely on the seeded survey history:
        remove the responses to assignments made here and cancel those assignments."""
        if not self.created:
            return
        with write_session(self.engine) as session:
            for response in session.exec(select(SurveyResponse).where(
                    SurveyResponse.assignment_id.in_(self.created))).all():
                session.delete(response)
            for assignment in session.exec(select(SurveyAssignment).where(
                    SurveyAssignment.id.in_(self.created))).all():
                assignment.cancelled_at = assignment.cancelled_at or utcnow()
                session.add(assignment)

    def person(self, subject: str) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()

    def client(self, first_name: str) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(Client.id).where(Client.first_name == first_name)).one()

    def assign(self, instrument: str, first_name: str = "Aino") -> int:
        with read_session(self.engine) as session:
            worker = load_actor(session, self.person("demo-worker"))
        assignment_id = assign_survey(self.engine, worker, self.client(first_name), instrument,
                                      date.today() + timedelta(days=5), "end", date.today()).id
        self.created.append(assignment_id)
        return assignment_id

    def responses(self, assignment_id: int) -> list[SurveyResponse]:
        with read_session(self.engine) as session:
            return session.exec(select(SurveyResponse).where(
                SurveyResponse.assignment_id == assignment_id)).all()

    def draft(self, assignment_id: int) -> dict:
        with read_session(self.engine) as session:
            return json.loads(session.get(SurveyAssignment, assignment_id).draft_answers)


@pytest.fixture
def db(app_server):
    database = Db(app_server.database_url)
    yield database
    database.restore()
    database.engine.dispose()


def open_survey(page, app_server, assignment_id: int) -> None:
    page.goto(app_server.url(f"/surveys/{assignment_id}"))
    wait_until_loaded(page)
    page.wait_for_selector("#survey-form[data-enhanced='1']")


def current_key(page) -> str | None:
    return page.locator(STEP).get_attribute("data-key")


def answer(page, key: str, value) -> None:
    assert current_key(page) == key
    if isinstance(value, str):
        page.locator(f"{STEP} textarea").fill(value)
    else:
        option = page.locator(f"label[for='q-{key}-{value}']")
        box = option.bounding_box()
        assert box["height"] >= 48  # large answer buttons
        option.click()
        assert page.locator(f"#q-{key}-{value}").is_checked()
    page.locator(f"{STEP} .survey-next").click()


def check_and_send(page, instrument: str, answers: dict) -> None:
    page.wait_for_selector("#survey-form [data-step='check']:not([hidden])")
    items = load_instrument(instrument)["items"]
    assert page.locator("#survey-check-list > div").count() == len(items)
    for item in items:
        if item["key"] in answers and isinstance(answers[item["key"]], int) and "options" in item:
            label = page.locator(f"label[for='q-{item['key']}-{answers[item['key']]}']").inner_text()
            assert page.locator(f"[data-answer-for='{item['key']}']").inner_text() == label
    page.locator("#survey-submit").click()
    page.wait_for_selector("#survey-summary")


def assert_stored(db, assignment_id: int, instrument: str, answers: dict, proxy: bool) -> None:
    stored = db.responses(assignment_id)
    assert len(stored) == 1
    assert json.loads(stored[0].answers) == answers
    assert json.loads(stored[0].scores) == score(instrument, answers)
    assert stored[0].proxy_reported is proxy


@pytest.mark.parametrize("instrument, answers", [
    ("whoqol-bref", WHOQOL), ("whodas12", WHODAS), ("hb-experience", HB_EXPERIENCE),
])
def test_client_answers_an_instrument(page, app_server, db, instrument, answers):
    assignment_id = db.assign(instrument)
    sign_in(page, app_server, "demo-client", f"/surveys/{assignment_id}")
    open_survey(page, app_server, assignment_id)
    fallback = page.locator(f"{STEP} .notice")
    if instrument == "hb-experience":
        assert fallback.count() == 0
        assert page.locator(f"{STEP}").inner_text().find("Ajattele") >= 0
    else:
        assert "englanniksi" in fallback.inner_text()
    assert_no_axe_violations(page)
    page.locator(f"{STEP} .survey-next").click()
    items = load_instrument(instrument)["items"]
    for number, item in enumerate(items, start=1):
        progress = page.locator(f"{STEP} .survey-progress").inner_text()
        assert progress == f"Kysymys {number}/{len(items)}"
        if number == 2:
            assert_no_axe_violations(page)
        answer(page, item["key"], answers[item["key"]])
    assert_no_axe_violations(page)
    check_and_send(page, instrument, answers)
    assert "?sent=1" in page.url
    assert_no_axe_violations(page)
    assert_stored(db, assignment_id, instrument, answers, proxy=False)


def test_promis_offline_mid_survey_reload_resumes_and_submits_once(page, context, app_server, db):
    assignment_id = db.assign("promis10")
    sign_in(page, app_server, "demo-client", f"/surveys/{assignment_id}")
    open_survey(page, app_server, assignment_id)
    page.locator(f"{STEP} .survey-next").click()
    keys = list(PROMIS)  # print order
    for key in keys[:3]:
        answer(page, key, PROMIS[key])
    page.wait_for_function(
        f"() => Object.keys(JSON.parse(localStorage.getItem('hb-survey-{assignment_id}'))"
        ".pending).length === 0")
    assert db.draft(assignment_id) == {k: PROMIS[k] for k in keys[:3]}

    context.set_offline(True)
    for key in keys[3:6]:
        answer(page, key, PROMIS[key])
    assert "Ei yhteyttä" in page.locator("#survey-status").inner_text()
    assert db.draft(assignment_id) == {k: PROMIS[k] for k in keys[:3]}  # nothing reached it
    context.set_offline(False)
    page.wait_for_function(
        f"() => Object.keys(JSON.parse(localStorage.getItem('hb-survey-{assignment_id}'))"
        ".pending).length === 0")
    assert db.draft(assignment_id) == {k: PROMIS[k] for k in keys[:6]}

    # A reload (or another day) resumes at the next question with the answers kept.
    page.reload()
    page.wait_for_selector("#survey-form[data-enhanced='1']")
    assert current_key(page) == keys[6]
    page.locator(f"{STEP} .back-link").click()
    assert current_key(page) == keys[5]
    assert page.locator(f"#q-{keys[5]}-{PROMIS[keys[5]]}").is_checked()
    page.locator(f"{STEP} .survey-next").click()
    for key in keys[6:]:
        answer(page, key, PROMIS[key])

    # Change one answer from the check page, then send while offline: sent when back.
    page.locator("#survey-check-list a[data-goto]").first.click()
    answer(page, "Global01", 4)
    final = PROMIS | {"Global01": 4}
    page.wait_for_selector("#survey-form [data-step='check']:not([hidden])")
    assert_no_axe_violations(page)
    idem = page.evaluate(f"JSON.parse(localStorage.getItem('hb-survey-{assignment_id}')).key")
    context.set_offline(True)
    page.locator("#survey-submit").click()
    page.wait_for_function("() => document.querySelector('#survey-status').innerText !== ''")
    assert db.responses(assignment_id) == []
    context.set_offline(False)
    page.wait_for_selector("#survey-summary", timeout=30000)
    assert_stored(db, assignment_id, "promis10", final, proxy=False)
    summary = page.locator("#survey-summary").inner_text()
    assert "Fyysisen terveytesi pisteet" in summary and "Viime kerralla" in summary

    # A retry with the same key returns the first result; nothing new is stored.
    again = page.evaluate(
        """([id, key, answers]) => fetch(`/api/surveys/${id}/submit`, {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-HB-Request': '1'},
            body: JSON.stringify({answers: answers, idempotency_key: key})})
            .then(r => r.json())""",
        [assignment_id, idem, {**final, "Global02": 1}],
    )
    assert again["repeated"] is True
    assert_stored(db, assignment_id, "promis10", final, proxy=False)
    assert page.evaluate(f"localStorage.getItem('hb-survey-{assignment_id}')") is None


def test_relative_answers_as_proxy(page, app_server, db):
    assignment_id = db.assign("whodas12")
    sign_in(page, app_server, "demo-relative", f"/surveys/{assignment_id}")
    open_survey(page, app_server, assignment_id)
    page.locator(f"{STEP} .survey-next").click()
    for key, value in WHODAS.items():
        answer(page, key, value)
    check_and_send(page, "whodas12", WHODAS)
    assert_stored(db, assignment_id, "whodas12", WHODAS, proxy=True)
    assert "edustaja" in page.locator("main").inner_text()


def test_surveys_list_and_denials(page, app_server, db):
    assignment_id = db.assign("hb-experience")
    try:
        sign_in(page, app_server, "demo-client", "/surveys")
        wait_until_loaded(page)
        assert page.locator(f"#due-surveys a[href='/surveys/{assignment_id}']").is_visible()
        assert page.locator("#answered-surveys li").count() >= 2
        assert_no_axe_violations(page)
        # Someone else's assignment id cannot be opened.
        bengt_survey = db.assign("promis10", "Bengt")
        page.goto(app_server.url(f"/surveys/{bengt_survey}"))
        wait_until_loaded(page)
        assert page.locator("#survey-form").count() == 0
        assert page.locator("main .notice-error").is_visible()
    finally:
        with write_session(db.engine) as session:
            for row in session.exec(select(SurveyAssignment).where(
                    SurveyAssignment.completed_at.is_(None),
                    SurveyAssignment.assigned_by_person_id == db.person("demo-worker"),
                    SurveyAssignment.timepoint == "end")).all():
                row.cancelled_at = utcnow()
                session.add(row)


def test_view_only_relative_cannot_answer(page, app_server, db):
    sign_in(page, app_server, "demo-relative-view", "/surveys")
    wait_until_loaded(page)
    assert page.locator("main .notice-error").is_visible()


def test_worker_assigns_a_survey(page, app_server, db):
    matti = db.client("Matti")
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{matti}/surveys")
    wait_until_loaded(page)
    assert_no_axe_violations(page)
    before = page.locator("#worker-assignments li").count()
    page.select_option("#assign-instrument", "hb-experience")
    page.select_option("#assign-timepoint", "6_months")
    page.fill("#assign-due", (date.today() + timedelta(days=30)).isoformat())
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#assign-confirmation")
    assert page.locator("#worker-assignments li").count() == before + 1
    with write_session(db.engine) as session:
        row = session.exec(select(SurveyAssignment).where(
            SurveyAssignment.client_id == matti, SurveyAssignment.instrument_id == "hb-experience",
            SurveyAssignment.cancelled_at.is_(None))).one()
        assert row.timepoint == "6_months"
        assert row.due_on == date.today() + timedelta(days=30)
        row.cancelled_at = utcnow()  # leave Matti's open surveys as seeded
        session.add(row)

    greta = db.client("Greta")
    page.goto(app_server.url(f"/worker/clients/{greta}/surveys"))
    wait_until_loaded(page)
    assert page.locator("main .notice-error").is_visible()
    assert page.locator("#assign-instrument").count() == 0
