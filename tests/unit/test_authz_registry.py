"""The authorization registry: every event handler and HTTP route declares who may call it."""

from __future__ import annotations

import pytest
from starlette.routing import Mount, Route

from hbapp.authz import Audience, declared_audience, permits
from hbapp.middleware import Refusal, check_arguments


def _all_substates(cls):
    for sub in cls.get_substates():
        yield sub
        yield from _all_substates(sub)


@pytest.fixture(scope="module")
def app_module():
    import hbapp.hbapp as module

    return module


def test_every_event_handler_declares_its_audience(app_module):
    from hbapp.state import AppState

    undeclared = []
    count = 0
    for cls in (AppState, *_all_substates(AppState)):
        for name, handler in cls.event_handlers.items():
            if name == "setvar":
                continue  # Reflex's generic setter: undeclared on purpose, so always refused
            count += 1
            if declared_audience(handler.fn) is None:
                undeclared.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert count > 50
    assert undeclared == []


def test_reflex_generic_setter_is_undeclared_and_so_refused(app_module):
    from hbapp.state import AppState

    assert declared_audience(AppState.event_handlers["setvar"].fn) is None


def _routes(routes, prefix=""):
    for route in routes:
        if isinstance(route, Mount):
            yield from _routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route.endpoint


def test_every_http_route_declares_its_audience(app_module):
    from hbapp.web.api import build_api

    undeclared = [path for path, endpoint in _routes(build_api().routes)
                  if declared_audience(endpoint) is None]
    assert undeclared == []


class _Actor:
    def __init__(self, worker=False, admin=False):
        self.is_worker, self.is_admin, self.person_id = worker, admin, 1


class _Acting:
    def __init__(self, scopes):
        self.scopes, self.client_id = scopes, 7


class _Current:
    def __init__(self, worker=False, admin=False, scopes=None, providers=()):
        self.actor = _Actor(worker, admin)
        self.acting_for = _Acting(scopes) if scopes is not None else None
        self.provider_ids = providers


@pytest.mark.parametrize(
    ("audience", "current", "reason"),
    [
        (Audience.ANYONE, None, None),
        (Audience.SIGNED_IN, None, "not_signed_in"),
        (Audience.SIGNED_IN, _Current(), None),
        (Audience.CLIENT_VIEW, _Current(worker=True), "no_mandate"),
        (Audience.CLIENT_VIEW, _Current(scopes=("view",)), None),
        (Audience.CLIENT_MANAGE, _Current(scopes=("view",)), "missing_scope"),
        (Audience.CLIENT_MANAGE, _Current(scopes=("view", "manage")), None),
        (Audience.WORKER, _Current(scopes=("view", "manage")), "not_a_worker"),
        (Audience.WORKER, _Current(worker=True), None),
        (Audience.ADMIN, _Current(worker=True), "not_an_admin"),
        (Audience.ADMIN, _Current(admin=True), None),
        (Audience.PROVIDER_STAFF, _Current(worker=True), "not_provider_staff"),
        (Audience.PROVIDER_STAFF, _Current(providers=(3,)), None),
        (Audience.PROVIDER_TOKEN, _Current(admin=True), "token_required"),
    ],
)
def test_audiences(audience, current, reason):
    assert permits(audience, current) == reason


def _handler(self, form_data: dict, step: int, name: str = ""):
    return None


@pytest.mark.parametrize(
    "payload",
    [
        {"form_data": "not a dict", "step": 1},
        {"form_data": {}, "step": "one"},
        {"form_data": {}},  # missing key
        {"form_data": {}, "step": 1, "extra": 2},
        {"form_data": {"a": "x" * 30_000}, "step": 1},
        {"form_data": {}, "step": 2**80},
        {"form_data": {}, "step": True},
        {"form_data": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "step": 1},
        {"form_data": {}, "step": 1, "name": "nul\x00byte"},
        [1, 2],
    ],
)
def test_bad_arguments_are_refused(payload):
    with pytest.raises(Refusal):
        check_arguments(_handler, payload)


def test_good_arguments_pass():
    check_arguments(_handler, {"form_data": {"a": "b", "c": ["d"]}, "step": -1, "name": "é"})


class UploadFileForTest:
    """Stands for rx.UploadFile: any class annotation."""


def _upload_handler(self, files: list[UploadFileForTest]):
    return None


def test_a_class_annotation_needs_an_instance_of_it():
    """A forged event with strings where a handler takes uploaded files is refused (the
    matrix found the provider's CSV upload crashing on one)."""
    for forged in (["1"], [{"name": "x.csv"}], [None]):
        with pytest.raises(Refusal):
            check_arguments(_upload_handler, {"files": forged})
