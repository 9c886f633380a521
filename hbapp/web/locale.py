"""The language of a plain HTTP answer: the one the person chose (cookie), else Accept-Language."""

from __future__ import annotations

from starlette.requests import Request

from hbapp.config import SUPPORTED_LOCALES
from hbapp.i18n import best_locale

LANG_COOKIE = "hb_lang"


def request_locale(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return best_locale(request.headers.get("accept-language"))
