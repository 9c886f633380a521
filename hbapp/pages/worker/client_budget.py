"""`/worker/clients/[client_id]/budget`: the case worker grants, changes and ends a budget.

GOV.UK steps: dates → reason → services (units, unit values; the month's total next to the
guideline figure while editing) → additions → check answers → confirm. Nothing is written
before the confirmation; the decisions service checks the rights, the rules and the revision
the page was loaded with again, so a second worker editing at once is told to review again.
Ending: last month, date and reason → check → confirm. Open conflicts (swaps a change could not
carry over) are listed for the worker to resolve.
"""

from __future__ import annotations

from typing import ClassVar

from datetime import date
from decimal import Decimal

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.decisions import history_list, month_fields
from hbapp.components.forms import (
    back_button,
    checkbox,
    date_fields,
    error_message,
    submit_button,
    summary_row,
    text_field,
)
from hbapp.components.layout import loading, message_box, page
from hbapp.db import get_engine
from hbapp.domain.decisions import (
    AdditionDraft,
    DecisionDraft,
    DecisionError,
    LineDraft,
    PricedLine,
    end_of_month,
    monthly_total_cents,
    parse_month_year,
    parse_units,
)
from hbapp.domain.ledger import add_months, month_start
from hbapp.domain.mandates import InvalidMandate, parse_day_month_year
from hbapp.domain.money import MoneyFormatError, parse_euros
from hbapp.i18n import N_
from hbapp.services import decisions as service
from hbapp.services.access import AccessDenied
from hbapp.services.catalog import BANDS, BASE_BAND
from hbapp.state import AppState, T, today
from hbapp.views.decisions import (
    BAND_NAMES,
    conflict_rows,
    error_text,
    guideline_text,
    history_texts,
    option_rows,
    period_text,
    VersionText,
)

BACK = {"dates": "overview", "reason": "dates", "lines": "reason", "additions": "lines",
        "check": "additions", "end": "overview", "end_check": "end", "done": "overview"}
MAX_ADDITIONS = 24


