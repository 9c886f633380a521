"""Part 1: page weight per route for a signed-in client (every response of a cold load)."""

from __future__ import annotations

from bench.browser import CONTENT_READY_JS, launch, routes, signed_in_context
from bench.results import save_part
from bench.stats import gzip_size, kib, resource_kind, weight_totals


def measure_route(browser, app, route: str) -> dict | None:
    """Totals of one cold, signed-in load; None when the running build has no such route."""
    context = signed_in_context(browser, app)
    page = context.new_page()
    seen: list = []
    page.on("response", lambda response: seen.append(response))
    document = page.goto(app.url(route), wait_until="networkidle")
    if document is None or document.status >= 400:
        context.close()
        return None
    page.wait_for_function(CONTENT_READY_JS, timeout=30000)
    page.wait_for_load_state("networkidle")
    responses: list[dict] = []
    # Bodies are read after the load: reading them inside the event handler stalls Playwright.
    for response in seen:
        try:
            body = response.body()
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            body = b""
        wire = response.request.sizes().get("responseBodySize", 0)
        responses.append({
            "url": response.url,
            "status": response.status,
            "kind": resource_kind(response.request.resource_type, response.url,
                                  response.headers.get("content-type", "")),
            "bytes": len(body),
            "gzip": gzip_size(body),
            "wire": wire,
        })
    context.close()
    totals = weight_totals(responses)
    totals["wire_bytes"] = sum(r["wire"] for r in responses)
    totals["largest"] = sorted(
        ({"url": r["url"].replace(app.base_url, ""), "gzip": r["gzip"]} for r in responses),
        key=lambda r: -r["gzip"])[:5]
    return totals


def run(app, args) -> dict:
    from playwright.sync_api import sync_playwright

    figures: dict = {"routes": {}}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for route in routes():
                totals = measure_route(browser, app, route)
                if totals is None:
                    print(f"  {route:<12} not in this build: skipped", flush=True)
                    continue
                figures["routes"][route] = totals
                print(f"  {route:<12} {totals['total']['requests']:>3} requests  "
                      f"JS {kib(totals['js']['gzip'])} gz  CSS {kib(totals['css']['gzip'])} gz  "
                      f"HTML {kib(totals['html']['gzip'])} gz  total {kib(totals['total']['gzip'])} gz "
                      f"({kib(totals['total']['bytes'])} raw, {kib(totals['wire_bytes'])} on the wire)",
                      flush=True)
        finally:
            browser.close()
    save_part("weight", figures)
    return figures
