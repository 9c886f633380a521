"""The benchmark floor: a bare Reflex app run under HB's production profile (`python -m bench`)."""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

config = rx.Config(
    app_name="floor",
    redis_url=os.environ.get("FLOOR_REDIS_URL"),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[],
    disable_plugins=[SitemapPlugin],
)
