"""The provider HTTP API, `/api/provider/v1/`: the provider's own systems record service events.

Authentication: `Authorization: Bearer hbp_...`, a token of the provider
(`hbapp.services.provider_tokens`); every route declares `Audience.PROVIDER_TOKEN`, whose guard
(`hbapp.web.guard.route_allows` calling `token_gate`) verifies the token and the rate limit
before the route runs (a browser session never counts). The event rules are the event service's
(`hbapp.services.provider_events`): this module only reads the request, calls it in a thread
(the database must not block the event loop) and writes its answer or refusal as JSON.

Errors are `{"error": {"code", "message", "field"}}`, the message in the language of
`Accept-Language`. Status codes:
  400 malformed JSON, unknown or badly typed fields, a missing field, bad times, units or km
  401 no token, an unknown or revoked token (with `WWW-Authenticate: Bearer`)
  403 the token's provider may not record (not approved any more), or another refusal
  404 an unknown event or address (another provider's event is unknown too)
  405 a method the address does not take
  409 a conflict: the event is cancelled already, or its month is settled
  413 a body over `MAX_BODY` bytes
  415 a body that is not `application/json`
  422 a rule refuses the event: an unknown or ended voucher (422, not 404: the address exists,
      the request's content is what cannot be used), a service not on the voucher, a date in
      the future or more than 60 days back
  429 too many requests for this token (`Retry-After` in seconds; see `hbapp.web.rate_limit`)
Nothing a client sends makes a 500: the body is parsed by `hbapp.domain.inputs.loads_json`
(bounded), every field is type-checked here, and a refusal of the service is mapped above.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hbapp.authz import Audience
from hbapp.config import get_settings
from hbapp.db import get_engine
from hbapp.domain.inputs import JsonInputError, loads_json, parse_id, parse_month
from hbapp.i18n import N_, Translator
from hbapp.services.access import AccessDenied
from hbapp.web.guard import route_allows
from hbapp.web.locale import request_locale
from hbapp.web.rate_limit import RateLimiter

PREFIX = "/api/provider/v1"
MAX_BODY = 16 * 1024  # one event is a few hundred bytes
LOCAL_ZONE = ZoneInfo("Europe/Helsinki")
EVENT_FIELDS = ("voucher", "service_code", "start", "end", "date", "units", "km", "external_id")
MAX_TEXT = 100
MAX_REASON = 500

MESSAGES = {
    "unauthorized": N_("The API token is missing, unknown or revoked."),
    "provider_not_active": N_("This provider may not record service events in HB now."),
    "forbidden": N_("You do not have the right to do this."),
    "rate_limited": N_("Too many requests. Wait a moment and try again."),
    "bad_json": N_("The request body is not valid JSON."),
    "not_an_object": N_("The request body must be a JSON object."),
    "unknown_field": N_("This field is not known: {field}."),
    "bad_type": N_("The field {field} has a value of the wrong type."),
    "bad_datetime": N_("The field {field} must be a date and time such as 2026-03-14T18:00."),
    "bad_date": N_("The field {field} must be a date such as 2026-03-14."),
    "bad_number": N_("The field {field} must be a number of at most two decimals, at least 0."),
    "bad_month": N_("The month must be given as YYYY-MM, for example 2026-03."),
    "bad_reason": N_("Give a reason of at most 500 characters."),
    "too_long": N_("The field {field} is too long."),
    "missing_field": N_("The field {field} is required."),
    "body_too_large": N_("The request body is too large."),
    "unsupported_media_type": N_("Send the request body as application/json."),
    "not_found": N_("There is no such event."),
    "no_such_address": N_("There is no such address in this API."),
    "method_not_allowed": N_("This address does not take this method."),
    "refused": N_("The event could not be recorded."),
}

# EventRefused codes (hbapp.services.provider_events) by HTTP status; any other code is 422.
BAD_REQUEST_CODES = {"missing_field", "bad_time", "bad_units", "bad_km", "bad_external_id",
                     "bad_reason"}
CONFLICT_CODES = {"already_cancelled", "not_cancellable", "month_settled"}
NOT_FOUND_CODES = {"not_found"}

_LIMITER: RateLimiter | None = None


def limiter() -> RateLimiter:
    global _LIMITER
    if _LIMITER is None:
        _LIMITER = RateLimiter(redis_url=get_settings().redis_url)
    return _LIMITER


class ApiError(Exception):
    def __init__(self, status: int, code: str, field: str | None = None,
                 message: str | None = None, headers: dict | None = None, **params):
        super().__init__(code)
        self.status, self.code, self.field = status, code, field
        self.message = message or MESSAGES.get(code) or MESSAGES["refused"]
        self.headers = headers or {}
        self.params = params


def error_response(request: Request, error: ApiError) -> JSONResponse:
    t = Translator(request_locale(request))
    params = {"field": error.field or "", **error.params}
    try:
        text = t(error.message).format(**params)
    except (KeyError, IndexError, ValueError):
        text = t(error.message)
    headers = {"cache-control": "no-store", **error.headers}
    if error.status == 401:
        headers["www-authenticate"] = 'Bearer realm="hb-provider-api"'
    return JSONResponse({"error": {"code": error.code, "message": text, "field": error.field}},
                        status_code=error.status, headers=headers)


def _ok(body, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


# ------------------------------------------------------------------ authentication, limits


async def token_gate(request: Request) -> Response | None:
    """The guard of every PROVIDER_TOKEN route (`hbapp.web.guard.route_allows`): None when the
    Bearer token is valid and within its rate (then `request.state.provider_token` holds
    (provider_id, token_id)), else the JSON refusal (401, 403 or 429)."""
    try:
        request.state.provider_token = await _authenticate(request)
    except ApiError as error:
        return error_response(request, error)
    return None


def _token(request: Request) -> tuple[int, int]:
    """(provider_id, token_id) that the guard verified for this request."""
    return request.state.provider_token


async def _authenticate(request: Request) -> tuple[int, int]:
    """(provider_id, token_id) of the Bearer token, after the rate limit; else ApiError."""
    from hbapp.services.provider_tokens import check_token

    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(401, "unauthorized")
    found = await run_in_threadpool(check_token, get_engine(), raw.strip())
    if found is None:
        raise ApiError(401, "unauthorized")
    provider_id, token_id, active = found
    if not active:
        raise ApiError(403, "provider_not_active")
    wait = await limiter().wait_seconds(token_id)
    if wait:
        raise ApiError(429, "rate_limited", headers={"retry-after": str(wait)})
    return provider_id, token_id


async def _json_body(request: Request) -> dict:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "unsupported_media_type")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "body_too_large")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise ApiError(413, "body_too_large")
    try:
        body = loads_json(raw)
    except JsonInputError:
        raise ApiError(400, "bad_json") from None
    if not isinstance(body, dict):
        raise ApiError(400, "not_an_object")
    return body


# ------------------------------------------------------------------ reading fields

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def _text(body: dict, name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, "missing_field", name)
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_type", name)
    if len(value) > MAX_TEXT:
        raise ApiError(400, "too_long", name)
    return value.strip()


def _moment(body: dict, name: str) -> datetime | None:
    value = _text(body, name)
    if value is None:
        return None
    if not _ISO_DATETIME.fullmatch(value):
        raise ApiError(400, "bad_datetime", name)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "bad_datetime", name) from None
    if moment.tzinfo is not None:
        # An offset is honoured: HB keeps events in Finnish local time.
        moment = moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    return moment


def _day(body: dict, name: str) -> date | None:
    value = _text(body, name)
    if value is None:
        return None
    if not _ISO_DATE.fullmatch(value):
        raise ApiError(400, "bad_date", name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "bad_date", name) from None


def _number(body: dict, name: str) -> Decimal | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ApiError(400, "bad_type", name)
    if isinstance(value, str) and not re.fullmatch(r"\d{1,7}([.,]\d{1,4})?", value.strip()):
        raise ApiError(400, "bad_number", name)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ApiError(400, "bad_number", name) from None
    if not number.is_finite() or number < 0 or number > 10_000 \
            or number != number.quantize(Decimal("0.0001")):
        raise ApiError(400, "bad_number", name)
    return number


def event_input(body: dict):
    """The EventInput of a POST body, or ApiError (400) naming the field at fault."""
    from hbapp.services.provider_events import EventInput

    unknown = sorted(name for name in body if name not in EVENT_FIELDS)
    if unknown:
        shown = unknown[0] if isinstance(unknown[0], str) and len(unknown[0]) <= 40 else "?"
        raise ApiError(400, "unknown_field", shown)
    voucher = _text(body, "voucher", required=True)
    service_code = _text(body, "service_code", required=True)
    start, end = _moment(body, "start"), _moment(body, "end")
    day = _day(body, "date")
    units = _number(body, "units")
    km = _number(body, "km")
    if start is None and day is None:
        raise ApiError(400, "missing_field", "start" if end is not None else "date")
    return EventInput(voucher=voucher, service_code=service_code, start=start, end=end,
                      day=day, units=units, km=km if km is not None else Decimal(0),
                      external_id=_text(body, "external_id"))


def _decimal(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f") if Decimal(value) != 0 else "0"


def event_json(event) -> dict:
    """The API's view of a RecordedEvent (see the Event schema in provider_openapi)."""
    return {
        "id": event.id,
        "status": event.status,
        "voucher": event.voucher,
        "client_name": event.client_name,
        "service_code": event.service_code,
        "start": event.started_at.isoformat(timespec="minutes"),
        "end": event.ended_at.isoformat(timespec="minutes") if event.ended_at else None,
        "units": _decimal(event.units),
        "band": event.band,
        "amount_cents": event.amount_cents,
        "self_pay_cents": event.self_pay_cents,
        "km": _decimal(event.km),
        "km_compensation_cents": event.km_compensation_cents,
        "external_id": event.external_id,
        "cancelled_at": (event.cancelled_at.isoformat(timespec="seconds")
                         if event.cancelled_at else None),
        "cancel_reason": event.cancel_reason or None,
    }


