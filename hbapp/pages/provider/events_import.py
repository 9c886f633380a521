"""`/provider/events/import`: the provider's staff send a CSV file of service events.

The file goes up with `rx.upload` (one file, at most 2 MB; the server checks the size again and
`hbapp.web.api.UploadLimit` refuses larger request bodies before they are read). Every row is
checked and recorded by `hbapp.services.event_import`; the page shows what was recorded, what
waits for the case worker's review and which lines were refused and why, and offers the
refused rows as a CSV file (the original columns plus `error`) to fix and send again.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.layout import page
from hbapp.components.provider import provider_frame
from hbapp.db import get_engine
from hbapp.domain.event_csv import COLUMNS, MAX_BYTES, MAX_ROWS
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.pages.provider.events import provider_choice
from hbapp.services.access import AccessDenied
from hbapp.services.event_import import import_events, message_text
from hbapp.state import AppState, T

ROUTE = "/provider/events/import"
UPLOAD_ID = "events_csv"
SHOWN_REFUSALS = 200  # the rest are in the downloadable file


class ProviderImportState(AppState):
    ready: bool = False
    denied: bool = False
    busy: bool = False
    provider_id: str = ""
    provider_name: str = ""
    error: str = ""
    done: bool = False
    file_name: str = ""
    recorded: str = ""
    needs_review: str = ""
    repeated: str = ""
    refused_count: str = ""
    review_lines: str = ""
    refusals: list[dict[str, str]] = []
    more_refusals: str = ""
    _rejected: str = ""  # the refused rows as CSV, sent only when downloaded

    def _staff(self):
        current = self._refresh_session()
        if current is None:
            return None
        if not current.provider_ids or parse_id(self.provider_id) is None:
            self.denied = True
            return None
        return current

    def _clear(self) -> None:
        self.error, self.done, self.file_name = "", False, ""
        self.recorded = self.needs_review = self.repeated = self.refused_count = ""
        self.review_lines, self.refusals, self.more_refusals, self._rejected = "", [], "", ""

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = self.busy = False
        self._clear()
        current = self._refresh_session()
        pid, self.provider_name = provider_choice(self, current)
        self.provider_id = str(pid) if pid is not None and pid > 0 else ""
        if current is not None and not self.provider_id:
            self.denied = True
        self.ready = True
        return self._page_ready(N_("Send service events as a file"))

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def file_rejected(self, rejected: list[dict]):
        t = self._t()
        self._clear()
        self.error = t("Choose one CSV file of at most 2 MB.")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    async def upload(self, files: list[rx.UploadFile]):
        if self.busy:
            return
        t = self._t()
        self._clear()
        current = await asyncio.to_thread(self._staff)
        pid = parse_id(self.provider_id)
        if current is None or pid is None:
            self.error = t("You do not have the right to do this.")
            return
        if len(files) != 1:
            self.error = t("Choose one CSV file of at most 2 MB.")
            return
        data = await files[0].read(MAX_BYTES + 1)
        self.file_name = (files[0].name or "")[:100]
        self.busy = True
        yield
        try:
            report = await asyncio.to_thread(import_events, get_engine(), provider_id=pid,
                                             data=data, actor=current.actor)
        except AccessDenied:
            self.error = t("You do not have the right to do this.")
            return
        finally:
            self.busy = False
        if report.file_code:
            self.error = t(report.file_message, **{"field": "", **report.file_params})
            return
        self.done = True
        self.recorded = t.number(report.count("recorded"))
        self.needs_review = t.number(report.count("needs_review"))
        self.repeated = t.number(report.count("repeated"))
        refused = report.refused
        self.refused_count = t.number(len(refused))
        self.review_lines = ", ".join(str(line) for line in report.lines("needs_review")[:200])
        self.refusals = [{"line": str(o.line), "message": message_text(t, o)}
                         for o in refused[:SHOWN_REFUSALS]]
        self.more_refusals = (t("…and {count} more refused lines: they are all in the file.",
                                count=len(refused) - SHOWN_REFUSALS)
                              if len(refused) > SHOWN_REFUSALS else "")
        self._rejected = report.rejected_rows_csv(t)
        yield rx.clear_selected_files(UPLOAD_ID)
        yield rx.call_script("document.getElementById('import-result')?.focus()")

    @rx.event
    @allow(Audience.PROVIDER_STAFF)
    def download_rejected(self):
        if not self._rejected:
            return
        # A byte-order mark, so that Excel reads the UTF-8 file right.
        return rx.download(data="\ufeff" + self._rejected, filename="hb-refused-rows.csv",
                           mime_type="text/csv")


def result() -> rx.Component:
    s = ProviderImportState
    return rx.cond(
        s.done,
        rx.el.section(
            rx.el.h2(T("The file was read"), id="import-result", tab_index=-1),
            rx.el.dl(
                rx.el.div(rx.el.dt(T("Recorded")), rx.el.dd(s.recorded, id="count-recorded")),
                rx.el.div(rx.el.dt(T("Waiting for the case worker's review")),
                          rx.el.dd(s.needs_review, id="count-review")),
                rx.el.div(rx.el.dt(T("Recorded earlier (not recorded again)")),
                          rx.el.dd(s.repeated, id="count-repeated")),
                rx.el.div(rx.el.dt(T("Refused")), rx.el.dd(s.refused_count, id="count-refused")),
                class_name="event-figures",
            ),
            rx.cond(s.review_lines != "",
                    rx.el.p(T("Lines waiting for review, because the client's budget for the "
                              "month would not cover them:"), " ", s.review_lines)),
            rx.cond(
                s.refusals.length() > 0,
                rx.fragment(
                    rx.el.h3(T("Refused lines")),
                    rx.el.ul(rx.foreach(s.refusals, lambda r: rx.el.li(
                        T("Line"), " ", r["line"], ": ", r["message"])),
                        class_name="refusal-list"),
                    rx.cond(s.more_refusals != "", rx.el.p(s.more_refusals)),
                    rx.el.p(T("Download the refused rows, fix them and send the file again. "
                              "Rows that were recorded are not recorded twice.")),
                    rx.el.button(T("Download the refused rows (CSV)"), type="button",
                                 on_click=s.download_rejected, class_name="button"),
                ),
            ),
            rx.el.p(rx.el.a(T("See the service events"),
                            href="/provider/events?provider=" + s.provider_id)),
            class_name="card",
            role="status",
        ),
    )


def labelled_upload(root: rx.Component, label: rx.Var) -> rx.Component:
    """`rx.upload` with a name on its file input: Reflex renders the input with no label
    (axe: every form element has a label), and only its spread props come from the dropzone."""
    from reflex_components_core.el.elements.forms import Input

    zone = root.children[0]
    hidden = zone.children[0]
    named = Input.create(type="file", aria_label=label)
    named.special_props = list(hidden.special_props)
    zone.children[0] = named
    return root


def upload_form() -> rx.Component:
    s = ProviderImportState
    return rx.fragment(
        rx.el.p(T("Send many service events at once as a CSV file, for example saved from "
                  "Excel. The first line names the columns:")),
        rx.el.p(rx.el.code(";".join(COLUMNS))),
        rx.el.ul(
            rx.el.li(T("Hour-based services: start and end, e.g. 14.3.2026 18:00 and "
                       "14.3.2026 19:30 (or the times with the day in date).")),
            rx.el.li(T("Day, visit and euro services: date and units.")),
            rx.el.li(T("km only for transport; external_id is your own id of the event "
                       "(may be empty).")),
            rx.el.li(T("Separate the columns with ; or , and use a decimal comma if you like.")),
        ),
        rx.el.p(T("At most 2 MB and 10 000 rows at a time. A file sent again does not record "
                  "anything twice."), class_name="muted"),
        rx.cond(s.error != "", rx.el.div(rx.el.p(s.error), role="alert",
                                         class_name="notice notice-error")),
        rx.el.div(
            labelled_upload(rx.upload.root(
                rx.el.div(
                    rx.el.button(T("Choose a file"), type="button",
                                 class_name="button button-secondary"),
                    rx.el.p(T("or drag the file here"), class_name="muted"),
                    class_name="upload-drop",
                ),
                id=UPLOAD_ID,
                accept={"text/csv": [".csv"], "text/plain": [".txt", ".csv"],
                        "application/vnd.ms-excel": [".csv"]},
                max_files=1,
                max_size=MAX_BYTES,
                multiple=False,
                on_drop_rejected=s.file_rejected,
                class_name="upload-area",
            ), T("CSV file of service events")),
            rx.el.p(T("Chosen file:"), " ",
                    rx.foreach(rx.selected_files(UPLOAD_ID),
                               lambda name: rx.el.span(name, class_name="chosen-file")),
                    aria_live="polite"),
            rx.el.button(
                rx.cond(s.busy, T("Sending…"), T("Send the file")), type="button",
                disabled=s.busy, class_name="button",
                on_click=s.upload(rx.upload_files(upload_id=UPLOAD_ID)),
            ),
            class_name="field",
        ),
        result(),
    )


@rx.page(route=ROUTE, title="HB – Tapahtumat tiedostona", on_load=ProviderImportState.load)
def provider_events_import_page() -> rx.Component:
    s = ProviderImportState
    return page(
        rx.el.h1(T("Send service events as a file")),
        provider_frame(s, upload_form(), ROUTE),
    )


__all__ = ["MAX_ROWS", "ProviderImportState"]
