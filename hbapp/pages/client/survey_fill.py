"""`/surveys/[assignment_id]`: answer one survey, one question per screen, then see the results.

Every question is rendered at once as plain HTML (fieldset + legend + large radio labels);
assets/survey.js turns them into steps, keeps answers in localStorage and sends them to
hbapp/web/survey_api.py, so the survey stays answerable when the websocket is gone. Without
the script all questions simply show one after another.
"""

from __future__ import annotations

import dataclasses
import json

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import loading, message_box, page, sign_in_prompt
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.domain.survey_texts import localized_instrument
from hbapp.i18n import N_, Translator
from hbapp.services.access import AccessDenied
from hbapp.services.surveys import open_assignment
from hbapp.state import AppState, T, today
from hbapp.views.surveys import instrument_name, summary_note, summary_rows, timepoint_name

# Plain language: why English, and what the person can do about it (issue 18.14).
FALLBACK_NOTES = {
    "fi": N_("This questionnaire is in English. Its makers allow the Finnish translation to "
             "be used only with a permission, and this service does not have it yet. You can "
             "answer in English, or ask your case worker to go through it with you."),
    "sv": N_("This questionnaire is in English. Its makers allow the Swedish translation to "
             "be used only with a permission, and this service does not have it yet. You can "
             "answer in English, or ask your case worker to go through it with you."),
}

# Texts the script shows (it runs without the websocket, so it gets them up front).
SCRIPT_TEXTS = {
    "not_answered": N_("Not answered"),
    "change": N_("Change"),
    "saved": N_("Your answer has been saved."),
    "offline": N_("No connection. Your answers are kept on this device and sent when the "
                  "connection is back."),
    "sending": N_("Sending your answers…"),
    "waiting": N_("No connection. Your answers will be sent when the connection is back."),
    "error": N_("Something went wrong. Your answers are kept on this device. Try again."),
}


@dataclasses.dataclass
class Choice:
    value: str
    label: str
    input_id: str


@dataclasses.dataclass
class Question:
    key: str
    text: str
    kind: str  # "choice" or "text"
    progress: str
    hint: str
    heading_id: str
    choices: list[Choice]


def questions(t: Translator, instrument: dict, lang: str) -> list[Question]:
    items = instrument["items"]
    result = []
    for number, item in enumerate(items, start=1):
        key = item["key"]
        hint = ""
        choices: list[Choice] = []
        if "options" in item:
            choices = [Choice(str(o["value"]), o["label"][lang], f"q-{key}-{o['value']}")
                       for o in item["options"]]
        elif "scale" in item:
            scale = item["scale"]
            for value in range(scale["min"], scale["max"] + 1):
                label = str(value)
                if value == scale["min"]:
                    label = f"{value} – {scale['min_label'][lang]}"
                elif value == scale["max"]:
                    label = f"{value} – {scale['max_label'][lang]}"
                choices.append(Choice(str(value), label, f"q-{key}-{value}"))
        if item.get("optional") or item.get("type") == "text":
            hint = t("You can leave this empty.")
        result.append(Question(
            key=key, text=item["text"][lang], kind="text" if item.get("type") == "text"
            else "choice",
            progress=t("Question {n} of {total}", n=number, total=len(items)),
            hint=hint, heading_id=f"q-{key}-legend", choices=choices,
        ))
    return result


