"""Security in the running app (issue 12 B): a tab's states after its session ends (B2), the
websocket's and CORS's origins (B3), forged and repeated events (B1, B6, B8), the
Content-Security-Policy with Reflex's inline scripts (B10).

Events a page would never send are driven through `tests/browser/reflex_socket.py`, with the
cookie of a real sign-in. Nothing here changes data other tests rely on; what a test adds, it
removes.
"""

from __future__ import annotations

import base64
import hashlib
import re
import stat
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select

from hbapp.db import make_engine, read_session, write_session
from hbapp.i18n import Translator
from hbapp.models import (
    AuditLog,
    Budget,
    Client,
    Consent,
    Feedback,
    Mandate,
    MandateStatus,
    Person,
    Provider,
    ProviderChoice,
    ProviderMunicipality,
    ProviderPrice,
    ServiceType,
    SurveyAssignment,
    utcnow,
)
from tests.browser.helpers import delete_choice, put_choice_back, sign_in, wait_until_loaded
from tests.browser.reflex_socket import ReflexTab, Rejected, session_cookie, state_path

FI = Translator("fi")
HUGE = "99999999999999999999999"


class Db:
    def __init__(self, app_server):
        self.engine = make_engine(app_server.database_url)

    def client(self, first_name: str) -> Client:
        with read_session(self.engine) as session:
            return session.exec(select(Client).where(Client.first_name == first_name)).one()

    def person(self, subject: str) -> Person:
        with read_session(self.engine) as session:
            return session.exec(select(Person).where(Person.oidc_subject == subject)).one()

    def decision(self, client_id: int) -> str:
        with read_session(self.engine) as session:
            return session.exec(select(Budget.decision_reference)
                                .where(Budget.client_id == client_id)).first()

    def count(self, model, *where) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(func.count()).select_from(model).where(*where)).one()

    def last_audit(self, actor_id: int) -> AuditLog:
        with read_session(self.engine) as session:
            return session.exec(select(AuditLog).where(AuditLog.actor_person_id == actor_id)
                                .order_by(AuditLog.id.desc())).first()


@pytest.fixture
def db(app_server):
    database = Db(app_server)
    yield database
    database.engine.dispose()


def record_frames(page) -> list[str]:
    """Every websocket frame the page receives, as text, in order."""
    frames: list[str] = []

    def on_socket(socket):
        socket.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

    page.on("websocket", on_socket)
    return frames


def server_tracebacks(app_server) -> int:
    return (app_server.data_dir / "server.log").read_text(errors="replace").count("Traceback")


# ------------------------------------------------------------------ B2: nothing stays in a tab


def test_the_next_person_in_a_tab_gets_nothing_of_the_previous_one(page, app_server, db):
    aino, bengt = db.client("Aino"), db.client("Bengt")
    personal = ["Aino", "Virtanen", db.decision(aino.id), aino.personal_identity_code]
    frames = record_frames(page)
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{aino.id}")
    wait_until_loaded(page)
    page.get_by_role("heading", level=1, name="Aino Virtanen").wait_for()
    seen = "\n".join(frames)
    assert "Aino Virtanen" in seen and db.decision(aino.id) in seen  # the test sees the data
    token = page.evaluate("window.sessionStorage.getItem('token')")
    assert token

    # Leave as the expiry warning's link does; the next person signs in in the same tab.
    start = len(frames)
    page.goto(app_server.url("/auth/logout"))
    page.wait_for_url(app_server.url("/"))
    sign_in(page, app_server, "demo-client-2", "/")
    wait_until_loaded(page)
    assert page.evaluate("window.sessionStorage.getItem('token')") == token  # the same tab
    after = "\n".join(frames[start:])
    assert "Bengt" in after or "Lindholm" in after  # Bengt's own page did arrive
    for value in personal:
        assert value not in after, value

    # A reconnect with the tab token and no cookie: nobody's data, neither Aino's nor Bengt's.
    with ReflexTab(app_server.base_url, cookie="", token=token) as tab:
        tab.connect(f"/worker/clients/{aino.id}", {"client_id": str(aino.id)})
        tab.drain(1.5)
        received = "\n".join(tab.frames)
    for value in [*personal, "Bengt", "Lindholm", db.decision(bengt.id), "Sari Mäkinen"]:
        assert value not in received, value


