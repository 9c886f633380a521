"""Where each person lands after signing in: their own workspace.

A person with several roles lands on the first of: client or agent (`/`), case worker
(`/worker`), administrator (`/admin/providers`), provider staff (`/provider`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from hbapp.db import read_session
from hbapp.services.access import load_actor, represented_clients
from hbapp.services.provider_access import staff_provider_ids

HOME = "/"


def workspace_path(*, acts_for_someone: bool, is_worker: bool, is_admin: bool,
                   is_provider_staff: bool) -> str:
    if acts_for_someone:
        return HOME
    if is_worker:
        return "/worker"
    if is_admin:
        return "/admin/providers"
    if is_provider_staff:
        return "/provider"
    return HOME


def workspace_of(signed_in) -> str:
    """The workspace of a `hbapp.services.identity.SignedIn`."""
    return workspace_path(acts_for_someone=bool(signed_in.represented),
                          is_worker=signed_in.actor.is_worker, is_admin=signed_in.actor.is_admin,
                          is_provider_staff=bool(signed_in.provider_ids))


def workspace_for_person(engine: Engine, person_id: int, today: date) -> str:
    """The workspace of a person who has just signed in."""
    with read_session(engine) as session:
        actor = load_actor(session, person_id)
        return workspace_path(
            acts_for_someone=bool(represented_clients(session, actor, today)),
            is_worker=actor.is_worker, is_admin=actor.is_admin,
            is_provider_staff=bool(staff_provider_ids(session, person_id)))