class SurveyFillState(AppState):
    ready: bool = False
    denied: bool = False
    completed: bool = False
    just_sent: bool = False
    assignment_id: str = ""
    name: str = ""
    timepoint: str = ""
    title: str = ""
    time_frame: str = ""
    shown_lang: str = "en"
    fallback_note: str = ""
    items: list[Question] = []
    draft_json: str = "{}"
    texts_json: str = "{}"
    summary: list[dict[str, str]] = []
    summary_note: str = ""
    proxy_note: str = ""
    answered_on: str = ""

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.denied = self.completed = False
        self.items, self.summary = [], []
        self.assignment_id = ""
        current = self._refresh_session()
        t = self._t()
        assignment_id = parse_id(self.router.page.params.get("assignment_id", ""))
        if current is not None:
            try:
                if assignment_id is None:
                    raise AccessDenied("no_mandate")  # as for someone else's assignment
                assignment, own, earlier = open_assignment(
                    get_engine(), current.actor, assignment_id, today())
            except AccessDenied:
                self.denied = True
            else:
                self._show(t, assignment, own, earlier)
        self.ready = True
        return self._page_ready(N_("Survey"))

    def _show(self, t: Translator, assignment, own, earlier) -> None:
        self.assignment_id = str(assignment.id)
        self.name = instrument_name(t, assignment.instrument_id)
        self.timepoint = timepoint_name(t, assignment.timepoint)
        self.just_sent = self.router.page.params.get("sent", "") == "1"
        if own is not None:
            self.completed = True
            self.answered_on = t("Answered {date}", date=t.date(own.submitted_at))
            previous = earlier[0] if earlier else None
            self.summary = summary_rows(t, own.instrument_id, own.scores, previous)
            self.summary_note = summary_note(t, own.instrument_id)
            self.proxy_note = t("Answered by a representative") if own.proxy_reported else ""
            return
        if assignment.completed_at is not None or assignment.cancelled_at is not None:
            self.denied = True
            return
        shown = localized_instrument(assignment.instrument_id, self.locale)
        self.shown_lang = shown.language
        inst = shown.instrument
        self.title = inst["title"][shown.language]
        self.time_frame = inst.get("time_frame", {}).get(shown.language, "")
        self.fallback_note = t(FALLBACK_NOTES[self.locale]) if (
            shown.fallback and self.locale in FALLBACK_NOTES) else ""
        self.items = questions(t, inst, shown.language)
        self.draft_json = json.dumps(assignment.draft)
        self.texts_json = json.dumps({k: t(v) for k, v in SCRIPT_TEXTS.items()})


def choice_option(question: rx.Var, choice: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="radio", name=question.key, value=choice.value, id=choice.input_id,
                    class_name="survey-radio"),
        rx.el.span(choice.label),
        html_for=choice.input_id,
        class_name="survey-option",
    )


def question_step(question: rx.Var) -> rx.Component:
    nav = rx.el.p(
        rx.el.a(T("Back"), href="#", class_name="back-link",
                custom_attrs={"data-action": "back"}),
        class_name="survey-back",
    )
    progress = rx.el.p(question.progress, class_name="survey-progress muted")
    error = rx.el.p("", class_name="survey-error notice notice-error", role="alert",
                    id="err-" + question.key.to(str), hidden=True)
    body = rx.cond(
        question.kind == "text",
        rx.el.div(
            rx.el.label(question.text, html_for="q-" + question.key.to(str),
                        class_name="survey-legend", id=question.heading_id, tab_index=-1),
            rx.el.p(question.hint, class_name="muted", id="hint-" + question.key.to(str)),
            rx.el.textarea(name=question.key, id="q-" + question.key.to(str), rows=5,
                           class_name="survey-textarea",
                           aria_describedby="hint-" + question.key.to(str)),
            class_name="survey-question",
        ),
        rx.el.fieldset(
            rx.el.legend(question.text, class_name="survey-legend", id=question.heading_id,
                         tab_index=-1),
            rx.el.div(rx.foreach(question.choices, lambda c: choice_option(question, c)),
                      class_name="survey-options"),
            class_name="survey-question",
            aria_describedby="err-" + question.key.to(str),
        ),
    )
    return rx.el.section(
        nav, progress, body, error,
        rx.el.button(T("Continue"), type="button", class_name="button survey-next",
                     custom_attrs={"data-action": "next"}),
        class_name="survey-step",
        lang=SurveyFillState.shown_lang,
        custom_attrs={"data-step": "question", "data-key": question.key},
    )


