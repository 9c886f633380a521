"""Notices outside HB that a new message is waiting: e-mail by SMTP, sent after commit.

`hbapp.services.messages.notify` writes a `NoticeOutbox` row in the same transaction as the
message; nothing is sent from inside a transaction or an event handler. A background thread
per process (`start_sender`, started with the app) wakes when such a transaction commits, and
every `POLL_SECONDS` anyway (rows written by other processes, retries): it claims due rows,
sends them, and marks them sent. A failure is logged and retried with a growing delay
(`backoff`), never dropped; a process that dies while sending leaves the row claimed only for
`LEASE`, after which any process retries it (at least once delivery).

The notice holds no personal data: "You have a new message in HB" and the address of
`/messages`, in the recipient's language. Reading the message needs a strong sign-in.

**Other channels.** A sender is any object with a `channel` name and `send(notice)` that
raises on failure (`NoticeSender`). `SmtpSender` is the e-mail one. A Suomi.fi Messages
(Suomi.fi-viestit) adapter plugs in here: implement `NoticeSender` with channel
`"suomifi"`, write outbox rows with that channel in `messages.notify` (addressed by the
person's verified identity code instead of an e-mail address), and hand the adapter to
`deliver_due` / `start_sender` next to the SMTP sender.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hbapp.config import get_settings
from hbapp.db import write_session
from hbapp.i18n import N_, Translator
from hbapp.models import NoticeOutbox, utcnow

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0
LEASE = timedelta(minutes=5)  # a claimed row is retried after this when never marked
BATCH = 20

SUBJECT = N_("You have a new message in HB")
BODY = N_("You have a new message in HB. Sign in to read it: {url}\n\n"
          "This is an automatic notice. Please do not reply to it.")


class ConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool  # smtps:// (TLS from the start)
    starttls: bool
    sender: str


def smtp_settings() -> SmtpSettings | None:
    """HB_SMTP_URL (smtp://user:pass@host:port, smtps://…, ?starttls=1) and HB_SMTP_FROM, or
    None when e-mail notices are off. Read at every call: cheap, and tests set it."""
    url = os.environ.get("HB_SMTP_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigurationError("HB_SMTP_URL must look like smtp://user:pass@host:port")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes", "on")
    tls = parts.scheme == "smtps"
    port = parts.port or (465 if tls else 587 if starttls else 25)
    sender = os.environ.get("HB_SMTP_FROM", "").strip()
    if not sender:
        raise ConfigurationError("HB_SMTP_FROM (the notices' From address) is required "
                                 "with HB_SMTP_URL")
    return SmtpSettings(parts.hostname, port,
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None,
                        tls, starttls, sender)


def email_enabled() -> bool:
    return bool(os.environ.get("HB_SMTP_URL", "").strip())


@dataclass(frozen=True)
class Notice:
    id: int
    channel: str
    address: str
    locale: str


class NoticeSender(Protocol):
    channel: str

    def send(self, notice: Notice) -> None:
        """Deliver one notice; raise on any failure (the row is then retried)."""


def notice_text(locale: str) -> tuple[str, str]:
    """Subject and body in one language: no name, no client, nothing about the message."""
    t = Translator(locale)
    url = f"{get_settings().public_url}/messages"
    return t(SUBJECT), t(BODY, url=url)


class SmtpSender:
    channel = "email"

    def __init__(self, settings: SmtpSettings, timeout: float = 20.0):
        self.settings = settings
        self.timeout = timeout

    def send(self, notice: Notice) -> None:
        subject, body = notice_text(notice.locale)
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = notice.address
        mail["Subject"] = subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.settings.host)
        mail["Content-Language"] = notice.locale
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(body)
        s = self.settings
        context = ssl.create_default_context()
        if s.tls:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        with client:
            if s.starttls and not s.tls:
                client.starttls(context=context)
            if s.username:
                client.login(s.username, s.password or "")
            client.send_message(mail)


def default_senders() -> list[NoticeSender]:
    settings = smtp_settings()
    return [SmtpSender(settings)] if settings else []


def backoff(attempts: int) -> timedelta:
    """The wait before retry number `attempts` (1, 2, …): 30 s doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(engine: Engine, channels: list[str], now: datetime, batch: int) -> list[Notice]:
    """Take due rows for this process: each claimed row is leased (not due again for LEASE),
    so two processes never send the same row at the same time."""
    with write_session(engine) as session:
        query = (select(NoticeOutbox)
                 .where(NoticeOutbox.sent_at.is_(None), NoticeOutbox.next_attempt_at <= now,
                        NoticeOutbox.channel.in_(channels))
                 .order_by(NoticeOutbox.next_attempt_at, NoticeOutbox.id).limit(batch))
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.exec(query).all()
        claimed = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            session.add(row)
            claimed.append(Notice(row.id, row.channel, row.address, row.locale))
        return claimed


def _finish(engine: Engine, notice_id: int, error: str | None, now: datetime) -> None:
    with write_session(engine) as session:
        row = session.get(NoticeOutbox, notice_id)
        if row is None or row.sent_at is not None:
            return
        if error is None:
            row.sent_at = now
            row.last_error = ""
        else:
            row.last_error = error[:500]
            row.next_attempt_at = now + backoff(row.attempts)
        session.add(row)


def deliver_due(engine: Engine, senders: list[NoticeSender] | None = None,
                now: datetime | None = None, batch: int = BATCH) -> tuple[int, int]:
    """Send what is due now; (sent, failed). Safe to run in several processes at once."""
    senders = default_senders() if senders is None else senders
    by_channel = {s.channel: s for s in senders}
    if not by_channel:
        return 0, 0
    sent = failed = 0
    for notice in _claim(engine, list(by_channel), now or utcnow(), batch):
        try:
            by_channel[notice.channel].send(notice)
        except Exception as exc:  # noqa: BLE001 - every failure is retried, never lost
            failed += 1
            log.warning("notice %s (%s) not sent, will retry: %s", notice.id, notice.channel,
                        exc)
            _finish(engine, notice.id, f"{type(exc).__name__}: {exc}", utcnow())
        else:
            sent += 1
            _finish(engine, notice.id, None, utcnow())
    return sent, failed


# -- the background sender -------------------------------------------------------------------

_wake = threading.Event()
_started: dict[str, threading.Thread] = {}
_start_lock = threading.Lock()


def wake_after_commit(session: Session) -> None:
    """Wake this process's sender once the caller's transaction has committed."""
    session.info["hb_notice_wake"] = True


@sa.event.listens_for(Session, "after_commit")
def _wake_on_commit(session) -> None:
    if session.info.pop("hb_notice_wake", False):
        _wake.set()


@sa.event.listens_for(Session, "after_rollback")
def _no_wake_on_rollback(session) -> None:
    session.info.pop("hb_notice_wake", None)


class SenderThread(threading.Thread):
    def __init__(self, engine: Engine, senders: list[NoticeSender] | None = None,
                 poll_seconds: float = POLL_SECONDS):
        super().__init__(name="hb-notices", daemon=True)
        self.engine = engine
        self.senders = senders
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            _wake.clear()
            try:
                while not self.stopping.is_set():
                    sent, failed = deliver_due(self.engine, self.senders)
                    if sent + failed < BATCH:
                        break
            except Exception:  # noqa: BLE001 - e.g. the database restarting: try again later
                log.exception("notice sender failed; retrying")
            _wake.wait(self.poll_seconds)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        _wake.set()
        self.join(timeout)


def start_sender(engine: Engine | None = None, senders: list[NoticeSender] | None = None,
                 poll_seconds: float = POLL_SECONDS) -> SenderThread | None:
    """Start this process's sender once (None when no channel is configured)."""
    from hbapp.db import get_engine

    if senders is None:
        senders = default_senders()
    if not senders:
        return None
    engine = engine or get_engine()
    key = str(engine.url)
    with _start_lock:
        running = _started.get(key)
        if running is not None and running.is_alive():
            return running  # type: ignore[return-value]
        thread = SenderThread(engine, senders, poll_seconds)
        thread.start()
        _started[key] = thread
        return thread


def stop_sender(thread: SenderThread) -> None:
    thread.stop()
    with _start_lock:
        for key, running in list(_started.items()):
            if running is thread:
                del _started[key]
