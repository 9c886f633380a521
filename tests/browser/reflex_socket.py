"""Drive Reflex's event websocket directly, as a page's JavaScript would (or an attacker would).

Reflex's frontend speaks Socket.IO (Engine.IO v4, websocket transport) on `/_event/`:
`?token=<tab uuid>&EIO=4&transport=websocket`, the Engine.IO open packet `0{...}`, then the
`/_event` namespace is connected with the first event in the CONNECT packet
(`40/_event,{"event": ...}`); events go up as `42/_event,["event", {...}]`, deltas come down
as `42/_event,["event", {"delta": ..., "events": ...}]`. The same protocol as
`bench/socketload.py`, synchronous and with every frame kept, so tests can send events a page
would never send (forged arguments, double submits, steps out of order) and read what comes
back. Needs only wsproto (a dependency of the app server).
"""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from urllib.parse import urlsplit

ROOT = "reflex___state____state"
APP = f"{ROOT}.hbapp___state____app_state"
HYDRATE = f"{ROOT}.hydrate_and_load"
# The script of AppState.load_session's answer: the language alone, no title.
SENTINEL = re.compile(r'"javascript_code":"document\.documentElement\.lang = \\"[a-z]{2}\\"",')


def state_path(module: str, cls: str) -> str:
    """The event-name prefix of a page state, e.g. ("pages.client.budget", "BudgetState")."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in cls).lstrip("_")
    return f"{APP}.hbapp___{module.replace('.', '___')}____{snake}"


class Rejected(Exception):
    """The server refused the websocket (or closed it)."""


class ReflexTab:
    """One browser tab's websocket. `cookie` may be "" (signed out); `token` is the tab token
    Reflex keeps in sessionStorage (a new one by default)."""

    def __init__(self, base_url: str, cookie: str = "", token: str | None = None,
                 origin: str | None = None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.origin = origin if origin is not None else f"{parts.scheme}://{parts.netloc}"
        self.frames: list[str] = []  # every text message received, in order
        self.params: dict = {}
        self.sock: socket.socket | None = None
        self.ws = None

    # -- connection ---------------------------------------------------------------------

    def connect(self, path: str, params: dict | None = None, timeout: float = 30) -> str:
        """Open the websocket and hydrate `path` (its on_load runs). `params` are the values
        of a dynamic route's [segments], e.g. {"client_id": "4"}, as the frontend sends them.
        Returns the frame that says the hydrate is done."""
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import Request

        self.ws = WSConnection(ConnectionType.CLIENT)
        self.sock = socket.create_connection((self.host, self.port), timeout=timeout)
        headers = [(b"user-agent", b"hb-tests")]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        if self.origin:
            headers.append((b"origin", self.origin.encode()))
        self.sock.sendall(self.ws.send(Request(
            host=f"{self.host}:{self.port}",
            target=f"/_event/?token={self.token}&EIO=4&transport=websocket",
            extra_headers=headers,
        )))
        self._wait(lambda m: m.startswith("0"), timeout)
        self.params = params or {}
        hydrate = {"name": HYDRATE, "payload": {}, "router_data": self._router(path)}
        self._send("40/_event," + json.dumps({"event": hydrate}))
        return self._wait(lambda m: '"is_hydrated_rx_state_":true' in m, timeout)

    def close(self) -> None:
        from wsproto.events import CloseConnection
        from wsproto.utilities import LocalProtocolError

        if self.sock is not None:
            try:
                self.sock.sendall(self.ws.send(CloseConnection(code=1000)))
            except (OSError, LocalProtocolError):  # refused during the handshake, or gone
                pass
            self.sock.close()
            self.sock = None

    def __enter__(self) -> ReflexTab:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- events -------------------------------------------------------------------------

    def send(self, path: str, handler: str, payload: dict | list | None = None) -> None:
        """Send one event (`handler` is the full dotted name) from the page at `path`."""
        event = {"name": handler, "payload": payload if payload is not None else {},
                 "router_data": self._router(path)}
        self._send("42/_event," + json.dumps(["event", event]))

    def call(self, path: str, handler: str, payload: dict | list | None = None,
             timeout: float = 30) -> str:
        """Send one event and return every frame of its answer.

        A tab's events are processed one after another, so the answer is complete when the
        answer to a harmless event sent after it arrives: AppState.load_session, whose only
        script sets the document's language (and nothing else, unlike a page load's)."""
        start = len(self.frames)
        self.send(path, handler, payload)
        self.send(path, f"{APP}.load_session")
        self._wait(lambda m: SENTINEL.search(m) is not None, timeout)
        return "\n".join(self.frames[start:-1])

    def drain(self, seconds: float) -> str:
        """Read whatever arrives for `seconds`; returns it joined."""
        start = len(self.frames)
        try:
            self._wait(lambda m: False, seconds)
        except TimeoutError:
            pass
        return "\n".join(self.frames[start:])

    # -- plumbing -----------------------------------------------------------------------

    def _router(self, path: str) -> dict:
        pathname, _, query = path.partition("?")
        data = {"pathname": pathname, "asPath": path}
        values = dict(self.params)
        if query:
            values.update(part.partition("=")[::2] for part in query.split("&"))
        if values:
            data["query"] = values
        return data

    def _send(self, text: str) -> None:
        from wsproto.events import Message

        self.sock.sendall(self.ws.send(Message(data=text)))

    def _wait(self, predicate, timeout: float) -> str:
        from wsproto.events import (AcceptConnection, CloseConnection, Ping, RejectConnection,
                                    RejectData, TextMessage)

        deadline = time.monotonic() + timeout
        parts: list[str] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching frame")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no matching frame") from None
            if not data:
                raise Rejected("connection closed")
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, TextMessage):
                    parts.append(event.data)
                    if not event.message_finished:
                        continue
                    text, parts = "".join(parts), []
                    if text == "2":  # Engine.IO ping
                        self._send("3")
                        continue
                    self.frames.append(text)
                    if text.startswith("44"):
                        raise Rejected(f"namespace refused: {text[:200]}")
                    if predicate(text):
                        return text
                elif isinstance(event, Ping):
                    self.sock.sendall(self.ws.send(event.response()))
                elif isinstance(event, (RejectConnection, RejectData)):
                    status = getattr(event, "status_code", "")
                    raise Rejected(f"websocket refused (HTTP {status})")
                elif isinstance(event, CloseConnection):
                    raise Rejected(f"closed by the server ({event.code})")
                elif isinstance(event, AcceptConnection):
                    pass


def session_cookie(page) -> str:
    """The Cookie header of a Playwright page's context (its hb_session and hb_lang)."""
    cookies = page.context.cookies()
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)
