"""`GET /api/statement.pdf?month=YYYY-MM` and `/api/statement.csv?month=…`: the client's
monthly statement (saldotiliote) for the person they act for, in the person's language.

Authentication is the `hb_session` cookie (the links are on `/budget`); the audience is
`CLIENT_VIEW` (the client, or an agent with the view scope), and `budget_month` checks the right
on the client again and audits the download. Only the current and past months; a month without
a budget is a 404, a malformed one a 400, both with a translated message.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hbapp.authz import Audience
from hbapp.db import get_engine
from hbapp.domain.inputs import parse_month
from hbapp.domain.ledger import month_start
from hbapp.i18n import N_, Translator
from hbapp.services.access import AccessDenied
from hbapp.services.budget import budget_month
from hbapp.views.statements import statement_csv, statement_pdf, statement_texts
from hbapp.web.guard import _signed_in, route_allows
from hbapp.web.locale import request_locale

MESSAGES = {
    "bad_month": N_("Choose a month: the address should end with ?month=2026-10."),
    "no_budget": N_("There is no budget for this month."),
    "future": N_("A statement can be made for this month and earlier months."),
    "forbidden": N_("You do not have the right to see this budget."),
}


def _refuse(locale: str, code: str, status: int) -> JSONResponse:
    return JSONResponse({"error": code, "message": Translator(locale)(MESSAGES[code])},
                        status_code=status, headers={"cache-control": "no-store"})


def _make(request: Request, kind: str):
    from hbapp.state import today

    current = _signed_in(request)
    locale = (current.locale if current and current.locale else None) or request_locale(request)
    month = parse_month(request.query_params.get("month", ""))
    if month is None:
        return _refuse(locale, "bad_month", 400)
    if month > month_start(today()):
        return _refuse(locale, "future", 400)
    if current is None or current.acting_for is None:
        return _refuse(locale, "forbidden", 403)
    try:
        result = budget_month(get_engine(), current.actor, current.acting_for.client_id, month,
                              today(), action=f"download_statement_{kind}")
    except AccessDenied:
        return _refuse(locale, "forbidden", 403)
    if result is None:
        return _refuse(locale, "no_budget", 404)
    t = Translator(locale)
    texts = statement_texts(t, result, today())
    name = f"hb-{month:%Y-%m}.{kind}"
    headers = {"content-disposition": f'attachment; filename="{name}"',
               "cache-control": "no-store"}
    if kind == "pdf":
        return Response(statement_pdf(t, texts), media_type="application/pdf", headers=headers)
    return Response(statement_csv(t, texts), media_type="text/csv; charset=utf-8",
                    headers=headers)


@route_allows(Audience.CLIENT_VIEW)
async def statement_pdf_route(request: Request) -> Response:
    return await run_in_threadpool(_make, request, "pdf")


@route_allows(Audience.CLIENT_VIEW)
async def statement_csv_route(request: Request) -> Response:
    return await run_in_threadpool(_make, request, "csv")


def _warm_up() -> None:
    """Import WeasyPrint (seconds: Pango, fonts) before the first download asks for it."""
    try:
        import weasyprint  # noqa: F401
    except Exception:  # noqa: BLE001 - the download itself will report a missing library
        pass


def statement_routes() -> list[Route]:
    import threading

    threading.Thread(target=_warm_up, name="hb-weasyprint-warm-up", daemon=True).start()
    return [
        Route("/api/statement.pdf", statement_pdf_route, methods=["GET"]),
        Route("/api/statement.csv", statement_csv_route, methods=["GET"]),
    ]
