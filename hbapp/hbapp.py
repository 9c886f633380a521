"""The Reflex app: pages, head tags, and our Starlette routes in front of Reflex."""

import contextlib
import importlib
import pkgutil

import reflex as rx

import hbapp.pages
from hbapp.config import get_settings
from hbapp.middleware import GuardMiddleware, handle_backend_exception
from hbapp.web.api import AssetCacheHeaders, UploadLimit, build_api
from hbapp.web.security import SecurityHeaders, protect_state_files
from hbapp.workers import respawn_failed_workers

# Before Reflex's CLI creates the Granian server: a worker that dies is replaced (issue 17).
respawn_failed_workers()

# Before Reflex creates its state manager: the tabs' pickled states are private files.
protect_state_files()

# Every module under hbapp/pages/<side>/ registers its page(s) with @rx.page when imported.
for _module in pkgutil.walk_packages(hbapp.pages.__path__, prefix="hbapp.pages."):
    importlib.import_module(_module.name)

app = rx.App(
    html_lang=get_settings().default_locale,
    stylesheets=["/hb.css"],
    head_components=[
        rx.el.meta(name="theme-color", content="#003479"),
        rx.el.meta(name="description", content="HB – henkilökohtainen budjetti"),
        rx.el.script(src="/session.js", defer=True),
        rx.el.script(src="/menu.js", defer=True),
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="32x32"),
        rx.el.link(rel="icon", href="/icon.svg", type="image/svg+xml"),
        rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
        rx.el.script(src="/pwa.js", defer=True),
    ],
    api_transformer=[build_api(), AssetCacheHeaders, UploadLimit, SecurityHeaders],
    backend_exception_handler=handle_backend_exception,
    enable_state=True,
)
# Before Reflex's own hydrate middleware: reset a tab's states when its session changed, and
# refuse events whose handler declares no audience or whose caller is outside it.
app.add_middleware(GuardMiddleware(), index=0)


@contextlib.asynccontextmanager
async def notice_sender():
    """E-mail notices of new messages (when HB_SMTP_URL is set): a background thread per
    worker process, sending after commit, never inside a page's event handler."""
    from hbapp.services import notices

    thread = notices.start_sender()
    try:
        yield
    finally:
        if thread is not None:
            notices.stop_sender(thread)


app.register_lifespan_task(notice_sender)