class WorkerBudgetState(AppState):
    # Its on_load starts afresh (forgetting what was typed): a language switch re-renders
    # the labels only (see AppState.RELOAD_ON_LANGUAGE).
    RELOAD_ON_LANGUAGE: ClassVar[bool] = False
    ready: bool = False
    status: str = ""  # ok, signed_out, denied
    client_id: str = ""
    client_name: str = ""
    revision: int = 0
    history: list[VersionText] = []
    conflicts: list[dict[str, str]] = []
    open_number: str = ""
    open_period: str = ""
    step: str = "overview"
    mode: str = ""  # grant, change, end
    error: str = ""
    error_field: str = ""
    notice: str = ""
    # answers
    dd_day: str = ""
    dd_month: str = ""
    dd_year: str = ""
    from_month: str = ""
    from_year: str = ""
    to_month: str = ""
    to_year: str = ""
    reason: str = ""
    services: list[dict[str, str]] = []
    inputs: dict[str, str] = {}
    additions: list[dict[str, str]] = []
    add_description: str = ""
    add_amount: str = ""
    add_month: str = ""
    add_year: str = ""
    add_monthly: bool = False
    total: str = ""
    guideline: str = ""
    check_lines: list[str] = []
    check_additions: list[str] = []
    check_period: str = ""
    check_date: str = ""

    # -- helpers ---------------------------------------------------------------------------

    def _cid(self) -> int | None:
        raw = str(self.router.page.params.get("client_id", ""))
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _show(self):
        current = self._refresh_session()
        t = self._t()
        cid = self._cid()
        self.client_id = str(cid or "")
        if current is None:
            self.status = "signed_out"
            return None
        if cid is None:
            self.status = "denied"
            return None
        try:
            result = service.worker_decisions(get_engine(), current.actor, cid, today())
        except AccessDenied:
            self.status = "denied"
            self.client_name = ""
            return None
        self.status = "ok"
        self.client_name = result.client_name
        self.revision = result.revision
        self.history = history_texts(t, result, today())
        self.conflicts = conflict_rows(t, result.conflicts)
        decision = result.open_decision(today())
        self.open_number = decision.number if decision else ""
        self.open_period = (period_text(t, decision.first_month, decision.last_day)
                            if decision else "")
        return result

    def _go(self, step: str):
        self.step = step
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus()")

    def _fail(self, error: DecisionError | str, field: str = ""):
        t = self._t()
        if isinstance(error, DecisionError):
            self.error = error_text(t, error)
            self.error_field = field or error.field or "form"
        else:
            self.error = t(error)
            self.error_field = field or "form"

    def _clear_error(self):
        self.error = self.error_field = ""

    def _decision_date(self) -> date:
        try:
            return parse_day_month_year(self.dd_day, self.dd_month, self.dd_year)
        except InvalidMandate as bad:
            code = "date_missing" if bad.reason == "date_missing" else "decision_date_invalid"
            raise DecisionError(code, "decision_date") from None

    def _period(self) -> tuple[date, date | None]:
        start = parse_month_year(self.from_month, self.from_year, "valid_from")
        end = None
        if self.to_month.strip() or self.to_year.strip():
            end = end_of_month(parse_month_year(self.to_month, self.to_year, "valid_to"))
        return start, end

    def _options(self, current, on: date):
        return service.service_options(get_engine(), current.actor, int(self.client_id), on,
                                       today())

    def _line_drafts(self, strict: bool) -> list[LineDraft]:
        """The lines typed so far; `strict` raises at the first bad input, else skips it."""
        lines = []
        for option in self.services:
            code = option["code"]
            units_text = self.inputs.get(f"units_{code}", "").strip()
            if not units_text:
                continue
            try:
                units = parse_units(units_text, f"units_{code}")
                bands = BANDS if option["banded"] else (BASE_BAND,)
                typed = {band: self.inputs.get(f"own_{code}_{band}", "").strip()
                         for band in bands}
                own = None
                if any(typed.values()):
                    own = {}
                    for band, text in typed.items():
                        try:
                            own[band] = parse_euros(text)
                        except MoneyFormatError:
                            raise DecisionError("value_not_a_number",
                                                f"own_{code}_{band}") from None
                        if own[band] <= 0:
                            raise DecisionError("value_not_positive", f"own_{code}_{band}")
                    why = " ".join(self.inputs.get(f"why_{code}", "").split())
                    if not why:
                        raise DecisionError("value_reason_missing", f"why_{code}")
                    if len(why) > 300:
                        raise DecisionError("value_reason_too_long", f"why_{code}")
                lines.append(LineDraft(code, units, own, self.inputs.get(f"why_{code}", "")))
            except DecisionError:
                if strict:
                    raise
        if strict and not lines:
            raise DecisionError("no_lines", "lines")
        return lines

    def _addition_drafts(self) -> list[AdditionDraft]:
        return [AdditionDraft(a["description"], int(a["cents"]), date.fromisoformat(a["month"]),
                              a["monthly"] == "1") for a in self.additions]

    def _draft(self) -> DecisionDraft:
        start, end = self._period()
        return DecisionDraft(self._decision_date(), start, end, self.reason,
                             tuple(self._line_drafts(strict=True)),
                             tuple(self._addition_drafts()))

    def _recalc(self):
        t = self._t()
        values = {o["code"]: int(o["base_cents"]) for o in self.services}
        priced = [PricedLine(line.service_code, line.units,
                             (line.own_values or {}).get(BASE_BAND, values[line.service_code]))
                  for line in self._line_drafts(strict=False)]
        try:
            start, _end = self._period()
        except DecisionError:
            start = month_start(today())
        cents = monthly_total_cents(priced, self._addition_drafts(), start)
        self.total = t("Budget for {month}: {amount}", month=t.month(start),
                       amount=t.money(cents))
        self.guideline = guideline_text(t)

    def _load_services(self, current) -> None:
        start, _end = self._period()
        options = self._options(current, start)
        rows = option_rows(self._t(), options)
        for row, option in zip(rows, options):
            row["base_cents"] = str(option.values[BASE_BAND])
        self.services = rows

    def _prefill_change(self, result) -> None:
        t = self._t()
        decision = result.open_decision(today()) if result else None
        if decision is None:
            return
        latest = decision.versions[-1]
        self.inputs = {}
        for line in latest.lines:
            self.inputs[f"units_{line.service_code}"] = t.number(line.units, 3)
            if line.own_reason:
                for band, cents in (line.band_values or {BASE_BAND: line.unit_value_cents}).items():
                    self.inputs[f"own_{line.service_code}_{band}"] = t.number(
                        Decimal(cents) / 100, 2)
                self.inputs[f"why_{line.service_code}"] = line.own_reason
        if decision.last_day is not None:
            self.to_month, self.to_year = (str(decision.last_day.month),
                                           str(decision.last_day.year))
        # Additions still ahead move into the change: monthly ones, and one-off ones of the
        # months the change covers (the check step shows them; the worker may remove them).
        self.additions = []
        start = add_months(month_start(today()), 1)
        for a in latest.additions:
            if a.monthly or a.month >= start:
                self._append_addition(a.description, a.amount_cents,
                                      max(a.month, start) if a.monthly else a.month, a.monthly)

    def _fit_monthly_additions(self, start: date) -> None:
        """A monthly addition carried into a change starts with the change at the earliest."""
        kept = self.additions
        self.additions = []
        for a in kept:
            month = date.fromisoformat(a["month"])
            if a["monthly"] and month < start:
                month = start
            self._append_addition(a["description"], int(a["cents"]), month, bool(a["monthly"]))

    def _append_addition(self, description: str, cents: int, month: date, monthly: bool):
        t = self._t()
        text = (t("{description}: {amount} a month from {month}", description=description,
                  amount=t.money(cents), month=t.month(month)) if monthly
                else t("{description}: {amount} in {month}", description=description,
                       amount=t.money(cents), month=t.month(month)))
        self.additions = [*self.additions, {
            "id": str(len(self.additions)), "description": description, "cents": str(cents),
            "month": month.isoformat(), "monthly": "1" if monthly else "", "text": text}]

    def _start(self, mode: str, result):
        d = today()
        self.mode = mode
        self._clear_error()
        self.notice = ""
        self.dd_day, self.dd_month, self.dd_year = str(d.day), str(d.month), str(d.year)
        first = month_start(d) if mode == "grant" else add_months(month_start(d), 1)
        self.from_month, self.from_year = str(first.month), str(first.year)
        self.to_month = self.to_year = ""
        self.reason = ""
        self.inputs, self.additions = {}, []
        self.add_description = self.add_amount = self.add_month = self.add_year = ""
        self.add_monthly = False
        if mode == "change":
            self._prefill_change(result)
        if mode == "end":
            self.from_month, self.from_year = str(d.month), str(d.year)
            return self._go("end")
        return self._go("dates")

    # -- events ----------------------------------------------------------------------------

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = False
        self.step, self.mode, self.notice = "overview", "", ""
        self._clear_error()
        self.history, self.conflicts, self.services = [], [], []
        self._show()
        self.ready = True
        return self._page_ready(N_("Budget decision"))

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def start(self, mode: str):
        if mode not in ("grant", "change", "end"):
            return
        result = self._show()
        if result is None or (mode != "grant" and not self.open_number):
            return
        return self._start(mode, result)

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def back(self):
        self._clear_error()
        return self._go(BACK.get(self.step, "overview"))

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def change_step(self, step: str):
        if step in ("dates", "reason", "lines", "additions", "end"):
            self._clear_error()
            return self._go(step)

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def submit_dates(self, form_data: dict):
        current = self._refresh_session()
        if current is None or self.mode not in ("grant", "change"):
            return
        for name, field in (("dd_day", "decision_date_day"), ("dd_month", "decision_date_month"),
                            ("dd_year", "decision_date_year"), ("from_month", "valid_from_month"),
                            ("from_year", "valid_from_year"), ("to_month", "valid_to_month"),
                            ("to_year", "valid_to_year")):
            setattr(self, name, str(form_data.get(field, ""))[:6])
        try:
            decided = self._decision_date()
            if decided > today():
                raise DecisionError("decision_date_in_future", "decision_date")
            start, end = self._period()
            if self.mode == "grant" and start < month_start(today()):
                raise DecisionError("start_in_past", "valid_from")
            if self.mode == "change" and start <= month_start(today()):
                raise DecisionError("change_not_future", "valid_from")
            if end is not None and end < start:
                raise DecisionError("end_before_start", "valid_to")
            self._load_services(current)
            self._fit_monthly_additions(start)
        except DecisionError as error:
            self._fail(error)
            return
        except AccessDenied:
            self.status = "denied"
            return
        self._clear_error()
        self._recalc()
        return self._go("reason")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def submit_reason(self, form_data: dict):
        self.reason = str(form_data.get("reason", ""))[:2100]
        text = " ".join(self.reason.split())
        if not text:
            self._fail(DecisionError("reason_missing", "reason"))
            return
        if len(text) > 2000:
            self._fail(DecisionError("reason_too_long", "reason"))
            return
        self._clear_error()
        self._recalc()
        return self._go("lines")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def update_field(self, name: str, value: str):
        """An input of the services step left: keep it and show the new total."""
        codes = {o["code"] for o in self.services}
        prefix, _, rest = name.partition("_")
        code = rest
        if prefix == "own":
            code, _, band = rest.rpartition("_")
            if band not in BANDS:
                return
        if prefix not in ("units", "own", "why") or code not in codes:
            return
        self.inputs = {**self.inputs, name: value[:300]}
        self._recalc()

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def submit_lines(self, form_data: dict):
        codes = {o["code"] for o in self.services}
        kept = {}
        for key, value in form_data.items():
            key = str(key)
            prefix, _, rest = key.partition("_")
            code = rest.rpartition("_")[0] if prefix == "own" else rest
            if prefix in ("units", "own", "why") and code in codes:
                kept[key] = str(value)[:300]
        self.inputs = kept
        self._recalc()
        try:
            self._line_drafts(strict=True)
        except DecisionError as error:
            self._fail(error)
            return
        self._clear_error()
        return self._go("additions")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def add_addition(self, form_data: dict):
        self.add_description = str(form_data.get("add_description", ""))[:250]
        self.add_amount = str(form_data.get("add_amount", ""))[:20]
        self.add_month = str(form_data.get("add_when_month", ""))[:4]
        self.add_year = str(form_data.get("add_when_year", ""))[:6]
        self.add_monthly = bool(form_data.get("add_monthly"))
        description = " ".join(self.add_description.split())
        if not description:
            self._fail(DecisionError("addition_description_missing", "add_description"))
            return
        if len(description) > 200:
            self._fail(DecisionError("addition_description_too_long", "add_description"))
            return
        try:
            cents = parse_euros(self.add_amount)
        except MoneyFormatError:
            cents = 0
        if not 0 < cents <= 100_000_000:
            self._fail(DecisionError("addition_not_positive", "add_amount"))
            return
        try:
            month = parse_month_year(self.add_month, self.add_year, "add_when")
            start, end = self._period()
        except DecisionError as error:
            self._fail(error)
            return
        if month < start or (end is not None and month > end):
            self._fail(DecisionError("addition_outside_period", "add_when"))
            return
        if len(self.additions) >= MAX_ADDITIONS:
            return
        self._append_addition(description, cents, month, self.add_monthly)
        self.add_description = self.add_amount = self.add_month = self.add_year = ""
        self.add_monthly = False
        self._clear_error()
        self._recalc()

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def remove_addition(self, addition_id: str):
        kept = [a for a in self.additions if a["id"] != addition_id]
        self.additions = [{**a, "id": str(i)} for i, a in enumerate(kept)]
        self._recalc()

    def _fill_check(self):
        t = self._t()
        draft = self._draft()
        names = {o["code"]: o for o in self.services}
        self.check_date = t.date(draft.decision_date)
        self.check_period = period_text(t, draft.valid_from, draft.valid_to)
        lines = []
        for line in draft.lines:
            option = names[line.service_code]
            text = t("{service}: {units} {unit}", service=option["name"],
                     units=t.number(line.units, 3), unit=option["unit"])
            if line.own_values:
                text += " · " + t("own value {values}, because: {reason}", values=", ".join(
                    t.money(v) for v in line.own_values.values()), reason=line.own_reason)
            else:
                text += " · " + option["catalog"]
            lines.append(text)
        self.check_lines = lines
        self.check_additions = [a["text"] for a in self.additions]
        self._recalc()

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def to_check(self):
        try:
            self._fill_check()
        except DecisionError as error:
            self._fail(error)
            return
        self._clear_error()
        return self._go("check")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def confirm(self):
        current = self._refresh_session()
        cid = self._cid()
        if current is None or cid is None or self.mode not in ("grant", "change"):
            return
        t = self._t()
        try:
            draft = self._draft()
            if self.mode == "grant":
                number = service.grant(get_engine(), current.actor, cid, draft, self.revision,
                                       today())
                notice = t("The budget was granted: decision {number}.", number=number)
            else:
                conflicts = service.change(get_engine(), current.actor, cid, self.open_number,
                                           draft, self.revision, today())
                notice = t("The decision was changed from {month}.",
                           month=t.month(draft.valid_from))
                if conflicts:
                    notice += " " + t("Some swaps could not follow the change: see the "
                                      "conflicts below and resolve them.")
        except AccessDenied:
            self.status = "denied"
            return
        except DecisionError as error:
            refreshed = self.revision
            self._show()
            if error.code == "changed_meanwhile":
                # Stay on the check page: what was typed is kept; the new revision is loaded,
                # so confirming again after the review goes through.
                self._fail(error, "form")
                return self._go("check")
            self.revision = refreshed
            self._fail(error)
            return
        self._show()
        self.notice = notice
        self.mode = ""
        return self._go("overview")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def submit_end(self, form_data: dict):
        for name, field in (("dd_day", "decision_date_day"), ("dd_month", "decision_date_month"),
                            ("dd_year", "decision_date_year"), ("from_month", "last_month_month"),
                            ("from_year", "last_month_year")):
            setattr(self, name, str(form_data.get(field, ""))[:6])
        self.reason = str(form_data.get("reason", ""))[:2100]
        try:
            decided = self._decision_date()
            if decided > today():
                raise DecisionError("decision_date_in_future", "decision_date")
            last = parse_month_year(self.from_month, self.from_year, "last_month")
            if last < month_start(today()):
                raise DecisionError("end_in_past", "last_month")
            text = " ".join(self.reason.split())
            if not text:
                raise DecisionError("reason_missing", "reason")
            if len(text) > 2000:
                raise DecisionError("reason_too_long", "reason")
        except DecisionError as error:
            self._fail(error)
            return
        t = self._t()
        self.check_date = t.date(decided)
        self.check_period = t.month(last)
        self._clear_error()
        return self._go("end_check")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def confirm_end(self):
        current = self._refresh_session()
        cid = self._cid()
        if current is None or cid is None or not self.open_number:
            return
        t = self._t()
        try:
            last = parse_month_year(self.from_month, self.from_year, "last_month")
            conflicts = service.end(get_engine(), current.actor, cid, self.open_number, last,
                                    self._decision_date(), self.reason, self.revision, today())
        except AccessDenied:
            self.status = "denied"
            return
        except DecisionError as error:
            self._show()
            self._fail(error)
            return self._go("end_check" if error.code == "changed_meanwhile" else "end")
        self._show()
        self.notice = t("The budget ends after {month}.", month=t.month(last))
        if conflicts:
            self.notice += " " + t("Some swaps could not follow the change: see the conflicts "
                                   "below and resolve them.")
        self.mode = ""
        return self._go("overview")

    @rx.event
    @allow(Audience.WORKER_OR_ADMIN)
    def resolve(self, form_data: dict):
        current = self._refresh_session()
        cid = self._cid()
        conflict_id = str(form_data.get("conflict_id", ""))
        if current is None or cid is None or not conflict_id.isdigit() or len(conflict_id) > 12:
            return
        note = str(form_data.get("note", ""))[:1100]
        try:
            service.resolve_conflict(get_engine(), current.actor, cid, int(conflict_id), note,
                                     self.revision, today())
        except AccessDenied:
            self.status = "denied"
            return
        except DecisionError as error:
            self._show()
            self._fail(error, "conflict-" + conflict_id)
            return
        self._show()
        self._clear_error()
        t = self._t()
        self.notice = t("The conflict is marked resolved.")


