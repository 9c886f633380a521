"""JSON routes behind assets/survey.js: save answers and submit, so a survey keeps working
when the websocket drops (answers wait in localStorage and are sent when back online).

Authentication: the HttpOnly `hb_session` cookie. CSRF: a custom header (`X-HB-Request: 1`,
which a cross-site form cannot send and cross-site fetch cannot send without a CORS
preflight we never grant: only HB's public origin is a CORS origin, see rxconfig.py), a JSON
body, and a same-origin check of Origin/Sec-Fetch-Site (`hbapp.web.origin`).
Authorization is the services' own (`surveys` scope on the assignment's client).

Bad input is a 4xx with a translated message, never a 500: the body is parsed by
`hbapp.domain.inputs.loads_json` (bounded nesting and integers, no lone surrogates) and the
assignment id of the address is bounded like every id.
"""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hbapp.config import SUPPORTED_LOCALES
from hbapp.db import get_engine, read_session
from hbapp.domain.inputs import JsonInputError, loads_json, parse_id
from hbapp.domain.scoring import INSTRUMENT_IDS
from hbapp.domain.survey_texts import localized_instrument
from hbapp.authz import Audience
from hbapp.i18n import N_, Translator
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.sessions import extend_session, resolve_session, token_from_cookie_header
from hbapp.services.surveys import SurveyError, save_answers, submit
from hbapp.web.guard import route_allows
from hbapp.web.locale import request_locale
from hbapp.web.origin import from_own_pages

MAX_BODY = 64 * 1024

ERROR_TEXTS = {
    "not_signed_in": N_("Your session has ended. Sign in again to continue."),
    "forbidden": N_("You do not have the right to answer this survey."),
    "bad_request": N_("The answers could not be read. Please try again."),
    "unknown_item": N_("This survey has no such question."),
    "out_of_range": N_("This answer is not one of the choices. Please choose again."),
    "not_integer": N_("This answer is not one of the choices. Please choose again."),
    "not_text": N_("This answer is not one of the choices. Please choose again."),
    "already_submitted": N_("These answers have already been sent. You cannot send them again."),
    "cancelled": N_("This survey has been cancelled."),
    "key_reused": N_("The answers could not be read. Please try again."),
    "bad_key": N_("The answers could not be read. Please try again."),
    "no_answers": N_("The answers could not be read. Please try again."),
    "not_an_object": N_("The answers could not be read. Please try again."),
}


def _error(request: Request, code: str, status: int, item: str | None = None) -> JSONResponse:
    t = Translator(request_locale(request))
    msgid = ERROR_TEXTS.get(code) or ERROR_TEXTS["bad_request"]
    text = t(msgid)
    if item is not None and (not isinstance(item, str) or len(item) > 100):
        item = None  # echo back only a question key of our own size
    return JSONResponse({"error": code, "item": item, "message": text}, status_code=status,
                        headers={"Cache-Control": "no-store"})


def _same_origin(request: Request) -> bool:
    return request.headers.get("x-hb-request") == "1" and from_own_pages(request)


def _actor(token: str | None):
    engine = get_engine()
    info = resolve_session(engine, token)
    if info is None:
        return None
    extend_session(engine, token)  # answering is activity: keep the session alive
    with read_session(engine) as session:
        return load_actor(session, info.person_id)


async def _prepare(request: Request):
    """(actor, assignment id, body) or an error response."""
    if not _same_origin(request):
        return _error(request, "forbidden", 403)
    token = token_from_cookie_header(request.headers.get("cookie"))
    actor = await run_in_threadpool(_actor, token) if token else None
    if actor is None:
        return _error(request, "not_signed_in", 401)
    assignment_id = parse_id(request.path_params.get("assignment_id"))
    if assignment_id is None:
        return _error(request, "forbidden", 404)
    if "application/json" not in request.headers.get("content-type", ""):
        return _error(request, "bad_request", 415)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _error(request, "bad_request", 413)
    try:
        body = loads_json(raw)
    except JsonInputError:
        return _error(request, "bad_request", 400)
    if not isinstance(body, dict):
        return _error(request, "bad_request", 400)
    return actor, assignment_id, body


def _failure(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, AccessDenied):
        return _error(request, "forbidden", 403)
    assert isinstance(exc, SurveyError)
    status = 409 if exc.code in ("already_submitted", "cancelled", "key_reused") else 400
    return _error(request, exc.code, status, exc.item)


@route_allows(Audience.SIGNED_IN)
async def put_answers(request: Request) -> JSONResponse:
    prepared = await _prepare(request)
    if isinstance(prepared, JSONResponse):
        return prepared
    actor, assignment_id, body = prepared
    try:
        draft = await run_in_threadpool(
            save_answers, get_engine(), actor, assignment_id, body.get("answers"), date.today())
    except (AccessDenied, SurveyError) as exc:
        return _failure(request, exc)
    return JSONResponse({"saved": sorted(body["answers"]), "draft": draft},
                        headers={"Cache-Control": "no-store"})


def _shown_language(instrument_id: str, wanted: object) -> str:
    """The language the texts were shown in, as the server would have chosen it."""
    if instrument_id not in INSTRUMENT_IDS or wanted not in SUPPORTED_LOCALES:
        return "en"
    return localized_instrument(instrument_id, wanted).language


@route_allows(Audience.SIGNED_IN)
async def post_submit(request: Request) -> JSONResponse:
    prepared = await _prepare(request)
    if isinstance(prepared, JSONResponse):
        return prepared
    actor, assignment_id, body = prepared

    def run():
        from hbapp.services.surveys import open_assignment

        assignment, _own, _earlier = open_assignment(get_engine(), actor, assignment_id,
                                                     date.today())
        language = _shown_language(assignment.instrument_id, body.get("language"))
        return submit(get_engine(), actor, assignment_id, body.get("answers"),
                      body.get("idempotency_key"), date.today(), language)

    try:
        result = await run_in_threadpool(run)
    except (AccessDenied, SurveyError) as exc:
        return _failure(request, exc)
    return JSONResponse(
        {"response_id": result.response.id, "repeated": result.repeated,
         "scores": result.response.scores, "redirect": f"/surveys/{assignment_id}?sent=1"},
        headers={"Cache-Control": "no-store"},
    )


def survey_routes() -> list[Route]:
    """Mount in hbapp/web/api.py: `*survey_routes(),` in build_api's routes."""
    return [
        Route("/api/surveys/{assignment_id}/answers", put_answers, methods=["PUT"]),
        Route("/api/surveys/{assignment_id}/submit", post_submit, methods=["POST"]),
    ]