def refusal_error(exc: Exception) -> ApiError:
    """An ApiError for a refusal of the event service."""
    from hbapp.services.provider_events import EventRefused

    if isinstance(exc, EventRefused):
        if exc.code in BAD_REQUEST_CODES:
            status = 400
        elif exc.code in CONFLICT_CODES:
            status = 409
        elif exc.code in NOT_FOUND_CODES:
            status = 404
        else:
            status = 422
        return ApiError(status, exc.code, exc.field, message=exc.message,
                        **getattr(exc, "params", {}))
    return ApiError(403, "forbidden")


def _refusals():
    from hbapp.services.provider_events import EventRefused

    return (EventRefused, AccessDenied)


# ------------------------------------------------------------------ routes


def _api(handler):
    """Turn an ApiError raised by a handler into its JSON answer."""
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(request, error)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


@route_allows(Audience.PROVIDER_TOKEN)
@_api
async def post_event(request: Request) -> Response:
    """Record a service event (201), or answer with the earlier one of this external_id (200)."""
    from hbapp.services.provider_events import record_event

    provider_id, token_id = _token(request)
    data = event_input(await _json_body(request))
    try:
        event = await run_in_threadpool(
            lambda: record_event(get_engine(), provider_id=provider_id, data=data, source="api",
                                 actor=None, api_token_id=token_id))
    except _refusals() as exc:
        raise refusal_error(exc) from None
    return _ok(event_json(event), 201 if event.created else 200)


