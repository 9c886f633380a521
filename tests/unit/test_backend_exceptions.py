"""A refusal or a bug that escapes an event handler is a translated message, not Reflex's
generic "An error occurred" toast; only bugs leave a traceback in the log (B8)."""

from __future__ import annotations

import json
import logging

from hbapp.i18n import gettext_for
from hbapp.middleware import MSG_FAILED, handle_backend_exception
from hbapp.services.access import AccessDenied


def script_of(spec) -> str:
    return spec.args[0][1]._var_value


def js(text: str) -> str:
    return json.dumps(text)


def test_an_uncaught_refusal_is_a_translated_notice_without_a_traceback(caplog):
    caplog.set_level(logging.INFO, logger="hbapp.middleware")
    script = script_of(handle_backend_exception(AccessDenied("missing_scope", 3, 4)))
    for locale in ("fi", "sv", "en"):
        assert js(gettext_for(locale, "You do not have the right to do this.")) in script
    assert "document.documentElement.lang" in script
    assert not [r for r in caplog.records if r.exc_info]


def test_a_bug_is_logged_with_its_traceback_and_the_person_reads_a_plain_message(caplog):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        spec = handle_backend_exception(exc)
    script = script_of(spec)
    assert js(gettext_for("fi", MSG_FAILED)) in script and "boom" not in script
    assert [r for r in caplog.records if r.exc_info and "boom" in str(r.exc_info[1])]


def test_the_app_uses_it(monkeypatch):
    import hbapp.hbapp as module

    assert module.app.backend_exception_handler is handle_backend_exception