def intro_step() -> rx.Component:
    return rx.el.section(
        rx.el.h2(SurveyFillState.timepoint, class_name="survey-step-heading", tab_index=-1),
        rx.cond(SurveyFillState.fallback_note != "",
                rx.el.p(SurveyFillState.fallback_note, class_name="notice")),
        rx.el.div(
            rx.el.p(rx.el.strong(SurveyFillState.title)),
            rx.el.p(SurveyFillState.time_frame),
            lang=SurveyFillState.shown_lang,
        ),
        rx.el.p(T("Choose one answer for each question. Your answers are saved as you go, "
                  "so you can stop and continue later.")),
        rx.el.p(T("You can check your answers before you send them.")),
        rx.el.button(T("Start"), type="button", class_name="button survey-next",
                     custom_attrs={"data-action": "next"}),
        class_name="survey-step",
        custom_attrs={"data-step": "intro"},
    )


def check_step() -> rx.Component:
    return rx.el.section(
        rx.el.p(
            rx.el.a(T("Back"), href="#", class_name="back-link",
                    custom_attrs={"data-action": "back"}),
            class_name="survey-back",
        ),
        rx.el.h2(T("Check your answers"), class_name="survey-step-heading", tab_index=-1),
        rx.el.dl(id="survey-check-list", class_name="check-list"),
        rx.el.h2(T("Send your answers")),
        rx.el.p(T("When you send your answers, you cannot change them any more.")),
        rx.el.button(T("Send answers"), type="button", class_name="button",
                     id="survey-submit", custom_attrs={"data-action": "submit"}),
        class_name="survey-step",
        custom_attrs={"data-step": "check"},
    )


def filling() -> rx.Component:
    return rx.el.div(
        rx.el.div(id="survey-status", role="status", aria_live="polite",
                  class_name="survey-status"),
        intro_step(),
        rx.foreach(SurveyFillState.items, question_step),
        check_step(),
        rx.script(src="/survey.js"),
        id="survey-form",
        class_name="survey",
        custom_attrs={
            "data-assignment": SurveyFillState.assignment_id,
            "data-draft": SurveyFillState.draft_json,
            "data-texts": SurveyFillState.texts_json,
            "data-lang": SurveyFillState.locale,
        },
    )


def summary_row(row: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.dt(row["name"]),
        rx.el.dd(row["now"], class_name="summary-now"),
        rx.cond(row["before"] != "", rx.el.dd(row["before"], class_name="muted")),
    )


def results() -> rx.Component:
    return rx.el.section(
        rx.cond(
            SurveyFillState.just_sent,
            rx.el.div(rx.el.p(T("Thank you! Your answers have been sent.")),
                      class_name="notice", role="status", id="survey-sent"),
        ),
        rx.el.h2(T("Your results"), id="results-heading"),
        rx.el.p(SurveyFillState.answered_on, class_name="muted"),
        rx.cond(SurveyFillState.proxy_note != "",
                rx.el.p(SurveyFillState.proxy_note, class_name="muted")),
        rx.el.dl(rx.foreach(SurveyFillState.summary, summary_row), class_name="figures",
                 id="survey-summary"),
        rx.el.p(SurveyFillState.summary_note),
        rx.el.p(rx.el.a(T("Back to surveys"), href="/surveys",
                        class_name="button button-secondary")),
        rx.el.div(id="survey-done", custom_attrs={"data-assignment":
                                                  SurveyFillState.assignment_id}),
        rx.script(src="/survey.js"),
        aria_labelledby="results-heading",
    )


@rx.page(route="/surveys/[assignment_id]", title="HB – Kysely", on_load=SurveyFillState.load)
def survey_fill() -> rx.Component:
    return page(
        rx.el.h1(rx.cond(SurveyFillState.name != "", SurveyFillState.name, T("Survey"))),
        rx.cond(
            SurveyFillState.ready,
            rx.cond(
                SurveyFillState.signed_in,
                rx.cond(
                    SurveyFillState.denied,
                    message_box(T("This survey cannot be opened. It may have been answered "
                                  "already, or you do not have the right to answer it."),
                                "error"),
                    rx.cond(SurveyFillState.completed, results(), filling()),
                ),
                sign_in_prompt("/surveys"),
            ),
            loading(),
        ),
    )
