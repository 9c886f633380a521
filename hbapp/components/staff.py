"""A provider's staff list and form, used by `/provider/staff` (the provider's main users) and
`/admin/providers/<id>/staff` (administrators). One state serves both routes: the address says
which provider; `hbapp.services.provider_staff` decides who may see and change it."""

from __future__ import annotations

import reflex as rx

from hbapp.authz import Audience, allow
from hbapp.components.forms import checkbox, submit_button, text_field
from hbapp.components.layout import loading, message_box, sign_in_prompt
from hbapp.components.provider import wanted_provider
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id
from hbapp.i18n import N_
from hbapp.services import provider_staff
from hbapp.services.access import AccessDenied
from hbapp.state import AppState, T
from hbapp.views.provider_side import STAFF_ERRORS, local_date_text


class StaffState(AppState):
    ready: bool = False
    denied: bool = False
    admin_view: bool = False
    provider_id: int = 0
    provider_name: str = ""
    may_manage: bool = False
    staff: list[dict[str, str]] = []
    notice: str = ""
    error: str = ""
    error_field: str = ""
    identity_code: str = ""
    email: str = ""
    name: str = ""
    main_user: bool = False

    def _provider_wish(self, current) -> int | None:
        if self.admin_view:
            return parse_id(self.router.page.params.get("provider_id", "")) or -1
        return wanted_provider(self, current)

    def _list(self, current) -> bool:
        t = self._t()
        try:
            shown = provider_staff.staff_list(get_engine(), current.actor,
                                              self.provider_id or self._provider_wish(current))
        except AccessDenied:
            self.denied = True
            return False
        self.provider_id = shown.provider_id
        self.provider_name = shown.provider_name
        self.may_manage = shown.may_manage
        self.staff = [{
            "id": str(s.person_id), "name": s.name, "email": s.email,
            "main": "1" if s.is_main_user else "",
            "role": t("Main user") if s.is_main_user else t("Staff"),
            "signed_in": "" if s.has_signed_in else t("Has not signed in yet"),
            "added": t("Added on {date}", date=local_date_text(t, s.added_at)),
            "self": "1" if s.is_self else "",
        } for s in shown.staff]
        return True

    @rx.event
    @allow(Audience.ANYONE)
    def load(self):
        self.ready = self.denied = False
        self.admin_view = self.router.page.path.startswith("/admin/")
        self.provider_id, self.provider_name, self.staff = 0, "", []
        self.notice = self.error = self.error_field = ""
        self.identity_code = self.email = self.name = ""
        self.main_user = self.may_manage = False
        current = self._refresh_session()
        if current is not None:
            self._list(current)
        self.ready = True
        return self._page_ready(N_("Staff"))

    def _fail(self, error: provider_staff.StaffError) -> None:
        self.error = self._t()(STAFF_ERRORS.get(error.code, STAFF_ERRORS["missing_person"]))
        self.error_field = error.field or "identity_code"
        self.notice = ""

    @rx.event
    @allow(Audience.SIGNED_IN)
    def add(self, form_data: dict):
        current = self._refresh_session()
        if current is None or not self.provider_id:
            return
        t = self._t()
        self.identity_code = str(form_data.get("identity_code", ""))[:40]
        self.email = str(form_data.get("email", ""))[:250]
        self.name = str(form_data.get("name", ""))[:250]
        self.main_user = bool(form_data.get("main_user_yes"))
        try:
            added = provider_staff.add_staff(
                get_engine(), current.actor, self.provider_id, identity_code=self.identity_code,
                email="" if self.identity_code.strip() else self.email, name=self.name,
                main_user=self.main_user)
        except AccessDenied:
            self.denied = True
            return
        except provider_staff.StaffError as error:
            self._fail(error)
            return
        self.error = self.error_field = ""
        self.identity_code = self.email = self.name = ""
        self.main_user = False
        self._list(current)
        self.notice = t("{name} was added to the staff.", name=added.name)
        return rx.call_script("document.getElementById('staff-form')?.reset()")

    def _change(self, person_id: str, action: str):
        current = self._refresh_session()
        if current is None or not self.provider_id:
            return
        t = self._t()
        wanted = parse_id(person_id)
        name = next((s["name"] for s in self.staff if s["id"] == person_id), "")
        try:
            if wanted is None:
                raise provider_staff.StaffError("not_staff")
            if action == "remove":
                provider_staff.remove_staff(get_engine(), current.actor, self.provider_id, wanted)
                message = t("{name} was removed from the staff.", name=name)
            else:
                provider_staff.set_main_user(get_engine(), current.actor, self.provider_id,
                                             wanted, action == "main")
                message = (t("{name} is now a main user.", name=name) if action == "main"
                           else t("{name} is no longer a main user.", name=name))
        except AccessDenied:
            self.denied = True
            return
        except provider_staff.StaffError as error:
            self._list(current)
            self.error = t(STAFF_ERRORS.get(error.code, STAFF_ERRORS["not_staff"]))
            self.error_field = "list"
            self.notice = ""
            return
        self.error = self.error_field = ""
        if self._list(current):
            self.notice = message

    @rx.event
    @allow(Audience.SIGNED_IN)
    def remove(self, person_id: str):
        return self._change(person_id, "remove")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def make_main(self, person_id: str):
        return self._change(person_id, "main")

    @rx.event
    @allow(Audience.SIGNED_IN)
    def unmake_main(self, person_id: str):
        return self._change(person_id, "staff")