S = WorkerBudgetState


# ------------------------------------------------------------------------------ components


def total_box() -> rx.Component:
    return rx.el.div(
        rx.el.p(rx.el.strong(S.total), id="decision-total"),
        rx.el.p(S.guideline, class_name="muted"),
        class_name="card highlight",
        role="status",
        aria_live="polite",
    )


def form_error() -> rx.Component:
    return rx.cond(
        (S.error != "") & ((S.error_field == "form") | (S.error_field == "lines")),
        rx.el.div(rx.el.p(S.error), class_name="notice notice-error", role="alert",
                  id="form-error"),
    )


def step_dates() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(rx.cond(S.mode == "change", T("When does the change apply?"),
                         T("When is the budget granted?")), id="step-heading"),
        form_error(),
        rx.el.form(
            date_fields("decision_date", T("Decision date"), S.dd_day, S.dd_month, S.dd_year,
                        S.error, S.error_field,
                        hint=rx.el.p(T("For example 24 2 2026"), class_name="hint")),
            month_fields("valid_from", rx.cond(S.mode == "change",
                                               T("The change applies from the month"),
                                               T("First month of the budget")),
                         S.from_month, S.from_year, S.error, S.error_field),
            month_fields("valid_to", T("Last month (leave empty if until further notice)"),
                         S.to_month, S.to_year, S.error, S.error_field),
            submit_button(T("Continue")),
            on_submit=S.submit_dates, reset_on_submit=False,
        ),
    )


