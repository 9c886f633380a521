"""The backend's worker processes are replaced when one dies.

Reflex starts Granian without `respawn_failed_workers`, and Granian's default then is to stop
the whole server when any worker exits unexpectedly: one worker killed (out of memory, a
crash, `kill -9`) took every other worker and every open tab down with it until someone
restarted the app. `respawn_failed_workers()` makes the supervisor start a new worker instead
(the tabs of the dead worker reconnect; their states are in Redis). It runs when the app module
is imported, which the Granian supervisor does before it creates the server.
"""

from __future__ import annotations

import functools


def respawn_failed_workers() -> bool:
    """Default Granian's `respawn_failed_workers` to True; False when Granian is absent."""
    try:
        from granian import server
    except ImportError:  # pragma: no cover - Granian is a dependency of Reflex
        return False
    cls = server.Server
    init = cls.__init__
    if getattr(init, "hb_respawn", False):
        return True

    @functools.wraps(init)
    def with_respawn(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        init(self, *args, **kwargs)

    with_respawn.hb_respawn = True
    cls.__init__ = with_respawn
    return True
