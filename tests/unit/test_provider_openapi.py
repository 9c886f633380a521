"""The provider API's OpenAPI document: valid 3.1, and exactly the API's routes."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from hbapp.web.provider_api import PREFIX, provider_api_routes
from hbapp.web.provider_openapi import openapi


def test_the_document_is_valid_openapi_3_1():
    document = openapi()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["servers"] == [{"url": PREFIX}]


def _documented() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in openapi()["paths"].items()
            for method in item}


def _routed() -> set[tuple[str, str]]:
    found = set()
    for route in provider_api_routes():
        for method in route.methods - {"HEAD"}:
            found.add((route.path, method))
    return found


def test_every_route_is_documented_and_every_documented_operation_exists():
    assert _documented() == _routed()


def test_every_path_parameter_is_declared_and_every_error_uses_the_error_schema():
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
