"""The OpenAPI 3.1 document of the provider API, written by hand next to the routes.

`tests/unit/test_provider_openapi.py` validates it and checks that it lists exactly the
routes of `hbapp.web.provider_api`.
"""

from __future__ import annotations

from copy import deepcopy

from hbapp.web.provider_api import MAX_BODY, MAX_REASON, PREFIX
from hbapp.web.rate_limit import RATE_PER_MINUTE

_ERROR_CODES = {
    "400": "Malformed JSON, an unknown or badly typed field, a missing field, bad times, "
           "units or km.",
    "401": "No token, or an unknown or revoked one.",
    "403": "The provider may not record events now (not approved).",
    "404": "No such event (another provider's events are unknown too).",
    "409": "The event is cancelled already, or its month is settled.",
    "413": f"The body is larger than {MAX_BODY} bytes.",
    "415": "The body is not application/json.",
    "422": "A rule refuses the event: unknown or ended voucher, service not on the voucher, "
           "a date in the future or more than 60 days back.",
    "429": f"More than {RATE_PER_MINUTE} requests a minute with this token.",
}


def _error(status: str) -> dict:
    response = {"description": _ERROR_CODES[status],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if status == "401":
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                     "description": "Bearer"}}
    if status == "429":
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                               "description": "Seconds to wait."}}
    return response


def _errors(*statuses: str) -> dict:
    return {status: _error(status) for status in statuses}


_LANGUAGE = {
    "name": "Accept-Language", "in": "header", "required": False,
    "description": "The language of error messages: fi (default), sv or en.",
    "schema": {"type": "string"},
}

_EVENT_EXAMPLE = {
    "voucher": "HB-7K3M-Q9TX", "service_code": "home_care",
    "start": "2026-03-14T18:00", "end": "2026-03-14T19:30", "external_id": "visit-8812",
}

