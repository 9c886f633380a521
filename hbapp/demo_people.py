"""The fixed demo identities of the bundled development OpenID provider and the demo data.

The ids are a contract used by `/auth/login?login_hint=<id>` and the browser tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    subject: str
    name: str
    role: str  # shown in the development provider's picker


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("demo-client", "Aino Virtanen", "client"),
    DemoPerson("demo-client-2", "Bengt Lindholm", "client"),
    DemoPerson("demo-relative", "Mikko Virtanen", "relative who manages Aino Virtanen's matters"),
    DemoPerson("demo-relative-view", "Liisa Virtanen", "relative who may only view Aino Virtanen's budget"),
    DemoPerson("demo-guardian", "Eeva Korhonen", "guardian of Bengt Lindholm"),
    DemoPerson("demo-worker", "Sari Mäkinen", "case worker of both demo clients"),
    DemoPerson("demo-worker-2", "Jukka Nieminen", "case worker with no clients"),
    DemoPerson("demo-admin", "Pekka Ylläpitäjä", "administrator"),
)

DEMO_PEOPLE_BY_SUBJECT = {person.subject: person for person in DEMO_PEOPLE}
