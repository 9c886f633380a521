"""`/worker/clients/[client_id]`: one client's whole picture for their own case worker.

Shown only with assignment AND consent (checked by the service on every load and event);
without consent the worker sees how to ask for it. Survey trends are Reflex recharts charts,
each followed by a data table with the same numbers for screen readers and keyboards.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.budget import service_use_list
from hbapp.components.layout import loading, message_box, page
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.domain.alerts import WHOQOL_DOMAINS
from hbapp.domain.scoring import INSTRUMENT_IDS
from hbapp.i18n import N_
from hbapp.domain.swaps import SwapError
from hbapp.services.access import AccessDenied
from hbapp.services.swaps import decide_swap, decided_swaps_for_worker
from hbapp.views.swaps import decided_rows
from hbapp.services.surveys import TIMEPOINTS, SurveyError, assign_survey
from hbapp.services.worker_client import assigned_client_name, client_overview
from hbapp.state import AppState, T, today
from hbapp.views.budget import line_texts, summary_texts
from hbapp.views.worker import (
    INSTRUMENT_NAMES,
    TIMEPOINT_LABELS,
    WHOQOL_PARTS,
    AnswerSetView,
    alert_text,
    answer_sets,
    mandate_rows,
    open_survey_rows,
    promis_bands,
    promis_points,
    promis_rows,
    provider_rows,
    swap_rows,
    whodas_points,
    whodas_rows,
    whoqol_points,
    whoqol_rows,
)

# Band shading of the PROMIS charts: light, and always named in the text next to the chart.
BAND_FILLS = ("#d8eadb", "#e5f0e6", "#f2f2f2", "#fbefd9", "#f8dcdc")
WHOQOL_LINES = (
    ("physical", "#003580", "0"),
    ("psychological", "#8a4b00", "6 3"),
    ("social", "#1b6e3a", "2 2"),
    ("environment", "#6b2d8c", "10 4"),
)


class WorkerClientState(AppState):
    ready: bool = False
    status: str = ""  # ok, no_consent, not_assigned, not_a_worker, signed_out
    client_id: str = ""
    client_name: str = ""
    alerts: list[str] = []
    has_budget: bool = False
    summary: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    providers: list[dict[str, str]] = []
    mandates: list[dict[str, str]] = []
    open_surveys: list[dict[str, str]] = []
    swaps: list[dict[str, str]] = []
    swap_history: list[dict[str, str]] = []
    gph_points: list[dict] = []
    gph_rows: list[dict[str, str]] = []
    gmh_rows: list[dict[str, str]] = []
    gph_bands: list[dict[str, str]] = []
    gmh_bands: list[dict[str, str]] = []
    whoqol_points: list[dict] = []
    whoqol_rows: list[dict[str, str]] = []
    whodas_points: list[dict] = []
    whodas_rows: list[dict[str, str]] = []
    answer_sets: list[AnswerSetView] = []
    assign_message: str = ""
    assign_error: str = ""
    default_due: str = ""
    swap_message: str = ""
    swap_error: str = ""
    swap_error_id: str = ""
    # What was done last, so that a double submit does it once: the assignment form, and the
    # swap requests decided on this page.
    _assigned_form: str = ""
    _decided: list[str] = []

    def _client_id(self) -> int | None:
        return parse_id(self.router.page.params.get("client_id", ""))

    def _show(self):
        current = self._refresh_session()
        t = self._t()
        wanted = self._client_id()
        self.client_id = str(wanted or "")
        self.client_name = ""
        self.default_due = (today() + timedelta(days=14)).isoformat()
        if current is None:
            self.status = "signed_out"
            return
        if wanted is None:
            self.status = "not_assigned"
            return
        try:
            overview = client_overview(get_engine(), current.actor, wanted, today())
        except AccessDenied as denied:
            self.status = denied.reason
            if denied.reason == "no_consent":
                self.client_name = assigned_client_name(get_engine(), current.actor, wanted,
                                                        today()) or ""
            return
        self.status = "ok"
        self.client_name = overview.name
        self.alerts = [alert_text(t, a) for a in overview.alerts]
        self.has_budget = overview.budget is not None
        if overview.budget is not None:
            self.summary = summary_texts(t, overview.budget)
            # The provider pages are the client's; the worker reads the suspension plainly.
            self.lines = [{**texts, "provider_href": "",
                           "provider_notice": texts["provider_suspended"]}
                          for texts in (line_texts(t, overview.budget, line)
                                        for line in overview.budget.statement.lines)]
        self.providers = provider_rows(t, overview)
        self.mandates = mandate_rows(t, overview)
        self.open_surveys = open_survey_rows(t, overview)
        self.swaps = swap_rows(t, overview)
        self.swap_history = decided_rows(t, decided_swaps_for_worker(
            get_engine(), current.actor, today(), client_id=wanted))
        self.gph_points = promis_points(t, overview)
        self.gph_rows = promis_rows(t, overview, "gph")
        self.gmh_rows = promis_rows(t, overview, "gmh")
        self.gph_bands = promis_bands(t, "gph")
        self.gmh_bands = promis_bands(t, "gmh")
        self.whoqol_points = whoqol_points(t, overview)
        self.whoqol_rows = whoqol_rows(t, overview)
        self.whodas_points = whodas_points(t, overview)
        self.whodas_rows = whodas_rows(t, overview)
        self.answer_sets = answer_sets(t, overview)

    def _clear(self):
        self.status = ""
        self.alerts, self.lines, self.providers, self.mandates = [], [], [], []
        self.open_surveys, self.swaps, self.answer_sets = [], [], []
        self.swap_history = []
        self.gph_points, self.gph_rows, self.gmh_rows = [], [], []
        self.whoqol_points, self.whoqol_rows, self.whodas_points, self.whodas_rows = [], [], [], []
        self.summary, self.has_budget = {}, False
        self.assign_message = self.assign_error = ""
        self.swap_message = self.swap_error = self.swap_error_id = ""
        self._assigned_form, self._decided = "", []

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self._clear()
        self._show()
        self.ready = True
        return self._page_ready(N_("Client"))

    @rx.event
    @allow(Audience.WORKER)
    def assign(self, form_data: dict):
        """Assign a survey here (the surveys service checks assignment and consent again)."""
        t = self._t()
        submitted = json.dumps(form_data, sort_keys=True, default=str)
        if submitted == self._assigned_form:
            return  # the same form again right after it was assigned (a double submit)
        self.assign_message = self.assign_error = ""
        current = self._refresh_session()
        wanted = self._client_id()
        if current is None or wanted is None:
            self.assign_error = t("You do not have access to this client's data.")
            return
        try:
            due_on = date.fromisoformat(str(form_data.get("due_on", "")))
        except ValueError:
            self.assign_error = t("Enter the due date as a date, for example {example}.",
                                  example=t.date(today() + timedelta(days=14)))
            return
        instrument = str(form_data.get("instrument", ""))
        timepoint = str(form_data.get("timepoint", ""))
        try:
            assign_survey(get_engine(), current.actor, wanted, instrument, due_on, timepoint,
                          today())
        except AccessDenied:
            self.assign_error = t("You do not have access to this client's data.")
            return
        except SurveyError as error:
            self.assign_error = {
                "due_in_past": t("The due date must be today or later."),
                "already_assigned": t("This survey is already waiting for the client's "
                                      "answers for this time point."),
            }.get(error.code, t("Choose a survey and a time point."))
            return
        self._assigned_form = submitted
        self._show()
        self.assign_message = t("The survey {instrument} was assigned, due {date}.",
                                instrument=INSTRUMENT_NAMES.get(instrument, instrument),
                                date=t.date(due_on))


    @rx.event
    @allow(Audience.WORKER)
    def decide(self, form_data: dict):
        """Approve or decline a swap request (the swaps service re-checks access and budget)."""
        t = self._t()
        swap_id = str(form_data.get("swap_id", ""))
        if swap_id in self._decided:
            return  # decided here a moment ago: a double submit changes nothing
        self.swap_message = self.swap_error = self.swap_error_id = ""
        decision = str(form_data.get("decision", ""))
        reason = str(form_data.get("reason", ""))
        current = self._refresh_session()
        self.swap_error_id = swap_id
        wanted = parse_id(swap_id)
        if current is None or wanted is None:
            self.swap_error = t("You do not have access to this client's data.")
            return
        if decision not in ("approve", "decline"):
            self.swap_error = t("Choose approve or decline.")
            return
        try:
            decide_swap(get_engine(), current.actor, wanted, decision == "approve",
                        reason, today())
        except AccessDenied:
            self.swap_error = t("You do not have access to this client's data.")
            return
        except SwapError as error:
            self.swap_error = {
                "reason_required": t("Write the reason for declining."),
                "reason_too_long": t("The reason is too long. Use at most 1000 characters."),
                "not_pending": t("This request has already been decided."),
            }.get(error.code, t("The budget no longer allows this swap. Decline it and tell "
                                "the client why."))
            return
        self._decided = [*self._decided, swap_id]
        self._show()
        self.swap_error_id = ""
        self.swap_message = (t("The swap request was approved.") if decision == "approve"
                             else t("The swap request was declined."))


# --------------------------------------------------------------------------- pieces


def swap_item(s: rx.Var) -> rx.Component:
    error_id = "swap-error-" + s["id"]
    has_error = (WorkerClientState.swap_error != "") & (WorkerClientState.swap_error_id == s["id"])
    return rx.el.li(
        rx.el.p(rx.el.strong(s["month"]), ": ", s["text"]),
        rx.el.p(s["amount"], " · ", s["requested_by"], class_name="muted"),
        rx.el.form(
            rx.el.input(type="hidden", name="swap_id", value=s["id"]),
            rx.el.fieldset(
                rx.el.legend(T("Decision")),
                rx.el.div(
                    rx.el.input(type="radio", name="decision", value="approve",
                                id="swap-approve-" + s["id"]),
                    rx.el.label(T("Approve"), html_for="swap-approve-" + s["id"]),
                    class_name="wk-choice",
                ),
                rx.el.div(
                    rx.el.input(type="radio", name="decision", value="decline",
                                id="swap-decline-" + s["id"]),
                    rx.el.label(T("Decline"), html_for="swap-decline-" + s["id"]),
                    class_name="wk-choice",
                ),
            ),
            rx.el.div(
                rx.el.label(T("Reason (needed when you decline)"),
                            html_for="swap-reason-" + s["id"]),
                rx.el.textarea(name="reason", id="swap-reason-" + s["id"], rows=3,
                               aria_describedby=error_id,
                               aria_invalid=rx.cond(has_error, "true", "false")),
                class_name="wk-field",
            ),
            rx.el.p(rx.cond(has_error, WorkerClientState.swap_error, ""), id=error_id,
                    class_name=rx.cond(has_error, "wk-error", "visually-hidden")),
            rx.el.button(T("Save decision"), type="submit", class_name="button"),
            on_submit=WorkerClientState.decide,
        ),
        class_name="card",
    )



def data_table(caption: rx.Component, columns: list, rows: rx.Var) -> rx.Component:
    """`columns`: (heading, row key). On a phone each row stacks into a card whose cells are
    labelled with their column heading (hb.css .stack-table)."""
    return rx.el.div(
        rx.el.table(
            rx.el.caption(caption),
            rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col") for h, _ in columns])),
            rx.el.tbody(rx.foreach(rows, lambda r: rx.el.tr(*[
                rx.el.td(r[key], custom_attrs={"data-label": h}) for h, key in columns
            ]))),
            class_name="data-table stack-table",
        ),
        class_name="table-scroll",
        tab_index=0,
        role="region",
        aria_label=caption,
    )


def promis_chart(part: str, color: str) -> rx.Component:
    areas = [
        rx.recharts.reference_area(y1=lower, y2=upper, fill=fill, fill_opacity=0.6,
                                   if_overflow="hidden")
        for (lower, upper), fill in zip(
            ((58, 80), (50, 58), (42, 50), (35, 42), (10, 35)) if part == "gph"
            else ((56, 80), (48, 56), (40, 48), (29, 40), (10, 29)),
            BAND_FILLS,
        )
    ]
    return rx.el.div(
        rx.recharts.composed_chart(
            *areas,
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="date"),
            rx.recharts.y_axis(domain=[10, 80], ticks=[10, 20, 30, 40, 50, 60, 70, 80]),
            rx.recharts.reference_line(y=50, stroke="#1f2328", stroke_dasharray="6 4",
                                       stroke_width=2),
            rx.recharts.line(
                rx.recharts.error_bar(data_key=f"{part}_se", width=6, stroke=color,
                                      direction="y"),
                data_key=part,
                stroke=color,
                stroke_width=3,
                is_animation_active=False,
                connect_nulls=True,
            ),
            data=WorkerClientState.gph_points,
            # The chart is hidden from assistive technology (the table carries the numbers),
            # so recharts' keyboard layer must not make it focusable.
            custom_attrs={"accessibilityLayer": False},
            width="100%",
            height=260,
            margin={"top": 10, "right": 10, "left": 0, "bottom": 5},
        ),
        class_name="chart",
        aria_hidden="true",
    )


def promis_section(part: str, title: str, rows: rx.Var, bands: rx.Var, color: str):
    return rx.el.section(
        rx.el.h3(T(title)),
        rx.el.figure(
            promis_chart(part, color),
            rx.el.figcaption(
                T("T-score with ± 1 standard error. The dashed line is the population mean, 50. "
                  "Higher is better."),
            ),
            class_name="chart-figure",
        ),
        rx.el.p(T("Interpretation bands:"), class_name="band-heading"),
        rx.el.ul(rx.foreach(bands, lambda b: rx.el.li(b["text"])), class_name="band-list"),
        data_table(
            T(title),
            [(T("Date"), "date"), (T("Time point"), "timepoint"), (T("T-score"), "t"),
             (T("Standard error"), "se"), (T("Band"), "band"), (T("Proxy answer"), "proxy")],
            rows,
        ),
        class_name="card trend",
    )


def whoqol_section() -> rx.Component:
    return rx.el.section(
        rx.el.h3(T("WHOQOL-BREF domains (0–100)")),
        rx.el.figure(
            rx.el.div(
                rx.recharts.line_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                    rx.recharts.x_axis(data_key="date"),
                    rx.recharts.y_axis(domain=[0, 100], ticks=[0, 25, 50, 75, 100]),
                    rx.recharts.legend(),
                    *[
                        rx.recharts.line(data_key=key, name=key, stroke=color, stroke_width=3,
                                         stroke_dasharray=dash, is_animation_active=False)
                        for key, color, dash in WHOQOL_LINES
                    ],
                    data=WorkerClientState.whoqol_points,
                    custom_attrs={"accessibilityLayer": False},
                    width="100%",
                    height=260,
                ),
                class_name="chart",
                aria_hidden="true",
            ),
            rx.el.figcaption(T("Domain scores over time. Higher is better.")),
            class_name="chart-figure",
        ),
        data_table(
            T("WHOQOL-BREF domains (0–100)"),
            [(T("Date"), "date"), (T("Time point"), "timepoint"),
             *[(T(WHOQOL_PARTS[d]), d) for d in WHOQOL_DOMAINS], (T("Proxy answer"), "proxy")],
            WorkerClientState.whoqol_rows,
        ),
        class_name="card trend",
    )


def whodas_section() -> rx.Component:
    return rx.el.section(
        rx.el.h3(T("WHODAS 2.0 total (12–60)")),
        rx.el.figure(
            rx.el.div(
                rx.recharts.line_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                    rx.recharts.x_axis(data_key="date"),
                    rx.recharts.y_axis(domain=[12, 60], ticks=[12, 24, 36, 48, 60]),
                    rx.recharts.line(data_key="total", stroke="#003580", stroke_width=3,
                                     is_animation_active=False),
                    data=WorkerClientState.whodas_points,
                    custom_attrs={"accessibilityLayer": False},
                    width="100%",
                    height=220,
                ),
                class_name="chart",
                aria_hidden="true",
            ),
            rx.el.figcaption(T("Total score over time. Lower means fewer difficulties.")),
            class_name="chart-figure",
        ),
        data_table(
            T("WHODAS 2.0 total (12–60)"),
            [(T("Date"), "date"), (T("Time point"), "timepoint"), (T("Total"), "total"),
             (T("Proxy answer"), "proxy")],
            WorkerClientState.whodas_rows,
        ),
        class_name="card trend",
    )


def answer_set(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.details(
            rx.el.summary(
                item.title,
                rx.cond(item.proxy != "",
                        rx.el.span(" · ", T("Proxy answer"), class_name="badge badge-proxy")),
            ),
            rx.el.p(item.answered_by),
            rx.cond(item.proxy != "", rx.el.p(item.proxy, class_name="warning-text")),
            rx.el.ol(
                rx.foreach(item.questions, lambda q: rx.el.li(
                    rx.el.p(q["text"], lang="en", class_name="item-text"),
                    rx.el.p(rx.el.strong(q["answer"])),
                )),
                class_name="answer-items",
            ),
        ),
        class_name="answer-set",
    )


def surveys_section() -> rx.Component:
    cid = WorkerClientState.client_id
    return rx.el.section(
        rx.el.h2(T("Survey results"), id="surveys-heading"),
        rx.cond(
            WorkerClientState.gph_rows.length() > 0,
            rx.fragment(
                promis_section("gph", N_("PROMIS Global Physical Health (T-score)"),
                               WorkerClientState.gph_rows, WorkerClientState.gph_bands,
                               "#003580"),
                promis_section("gmh", N_("PROMIS Global Mental Health (T-score)"),
                               WorkerClientState.gmh_rows, WorkerClientState.gmh_bands,
                               "#8a4b00"),
            ),
        ),
        rx.cond(WorkerClientState.whoqol_rows.length() > 0, whoqol_section()),
        rx.cond(WorkerClientState.whodas_rows.length() > 0, whodas_section()),
        rx.cond(
            WorkerClientState.answer_sets.length() > 0,
            rx.el.section(
                rx.el.h3(T("Answers item by item")),
                rx.el.p(T("The questionnaires are shown in English, the language of their "
                          "licence."), class_name="muted"),
                rx.el.ul(rx.foreach(WorkerClientState.answer_sets, answer_set),
                         class_name="card-list-plain"),
            ),
            message_box(T("No survey answers yet.")),
        ),
        rx.el.h3(T("Surveys waiting for an answer")),
        rx.cond(
            WorkerClientState.open_surveys.length() > 0,
            rx.el.ul(rx.foreach(WorkerClientState.open_surveys, lambda s: rx.el.li(
                s["instrument"], ", ", s["timepoint"], ", ", s["due"],
                rx.cond(s["overdue"] != "",
                        rx.el.strong(" – ", s["overdue"], class_name="warning-text")),
            ))),
            rx.el.p(T("No surveys are waiting.")),
        ),
        assign_form(),
        rx.el.p(rx.el.a(T("All surveys of this client"),
                        href="/worker/clients/" + cid + "/surveys")),
        aria_labelledby="surveys-heading",
    )


def assign_form() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(T("Assign a survey")),
            rx.el.div(
                rx.el.label(T("Survey"), html_for="assign-instrument"),
                rx.el.select(
                    *[rx.el.option(INSTRUMENT_NAMES[i], value=i) for i in INSTRUMENT_IDS],
                    id="assign-instrument", name="instrument",
                ),
                class_name="wk-field",
            ),
            rx.el.div(
                rx.el.label(T("Time point"), html_for="assign-timepoint"),
                rx.el.select(
                    *[rx.el.option(T(TIMEPOINT_LABELS[p]), value=p) for p in TIMEPOINTS],
                    id="assign-timepoint", name="timepoint",
                ),
                class_name="wk-field",
            ),
            rx.el.div(
                rx.el.label(T("Due date"), html_for="assign-due"),
                rx.el.input(type="date", id="assign-due", name="due_on",
                            default_value=WorkerClientState.default_due,
                            aria_describedby="assign-error",
                            aria_invalid=rx.cond(WorkerClientState.assign_error != "", "true",
                                                 "false")),
                class_name="wk-field",
            ),
            rx.el.p(WorkerClientState.assign_error, id="assign-error",
                    class_name=rx.cond(WorkerClientState.assign_error != "", "wk-error",
                                       "visually-hidden")),
            rx.el.button(T("Assign survey"), type="submit", class_name="button"),
            rx.el.p(WorkerClientState.assign_message, role="status"),
        ),
        on_submit=WorkerClientState.assign,
        class_name="card assign-form",
    )


def overview_content() -> rx.Component:
    cid = WorkerClientState.client_id
    return rx.fragment(
        rx.el.p(rx.el.a("‹ ", T("My clients"), href="/worker")),
        rx.el.section(
            rx.el.h2(T("Alerts"), id="client-alerts-heading"),
            rx.cond(
                WorkerClientState.alerts.length() > 0,
                rx.el.ul(rx.foreach(WorkerClientState.alerts, lambda a: rx.el.li(
                    rx.el.span("!", aria_hidden="true", class_name="badge-mark"), " ", a,
                    class_name="badge badge-alert")), class_name="badge-list"),
                rx.el.p(T("No alerts.")),
            ),
            class_name="card highlight",
            aria_labelledby="client-alerts-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Budget this month"), id="client-budget-heading"),
            rx.cond(
                WorkerClientState.has_budget,
                rx.fragment(
                    rx.el.dl(
                        rx.el.div(rx.el.dt(T("Budget for the month")),
                                  rx.el.dd(WorkerClientState.summary["budget"])),
                        rx.el.div(rx.el.dt(T("Used")), rx.el.dd(WorkerClientState.summary["used"])),
                        rx.el.div(rx.el.dt(T("Left")),
                                  rx.el.dd(WorkerClientState.summary["remaining"])),
                        class_name="figures",
                    ),
                    rx.el.p(WorkerClientState.summary["forecast"]),
                    rx.el.p(T("Decision"), ": ", WorkerClientState.summary["decision"],
                            class_name="muted"),
                    service_use_list(WorkerClientState.lines),
                ),
                rx.el.p(T("There is no active budget for this month.")),
            ),
            rx.el.p(rx.el.a(T("Budget decision: grant, change or end"),
                            href="/worker/clients/" + cid + "/budget",
                            class_name="button button-secondary", id="decision-link")),
            aria_labelledby="client-budget-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Chosen providers"), id="client-providers-heading"),
            rx.cond(
                WorkerClientState.providers.length() > 0,
                rx.el.ul(rx.foreach(WorkerClientState.providers, lambda p: rx.el.li(
                    rx.el.strong(p["service"]), ": ", p["provider"], " (", p["since"], ")"))),
                rx.el.p(T("No provider has been chosen in the app.")),
            ),
            rx.el.p(rx.el.a(T("Provider feedback"), href="/worker/providers")),
            aria_labelledby="client-providers-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Who acts for the client"), id="client-mandates-heading"),
            rx.cond(
                WorkerClientState.mandates.length() > 0,
                rx.el.ul(rx.foreach(WorkerClientState.mandates, lambda m: rx.el.li(
                    rx.el.strong(m["name"]), " (", m["relation"], "): ", m["scopes"], ", ",
                    m["valid"]))),
                rx.el.p(T("Nobody acts for the client.")),
            ),
            rx.el.p(rx.el.a(T("Record a mandate or consent"),
                            href="/worker/clients/" + cid + "/access",
                            class_name="button button-secondary")),
            aria_labelledby="client-mandates-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Swap requests waiting"), id="client-swaps-heading"),
            rx.cond(
                WorkerClientState.swaps.length() > 0,
                rx.el.ul(rx.foreach(WorkerClientState.swaps, swap_item),
                         class_name="card-list-plain"),
                rx.el.p(T("No swap requests are waiting.")),
            ),
            rx.el.p(WorkerClientState.swap_message, role="status"),
            rx.el.p(rx.el.a(T("All swap requests of my clients"), href="/worker/swaps")),
            aria_labelledby="client-swaps-heading",
        ),
        rx.el.section(
            rx.el.h2(T("Decided swap requests"), id="client-swap-history-heading"),
            rx.cond(
                WorkerClientState.swap_history.length() > 0,
                rx.el.ul(rx.foreach(WorkerClientState.swap_history, lambda h: rx.el.li(
                    rx.el.p(rx.el.strong(h["title"]), " · ", h["month"]),
                    rx.el.p(h["what"]),
                    rx.el.p(h["decided"]),
                    rx.cond(h["reason"] != "", rx.el.blockquote(h["reason"])),
                    class_name="card swap-history-item",
                )), class_name="card-list-plain", id="client-swap-history"),
                rx.el.p(T("No swap requests have been decided.")),
            ),
            aria_labelledby="client-swap-history-heading",
        ),
        surveys_section(),
    )


@rx.page(route="/worker/clients/[client_id]", title="HB – Asiakas",
         on_load=WorkerClientState.load)
def worker_client() -> rx.Component:
    cid = WorkerClientState.client_id
    return page(
        rx.el.h1(rx.cond(WorkerClientState.client_name != "", WorkerClientState.client_name,
                         T("Client"))),
        rx.cond(
            WorkerClientState.ready,
            rx.match(
                WorkerClientState.status,
                ("ok", overview_content()),
                ("signed_out", rx.el.section(
                    rx.el.p(T("Sign in to see your clients.")),
                    rx.el.a(T("Sign in"), href="/auth/login?next=/worker", class_name="button"),
                    class_name="notice",
                )),
                ("no_consent", rx.el.section(
                    rx.el.h2(T("No consent")),
                    rx.el.p(T("The client has not given consent to show their data to case "
                              "workers. Ask the client, or their guardian, for consent. Tell "
                              "them what you will see and why. Then record the consent.")),
                    rx.el.a(T("Record consent"), href="/worker/clients/" + cid + "/access",
                            class_name="button"),
                    rx.el.p(rx.el.a(T("Budget decision: grant, change or end"),
                                    href="/worker/clients/" + cid + "/budget",
                                    id="decision-link")),
                    class_name="notice notice-warning",
                    role="status",
                )),
                ("not_a_worker", message_box(
                    T("This page is for case workers. You do not have access."), "error")),
                message_box(T("You do not have access to this client's data. Only the client's "
                              "own case worker can see it."), "error"),
            ),
            loading(),
        ),
    )