_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "HB provider API",
        "version": "1.0.0",
        "summary": "Record the service events a provider has delivered on clients' vouchers.",
        "description": (
            "A provider's own systems record service events, list them by month, cancel them "
            "with a reason and list the provider's valid vouchers. Authenticate with an API "
            "token of the provider (`Authorization: Bearer hbp_...`), created by the "
            "provider's staff on /provider/api. Times are Finnish local time unless an offset "
            "is given. HB derives the time band, the price, the value charged to the budget, "
            "the client's self-pay share and the kilometre compensation. An event that would "
            "take the client's month over what is left is stored with status `needs_review` "
            "and counts only once the client's case worker approves it. `external_id` makes "
            "POST idempotent per provider. Money is in integer cents; units and km are decimal "
            f"strings. At most {RATE_PER_MINUTE} requests a minute per token."),
    },
    "servers": [{"url": PREFIX}],
    "security": [{"bearer": []}],
    "paths": {
        "/events": {
            "post": {
                "operationId": "recordEvent",
                "summary": "Record a service event",
                "parameters": [_LANGUAGE],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/EventInput"},
                    "example": _EVENT_EXAMPLE}}},
                "responses": {
                    "201": {"description": "Recorded (or stored as needs_review).",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Event"}}}},
                    "200": {"description": "An event with this external_id exists already: "
                                           "it is returned, nothing new is recorded.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Event"}}}},
                    **_errors("400", "401", "403", "409", "413", "415", "422", "429"),
                },
            },
            "get": {
                "operationId": "listEvents",
                "summary": "The provider's events of one month",
                "parameters": [
                    {"name": "month", "in": "query", "required": False,
                     "description": "YYYY-MM; default the current month.",
                     "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}},
                    _LANGUAGE,
                ],
                "responses": {
                    "200": {"description": "The events, cancelled ones included.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/EventList"}}}},
                    **_errors("400", "401", "403", "429"),
                },
            },
        },
        "/events/{event_id}": {
            "delete": {
                "operationId": "cancelEvent",
                "summary": "Cancel an event, with a reason",
                "parameters": [
                    {"name": "event_id", "in": "path", "required": True,
                     "schema": {"type": "integer", "minimum": 1}},
                    _LANGUAGE,
                ],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CancelInput"},
                    "example": {"reason": "Recorded on the wrong day"}}}},
                "responses": {
                    "200": {"description": "Cancelled; the event as it now is.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Event"}}}},
                    **_errors("400", "401", "403", "404", "409", "413", "415", "429"),
                },
            },
        },
        "/vouchers": {
            "get": {
                "operationId": "listVouchers",
                "summary": "The provider's valid vouchers",
                "parameters": [_LANGUAGE],
                "responses": {
                    "200": {"description": "Valid vouchers, by client name.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/VoucherList"}}}},
                    **_errors("401", "403", "429"),
                },
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}},
            },
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "hbp_ token",
                       "description": "An API token of the provider, shown once when created."},
        },
        "schemas": {
            "EventInput": {
                "type": "object",
                "additionalProperties": False,
                "required": ["voucher", "service_code"],
                "description": "Hour-based services: `start` and `end`. Day, visit and euro "
                               "services: `date` and `units`.",
                "properties": {
                    "voucher": {"type": "string", "maxLength": 100,
                                "description": "The voucher code, e.g. HB-7K3M-Q9TX."},
                    "service_code": {"type": "string", "maxLength": 100},
                    "start": {"type": "string", "description": "YYYY-MM-DDTHH:MM, local time "
                              "(or with an offset)."},
                    "end": {"type": "string", "description": "YYYY-MM-DDTHH:MM."},
                    "date": {"type": "string", "format": "date"},
                    "units": {"type": ["number", "string"],
                              "description": "Days, visits or euros; a decimal."},
                    "km": {"type": ["number", "string"], "description": "Kilometres driven."},
                    "external_id": {"type": "string", "maxLength": 100,
                                    "description": "The provider's own id: a repeat returns "
                                                   "the first event."},
                },
            },
            "CancelInput": {
                "type": "object",
                "additionalProperties": False,
                "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 1,
                                          "maxLength": MAX_REASON}},
            },
            "Event": {
                "type": "object",
                "required": ["id", "status", "voucher", "client_name", "service_code", "start",
                             "units", "band", "amount_cents", "self_pay_cents", "km",
                             "km_compensation_cents"],
                "properties": {
                    "id": {"type": "integer"},
                    "status": {"type": "string",
                               "enum": ["recorded", "needs_review", "rejected", "cancelled"]},
                    "voucher": {"type": "string"},
                    "client_name": {"type": "string"},
                    "service_code": {"type": "string"},
                    "start": {"type": "string", "description": "Local time, YYYY-MM-DDTHH:MM."},
                    "end": {"type": ["string", "null"]},
                    "units": {"type": "string"},
                    "band": {"type": "string", "enum": ["weekday_day", "weekday_evening",
                                                       "saturday", "sunday_holiday"]},
                    "amount_cents": {"type": "integer",
                                     "description": "Charged to the client's budget."},
                    "self_pay_cents": {"type": "integer",
                                       "description": "The client's own share."},
                    "km": {"type": "string"},
                    "km_compensation_cents": {"type": "integer"},
                    "external_id": {"type": ["string", "null"]},
                    "cancelled_at": {"type": ["string", "null"]},
                    "cancel_reason": {"type": ["string", "null"]},
                },
            },
            "EventList": {
                "type": "object",
                "required": ["month", "events"],
                "properties": {
                    "month": {"type": "string"},
                    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                },
            },
            "Voucher": {
                "type": "object",
                "required": ["code", "client_name", "service_code", "since"],
                "properties": {
                    "code": {"type": "string"},
                    "client_name": {"type": "string"},
                    "service_code": {"type": "string"},
                    "since": {"type": "string", "format": "date"},
                },
            },
            "VoucherList": {
                "type": "object",
                "required": ["vouchers"],
                "properties": {"vouchers": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Voucher"}}},
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "description": "A stable machine code."},
                        "message": {"type": "string",
                                    "description": "In the language of Accept-Language."},
                        "field": {"type": ["string", "null"],
                                  "description": "The input field at fault."},
                    },
                }},
            },
        },
    },
}


def openapi() -> dict:
    return deepcopy(_DOCUMENT)