def step_reason() -> rx.Component:
    has_error = S.error_field == "reason"
    return rx.fragment(
        back_button(S.back),
        rx.el.form(
            rx.el.div(
                rx.el.h2(rx.el.label(T("Why is the decision made?"), html_for="f-reason"),
                         id="step-heading"),
                rx.el.p(T("Write in plain language: the client reads this. Say what the "
                          "budget is for and, for a change, what changes and why."),
                        class_name="hint", id="f-reason-hint"),
                error_message("f-reason-error", S.error, has_error),
                rx.el.textarea(default_value=S.reason, id="f-reason", name="reason", rows=5,
                               class_name="field-input",
                               aria_describedby="f-reason-hint f-reason-error",
                               aria_invalid=rx.cond(has_error, "true", "false")),
                class_name=rx.cond(has_error, "field field-has-error", "field"),
            ),
            submit_button(T("Continue")),
            on_submit=S.submit_reason, reset_on_submit=False,
        ),
    )


def own_value_input(code: rx.Var, band: str, label) -> rx.Component:
    name = "own_" + code + "_" + band
    has_error = S.error_field == name
    return rx.el.div(
        rx.el.label(label, html_for="f-" + name, class_name="field-label"),
        error_message("f-" + name + "-error", S.error, has_error),
        rx.el.input(id="f-" + name, name=name, type="text", input_mode="decimal",
                    auto_complete="off", default_value=S.inputs[name].to(str),
                    class_name="field-input width-6",
                    aria_describedby="f-" + name + "-error",
                    aria_invalid=rx.cond(has_error, "true", "false"),
                    on_blur=lambda value: S.update_field(name, value)),
        class_name="field",
    )