S = StaffState


def staff_card(s: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.h3(s["name"]),
        rx.el.p(rx.el.strong(s["role"]), rx.cond(s["email"] != "", rx.fragment(" · ",
                                                                                  s["email"]))),
        rx.cond(s["signed_in"] != "", rx.el.p(s["signed_in"], class_name="muted")),
        rx.el.p(s["added"], class_name="muted"),
        rx.cond(S.may_manage, rx.el.div(
            rx.cond(s["main"] == "1",
                    rx.el.button(T("Not a main user"),
                                 rx.el.span(" ", s["name"], class_name="visually-hidden"),
                                 type="button", class_name="button button-secondary",
                                 on_click=S.unmake_main(s["id"])),
                    rx.el.button(T("Make a main user"),
                                 rx.el.span(" ", s["name"], class_name="visually-hidden"),
                                 type="button", class_name="button button-secondary",
                                 on_click=S.make_main(s["id"]))),
            rx.el.button(T("Remove"), rx.el.span(" ", s["name"], class_name="visually-hidden"),
                         type="button", class_name="button button-secondary",
                         on_click=S.remove(s["id"])),
            class_name="button-row",
        )),
        class_name="card",
    )


def add_form() -> rx.Component:
    return rx.el.section(
        rx.el.h2(T("Add a staff member"), id="add-heading"),
        rx.el.p(T("Give the personal identity code: the person is linked when they sign in "
                  "with it. A person already using HB can also be found by e-mail."),
                class_name="hint"),
        rx.el.form(
            text_field("identity_code", T("Personal identity code"), S.identity_code, S.error,
                       S.error_field),
            text_field("name", T("Name (needed when the person has not used HB)"), S.name,
                       S.error, S.error_field, autocomplete="off"),
            text_field("email", T("Or e-mail address of a person already using HB"), S.email,
                       S.error, S.error_field, input_type="email"),
            checkbox("main_user", "yes", T("Main user: may add and remove staff"), S.main_user),
            submit_button(T("Add to the staff")),
            on_submit=S.add, reset_on_submit=False, id="staff-form", no_validate=True,
        ),
        aria_labelledby="add-heading",
    )


def staff_view() -> rx.Component:
    return rx.el.div(
        rx.el.p(T("Provider:"), " ", rx.el.strong(S.provider_name), class_name="muted",
                id="provider-name"),
        rx.cond(S.notice != "", rx.el.div(rx.el.p(S.notice), class_name="notice notice-success",
                                          role="status", id="staff-notice")),
        rx.cond(S.error_field == "list", message_box(S.error, "error")),
        rx.el.h2(T("Staff")),
        rx.el.ul(rx.foreach(S.staff, staff_card), class_name="card-list-plain", id="staff-list"),
        rx.cond(S.may_manage, add_form(),
                rx.el.p(T("Only the provider's main users can add and remove staff."))),
        class_name="access-pages",
    )


def staff_page_body(next_path: str) -> rx.Component:
    return rx.cond(
        S.ready,
        rx.cond(
            S.signed_in,
            rx.cond(S.denied,
                    message_box(T("You do not have the right to see this provider's staff."),
                                "error"),
                    staff_view()),
            sign_in_prompt(next_path),
        ),
        loading(),
    )
