"""CSV downloads of settlements for signed-in people (session cookie), next to their pages:

* `GET /api/admin/settlements.csv?month=YYYY-MM` — administrators: the accounts-payable file
  of a closed month (one row per settlement);
* `GET /api/provider/settlements.csv?month=YYYY-MM&provider=ID` — a provider's staff: the rows
  of one settlement.

The services check the right again (administrator; `require_staff`). Bad input is a 4xx with a
translated message.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hbapp.authz import Audience
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_id, parse_month
from hbapp.i18n import N_, Translator
from hbapp.services.access import AccessDenied
from hbapp.services.settlements import (
    SettlementError,
    accounts_payable_csv,
    settlement_csv,
    settlement_detail,
)
from hbapp.web.guard import _signed_in, route_allows
from hbapp.web.locale import request_locale

MESSAGES = {
    "bad_month": N_("Choose a month: the address should end with ?month=2026-10."),
    "not_past": N_("Only months that are over can be settled."),
    "forbidden": N_("You do not have the right to do this."),
    "not_found": N_("There is no settlement for this month."),
}


def _refuse(request: Request, code: str, status: int) -> JSONResponse:
    text = Translator(request_locale(request))(MESSAGES[code])
    return JSONResponse({"error": code, "message": text}, status_code=status,
                        headers={"cache-control": "no-store"})


def _csv(body: str, name: str) -> Response:
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"',
                             "cache-control": "no-store"})


def _admin(request: Request) -> Response:
    from hbapp.state import today

    month = parse_month(request.query_params.get("month", ""))
    if month is None:
        return _refuse(request, "bad_month", 400)
    current = _signed_in(request)
    try:
        body = accounts_payable_csv(get_engine(), current.actor, month, today())
    except AccessDenied:
        return _refuse(request, "forbidden", 403)
    except SettlementError:
        return _refuse(request, "not_past", 400)
    return _csv(body, f"hb-settlements-{month:%Y-%m}.csv")


def _provider(request: Request) -> Response:
    month = parse_month(request.query_params.get("month", ""))
    provider_id = parse_id(request.query_params.get("provider", ""))
    if month is None or provider_id is None:
        return _refuse(request, "bad_month", 400)
    current = _signed_in(request)
    try:
        view = settlement_detail(get_engine(), provider_id, month, actor=current.actor)
    except AccessDenied:
        return _refuse(request, "forbidden", 403)
    if view is None:
        return _refuse(request, "not_found", 404)
    return _csv(settlement_csv(view), f"hb-settlement-{view.totals.reference}.csv")


@route_allows(Audience.ADMIN)
async def admin_settlements_csv(request: Request) -> Response:
    return await run_in_threadpool(_admin, request)


@route_allows(Audience.PROVIDER_STAFF)
async def provider_settlement_csv(request: Request) -> Response:
    return await run_in_threadpool(_provider, request)


def settlement_routes() -> list[Route]:
    return [
        Route("/api/admin/settlements.csv", admin_settlements_csv, methods=["GET"]),
        Route("/api/provider/settlements.csv", provider_settlement_csv, methods=["GET"]),
    ]
