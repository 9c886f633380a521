"""Steps shared by the browser tests."""

from __future__ import annotations


def sign_in(page, app: object, subject: str, next_path: str = "/") -> None:
    """Sign in through the development OpenID provider, without its picker."""
    page.goto(app.url(f"/auth/login?login_hint={subject}&next={next_path}"))
    page.wait_for_url(app.url(next_path) + "**")


def wait_until_loaded(page) -> None:
    """Wait until this page's on_load events have finished (layout.page marks main)."""
    page.wait_for_function(
        r"""() => {
            const main = document.querySelector("main#main[data-ready='1']");
            if (!main || !main.querySelector("h1")) return false;
            const strip = (path) => path.replace(/\/+$/, "") || "/";
            const loaded = new URL(main.dataset.loadedPath || "/", location.origin).pathname;
            return strip(loaded) === strip(location.pathname);
        }"""
    )


def wait_for_step(page, step: str) -> None:
    """Wait until a step's own address (`?step=…`) has loaded: its on_load has finished. While
    a new address loads, the page shows "Loading…" instead of its content, so an answer typed
    into the step before that would be typed into a field that is then replaced."""
    page.wait_for_function(
        r"""step => {
            const main = document.querySelector("main#main[data-ready='1']");
            if (!main) return false;
            const loaded = new URL(main.dataset.loadedPath || "/", location.origin);
            return loaded.searchParams.get("step") === step
                && new URLSearchParams(location.search).get("step") === step;
        }""", arg=step)


def assert_no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                   "wcag22aa", "best-practice"]})
    assert results.violations_count == 0, results.generate_report()


def put_choice_back(session, choice, ended_at) -> None:
    """Give a provider choice back the end it had, and its voucher with it (they end together)."""
    from sqlmodel import select

    from hbapp.models import Voucher

    choice.ended_at = ended_at
    session.add(choice)
    for voucher in session.exec(select(Voucher).where(Voucher.choice_id == choice.id)).all():
        voucher.ended_at = ended_at
        session.add(voucher)


def delete_choice(session, choice) -> None:
    """Remove a choice a test made, with the voucher it was given."""
    from sqlmodel import select

    from hbapp.models import Voucher

    for voucher in session.exec(select(Voucher).where(Voucher.choice_id == choice.id)).all():
        session.delete(voucher)
    session.flush()
    session.delete(choice)
