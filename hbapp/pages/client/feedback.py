"""`/feedback`: recommend a provider (NPS 0–10), one question per step, check answers, send."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import client_page, message_box, page
from hbapp.db import get_engine
from hbapp.i18n import N_
from hbapp.services.access import AccessDenied
from hbapp.services.feedback import (
    FLAGS,
    MAX_COMMENT,
    FeedbackError,
    give_feedback,
    providers_for_feedback,
)
from hbapp.state import AppState, T, today
from hbapp.views.providers import FLAG_LABELS

STEPS = ("provider", "score", "comment", "flag", "check")


class FeedbackState(AppState):
    ready: bool = False
    denied: bool = False
    step: str = "provider"
    providers: list[dict[str, str]] = []
    provider_id: str = ""
    score: str = ""
    comment: str = ""
    flag: str = ""
    error: str = ""
    flag_text: str = ""
    flag_chosen: bool = False
    sent: bool = False
    _carry_error: bool = False

    @rx.var
    def provider_name(self) -> str:
        return next((p["name"] for p in self.providers if p["id"] == self.provider_id), "")

    @rx.var
    def replaces_text(self) -> str:
        return next((p["earlier"] for p in self.providers if p["id"] == self.provider_id), "")

    def _reset_answers(self):
        self.step = "provider"
        self.provider_id = self.score = self.comment = self.flag = self.error = ""
        self.flag_chosen = False

    def _current(self):
        current = self._refresh_session()
        if current is None or current.acting_for is None:
            return None
        return current

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        """Each step has its own address (`/feedback?step=score`), so the phone's Back goes one
        step back and keeps the answers; a step whose earlier answers are missing shows the
        first step that still needs one. Also the language-changed hook (see AppState)."""
        self.ready = False
        self.denied = False
        wanted = str(self.router.page.params.get("step", "provider"))
        if wanted not in STEPS + ("done",):
            wanted = "provider"
        if not self._carry_error:
            self.error = ""
        self._carry_error = False
        self.providers = []
        current = self._current()
        if current is not None:
            t = self._t()
            try:
                used = providers_for_feedback(
                    get_engine(), current.actor, current.acting_for.client_id, today()
                )
            except AccessDenied:
                self.denied = True
            else:
                self.providers = [
                    {
                        "id": str(p.provider_id),
                        "name": p.name,
                        "earlier": (
                            t(
                                "You answered about this provider on {date}. The new "
                                "answer replaces it.",
                                date=t.date(p.earlier_answer_at),
                            )
                            if p.earlier_answer_at
                            else ""
                        ),
                    }
                    for p in used
                ]
            self.flag_text = t(FLAG_LABELS[self.flag]) if self.flag else t("No")
        # Answers stay until sent (Back to the first step keeps the chosen provider).
        shown = self._allowed(wanted)
        self.step = shown
        self.ready = True
        events = [self._page_ready(N_("Feedback"))]
        if shown != wanted:
            events.append(rx.call_script(
                f"history.replaceState(null, '', '/feedback?step={shown}')"))
        if shown != "provider" or self.router.page.params.get("step"):
            # Once this step has rendered (a slow phone may render after the script runs, and
            # the previous step's heading has the same id): focus its question, as GOV.UK does.
            events.append(rx.call_script(
                "(function focusStep(tries) { const heading = document.querySelector("
                f"'[data-step=\"{shown}\"] #step-heading'); "
                "if (heading) heading.focus(); "
                "else if (tries > 0) setTimeout(() => focusStep(tries - 1), 50); })(100)"))
        return events

    def _allowed(self, wanted: str) -> str:
        """`wanted`, or the first step whose answer is still missing."""
        if wanted == "done":
            return "done" if self.sent else "provider"
        self.sent = False
        if not any(p["id"] == self.provider_id for p in self.providers):
            return "provider"
        needs = {"score": self.provider_id, "comment": self.score, "flag": self.score,
                 "check": self.score and self.flag_chosen}
        for step in STEPS[1:STEPS.index(wanted) + 1] if wanted in STEPS else ():
            if not needs[step]:
                return STEPS[STEPS.index(step) - 1] if step != "check" else "flag"
        return wanted

    def _go(self, step: str):
        """Move to a step: a new address, so the browser's Back returns here."""
        self.error = ""
        self.step = step
        return rx.redirect(f"/feedback?step={step}")

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def back(self):
        # The previous step is the previous address: the in-page Back and the browser's agree.
        return rx.call_script("history.back()")

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def submit_provider(self, form: dict):
        if self.step != "provider":
            return  # steps only in order
        wanted = str(form.get("provider", ""))
        if not any(p["id"] == wanted for p in self.providers):
            t = self._t()
            self.error = t("Choose the provider you want to give feedback about.")
            return
        self.provider_id = wanted
        return self._go("score")

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def submit_score(self, form: dict):
        if self.step != "score" or not self.provider_id:
            return
        value = str(form.get("score", ""))
        if value not in {str(i) for i in range(11)}:
            t = self._t()
            self.error = t("Choose a number from 0 to 10.")
            return
        self.score = value
        return self._go("comment")

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def submit_comment(self, form: dict):
        if self.step != "comment" or not self.score:
            return
        text = str(form.get("comment", ""))
        self.comment = text
        if len(text.strip()) > MAX_COMMENT:
            t = self._t()
            self.error = t("Write at most {n} characters.", n=MAX_COMMENT)
            return
        return self._go("flag")

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def submit_flag(self, form: dict):
        if self.step != "flag" or not self.score:
            return
        value = str(form.get("flag", "none"))
        self.flag = value if value in FLAGS else ""
        self.flag_chosen = True
        t = self._t()
        self.flag_text = t(FLAG_LABELS[self.flag]) if self.flag else t("No")
        return self._go("check")

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def change(self, step: str):
        if step in STEPS and self.step == "check":
            return self._go(step)

    @rx.event
    @allow(Audience.CLIENT_FEEDBACK)
    def send(self):
        if self.step != "check":
            return  # only from the check-answers step, once: a double click sends one answer
        current = self._current()
        if current is None:
            return
        t = self._t()
        try:
            give_feedback(
                get_engine(),
                current.actor,
                current.acting_for.client_id,
                int(self.provider_id),
                int(self.score),
                self.comment,
                self.flag or None,
                today(),
            )
        except AccessDenied:
            self.denied = True
            return
        except (FeedbackError, ValueError):
            self.error = t("The answer could not be saved. Check your answers.")
            return
        # Done: the answers go, so Back cannot send the same answer twice.
        flag = self.flag
        self._reset_answers()
        self.flag, self.sent = flag, True
        return self._go("done")


