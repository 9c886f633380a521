"""Messages: notify in the caller's transaction, inbox, unread count, rendering in three
languages, and the e-mail outbox sent after commit (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.i18n import Translator
from hbapp.models import Message, NoticeOutbox, Person, utcnow
from hbapp.services import messages, notices
from hbapp.services.access import AccessDenied, load_actor
from hbapp.views.messages import render


def _people(engine, *specs):
    ids = []
    with write_session(engine) as session:
        for name, email, locale in specs:
            person = Person(display_name=name, email=email, locale=locale)
            session.add(person)
            session.flush()
            ids.append(person.id)
    return ids


def _actor(engine, person_id):
    with read_session(engine) as session:
        return load_actor(session, person_id)


def test_notify_inbox_unread_and_mark_read(empty_engine, monkeypatch):
    monkeypatch.delenv("HB_SMTP_URL", raising=False)
    anna, ben = _people(empty_engine, ("Anna", "", "fi"), ("Ben", "", "en"))
    with write_session(empty_engine) as session:
        made = messages.notify(session, [anna, anna, None, ben], "swap_approved",
                               link="/swap", month=date(2026, 11, 1))
        assert len(made) == 2  # duplicates and None skipped
    with write_session(empty_engine) as session:
        messages.notify(session, [anna], "survey_assigned", link="/surveys",
                        due_date=date(2026, 12, 15))
    assert messages.unread_count(empty_engine, anna) == 2
    assert messages.unread_count(empty_engine, ben) == 1
    first, second = messages.inbox(empty_engine, _actor(empty_engine, anna))
    assert (first.kind, second.kind) == ("survey_assigned", "swap_approved")  # newest first
    assert first.unread and first.params == {"due_date": "2026-12-15"}
    opened = messages.mark_read(empty_engine, _actor(empty_engine, anna), first.id)
    assert not opened.unread and opened.link == "/surveys"
    assert messages.unread_count(empty_engine, anna) == 1
    # Reading twice changes nothing; another person's message is refused like a missing one.
    assert messages.mark_read(empty_engine, _actor(empty_engine, anna), first.id).read_at \
        == opened.read_at
    with pytest.raises(AccessDenied):
        messages.mark_read(empty_engine, _actor(empty_engine, ben), first.id)
    with pytest.raises(AccessDenied):
        messages.mark_read(empty_engine, _actor(empty_engine, ben), 10_000)
    assert messages.mark_all_read(empty_engine, _actor(empty_engine, anna)) == 1
    assert messages.unread_count(empty_engine, anna) == 0
    assert messages.unread_count(empty_engine, ben) == 1


def test_a_rolled_back_transaction_leaves_no_message(empty_engine, monkeypatch):
    monkeypatch.setenv("HB_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("HB_SMTP_FROM", "hb@example.org")
    [anna] = _people(empty_engine, ("Anna", "anna@example.org", "fi"))
    with pytest.raises(RuntimeError):
        with write_session(empty_engine) as session:
            messages.notify(session, [anna], "swap_declined", month=date(2026, 11, 1))
            raise RuntimeError("the change failed")
    with read_session(empty_engine) as session:
        assert session.exec(select(Message)).all() == []
        assert session.exec(select(NoticeOutbox)).all() == []


def test_unknown_kinds_and_outside_links_are_refused(empty_engine):
    [anna] = _people(empty_engine, ("Anna", "", "fi"))
    with write_session(empty_engine) as session:
        with pytest.raises(ValueError):
            messages.notify(session, [anna], "no_such_kind")
        with pytest.raises(ValueError):
            messages.notify(session, [anna], "swap_approved", link="https://evil.example/")


def test_the_same_message_reads_in_finnish_swedish_and_english():
    params = {"event_date": "2026-11-03", "service": {"fi": "Kotihoito", "sv": "Hemvård",
                                                       "en": "Home care"}}
    fi = render("dispute_upheld", params, Translator("fi"))
    sv = render("dispute_upheld", params, Translator("sv"))
    en = render("dispute_upheld", params, Translator("en"))
    assert "Kotihoito" in fi.text and "3.11.2026" in fi.text
    assert "Hemvård" in sv.text and "3 nov. 2026" in sv.text
    assert "Home care" in en.text and "Nov 3, 2026" in en.text
    assert en.title == "Your report was accepted"
    assert len({fi.title, sv.title, en.title}) == 3
    month = render("swap_approved", {"month": "2026-11-01"}, Translator("fi"))
    assert "marraskuu 2026" in month.text
    # A kind the code no longer knows still shows.
    assert render("gone", {}, Translator("en")).title == "Message"


def test_outbox_only_with_smtp_and_an_address(empty_engine, monkeypatch):
    anna, ben = _people(empty_engine, ("Anna", "anna@example.org", None), ("Ben", "", "en"))
    monkeypatch.delenv("HB_SMTP_URL", raising=False)
    with write_session(empty_engine) as session:
        messages.notify(session, [anna, ben], "swap_approved", month=date(2026, 11, 1))
    with read_session(empty_engine) as session:
        assert session.exec(select(NoticeOutbox)).all() == []
    monkeypatch.setenv("HB_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("HB_SMTP_FROM", "hb@example.org")
    with write_session(empty_engine) as session:
        messages.notify(session, [anna, ben], "swap_approved", month=date(2026, 11, 1))
    with read_session(empty_engine) as session:
        [row] = session.exec(select(NoticeOutbox)).all()
        assert row.address == "anna@example.org" and row.locale == "fi" and row.sent_at is None


class _Failing:
    channel = "email"

    def __init__(self):
        self.calls = 0

    def send(self, notice):
        self.calls += 1
        raise ConnectionRefusedError("server down")


class _Recording:
    channel = "email"

    def __init__(self):
        self.sent = []

    def send(self, notice):
        self.sent.append(notice)


def test_failed_notices_are_retried_with_backoff_and_never_lost(empty_engine, monkeypatch):
    monkeypatch.setenv("HB_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("HB_SMTP_FROM", "hb@example.org")
    [anna] = _people(empty_engine, ("Anna", "anna@example.org", "sv"))
    with write_session(empty_engine) as session:
        messages.notify(session, [anna], "swap_approved", month=date(2026, 11, 1))
    now = utcnow() + timedelta(seconds=1)
    failing = _Failing()
    assert notices.deliver_due(empty_engine, [failing], now=now) == (0, 1)
    # Not due again before its backoff.
    assert notices.deliver_due(empty_engine, [failing], now=now + timedelta(seconds=5)) == (0, 0)
    with read_session(empty_engine) as session:
        [row] = session.exec(select(NoticeOutbox)).all()
        assert row.attempts == 1 and row.sent_at is None and "server down" in row.last_error
        assert row.next_attempt_at > now
    later = row.next_attempt_at + timedelta(seconds=1)
    assert notices.deliver_due(empty_engine, [failing], now=later) == (0, 1)
    with read_session(empty_engine) as session:
        row2 = session.get(NoticeOutbox, row.id)
        assert row2.attempts == 2
        assert row2.next_attempt_at - later >= notices.backoff(2) - timedelta(seconds=2)
    recording = _Recording()
    assert notices.deliver_due(empty_engine, [recording],
                               now=row2.next_attempt_at + timedelta(seconds=1)) == (1, 0)
    assert [n.address for n in recording.sent] == ["anna@example.org"]
    assert recording.sent[0].locale == "sv"
    with read_session(empty_engine) as session:
        assert session.get(NoticeOutbox, row.id).sent_at is not None
    # Sent once: nothing is due any more.
    assert notices.deliver_due(empty_engine, [recording], now=utcnow() + timedelta(days=1)) \
        == (0, 0)


def test_backoff_grows_and_is_capped():
    assert notices.backoff(1) == timedelta(seconds=30)
    assert notices.backoff(2) == timedelta(seconds=60)
    assert notices.backoff(20) == timedelta(hours=1)


# -- e-mail through a real local SMTP server (aiosmtpd) ------------------------------------


class _Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.mails.append(envelope)
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smtp_server(port: int):
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def _wait_for(condition, seconds: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_email_is_sent_after_commit_by_the_background_sender(empty_engine, monkeypatch):
    import email
    import email.policy

    port = _free_port()
    controller, inbox = _smtp_server(port)
    monkeypatch.setenv("HB_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("HB_SMTP_FROM", "HB <hb@ekhva.example>")
    sender = notices.start_sender(empty_engine, poll_seconds=60)
    try:
        [aino] = _people(empty_engine, ("Aino Virtanen", "aino@example.org", "fi"))
        with write_session(empty_engine) as session:
            messages.notify(session, [aino], "dispute_upheld", link="/budget?month=2026-11",
                            event_date=date(2026, 11, 3),
                            service={"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"})
            session.flush()
            # Inside the transaction nothing has been sent (the sender waits for the commit).
            assert inbox.mails == []
        # Woken by the commit, not by its 60 s poll.
        assert _wait_for(lambda: len(inbox.mails) == 1)
        envelope = inbox.mails[0]
        assert envelope.rcpt_tos == ["aino@example.org"]
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = mail.get_content()
        assert mail["Subject"] == Translator("fi")("You have a new message in HB")
        assert mail["Subject"] != "You have a new message in HB"  # Finnish, the reader's
        assert "/messages" in body
        # No personal data: not the name, the service, the date, the kind or the link.
        for private in ("Aino", "Virtanen", "Kotihoito", "2026", "3.11", "budget", "dispute"):
            assert private not in body, private
            assert private not in str(mail["Subject"]), private
            assert private not in str(mail["To"]).replace("aino@", ""), private
        assert _wait_for(lambda: _all_sent(empty_engine))
    finally:
        notices.stop_sender(sender)
        controller.stop()


def _all_sent(engine) -> bool:
    with read_session(engine) as session:
        rows = session.exec(select(NoticeOutbox)).all()
        return bool(rows) and all(r.sent_at is not None for r in rows)


def test_email_waits_while_the_server_is_down_and_is_sent_later(empty_engine, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("HB_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("HB_SMTP_FROM", "hb@ekhva.example")
    [bengt] = _people(empty_engine, ("Bengt Lindholm", "bengt@example.org", "sv"))
    with write_session(empty_engine) as session:
        messages.notify(session, [bengt], "swap_declined", month=date(2026, 11, 1))
    smtp = notices.SmtpSender(notices.smtp_settings(), timeout=5)
    # The server is down: the notice fails, is kept and scheduled again.
    assert notices.deliver_due(empty_engine, [smtp]) == (0, 1)
    with read_session(empty_engine) as session:
        [row] = session.exec(select(NoticeOutbox)).all()
        assert row.sent_at is None and row.attempts == 1 and row.last_error
    controller, inbox = _smtp_server(port)
    try:
        assert notices.deliver_due(empty_engine, [smtp]) == (0, 0)  # backoff not over yet
        assert notices.deliver_due(empty_engine, [smtp],
                                   now=row.next_attempt_at + timedelta(seconds=1)) == (1, 0)
        [envelope] = inbox.mails
        assert envelope.rcpt_tos == ["bengt@example.org"]
        assert "Bengt" not in envelope.original_content.decode("utf-8", "replace")
        with read_session(empty_engine) as session:
            done = session.get(NoticeOutbox, row.id)
            assert done.sent_at is not None and done.attempts == 2
    finally:
        controller.stop()


def test_smtp_settings_are_read_from_the_url(monkeypatch):
    monkeypatch.setenv("HB_SMTP_URL", "smtps://hb%40x:p%3Ass@mail.example:2465")
    monkeypatch.setenv("HB_SMTP_FROM", "hb@x")
    s = notices.smtp_settings()
    assert (s.host, s.port, s.username, s.password, s.tls, s.starttls) == \
        ("mail.example", 2465, "hb@x", "p:ss", True, False)
    monkeypatch.setenv("HB_SMTP_URL", "smtp://mail.example?starttls=1")
    s = notices.smtp_settings()
    assert (s.port, s.tls, s.starttls, s.username) == (587, False, True, None)
    monkeypatch.setenv("HB_SMTP_URL", "http://mail.example")
    with pytest.raises(notices.ConfigurationError):
        notices.smtp_settings()
    monkeypatch.setenv("HB_SMTP_URL", "smtp://mail.example")
    monkeypatch.delenv("HB_SMTP_FROM")
    with pytest.raises(notices.ConfigurationError):
        notices.smtp_settings()
    monkeypatch.delenv("HB_SMTP_URL")
    assert notices.smtp_settings() is None and not notices.email_enabled()