def service_fieldset(option: rx.Var) -> rx.Component:
    code = option["code"]
    units = "units_" + code
    why = "why_" + code
    units_error = S.error_field == units
    why_error = S.error_field == why
    return rx.el.fieldset(
        rx.el.legend(rx.el.strong(option["name"]), class_name="field-legend"),
        rx.el.p(option["catalog"], class_name="hint", id="f-" + units + "-hint"),
        rx.el.div(
            rx.el.label(T("Granted per month"), " (", option["unit"], ")",
                        html_for="f-" + units, class_name="field-label"),
            error_message("f-" + units + "-error", S.error, units_error),
            rx.el.input(id="f-" + units, name=units, type="text", input_mode="decimal",
                        auto_complete="off", default_value=S.inputs[units].to(str),
                        class_name="field-input width-6",
                        aria_describedby="f-" + units + "-hint f-" + units + "-error",
                        aria_invalid=rx.cond(units_error, "true", "false"),
                        on_blur=lambda value: S.update_field(units, value)),
            class_name=rx.cond(units_error, "field field-has-error", "field"),
        ),
        rx.el.details(
            rx.el.summary(T("Own unit value for this decision")),
            rx.el.p(T("Leave empty to use the catalog's value. An own value needs a reason."),
                    class_name="hint"),
            rx.cond(
                option["banded"] != "",
                rx.fragment(*[own_value_input(code, band, T(BAND_NAMES[band]))
                              for band in BANDS]),
                own_value_input(code, BASE_BAND, T("Unit value in euros")),
            ),
            rx.el.div(
                rx.el.label(T("Reason for the own value"), html_for="f-" + why,
                            class_name="field-label"),
                error_message("f-" + why + "-error", S.error, why_error),
                rx.el.input(id="f-" + why, name=why, type="text", auto_complete="off",
                            default_value=S.inputs[why].to(str), class_name="field-input",
                            aria_describedby="f-" + why + "-error",
                            aria_invalid=rx.cond(why_error, "true", "false"),
                            on_blur=lambda value: S.update_field(why, value)),
                class_name=rx.cond(why_error, "field field-has-error", "field"),
            ),
            open=S.inputs[why].to(str) != "",
        ),
        class_name="field card",
    )