def back_button() -> rx.Component:
    return rx.el.button(
        T("Back"),
        type="button",
        on_click=FeedbackState.back,
        class_name="link-button back-link",
    )


def error_text(field_id: str) -> rx.Component:
    return rx.cond(
        FeedbackState.error != "",
        rx.el.p(FeedbackState.error, id=f"{field_id}-error", class_name="error-message"),
    )


def described(field_id: str):
    return rx.cond(FeedbackState.error != "", f"{field_id}-error", "")


def step_provider() -> rx.Component:
    s = FeedbackState
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(
                rx.el.h2(
                    T("Which provider is your feedback about?"), id="step-heading", tab_index=-1
                )
            ),
            error_text("provider"),
            rx.foreach(
                s.providers,
                lambda p: rx.el.div(
                    rx.el.input(
                        type="radio",
                        name="provider",
                        value=p["id"],
                        id="provider-" + p["id"],
                        default_checked=s.provider_id == p["id"],
                        class_name="radio-input",
                    ),
                    rx.el.label(p["name"], html_for="provider-" + p["id"]),
                    class_name="radio-item",
                ),
            ),
            aria_describedby=described("provider"),
            class_name=rx.cond(s.error != "", "fieldset fieldset-error", "fieldset"),
        ),
        rx.el.button(T("Continue"), type="submit", class_name="button"),
        on_submit=FeedbackState.submit_provider,
    )


def step_score() -> rx.Component:
    s = FeedbackState
    return rx.fragment(
        back_button(),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(
                    rx.el.h2(
                        T(
                            "How likely is it that you would recommend this provider to a friend or "
                            "someone close to you?"
                        ),
                        id="step-heading",
                        tab_index=-1,
                    )
                ),
                rx.el.p(s.provider_name, class_name="muted"),
                rx.el.p(T("0 = not at all likely, 10 = extremely likely"), id="score-hint"),
                error_text("score"),
                rx.el.div(
                    *[
                        rx.el.div(
                            rx.el.input(
                                type="radio",
                                name="score",
                                value=str(i),
                                id=f"score-{i}",
                                default_checked=s.score == str(i),
                                class_name="radio-input",
                            ),
                            rx.el.label(str(i), html_for=f"score-{i}"),
                            class_name="score-item",
                        )
                        for i in range(11)
                    ],
                    class_name="score-scale",
                ),
                aria_describedby=rx.cond(s.error != "", "score-hint score-error", "score-hint"),
                class_name=rx.cond(s.error != "", "fieldset fieldset-error", "fieldset"),
            ),
            rx.el.button(T("Continue"), type="submit", class_name="button"),
            on_submit=FeedbackState.submit_score,
        ),
    )