@route_allows(Audience.PROVIDER_TOKEN)
@_api
async def list_events(request: Request) -> Response:
    """The provider's events of one month (`?month=YYYY-MM`, default: this month)."""
    from hbapp.services.provider_events import local_now, provider_events
    from hbapp.services.provider_tokens import audit_api_read

    provider_id, token_id = _token(request)
    unknown = [name for name in request.query_params if name != "month"]
    if unknown:
        raise ApiError(400, "unknown_field", unknown[0][:40])
    wanted = request.query_params.get("month")
    if wanted is None:
        month = local_now().date().replace(day=1)
    else:
        month = parse_month(wanted)
        if month is None:
            raise ApiError(400, "bad_month", "month")
    def read():
        found = provider_events(get_engine(), provider_id=provider_id, month=month)
        audit_api_read(get_engine(), provider_id=provider_id, api_token_id=token_id,
                       action="view_provider_events", month=month.isoformat(),
                       events=len(found))
        return found

    try:
        events = await run_in_threadpool(read)
    except _refusals() as exc:
        raise refusal_error(exc) from None
    return _ok({"month": month.strftime("%Y-%m"), "events": [event_json(e) for e in events]})


@route_allows(Audience.PROVIDER_TOKEN)
@_api
async def delete_event(request: Request) -> Response:
    """Cancel an event with a reason (JSON `{"reason": "..."}`); the answer is the event."""
    from hbapp.services.provider_events import cancel_event

    provider_id, token_id = _token(request)
    event_id = parse_id(request.path_params.get("event_id"))
    if event_id is None:
        raise ApiError(404, "not_found")
    body = await _json_body(request)
    unknown = [name for name in body if name != "reason"]
    if unknown:
        raise ApiError(400, "unknown_field", str(unknown[0])[:40])
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise ApiError(400, "bad_reason", "reason")
    try:
        event = await run_in_threadpool(
            lambda: cancel_event(get_engine(), provider_id=provider_id, event_id=event_id,
                                 reason=reason.strip(), actor=None, api_token_id=token_id))
    except _refusals() as exc:
        raise refusal_error(exc) from None
    return _ok(event_json(event))