def step_lines() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Which services are granted?"), id="step-heading"),
        rx.el.p(T("Enter the units per month of each granted service. Leave the others "
                  "empty."), class_name="hint"),
        total_box(),
        form_error(),
        rx.el.form(
            rx.foreach(S.services, service_fieldset),
            submit_button(T("Continue")),
            on_submit=S.submit_lines, reset_on_submit=False,
        ),
    )


def step_additions() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Additions to the budget"), id="step-heading"),
        rx.el.p(T("Money outside the services, once or every month: for example a trip with "
                  "an assistant. This is optional."), class_name="hint"),
        total_box(),
        rx.cond(
            S.additions.length() > 0,
            rx.el.ul(rx.foreach(S.additions, lambda a: rx.el.li(
                a["text"], " ",
                rx.el.button(T("Remove"), rx.el.span(" ", a["text"], class_name="visually-hidden"),
                             type="button", on_click=S.remove_addition(a["id"]),
                             class_name="link-button")
            )), class_name="fact-list", id="addition-list"),
            rx.el.p(T("No additions.")),
        ),
        rx.el.form(
            rx.el.h3(T("Add an addition")),
            text_field("add_description", T("What is it for?"), S.add_description, S.error,
                       S.error_field),
            text_field("add_amount", T("Amount in euros"), S.add_amount, S.error, S.error_field),
            month_fields("add_when", T("Month"), S.add_month, S.add_year, S.error,
                         S.error_field),
            checkbox("add", "monthly", T("Every month from this month on"), S.add_monthly),
            rx.el.button(T("Add"), type="submit", class_name="button button-secondary"),
            on_submit=S.add_addition, reset_on_submit=True,
        ),
        rx.el.button(T("Continue"), type="button", on_click=S.to_check, class_name="button",
                     id="to-check"),
    )


