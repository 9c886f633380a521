"""The service worker backs the survey drafts: answers given offline wait in the IndexedDB
outbox and reach the server even after the tab is closed; an offline reload says they are safe;
a request the server refuses (4xx) is dropped from the outbox instead of retried forever."""

from __future__ import annotations

import time

import pytest

from tests.browser.helpers import assert_no_axe_violations, sign_in, wait_until_loaded
from tests.browser.test_survey_filling import PROMIS, STEP, Db, answer, open_survey

READ_OUTBOX_JS = """
() => new Promise((resolve, reject) => {
  const opening = indexedDB.open('hb-outbox', 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore('requests', {keyPath: 'id'});
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const db = opening.result;
    const reading = db.transaction('requests').objectStore('requests').getAll();
    reading.onsuccess = () => { db.close(); resolve(reading.result); };
    reading.onerror = () => reject(reading.error);
  };
})
"""

PUT_RECORD_JS = """
record => new Promise((resolve, reject) => {
  const opening = indexedDB.open('hb-outbox', 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore('requests', {keyPath: 'id'});
  opening.onsuccess = () => {
    const db = opening.result, tx = db.transaction('requests', 'readwrite');
    tx.objectStore('requests').put(record);
    tx.oncomplete = () => { db.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})
"""

FLUSH_JS = "() => navigator.serviceWorker.controller.postMessage({type: 'flush-outbox'})"


@pytest.fixture
def db(app_server):
    database = Db(app_server.database_url)
    yield database
    database.restore()
    database.engine.dispose()


def wait_for_controller(page) -> None:
    page.wait_for_function(
        "() => navigator.serviceWorker.controller && "
        "navigator.serviceWorker.controller.state === 'activated'")


def poll(check, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.25)


def test_offline_answers_reach_the_server_after_the_tab_is_closed(context, page, app_server, db):
    assignment_id = db.assign("promis10")
    sign_in(page, app_server, "demo-client", f"/surveys/{assignment_id}")
    open_survey(page, app_server, assignment_id)
    wait_for_controller(page)
    page.locator(f"{STEP} .survey-next").click()
    first_two = dict(list(PROMIS.items())[:2])

    context.set_offline(True)
    try:
        for key, value in first_two.items():
            answer(page, key, value)
        assert "Ei yhteyttä" in page.locator("#survey-status").inner_text()

        # The newest draft replaces older ones: one record holding both answers.
        def queued() -> bool:
            records = page.evaluate(READ_OUTBOX_JS)
            return len(records) == 1 and records[0]["body"] == (
                '{"answers":{"Global01":3,"Global02":4}}')
        poll(queued)
        record = page.evaluate(READ_OUTBOX_JS)[0]
        assert record["id"] == f"answers-{assignment_id}" and record["method"] == "PUT"
        assert record["url"] == f"/api/surveys/{assignment_id}/answers"
        assert db.draft(assignment_id) == {}  # nothing reached the server

        # An offline reload: the offline page says the answers are safe.
        page.reload()
        page.locator("main[data-offline-page]").wait_for()
        status = page.get_by_role("status")
        status.locator(".notice").wait_for()
        text = status.inner_text()
        assert "Kyselyn vastauksesi on tallennettu tähän laitteeseen." in text
        assert "Lähetystä odottaa 1 kysely." in text
        assert "Dina svar på enkäten är sparade på den här enheten." in text
        assert ("Your survey answers are saved on this device and will be sent automatically "
                "when you are online again. 1 survey is waiting to be sent.") in text
        assert status.locator("p[lang=en]").count() == 1
        assert_no_axe_violations(page)
        page.close()
    finally:
        context.set_offline(False)

    # No survey page is open any more: only the service worker can send the answers.
    later = context.new_page()
    later.set_default_timeout(15000)
    later.goto(app_server.url("/"))
    wait_until_loaded(later)
    wait_for_controller(later)
    later.evaluate(FLUSH_JS)
    poll(lambda: db.draft(assignment_id) == first_two)
    poll(lambda: later.evaluate(READ_OUTBOX_JS) == [])
    assert db.responses(assignment_id) == []

    # Back online, the offline page has nothing to report.
    later.goto(app_server.url("/offline.html"))
    later.locator("main[data-offline-page]").wait_for()
    assert later.locator("#outbox-status").inner_text() == ""
    later.close()


def test_outbox_drops_a_request_the_server_refuses(page, app_server, db):
    # Bengt's survey: Aino may not answer it. The worker gets 403 and must not keep retrying.
    bengt_survey = db.assign("promis10", "Bengt")
    sign_in(page, app_server, "demo-client", "/")
    wait_until_loaded(page)
    wait_for_controller(page)
    page.evaluate(PUT_RECORD_JS, {
        "id": f"answers-{bengt_survey}", "assignment": str(bengt_survey), "key": None,
        "url": f"/api/surveys/{bengt_survey}/answers", "method": "PUT",
        "body": '{"answers":{"Global01":1}}', "savedAt": int(time.time() * 1000),
    })
    page.evaluate(FLUSH_JS)
    poll(lambda: page.evaluate(READ_OUTBOX_JS) == [])
    assert db.draft(bengt_survey) == {}
