"""The floor: the least a Reflex app can do for a page of the same shape as HB's budget.

One state, one page at `/` and `/budget`: its on_load reads one row by primary key (an indexed
read) and shows it; `change_month(step)` moves to another month, reads that row and rewrites the
address, as HB's month switcher does. No session, no authorization, no translations, no audit:
what is left is Reflex itself (websocket, state in Redis, Granian workers) and one query. The
account is chosen by the `floor_account` cookie, so each simulated client reads its own rows.

`bench.server.floor_app` creates and fills the table (see FLOOR_SCHEMA there) and starts this app
with the same workers and Redis as HB; `python -m bench events` drives both.
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from http.cookies import SimpleCookie

import reflex as rx
import sqlalchemy as sa


@lru_cache(maxsize=1)
def engine() -> sa.Engine:
    return sa.create_engine(os.environ["FLOOR_DATABASE_URL"], pool_pre_ping=True, pool_size=10,
                            max_overflow=20)


def shift(month: str, step: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class FloorState(rx.State):
    month: str = ""
    amount_cents: int = 0
    found: bool = False

    def _account(self) -> int:
        cookie = SimpleCookie()
        cookie.load(self.router.headers.cookie or "")
        morsel = cookie.get("floor_account")
        return int(morsel.value) if morsel is not None and morsel.value.isdigit() else 0

    def _show(self, month: str) -> None:
        with engine().connect() as connection:
            amount = connection.execute(
                sa.text("SELECT amount_cents FROM floor_month "
                        "WHERE account_id = :account AND month = :month"),
                {"account": self._account(), "month": month},
            ).scalar()
        self.month = month
        self.found = amount is not None
        self.amount_cents = amount or 0

    @rx.event
    def load(self):
        self._show(self.router.page.params.get("month") or date.today().strftime("%Y-%m"))

    @rx.event
    def change_month(self, step: int):
        self._show(shift(self.month or date.today().strftime("%Y-%m"), step))
        return rx.call_script(f"history.replaceState(null, '', '/budget?month={self.month}')")


def budget() -> rx.Component:
    return rx.el.main(
        rx.el.h1("Budget"),
        rx.el.nav(
            rx.el.button("‹ Previous month", on_click=FloorState.change_month(-1)),
            rx.el.h2(FloorState.month),
            rx.el.button("Next month ›", on_click=FloorState.change_month(1)),
        ),
        rx.cond(FloorState.found, rx.el.p(FloorState.amount_cents, " cents left"),
                rx.el.p("No budget for this month.")),
    )


app = rx.App(enable_state=True)
app.add_page(budget, route="/", on_load=FloorState.load)
app.add_page(budget, route="/budget", on_load=FloorState.load)