def step_check() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(rx.cond(S.mode == "change", T("Check the change before confirming"),
                         T("Check the decision before confirming")), id="step-heading"),
        form_error(),
        rx.el.dl(
            summary_row(T("Decision date"), S.check_date, S.change_step("dates"),
                        T("the decision date")),
            summary_row(T("Period"), S.check_period, S.change_step("dates"), T("the period")),
            summary_row(T("Reason"), S.reason, S.change_step("reason"), T("the reason")),
            summary_row(T("Services"), rx.el.ul(rx.foreach(S.check_lines, rx.el.li),
                                                class_name="plain-list"),
                        S.change_step("lines"), T("the services")),
            summary_row(T("Additions"), rx.cond(
                S.check_additions.length() > 0,
                rx.el.ul(rx.foreach(S.check_additions, rx.el.li), class_name="plain-list"),
                T("No additions.")), S.change_step("additions"), T("the additions")),
            class_name="summary-list",
        ),
        total_box(),
        rx.el.button(rx.cond(S.mode == "change", T("Confirm the change"),
                             T("Confirm the decision")),
                     type="button", on_click=S.confirm, class_name="button",
                     id="confirm-decision"),
    )


def step_end() -> rx.Component:
    has_error = S.error_field == "reason"
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("End the budget"), id="step-heading"),
        rx.el.p(T("Decision"), " ", S.open_number, ": ", S.open_period),
        form_error(),
        rx.el.form(
            month_fields("last_month", T("Last month of the budget"), S.from_month, S.from_year,
                         S.error, S.error_field),
            date_fields("decision_date", T("Decision date"), S.dd_day, S.dd_month, S.dd_year,
                        S.error, S.error_field),
            rx.el.div(
                rx.el.label(T("Why does the budget end?"), html_for="f-reason",
                            class_name="field-label"),
                rx.el.p(T("Write in plain language: the client reads this."), class_name="hint",
                        id="f-reason-hint"),
                error_message("f-reason-error", S.error, has_error),
                rx.el.textarea(default_value=S.reason, id="f-reason", name="reason", rows=4,
                               class_name="field-input",
                               aria_describedby="f-reason-hint f-reason-error",
                               aria_invalid=rx.cond(has_error, "true", "false")),
                class_name=rx.cond(has_error, "field field-has-error", "field"),
            ),
            submit_button(T("Continue")),
            on_submit=S.submit_end, reset_on_submit=False,
        ),
    )


