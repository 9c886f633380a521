"""A backend worker that dies is replaced: Granian's server defaults to respawning it."""

from __future__ import annotations

from granian.constants import Interfaces
from granian.server import Server

from hbapp.workers import respawn_failed_workers


def test_granian_respawns_failed_workers_by_default():
    assert respawn_failed_workers() is True
    assert respawn_failed_workers() is True  # once is enough; a second call changes nothing
    server = Server(target="hbapp.hbapp:app", interface=Interfaces.ASGI, workers=2)
    assert server.respawn_failed_workers is True
    explicit = Server(target="hbapp.hbapp:app", interface=Interfaces.ASGI,
                      respawn_failed_workers=False)
    assert explicit.respawn_failed_workers is False


def test_the_app_module_turns_it_on():
    import hbapp.hbapp  # noqa: F401 - importing the app is what the supervisor does

    assert getattr(Server.__init__, "hb_respawn", False)