def test_tab_states_on_disk_are_private(page, app_server):
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    states = app_server.data_dir / "states"
    deadline = time.monotonic() + 10  # the disk state manager writes after a short debounce
    while not list(states.glob("*.pkl")) and time.monotonic() < deadline:
        time.sleep(0.2)
    files = list(states.glob("*.pkl"))
    assert files
    assert stat.S_IMODE(states.stat().st_mode) & 0o077 == 0
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, oct(path.stat().st_mode)


# ------------------------------------------------------------------ B3: only our own origin


def test_the_websocket_refuses_other_origins(page, app_server):
    sign_in(page, app_server, "demo-client", "/")
    cookie = session_cookie(page)
    port = int(app_server.base_url.rsplit(":", 1)[1])
    with ReflexTab(app_server.base_url, cookie) as own:
        own.connect("/budget")
        assert "Aino Virtanen" in "\n".join(own.frames)  # the same cookie works from HB
    for origin in (f"http://localhost:{port + 1}", f"http://127.0.0.1:{port}",
                   "https://evil.example", "null"):
        tab = ReflexTab(app_server.base_url, cookie, origin=origin)
        with pytest.raises(Rejected):
            tab.connect("/budget", timeout=10)
        assert "Virtanen" not in "\n".join(tab.frames), origin
        tab.close()


def test_cors_preflight_grants_only_our_origin(app_server):
    url = app_server.url("/api/surveys/1/submit")
    ask = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type,x-hb-request"}
    evil = httpx.options(url, headers={"Origin": "https://evil.example", **ask})
    assert evil.headers.get("access-control-allow-origin") not in ("https://evil.example", "*")
    assert evil.status_code >= 400
    own = httpx.options(url, headers={"Origin": app_server.base_url, **ask})
    assert own.headers.get("access-control-allow-origin") == app_server.base_url


# ------------------------------------------------------------------ B10: CSP with Reflex


def _inline_hashes(html: str) -> set[str]:
    found = set()
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        if "src=" not in attributes:
            digest = hashlib.sha256(body.encode()).digest()
            found.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return found


def test_every_response_forbids_framing_and_pages_allow_only_their_scripts(app_server):
    html = httpx.get(app_server.url("/budget"), headers={"Accept-Encoding": "gzip, br"},
                     follow_redirects=True)
    policy = html.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert _inline_hashes(html.text) and \
        _inline_hashes(html.text) <= set(re.split(r"[;\s]+", policy))
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    asset = re.search(r'src="(/assets/[^"]+\.js)"', html.text) or \
        re.search(r'"(/assets/[^"]+\.js)"', html.text)
    for response in (
        httpx.get(app_server.url(asset.group(1))),
        httpx.get(app_server.url("/hb.css")),
        httpx.get(app_server.url("/healthz")),
        httpx.get(app_server.url("/auth/session")),
        httpx.post(app_server.url("/api/surveys/1/submit"), json={}),
        httpx.get(app_server.url("/no-such-page")),
    ):
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), \
            response.url
        assert response.headers.get("x-frame-options") == "DENY"


