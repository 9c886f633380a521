"""The Reflex app: pages, head tags, and our Starlette routes in front of Reflex."""

import reflex as rx

from hbapp.config import get_settings
from hbapp.pages import budget, home  # noqa: F401 - registers the pages
from hbapp.web.api import AssetCacheHeaders, build_api

app = rx.App(
    html_lang=get_settings().default_locale,
    stylesheets=["/hb.css"],
    head_components=[
        rx.el.meta(name="theme-color", content="#003479"),
        rx.el.meta(name="description", content="HB – henkilökohtainen budjetti"),
    ],
    api_transformer=[build_api(), AssetCacheHeaders],
    enable_state=True,
)