def step_end_check() -> rx.Component:
    return rx.fragment(
        back_button(S.back),
        rx.el.h2(T("Check before ending the budget"), id="step-heading"),
        form_error(),
        rx.el.dl(
            summary_row(T("Decision"), S.open_number),
            summary_row(T("Last month"), S.check_period, S.change_step("end"),
                        T("the last month")),
            summary_row(T("Decision date"), S.check_date, S.change_step("end"),
                        T("the decision date")),
            summary_row(T("Reason"), S.reason, S.change_step("end"), T("the reason")),
            class_name="summary-list",
        ),
        rx.el.button(T("Confirm the end"), type="button", on_click=S.confirm_end,
                     class_name="button", id="confirm-end"),
    )


def conflict_item(c: rx.Var) -> rx.Component:
    field = "conflict-" + c["id"]
    has_error = S.error_field == field
    return rx.el.li(
        rx.el.p(c["text"]),
        rx.el.form(
            rx.el.input(type="hidden", name="conflict_id", value=c["id"]),
            rx.el.label(T("How was it resolved?"), html_for="f-note-" + c["id"],
                        class_name="field-label"),
            rx.el.p(c["action"], class_name="hint", id="f-note-hint-" + c["id"]),
            error_message("f-note-error-" + c["id"], S.error, has_error),
            rx.el.input(id="f-note-" + c["id"], name="note", type="text", auto_complete="off",
                        class_name="field-input",
                        aria_describedby="f-note-hint-" + c["id"] + " f-note-error-" + c["id"],
                        aria_invalid=rx.cond(has_error, "true", "false")),
            rx.el.button(T("Mark resolved"), type="submit", class_name="button button-secondary"),
            on_submit=S.resolve,
        ),
        class_name="card",
    )


def step_overview() -> rx.Component:
    cid = S.client_id
    return rx.fragment(
        rx.el.p(rx.el.a("‹ ", S.client_name, href="/worker/clients/" + cid)),
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="decision-notice")),
        form_error(),
        rx.cond(
            S.conflicts.length() > 0,
            rx.el.section(
                rx.el.h2(T("Conflicts to resolve"), id="conflicts-heading"),
                rx.el.p(T("A change or end could not carry these swaps over. Nothing was "
                          "dropped: resolve each one.")),
                rx.el.ul(rx.foreach(S.conflicts, conflict_item), class_name="card-list-plain"),
                aria_labelledby="conflicts-heading",
                class_name="card warning",
            ),
        ),
        rx.cond(
            S.open_number != "",
            rx.el.div(
                rx.el.p(T("Decision in force or coming:"), " ", rx.el.strong(S.open_number),
                        ", ", S.open_period),
                rx.el.div(
                    rx.el.button(T("Change the decision"), type="button",
                                 on_click=S.start("change"), class_name="button",
                                 id="start-change"),
                    rx.el.button(T("End the budget"), type="button", on_click=S.start("end"),
                                 class_name="button button-secondary", id="start-end"),
                    class_name="button-row",
                ),
            ),
            rx.el.div(
                rx.el.p(T("The client has no budget in force or coming.")),
                rx.el.button(T("Grant a budget"), type="button", on_click=S.start("grant"),
                             class_name="button", id="start-grant"),
            ),
        ),
        rx.el.section(
            rx.el.h2(T("Decision history"), id="history-heading"),
            history_list(S.history),
            aria_labelledby="history-heading",
        ),
    )


def steps() -> rx.Component:
    return rx.match(
        S.step,
        ("dates", step_dates()),
        ("reason", step_reason()),
        ("lines", step_lines()),
        ("additions", step_additions()),
        ("check", step_check()),
        ("end", step_end()),
        ("end_check", step_end_check()),
        step_overview(),
    )


@rx.page(route="/worker/clients/[client_id]/budget", title="HB – Budjettipäätös",
         on_load=S.load)
def worker_client_budget() -> rx.Component:
    return page(
        rx.el.h1(T("Budget decision"), rx.cond(S.client_name != "", rx.fragment(": ",
                                                                                S.client_name))),
        rx.el.div(
            rx.cond(
                S.ready,
                rx.match(
                    S.status,
                    ("ok", steps()),
                    ("signed_out", rx.el.section(
                        rx.el.p(T("Sign in to see your clients.")),
                        rx.el.a(T("Sign in"), href="/auth/login?next=/worker",
                                class_name="button"),
                        class_name="notice",
                    )),
                    message_box(T("You do not have access to this client's decisions. Only "
                                  "the client's own case worker and administrators can see "
                                  "them."), "error"),
                ),
                loading(),
            ),
            class_name="access-pages decision-pages",
        ),
    )
