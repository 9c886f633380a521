"""A warning before the session expires, with an option to continue (WCAG 2.2.1).

Bengt (demo-client-2) has chosen Swedish, so the texts come in Swedish.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import select

from hbapp.db import make_engine, write_session
from hbapp.models import LoginSession, Person, utcnow
from tests.browser.helpers import sign_in, wait_until_loaded


def set_expiry(app_server, subject: str, seconds_from_now: int):
    engine = make_engine(app_server.database_url)
    try:
        with write_session(engine) as session:
            login = session.exec(
                select(LoginSession).join(Person, Person.id == LoginSession.person_id)
                .where(Person.oidc_subject == subject, LoginSession.ended_at.is_(None))
                .order_by(LoginSession.id.desc())
            ).first()
            login.expires_at = utcnow() + timedelta(seconds=seconds_from_now)
            session.add(login)
            return login.id
    finally:
        engine.dispose()


def expiry_of(app_server, session_id: int):
    engine = make_engine(app_server.database_url)
    try:
        with write_session(engine) as session:
            return session.get(LoginSession, session_id).expires_at
    finally:
        engine.dispose()


def test_warning_then_continue_extends_the_session(page, app_server):
    sign_in(page, app_server, "demo-client-2")
    wait_until_loaded(page)
    session_id = set_expiry(app_server, "demo-client-2", 90)
    page.evaluate("window.hbSession.poll()")
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for()
    assert page.locator("#session-dialog-title").inner_text() == "Din session håller på att ta slut"
    # The dialog closes at once; the extension is a request of its own: wait for its answer.
    with page.expect_response("**/auth/session/extend"):
        dialog.get_by_role("button", name="Fortsätt").click()
    dialog.wait_for(state="detached")
    # The dialog closes at once; the extension is a request that may still be on its way.
    deadline = time.monotonic() + 15
    while expiry_of(app_server, session_id) <= utcnow() + timedelta(minutes=25):
        assert time.monotonic() < deadline, "the session was not extended"
        time.sleep(0.2)


def test_ended_session_says_so_and_offers_sign_in(page, app_server):
    sign_in(page, app_server, "demo-client-2")
    wait_until_loaded(page)
    set_expiry(app_server, "demo-client-2", -5)
    page.evaluate("window.hbSession.poll()")
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for()
    assert "Din session har tagit slut" in dialog.inner_text()
    assert dialog.get_by_role("link", name="Logga in").is_visible()
