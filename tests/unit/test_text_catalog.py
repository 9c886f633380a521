"""UI strings in the browser: stable keys, the default language inline, a module per language."""

from __future__ import annotations

import json
import re

import pytest

from hbapp import text_catalog
from hbapp.config import SUPPORTED_LOCALES, get_settings
from hbapp.i18n import gettext_for
from hbapp.state import AppState, T


def test_t_is_a_lookup_keyed_by_the_locale_with_the_default_inline():
    var = T("Previous month")
    expr = str(var)
    key = text_catalog.text_key("Previous month")
    default = gettext_for(get_settings().default_locale, "Previous month")
    assert expr == (f'(hbText[{AppState.locale._js_expr}]?.["{key}"] ?? '
                    f'{json.dumps(default, ensure_ascii=False)})')
    data = var._get_all_var_data()
    assert text_catalog.CATALOG_MODULE in dict(data.imports)
    assert data.field_dependencies  # re-renders when the locale changes


def test_keys_are_short_stable_and_clash_loudly(monkeypatch):
    key = text_catalog.text_key("Budget")
    assert key == text_catalog.text_key("Budget") and re.fullmatch(r"[A-Za-z0-9_-]{7}", key)
    monkeypatch.setitem(text_catalog._USED, "AAAAAAA", "one")
    monkeypatch.setattr(text_catalog.hashlib, "sha1",
                        lambda data: type("H", (), {"digest": lambda self: b"\0" * 20})())
    with pytest.raises(ValueError, match="clash"):
        text_catalog.text_key("another")


def test_catalog_modules_hold_every_used_string_of_the_other_languages():
    for msgid in ("Previous month", "Next month", "Loading…"):
        T(msgid)
    files = dict(text_catalog.catalog_modules())
    default = get_settings().default_locale
    others = [locale for locale in SUPPORTED_LOCALES if locale != default]
    assert set(files) == {f"{text_catalog.CATALOG_DIR}/{locale}.js" for locale in others} | {
        f"{text_catalog.CATALOG_DIR}/index.js"}
    for locale in others:
        body = files[f"{text_catalog.CATALOG_DIR}/{locale}.js"]
        catalog = json.loads(body.split("export default ", 1)[1].rstrip().rstrip(";"))
        assert catalog[text_catalog.text_key("Previous month")] == gettext_for(
            locale, "Previous month")
        assert set(catalog) == set(text_catalog._USED)
    index = files[f"{text_catalog.CATALOG_DIR}/index.js"]
    assert f"export const {text_catalog.CATALOG_NAME} = {{{', '.join(others)}}};" in index
