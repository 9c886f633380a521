"""Every main journey completed with the keyboard alone (issue 8).

Only Tab, Shift+Tab, Enter, Space and the arrow keys operate the app's pages; text is typed
with `page.keyboard.type` once focus is in a field. Signing in and opening a start page go by
URL, because the development sign-in page is not part of the app. `tab_to` presses Tab until
the wanted control has focus, so each journey also proves its controls are reachable in order.

Every journey ends with a check on the database or the page, and puts back what it changed in
the shared browser database:
- choosing a provider (demo-client): Aino's home-care choice rows are restored;
- feedback (demo-client-2, Swedish UI): Bengt's new answer is removed, replaced ones revived;
- swapping (demo-client): the swap made here is cancelled by keyboard too;
- a survey (demo-client): the assignment made here is removed again (`Db.restore`);
- a case worker's decision (demo-worker): a request for Toivo, who has no login, is declined
  and stays declined like the one of tests/browser/test_worker.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select

from hbapp.db import make_engine, read_session, write_session
from hbapp.domain.ledger import month_start
from hbapp.models import (
    Client,
    Feedback,
    Person,
    Provider,
    ProviderChoice,
    ServiceType,
    SwapRequest,
    SwapStatus,
)
from hbapp.services.access import Actor
from hbapp.services.swaps import cancel_swap, request_swap
from tests.browser.helpers import delete_choice, put_choice_back, sign_in, wait_until_loaded
from tests.browser.test_survey_filling import HB_EXPERIENCE, STEP, Db, assert_stored, open_survey
from tests.browser.test_swaps import granted

FOCUSED_JS = """
sel => { const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
  return {tag: e.tagName, id: e.id, href: e.getAttribute('href'), value: e.value || '',
          checked: !!e.checked, cls: e.className || '',
          name: (e.getAttribute('aria-label') || label || e.innerText || '').trim(),
          matches: sel ? e.matches(sel) : false}; }
