"""The fixed demo identities of the bundled development OpenID provider and the demo data.

The ids are a contract used by `/auth/login?login_hint=<id>` and the browser tests. Every demo
person has a valid temporary identity code (individual number 900–999), which the development
provider sends in the identity-code claim (`HB_OIDC_ID_CLAIM`), as Suomi.fi sends a real one; the
demo clients' codes are those of their seeded client records. `demo-client-new` is not in the
demo data at all: a case worker registers them by the code below, and their first sign-in links
them to that client.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    subject: str
    name: str
    role: str  # shown in the development provider's picker
    identity_code: str  # sent as the verified identity-code claim
    seeded: bool = True  # False: no row in the demo data (registered by hand)


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("demo-client", "Aino Virtanen", "client", "140345-9025"),
    DemoPerson("demo-client-2", "Bengt Lindholm", "client", "020958-913Y"),
    DemoPerson("demo-relative", "Mikko Virtanen", "relative who manages Aino Virtanen's matters",
               "030572-9130"),
    DemoPerson("demo-relative-view", "Liisa Virtanen",
               "relative who may only view Aino Virtanen's budget", "210975-924Y"),
    DemoPerson("demo-guardian", "Eeva Korhonen", "guardian of Bengt Lindholm", "021168-926K"),
    DemoPerson("demo-worker", "Sari Mäkinen", "case worker of both demo clients", "170480-928S"),
    DemoPerson("demo-worker-2", "Jukka Nieminen", "case worker with no clients", "300177-9312"),
    DemoPerson("demo-admin", "Pekka Ylläpitäjä", "administrator", "080670-9335"),
    DemoPerson("demo-provider", "Hanna Hoivaaja",
               "provider staff: the home-care provider Aino Virtanen chose", "120479-942R"),
    DemoPerson("demo-provider-2", "Olli Palvelija",
               "provider staff: a provider no demo client chose", "031068-9539"),
    DemoPerson("demo-client-new", "Tuula Laine",
               "a person not in the demo data (a case worker registers her)", "190852-936A",
               seeded=False),
)
DEMO_CLIENT_NEW_CODE = "190852-936A"

DEMO_PEOPLE_BY_SUBJECT = {person.subject: person for person in DEMO_PEOPLE}
