"""Schemathesis against the provider API's own OpenAPI document: no 5xx, ever.

The provider API (`hbapp.web.provider_api`, issue 14c) is loaded as an ASGI app from its
document (`{PREFIX}/openapi.json`); every operation gets `examples` generated requests, half of
them with a valid Bearer token of a provider that has a voucher (so requests reach the rules
behind the authentication) and half with a missing or wrong one. Any status of 500 or more, or
an exception out of the app, is a failure; rate limiting is lifted for the run. When the
provider API is not in the build, `available()` is False and the part says so.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from dataclasses import dataclass, field


def available() -> bool:
    return importlib.util.find_spec("hbapp.web.provider_api") is not None


@dataclass
class ApiResult:
    operations: int = 0
    inputs: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def run(url: str, examples: int, share: tuple[int, int] | None = None) -> ApiResult:
    """`share` (i, n): only operations number i, i + n, i + 2n, ... of the document's."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from sqlmodel import select
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from hbapp.db import read_session
    from hbapp.models import Voucher
    from hbapp.services.provider_tokens import create_token
    from hbapp.web import provider_api
    from hbapp.web.rate_limit import RateLimiter
    from tests.reliability import world

    engine = world.use_database(url)
    provider_api._LIMITER = RateLimiter(per_minute=10_000_000)
    with read_session(engine) as session:
        provider_id = session.exec(select(Voucher.provider_id)).first()
    token = create_token(engine, provider_id=provider_id, label="schemathesis",
                         actor=None).token
    app = Starlette(routes=[Mount(provider_api.PREFIX, app=provider_api.build_provider_api())])
    schema = schemathesis.openapi.from_asgi(f"{provider_api.PREFIX}/openapi.json", app)
    result = ApiResult()
    for number, found in enumerate(schema.get_all_operations()):
        if share is not None and number % share[1] != share[0]:
            continue
        operation = found.ok()
        result.operations += 1
        label = f"{operation.method.upper()} {operation.path}"

        @settings(max_examples=examples, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), auth=st.sampled_from(
            [f"Bearer {token}", f"Bearer {token}", "", "Bearer wrong", "Basic eA=="]))
        def check(case, auth):
            headers = {"Authorization": auth} if auth else {}
            result.inputs += 1
            try:
                response = case.call(headers=headers)
            except Exception as error:  # noqa: BLE001 - an exception out of the app is a 500
                result.problems.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
                return
            result.statuses[response.status_code] += 1
            if response.status_code >= 500:
                result.problems.append(f"{label}: {response.status_code} for "
                                       f"{case.as_curl_command()[:300]}")

        before = result.inputs
        check()
        result.per_operation[label] = result.inputs - before
    return result