def step_comment() -> rx.Component:
    s = FeedbackState
    return rx.fragment(
        back_button(),
        rx.el.form(
            rx.el.h2(
                T("What would you like to tell about the service?"), id="step-heading", tab_index=-1
            ),
            rx.el.label(T("Your comment (optional)"), html_for="comment"),
            rx.el.p(
                T(
                    "Do not write names or health details. Other clients may read the "
                    "comment without your name."
                ),
                id="comment-hint",
                class_name="muted",
            ),
            error_text("comment"),
            rx.el.textarea(
                id="comment",
                name="comment",
                default_value=s.comment,
                rows=5,
                aria_describedby=rx.cond(
                    s.error != "", "comment-hint comment-error", "comment-hint"
                ),
                class_name="textarea",
            ),
            rx.el.button(T("Continue"), type="submit", class_name="button"),
            on_submit=FeedbackState.submit_comment,
        ),
    )


def step_flag() -> rx.Component:
    s = FeedbackState
    options = [("none", N_("No, everything is in order"))] + [
        (key, FLAG_LABELS[key]) for key in FLAGS
    ]
    return rx.fragment(
        back_button(),
        rx.el.form(
            rx.el.fieldset(
                rx.el.legend(
                    rx.el.h2(
                        T("Is something not working that your case worker should know about?"),
                        id="step-heading",
                        tab_index=-1,
                    )
                ),
                rx.el.p(
                    T("If you choose a problem, your case worker sees it and can help."),
                    id="flag-hint",
                ),
                *[
                    rx.el.div(
                        rx.el.input(
                            type="radio",
                            name="flag",
                            value=key,
                            id=f"flag-{key}",
                            default_checked=(s.flag == key) if key != "none" else s.flag == "",
                            class_name="radio-input",
                        ),
                        rx.el.label(T(label), html_for=f"flag-{key}"),
                        class_name="radio-item",
                    )
                    for key, label in options
                ],
                aria_describedby="flag-hint",
                class_name="fieldset",
            ),
            rx.el.button(T("Continue"), type="submit", class_name="button"),
            on_submit=FeedbackState.submit_flag,
        ),
    )


def check_row(label, value, step: str) -> rx.Component:
    return rx.el.div(
        rx.el.dt(label),
        rx.el.dd(value),
        rx.el.dd(
            rx.el.button(
                T("Change"),
                rx.el.span(" ", label, class_name="visually-hidden"),
                type="button",
                on_click=FeedbackState.change(step),
                class_name="link-button",
            )
        ),
        class_name="summary-row",
    )


def step_check() -> rx.Component:
    s = FeedbackState
    return rx.fragment(
        back_button(),
        rx.el.h2(T("Check your answers"), id="step-heading", tab_index=-1),
        rx.el.dl(
            check_row(T("Provider"), s.provider_name, "provider"),
            check_row(T("Score"), s.score, "score"),
            check_row(T("Comment"), rx.cond(s.comment != "", s.comment, "–"), "comment"),
            check_row(T("Problem for the case worker"), s.flag_text, "flag"),
            class_name="summary-list",
        ),
        rx.cond(s.replaces_text != "", rx.el.p(s.replaces_text, class_name="notice")),
        rx.cond(
            ~s.acting_for_self,
            rx.el.p(
                T("You answer on behalf of"),
                " ",
                s.acting_for_name,
                ". ",
                T("The answer is marked as given by a representative."),
                class_name="muted",
            ),
        ),
        rx.cond(s.error != "", rx.el.p(s.error, class_name="notice notice-error", role="alert")),
        rx.el.button(
            T("Send feedback"), type="button", on_click=FeedbackState.send, class_name="button"
        ),
    )


def step_done() -> rx.Component:
    return rx.el.div(
        rx.el.h2(T("Thank you for your feedback"), id="step-heading", tab_index=-1),
        rx.cond(
            FeedbackState.flag != "",
            rx.el.p(T("Your case worker will see the problem you told about.")),
        ),
        rx.el.p(rx.el.a(T("Back to the front page"), href="/")),
        class_name="notice notice-success",
        role="status",
    )


def content() -> rx.Component:
    s = FeedbackState
    return rx.cond(
        s.providers.length() == 0,
        message_box(
            T(
                "There is no provider to give feedback about yet. You can give feedback "
                "after you have chosen a provider or used a service."
            )
        ),
        rx.el.div(
            rx.match(
                s.step,
                ("score", step_score()),
                ("comment", step_comment()),
                ("flag", step_flag()),
                ("check", step_check()),
                ("done", step_done()),
                step_provider(),
            ),
            data_step=s.step,
        ),
    )


@rx.page(route="/feedback", title="HB – Palaute", on_load=FeedbackState.load)
def feedback() -> rx.Component:
    s = FeedbackState
    return page(
        rx.el.h1(T("Feedback about a provider")),
        client_page(
            s,
            content(),
            "/feedback",
            T("You do not have the right to give feedback for this person."),
        ),
    )