"""


def focused(page, selector: str | None = None) -> dict:
    return page.evaluate(FOCUSED_JS, selector)


def tab_to(page, target, max_steps: int = 80) -> dict:
    """Press Tab until the focused element matches `target`: a CSS selector, or a predicate on
    the dict `focused` returns (tag, id, href, value, checked, cls, name). Fails clearly when
    the element is never reached."""
    selector = target if isinstance(target, str) else None
    seen = []
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        element = focused(page, selector)
        if element["matches"] if selector else target(element):
            return element
        seen.append(f"{element['tag']}#{element['id']} {element['name'][:30]!r}")
    raise AssertionError(
        f"{target!r} was not reachable with {max_steps} Tab presses; focus went through: "
        + " → ".join(seen[-15:]))


def choose_radio(page, name: str, value: str, scope: str = "") -> None:
    """Tab into a radio group and choose `value` with the arrow keys (Space if it is the one
    that got focus first). Arrow keys check the radio they move to."""
    element = tab_to(page, f"{scope} input[type=radio][name='{name}']".strip())
    for _ in range(30):
        if element["value"] == value:
            break
        page.keyboard.press("ArrowDown")
        element = focused(page)
    assert element["value"] == value, f"no option {value!r} in the radio group {name!r}"
    if not element["checked"]:
        page.keyboard.press("Space")
    assert focused(page)["checked"], f"{name}={value} was not chosen"


def press_enter_on(page, target) -> None:
    tab_to(page, target)
    page.keyboard.press("Enter")


class Database:
    def __init__(self, app_server):
        self.engine = make_engine(app_server.database_url)

    def client_id(self, first_name: str) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(Client.id).where(Client.first_name == first_name)).one()

    def person_id(self, subject: str) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()


# ----------------------------------------------------------------------------- 1. provider


def test_choose_a_provider_by_keyboard(page, app_server):
    db = Database(app_server)
    aino = db.client_id("Aino")
    with read_session(db.engine) as session:
        home_care = session.exec(select(ServiceType.id)
                                 .where(ServiceType.code == "home_care")).one()
        saima = session.exec(select(Provider.id).where(Provider.name == "Hoiva-Saima Oy")).one()
        before = {c.id: c.ended_at for c in session.exec(select(ProviderChoice).where(
            ProviderChoice.client_id == aino, ProviderChoice.service_type_id == home_care)).all()}
        kotihelmi = session.exec(
            select(Provider.id).where(Provider.name == "Saimaan Kotihelmi Oy")).one()
    try:
        sign_in(page, app_server, "demo-client", "/providers")
        wait_until_loaded(page)
        page.wait_for_selector("li.offer")
        press_enter_on(page, lambda e: e["tag"] == "A" and e["name"] == "Hoiva-Saima Oy")
        page.wait_for_url(f"**/providers/{saima}**")
        wait_until_loaded(page)
        page.get_by_role("heading", level=1, name="Hoiva-Saima Oy").wait_for()

        press_enter_on(page, f"a[href^='/choose-provider?provider={saima}&service=home_care']")
        page.wait_for_url("**/choose-provider**")
        wait_until_loaded(page)
        summary = page.locator(".summary-list")
        summary.wait_for()
        assert "Hoiva-Saima Oy" in summary.inner_text()
        assert "Saimaan Kotihelmi Oy" in summary.inner_text()  # the provider until now
        press_enter_on(page, lambda e: e["tag"] == "BUTTON" and e["name"] == "Vahvista valinta")
        page.get_by_role("heading", name="Valinta on tallennettu").wait_for()
        # Focus follows the result (set by an event that may run just after the render).
        page.wait_for_function("() => document.activeElement?.id === 'choice-done'")

        with read_session(db.engine) as session:
            current = session.exec(select(ProviderChoice.provider_id).where(
                ProviderChoice.client_id == aino, ProviderChoice.service_type_id == home_care,
                ProviderChoice.ended_at.is_(None))).all()
        assert current == [saima]
    finally:
        # Put back exactly the rows of the demo data: other tests expect Kotihelmi.
        with write_session(db.engine) as session:
            for choice in session.exec(select(ProviderChoice).where(
                    ProviderChoice.client_id == aino,
                    ProviderChoice.service_type_id == home_care)).all():
                if choice.id not in before:
                    delete_choice(session, choice)
                elif choice.ended_at != before[choice.id]:
                    put_choice_back(session, choice, before[choice.id])
        with read_session(db.engine) as session:
            assert session.exec(select(ProviderChoice.provider_id).where(
                ProviderChoice.client_id == aino, ProviderChoice.service_type_id == home_care,
                ProviderChoice.ended_at.is_(None))).all() == [kotihelmi]
        db.engine.dispose()


# ----------------------------------------------------------------------------- 2. feedback

COMMENT = "Bra service, tangentbordstest."


def test_give_feedback_by_keyboard(page, app_server):
    db = Database(app_server)
    bengt = db.client_id("Bengt")
    with read_session(db.engine) as session:
        before = {f.id: f.replaced_at for f in session.exec(
            select(Feedback).where(Feedback.client_id == bengt)).all()}
    try:
        sign_in(page, app_server, "demo-client-2", "/feedback")
        wait_until_loaded(page)
        page.wait_for_function("() => document.documentElement.lang === 'sv'")
        next_button = "main form button[type=submit]"

        # Step 1: the first provider in the list (Tab reaches the group's first radio).
        element = tab_to(page, "input[type=radio][name=provider]")
        page.keyboard.press("Space")
        provider_id = int(element["value"])
        press_enter_on(page, next_button)

        # Step 2: focus moves to the question; 7 is chosen with the arrow keys.
        page.wait_for_selector("#score-0")
        page.wait_for_function("() => document.activeElement?.id === 'step-heading'")
        assert focused(page)["id"] == "step-heading"
        choose_radio(page, "score", "7")
        press_enter_on(page, next_button)

        # Step 3: the comment.
        page.wait_for_selector("#comment")
        tab_to(page, "#comment")
        page.keyboard.type(COMMENT)
        press_enter_on(page, next_button)

        # Step 4: no problem to tell (the preselected "no" stays), continue.
        page.wait_for_selector("#flag-none")
        choose_radio(page, "flag", "none")
        press_enter_on(page, next_button)

        # Check answers, then send.
        summary = page.locator(".summary-list")
        summary.wait_for()
        assert COMMENT in summary.inner_text() and "7" in summary.inner_text()
        # Shift+Tab from "Send" goes back to the last "Change" button: the order is sensible.
        tab_to(page, "main button.button:not(.link-button)")
        page.keyboard.press("Shift+Tab")
        assert "link-button" in focused(page)["cls"]
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector(".notice-success #step-heading")

        with read_session(db.engine) as session:
            new = session.exec(select(Feedback).where(
                Feedback.client_id == bengt, Feedback.id.not_in(list(before) or [0]))).all()
        assert [(f.provider_id, f.score, f.comment, f.flag) for f in new] == [
            (provider_id, 7, COMMENT, None)]
    finally:
        # Remove the answer given here and revive the ones it replaced (NPS figures of other
        # tests count current answers).
        with write_session(db.engine) as session:
            for answer in session.exec(select(Feedback).where(
                    Feedback.client_id == bengt)).all():
                if answer.id not in before:
                    session.delete(answer)
                elif answer.replaced_at != before[answer.id]:
                    answer.replaced_at = before[answer.id]
                    session.add(answer)
        db.engine.dispose()


# ----------------------------------------------------------------------------- 3. swap


def test_swap_and_cancel_by_keyboard(page, app_server):
    cleaning_before, month_before = granted(app_server, "cleaning")
    home_care_before, _ = granted(app_server, "home_care")
    db = Database(app_server)
    aino = db.client_id("Aino")
    with read_session(db.engine) as session:
        swaps_before = set(session.exec(
            select(SwapRequest.id).where(SwapRequest.client_id == aino)).all())
    made: list[int] = []
    try:
        sign_in(page, app_server, "demo-client", "/swap")
        wait_until_loaded(page)
        press_enter_on(page, "#start-swap")
        this_month = date.today().strftime("%Y-%m")
        page.wait_for_selector(f"#month-{this_month}")
        choose_radio(page, "month", this_month)
        press_enter_on(page, "main form button[type=submit]")
        page.wait_for_selector("#from-home_care")
        choose_radio(page, "from", "home_care")
        press_enter_on(page, "main form button[type=submit]")
        page.wait_for_selector("#to-cleaning")
        choose_radio(page, "to", "cleaning")
        press_enter_on(page, "main form button[type=submit]")
        page.wait_for_selector("#amount")
        tab_to(page, "#amount")
        page.keyboard.type("1")
        press_enter_on(page, "main form button[type=submit]")

        page.locator("#swap-summary").wait_for()  # the preview
        assert "Siivous" in page.locator("#swap-summary").inner_text()
        press_enter_on(page, "main button.button")
        page.get_by_role("heading", name="Tarkista tiedot ennen vaihtoa").wait_for()
        press_enter_on(page, "#confirm-swap")
        page.get_by_role("heading", name="Valmis: vaihto on tehty").wait_for()

        with read_session(db.engine) as session:
            made = [s.id for s in session.exec(select(SwapRequest).where(
                SwapRequest.client_id == aino)).all() if s.id not in swaps_before]
            assert len(made) == 1
            assert session.get(SwapRequest, made[0]).status == SwapStatus.APPLIED.value
        cleaning_after, _ = granted(app_server, "cleaning")
        home_care_hour = granted(app_server, "home_care")[0].unit_charge_cents
        assert cleaning_after.value_cents == cleaning_before.value_cents + home_care_hour

        # Back to the list, cancel the newest swap (this one), confirm.
        press_enter_on(page, lambda e: e["tag"] == "A" and e["name"] == "Katso vaihtosi")
        page.wait_for_selector(".swap-card")
        press_enter_on(page, "ul > li.swap-card:first-child button")
        page.get_by_role("heading", name="Haluatko perua tämän vaihdon?").wait_for()
        press_enter_on(page, lambda e: e["tag"] == "BUTTON" and e["name"] == "Kyllä, peru vaihto")
        page.get_by_text("Vaihto on peruttu.").wait_for()

        with read_session(db.engine) as session:
            assert session.get(SwapRequest, made[0]).status == SwapStatus.CANCELLED.value
        restored, month_restored = granted(app_server, "cleaning")
        assert restored.value_cents == cleaning_before.value_cents
        assert granted(app_server, "home_care")[0].value_cents == home_care_before.value_cents
        assert month_restored.statement.budget_cents == month_before.statement.budget_cents
    finally:
        # Should the keyboard fail half-way, still leave the budget as seeded.
        with read_session(db.engine) as session:
            open_ids = [s.id for s in session.exec(select(SwapRequest).where(
                SwapRequest.client_id == aino,
                SwapRequest.status.in_([SwapStatus.APPLIED.value, SwapStatus.PENDING.value]),
            )).all() if s.id not in swaps_before]
            person = session.exec(
                select(Person).where(Person.oidc_subject == "demo-client")).one()
        actor = Actor(person.id, person.display_name, False, False, aino)
        for swap_id in open_ids:
            cancel_swap(db.engine, actor, swap_id, date.today())
        db.engine.dispose()


# ----------------------------------------------------------------------------- 4. survey


def test_answer_a_survey_by_keyboard(page, app_server):
    from hbapp.domain.scoring import load_instrument

    db = Db(app_server.database_url)
    try:
        assignment_id = db.assign("hb-experience")
        sign_in(page, app_server, "demo-client", f"/surveys/{assignment_id}")
        open_survey(page, app_server, assignment_id)
        press_enter_on(page, f"{STEP} .survey-next")  # "Start"
        for item in load_instrument("hb-experience")["items"]:
            key, value = item["key"], HB_EXPERIENCE[item["key"]]
            page.wait_for_selector(f"{STEP}[data-key='{key}']")
            if isinstance(value, str):
                tab_to(page, f"{STEP} textarea")
                page.keyboard.type(value)
            else:
                choose_radio(page, key, str(value), STEP)
            tab_to(page, f"{STEP} .survey-next")
            page.keyboard.press("Space")
        page.wait_for_selector("#survey-form [data-step='check']:not([hidden])")
        assert page.locator("[data-answer-for='comment']").inner_text() == HB_EXPERIENCE["comment"]
        press_enter_on(page, "#survey-submit")
        page.wait_for_selector("#survey-summary", timeout=30000)
        assert_stored(db, assignment_id, "hb-experience", HB_EXPERIENCE, proxy=False)
    finally:
        db.restore()
        db.engine.dispose()


# ----------------------------------------------------------------------------- 5. worker

REASON = "Siivousta on jo tarpeeksi tässä kuussa."


def test_worker_declines_a_swap_by_keyboard(page, app_server):
    db = Database(app_server)
    toivo = db.client_id("Toivo")
    worker_id = db.person_id("demo-worker")
    # Toivo has no login; he asks his case worker by phone, who records the request for him.
    for_toivo = Actor(worker_id, "Toivo Hämäläinen", False, False, toivo)
    outcome = request_swap(db.engine, for_toivo, toivo, month_start(date.today()), "home_care",
                           "cleaning", Decimal(3), date.today())
    swap_id = outcome.swap_id
    try:
        assert outcome.status == SwapStatus.PENDING.value, "the request needs the worker"
        sign_in(page, app_server, "demo-worker", "/worker/swaps")
        wait_until_loaded(page)
        page.wait_for_selector(".swap-card")
        # "Handle the request" carries the client's name for screen readers.
        handle = lambda e: e["tag"] == "BUTTON" and "Toivo Hämäläinen" in e["name"]  # noqa: E731
        press_enter_on(page, handle)
        page.wait_for_selector("#decision-decline")
        # "Back" returns to the list with focus kept in the page, then in again.
        press_enter_on(page, "main button.back-link")
        page.wait_for_selector(".swap-card")
        page.wait_for_function("() => document.activeElement.id === 'main'")
        press_enter_on(page, handle)
        page.wait_for_selector("#decision-decline")
        # Opening the request moves focus to main once rendered: Tab from there, not before.
        page.wait_for_function("() => document.activeElement.id === 'main'")
        choose_radio(page, "decision", "decline")
        assert focused(page)["id"] == "decision-decline"
        tab_to(page, "#reason")
        page.keyboard.type(REASON)
        press_enter_on(page, "main form button[type=submit]")
        notice = page.locator("main [role=status]", has_text="Toivo Hämäläinen")
        notice.wait_for()
        assert "Hylätty" in notice.inner_text()
        # The saved form is gone; focus is on the page, not lost to the top of the document.
        page.wait_for_function("() => document.activeElement.id === 'main'")
        assert page.locator(".swap-card button", has_text="Toivo Hämäläinen").count() == 0

        with read_session(db.engine) as session:
            decided = session.get(SwapRequest, swap_id)
            assert decided.status == SwapStatus.DECLINED.value
            assert decided.reason == REASON
    finally:
        with read_session(db.engine) as session:
            still_pending = session.get(SwapRequest, swap_id).status == SwapStatus.PENDING.value
        if still_pending:  # a failed run must not leave a request in the worker's queue
            cancel_swap(db.engine, for_toivo, swap_id, date.today())
        db.engine.dispose()
