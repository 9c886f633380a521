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