def test_the_app_runs_under_its_policy(page, app_server):
    """Reflex's pages, events and scripts work with the policy on: no violation anywhere."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    page.get_by_role("button", name=FI("Previous month")).click()
    page.wait_for_function("() => location.search.includes('month=')")
    # Twice: the second time the browser revalidates its cached page (304 Not Modified).
    for path in ("/", "/providers", "/privacy", "/mandates", "/settings", "/", "/budget"):
        page.goto(app_server.url(path))
        wait_until_loaded(page)
    assert violations == []
    # Another site cannot show HB in a frame.
    page.set_content(f'<iframe id="f" src="{app_server.url("/")}"></iframe>')
    page.wait_for_timeout(1000)
    frame = page.frame_locator("#f")
    assert frame.locator("main#main").count() == 0


# ------------------------------------------------------------------ B1: forged events


def test_a_worker_cannot_make_themself_an_agent_or_a_consent_giver(page, app_server, db):
    greta = db.client("Greta")  # assigned to demo-worker, no consent
    sari, jukka = db.person("demo-worker"), db.person("demo-worker-2")
    admin = db.person("demo-admin")
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{greta.id}/access")
    wait_until_loaded(page)
    access = state_path("pages.worker.client_access", "WorkerAccessState")
    path = f"/worker/clients/{greta.id}/access"
    mandates_before = db.count(Mandate, Mandate.client_id == greta.id)
    with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
        tab.connect(path, {"client_id": str(greta.id)})
        for agent in (sari.id, jukka.id, admin.id):
            answer = tab.call(path, f"{access}.record_mandate", {"form_data": {
                "agent": str(agent), "relation": "relative", "scope_view": "on",
                "scope_manage": "on", "from_day": str(time.localtime().tm_mday),
                "from_month": str(time.localtime().tm_mon),
                "from_year": str(time.localtime().tm_year)}})
            assert FI("A case worker or an administrator cannot be given a mandate here.") \
                in answer
        for giver in (sari.id, admin.id, db.person("demo-relative").id):
            answer = tab.call(path, f"{access}.record_consent",
                              {"form_data": {"giver": str(giver), "note": "x"}})
            assert "error_rx_state_" in answer
    assert db.count(Mandate, Mandate.client_id == greta.id) == mandates_before
    assert db.count(Consent, Consent.client_id == greta.id) == 0
    refused = db.last_audit(sari.id)
    assert (refused.action, refused.subject_client_id) == ("refused", greta.id)


# ------------------------------------------------------------------ B6: confirm steps once


def _cleanup_mandates(db, client_id: int, agent_id: int) -> None:
    with write_session(db.engine) as session:
        for row in session.exec(select(Mandate).where(
                Mandate.client_id == client_id, Mandate.agent_person_id == agent_id,
                Mandate.status.in_(("active", "requested")))).all():
            row.status, row.revoked_at = MandateStatus.REVOKED.value, utcnow()
            session.add(row)


def test_double_submits_write_once(page, app_server, db):
    elsa, liisa = db.client("Elsa"), db.person("demo-relative-view")
    sign_in(page, app_server, "demo-worker", f"/worker/clients/{elsa.id}/access")
    wait_until_loaded(page)
    access = state_path("pages.worker.client_access", "WorkerAccessState")
    surveys = state_path("pages.worker.client_surveys", "WorkerSurveysState")
    path = f"/worker/clients/{elsa.id}/access"
    today = time.localtime()
    form = {"agent": str(liisa.id), "relation": "relative", "scope_view": "on",
            "from_day": str(today.tm_mday), "from_month": str(today.tm_mon),
            "from_year": str(today.tm_year)}
    try:
        with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
            tab.connect(path, {"client_id": str(elsa.id)})
            tab.send(path, f"{access}.record_mandate", {"form_data": form})
            answer = tab.call(path, f"{access}.record_mandate", {"form_data": form})
            assert "already" not in answer  # the second submit is silent, not an error
        assert db.count(Mandate, Mandate.client_id == elsa.id,
                        Mandate.agent_person_id == liisa.id,
                        Mandate.status == "active") == 1

        survey_path = f"/worker/clients/{elsa.id}/surveys"
        assignments = db.count(SurveyAssignment, SurveyAssignment.client_id == elsa.id)
        with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
            tab.connect(survey_path, {"client_id": str(elsa.id)})
            due = f"{today.tm_year + 1}-01-15"
            assign = {"form": {"instrument": "whodas12", "timepoint": "end", "due_on": due}}
            tab.send(survey_path, f"{surveys}.assign", assign)
            tab.call(survey_path, f"{surveys}.assign", assign)
        assert db.count(SurveyAssignment, SurveyAssignment.client_id == elsa.id) == \
            assignments + 1
    finally:
        _cleanup_mandates(db, elsa.id, liisa.id)
        with write_session(db.engine) as session:
            for row in session.exec(select(SurveyAssignment).where(
                    SurveyAssignment.client_id == elsa.id,
                    SurveyAssignment.timepoint == "end",
                    SurveyAssignment.instrument_id == "whodas12")).all():
                session.delete(row)


def test_choosing_a_provider_twice_quickly_chooses_once(page, app_server, db):
    bengt = db.client("Bengt")
    with read_session(db.engine) as session:
        before = session.exec(select(ProviderChoice).where(
            ProviderChoice.client_id == bengt.id, ProviderChoice.ended_at.is_(None))).all()
    with read_session(db.engine) as session:
        provider = session.exec(
            select(Provider.id)
            .join(ProviderPrice, ProviderPrice.provider_id == Provider.id)
            .join(ServiceType, ServiceType.id == ProviderPrice.service_type_id)
            .join(ProviderMunicipality, ProviderMunicipality.provider_id == Provider.id)
            .where(ServiceType.code == "transport", Provider.approval_status == "approved",
                   ProviderMunicipality.municipality_code == bengt.municipality_code,
                   Provider.id.not_in([row.provider_id for row in before]))
        ).first()
    sign_in(page, app_server, "demo-client-2", "/")
    wait_until_loaded(page)
    choose = state_path("pages.client.choose_provider", "ChooseProviderState")
    path = f"/choose-provider?provider={provider}&service=transport"
    try:
        with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
            tab.connect(path)
            tab.send(path, f"{choose}.confirm")
            tab.call(path, f"{choose}.confirm")
        with read_session(db.engine) as session:
            chosen = session.exec(select(ProviderChoice).where(
                ProviderChoice.client_id == bengt.id, ProviderChoice.ended_at.is_(None),
                ProviderChoice.provider_id == int(provider))).all()
        assert len(chosen) == 1
    finally:
        with write_session(db.engine) as session:  # put Bengt's choices back as they were
            kept = {row.id for row in before}
            for row in session.exec(select(ProviderChoice).where(
                    ProviderChoice.client_id == bengt.id)).all():
                if row.id in kept:
                    put_choice_back(session, row, None)
                elif row.ended_at is None:
                    delete_choice(session, row)


# ------------------------------------------------------------------ B8: bad input, no crash


@pytest.mark.parametrize("path", [
    f"/providers/{HUGE}", f"/choose-provider?provider={HUGE}&service=home_care",
    f"/surveys/{HUGE}", "/budget?month=9999-12", "/budget?month=0001-01",
    f"/mandates?revoke={HUGE}", "/privacy?person=%C2%B2&page=" + HUGE,
])
def test_bad_addresses_answer_plainly(page, app_server, path):
    before = server_tracebacks(app_server)
    sign_in(page, app_server, "demo-client", "/")
    page.goto(app_server.url(path))
    wait_until_loaded(page)
    assert page.locator("#hb-global-notice").count() == 0
    assert "An error occurred" not in page.content()
    assert server_tracebacks(app_server) == before


@pytest.mark.parametrize("suffix", ["", "/access", "/surveys"])
def test_bad_worker_addresses_answer_plainly(page, app_server, suffix):
    before = server_tracebacks(app_server)
    sign_in(page, app_server, "demo-worker", "/worker")
    for value in (HUGE, "%C2%B2", "-1"):
        page.goto(app_server.url(f"/worker/clients/{value}{suffix}"))
        wait_until_loaded(page)
        assert page.locator("#hb-global-notice").count() == 0
    assert server_tracebacks(app_server) == before


def test_forged_payloads_get_a_translated_refusal(page, app_server, db):
    before = server_tracebacks(app_server)
    sign_in(page, app_server, "demo-worker", "/worker")
    greta = db.client("Greta")
    access = state_path("pages.worker.client_access", "WorkerAccessState")
    path = f"/worker/clients/{greta.id}/access"
    with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
        tab.connect(path, {"client_id": str(greta.id)})
        for handler, payload in (
            ("record_consent", {"form_data": ["not", "a", "dict"]}),
            ("record_mandate", {"form_data": "text"}),
            ("revoke_mandate", {"mandate_id": 5}),
            ("revoke_mandate", {"mandate_id": HUGE}),
            ("revoke_consent", {}),  # no confirmation step open: nothing happens
        ):
            answer = tab.call(path, f"{access}.{handler}", payload)
            assert "Traceback" not in answer and "An error occurred" not in answer
    # A client's month switcher asked to jump 2**62 months stays within the budget years.
    sign_in(page, app_server, "demo-client", "/budget")
    wait_until_loaded(page)
    budget = state_path("pages.client.budget", "BudgetState")
    with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
        tab.connect("/budget")
        for step in (2**62, -(2**62)):
            answer = tab.call("/budget", f"{budget}.change_month", {"step": step})
            assert "An error occurred" not in answer and "month_rx_state_" in answer
    assert server_tracebacks(app_server) == before


def test_sending_feedback_or_a_mandate_request_twice_sends_once(page, app_server, db):
    bengt = db.client("Bengt")
    liisa = db.person("demo-relative-view")
    with read_session(db.engine) as session:
        before = {f.id: f.replaced_at for f in session.exec(
            select(Feedback).where(Feedback.client_id == bengt.id)).all()}
        provider = session.exec(select(ProviderChoice.provider_id).where(
            ProviderChoice.client_id == bengt.id, ProviderChoice.ended_at.is_(None))).first()
    feedback = state_path("pages.client.feedback", "FeedbackState")
    try:
        sign_in(page, app_server, "demo-client-2", "/")
        wait_until_loaded(page)
        with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
            tab.connect("/feedback")
            for handler, form in (("submit_provider", {"provider": str(provider)}),
                                  ("submit_score", {"score": "8"}),
                                  ("submit_comment", {"comment": "Kaksi kertaa?"}),
                                  ("submit_flag", {"flag": "none"})):
                tab.call("/feedback", f"{feedback}.{handler}", {"form": form})
            tab.send("/feedback", f"{feedback}.send")
            tab.call("/feedback", f"{feedback}.send")
        with read_session(db.engine) as session:
            new = session.exec(select(Feedback).where(
                Feedback.client_id == bengt.id, Feedback.id.not_in(list(before) or [0]))).all()
        assert [(f.provider_id, f.score, f.comment) for f in new] == [
            (provider, 8, "Kaksi kertaa?")]

        attempts = db.count(AuditLog, AuditLog.actor_person_id == liisa.id,
                            AuditLog.action.in_(("request_mandate", "request_mandate_attempt")))
        sign_in(page, app_server, "demo-relative-view", "/")
        wait_until_loaded(page)
        mandates = state_path("pages.client.mandates", "MandatesState")
        with ReflexTab(app_server.base_url, session_cookie(page)) as tab:
            tab.connect("/mandates")
            tab.call("/mandates", f"{mandates}.start", {"flow": "request"})
            tab.call("/mandates", f"{mandates}.submit_client", {"form_data": {
                "client": "Bengt Lindholm"}})
            tab.call("/mandates", f"{mandates}.submit_birth", {"form_data": {
                "birth_day": "2", "birth_month": "9", "birth_year": "1958"}})
            tab.call("/mandates", f"{mandates}.submit_relation", {"form_data": {
                "relation": "relative"}})
            tab.call("/mandates", f"{mandates}.submit_what", {"form_data": {"scope_view": "on"}})
            tab.call("/mandates", f"{mandates}.submit_until", {"form_data": {"until": "none"}})
            tab.send("/mandates", f"{mandates}.send")
            tab.call("/mandates", f"{mandates}.send")
            # silent, not an error such as "you already asked"
            assert not re.search(r'"error_rx_state_":"[^"]', "\n".join(tab.frames))
        assert db.count(Mandate, Mandate.client_id == bengt.id,
                        Mandate.agent_person_id == liisa.id, Mandate.status == "requested") == 1
        assert db.count(AuditLog, AuditLog.actor_person_id == liisa.id, AuditLog.action.in_(
            ("request_mandate", "request_mandate_attempt"))) == attempts + 1
    finally:
        _cleanup_mandates(db, bengt.id, liisa.id)
        with write_session(db.engine) as session:
            for answer in session.exec(select(Feedback).where(
                    Feedback.client_id == bengt.id)).all():
                if answer.id not in before:
                    session.delete(answer)
                elif answer.replaced_at != before[answer.id]:
                    answer.replaced_at = before[answer.id]
                    session.add(answer)