@route_allows(Audience.PROVIDER_TOKEN)
@_api
async def list_vouchers(request: Request) -> Response:
    """The provider's valid vouchers: code, client's name, service code, since when."""
    from hbapp.services.provider_vouchers import active_vouchers

    provider_id, token_id = _token(request)
    vouchers = await run_in_threadpool(
        lambda: active_vouchers(get_engine(), provider_id=provider_id, api_token_id=token_id))
    return _ok({"vouchers": [
        {"code": v.code, "client_name": v.client_name, "service_code": v.service_code,
         "since": v.since.date().isoformat()} for v in vouchers]})


@route_allows(Audience.ANYONE)
async def openapi_document(_request: Request) -> Response:
    """The OpenAPI 3.1 description of this API (public: it holds no data)."""
    from hbapp.web.provider_openapi import openapi

    return JSONResponse(openapi(), headers={"cache-control": "public, max-age=300"})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 405:
        return error_response(request, ApiError(405, "method_not_allowed"))
    return error_response(request, ApiError(404 if exc.status_code == 404 else exc.status_code,
                                            "no_such_address"))


async def _server_error(request: Request, _exc: Exception) -> Response:  # pragma: no cover
    return error_response(request, ApiError(500, "refused"))


def provider_api_routes() -> list[Route]:
    """The routes, relative to PREFIX (and listed in the OpenAPI document)."""
    return [
        Route("/events", post_event, methods=["POST"]),
        Route("/events", list_events, methods=["GET"]),
        Route("/events/{event_id}", delete_event, methods=["DELETE"]),
        Route("/vouchers", list_vouchers, methods=["GET"]),
        Route("/openapi.json", openapi_document, methods=["GET"]),
    ]


def build_provider_api() -> Starlette:
    """Mounted at PREFIX by `hbapp.web.api.build_api`."""
    return Starlette(routes=provider_api_routes(),
                     exception_handlers={HTTPException: _http_error})
