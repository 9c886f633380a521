"""Reflex configuration; deployment settings come from HB_* environment variables."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from hbapp.config import get_settings
from hbapp.text_catalog import TextCatalogPlugin

settings = get_settings()

config = rx.Config(
    app_name="hbapp",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[TextCatalogPlugin()],
    disable_plugins=[SitemapPlugin],
)
