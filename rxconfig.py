"""Reflex configuration; deployment settings come from HB_* environment variables."""

from urllib.parse import urlsplit

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from hbapp.config import get_settings
from hbapp.text_catalog import TextCatalogPlugin

settings = get_settings()
_public = urlsplit(settings.public_url)

config = rx.Config(
    app_name="hbapp",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[TextCatalogPlugin()],
    disable_plugins=[SitemapPlugin],
    # Only HB's own pages may open the event websocket (/_event) or make credentialed CORS
    # requests: Reflex's default "*" lets a page of any other origin (another port of this
    # host included) read a signed-in person's data over the websocket, and makes the CORS
    # preflight of every route reflect any origin with credentials.
    cors_allowed_origins=[f"{_public.scheme}://{_public.netloc}"],
)
