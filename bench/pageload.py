"""Part 2: cold and warm page load, slowed CPU and network, against a static floor.

The floor is the same page as static HTML: the signed-in page's rendered DOM with its CSS
inlined and every script removed, served from a small local static server (with gzip). It
is the best any framework could do with this content on this machine and this profile.

Metrics (milliseconds from navigation start, Chromium's Performance API):
  fcp          first-contentful-paint
  lcp          the last largest-contentful-paint entry before we read it
  interactive  time to first interaction: the page's own data is rendered (heading present,
               loading notice gone). Reflex shows data only after React has hydrated, the
               websocket is connected and the on_load event has answered, so the buttons
               respond from then on. For the static floor it is when the content is parsed.
  first_click  (/budget, cold, app only) from a click on "previous month" to the new month
               shown: one event round trip on the slowed profile.
"""

from __future__ import annotations

import gzip
import statistics
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.browser import CONTENT_READY_JS, VIEWPORT, launch, signed_in_context
from bench.results import RESULTS_DIR, save_part
from bench.stats import ratio

STATIC_DIR = RESULTS_DIR / "static"
CPU_SLOWDOWN = 4
NETWORK = {  # 1.6 Mbps down, 750 kbps up, 150 ms round trip (Lighthouse's "slow 4G")
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
ROUTES = ("/", "/budget")

METRICS_INIT = """
window.__hb = {lcp: null, ready: null};
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__hb.lcp = entry.startTime;
  }).observe({type: 'largest-contentful-paint', buffered: true});
} catch (e) {}
(function poll() {
  if (window.__hb.ready !== null) return;
  if (document.querySelector('main h1') &&
      !document.querySelector('main [role=status].muted')) {
    window.__hb.ready = performance.now();
  } else {
    requestAnimationFrame(poll);
  }
})();
"""

READ_METRICS = """() => {
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {fcp: fcp ? fcp.startTime : null, lcp: window.__hb.lcp, interactive: window.__hb.ready};
}"""

FIRST_CLICK = """async () => {
  const label = document.querySelector('.month-label');
  const button = document.querySelector('.month-switcher button');
  if (!label || !button || button.disabled) return null;
  const before = label.textContent;
  const started = performance.now();
  return await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (label.textContent !== before) { observer.disconnect(); resolve(performance.now() - started); }
    });
    observer.observe(label, {childList: true, characterData: true, subtree: true});
    setTimeout(() => { observer.disconnect(); resolve(null); }, 30000);
    button.click();
  });
}"""

SNAPSHOT = """() => {
  const css = [];
  for (const sheet of document.styleSheets) {
    try { css.push(Array.from(sheet.cssRules).map((rule) => rule.cssText).join('\\n')); }
    catch (e) {}
  }
  const doc = document.documentElement.cloneNode(true);
  doc.querySelectorAll('script, link[rel=modulepreload], link[rel=stylesheet], style, link[rel=preload]')
     .forEach((node) => node.remove());
  const style = document.createElement('style');
  style.textContent = css.join('\\n');
  doc.querySelector('head').appendChild(style);
  return '<!DOCTYPE html>\\n' + doc.outerHTML;
}"""


class GzipStaticHandler(SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the browser accepts it (as a real server would)."""

    def log_message(self, *args):  # keep the benchmark output readable
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = Path(self.translate_path(self.path.split("?", 1)[0]))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def static_file_name(route: str) -> str:
    return "index.html" if route == "/" else route.strip("/").replace("/", "_") + ".html"


def snapshot_static(browser, app, route: str) -> Path:
    context = signed_in_context(browser, app)
    page = context.new_page()
    page.goto(app.url(route))
    page.wait_for_function(CONTENT_READY_JS, timeout=30000)
    html = page.evaluate(SNAPSHOT)
    context.close()
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    target = STATIC_DIR / static_file_name(route)
    target.write_text(html)
    return target


def throttle(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def load_once(page, url: str, click: bool = False) -> dict:
    page.goto(url, wait_until="load", timeout=120000)
    page.wait_for_function(CONTENT_READY_JS, timeout=120000)
    page.wait_for_timeout(500)  # later LCP candidates (the data replacing the loading notice)
    metrics = page.evaluate(READ_METRICS)
    if click:
        metrics["first_click"] = page.evaluate(FIRST_CLICK)
    return metrics


def measure(browser, app, url: str, signed_in: bool, click: bool) -> dict[str, dict]:
    """One cold load (fresh browser profile: empty cache) and the warm reload after it."""
    context = signed_in_context(browser, app) if signed_in else browser.new_context(
        viewport=VIEWPORT, locale="fi-FI")
    context.add_init_script(METRICS_INIT)
    page = context.new_page()
    throttle(page)
    cold = load_once(page, url, click)
    page.goto("about:blank")
    warm_page = context.new_page()
    throttle(warm_page)
    warm = load_once(warm_page, url)
    context.close()
    return {"cold": cold, "warm": warm}


def median_metrics(samples: list[dict]) -> dict:
    keys = sorted({key for sample in samples for key in sample})
    result = {}
    for key in keys:
        values = [s[key] for s in samples if s.get(key) is not None]
        result[key] = round(statistics.median(values)) if values else None
    return result


def run(app, args, baseline=None) -> dict:
    """`baseline` (an App of an earlier revision, see `--baseline`) is loaded in turn with HB
    and the static floor, so a change is measured against what it replaces in the same run."""
    from playwright.sync_api import sync_playwright

    runs = args.runs
    figures: dict = {"cpu_slowdown": CPU_SLOWDOWN, "network": NETWORK, "runs": runs, "routes": {}}
    if baseline is not None:
        figures["baseline"] = {"revision": args.baseline, "routes": {}}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        handler = partial(GzipStaticHandler, directory=str(STATIC_DIR))
        STATIC_DIR.mkdir(parents=True, exist_ok=True)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        static_base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            for route in ROUTES:
                snapshot_static(browser, app, route)
                samples = {name: {"cold": [], "warm": []} for name in ("app", "static", "baseline")}
                loads = [("app", app, app.url(route), True),
                         ("static", app, f"{static_base}/{static_file_name(route)}", False)]
                if baseline is not None:
                    loads.append(("baseline", baseline, baseline.url(route), True))
                for _ in range(runs):
                    for target, owner, url, signed_in in loads:
                        measured = measure(browser, owner, url, signed_in,
                                           click=target != "static" and route == "/budget")
                        for kind in ("cold", "warm"):
                            samples[target][kind].append(measured[kind])
                route_figures = {}
                for kind in ("cold", "warm"):
                    app_m = median_metrics(samples["app"][kind])
                    floor = median_metrics(samples["static"][kind])
                    route_figures[kind] = {"app": app_m, "static": floor,
                                           "lcp_ratio": ratio(app_m.get("lcp"), floor.get("lcp")),
                                           "interactive_ratio": ratio(app_m.get("interactive"),
                                                                      floor.get("lcp")),
                                           "fcp_ratio": ratio(app_m.get("fcp"), floor.get("fcp"))}
                    print(f"  {route:<8} {kind}: app FCP {app_m.get('fcp')} LCP {app_m.get('lcp')} "
                          f"interactive {app_m.get('interactive')}"
                          + (f" first click {app_m['first_click']}" if app_m.get("first_click") else "")
                          + f" | static FCP {floor.get('fcp')} LCP {floor.get('lcp')} "
                          f"| LCP ratio {route_figures[kind]['lcp_ratio']}, interactive ratio "
                          f"{route_figures[kind]['interactive_ratio']}", flush=True)
                figures["routes"][route] = route_figures
                if baseline is not None:
                    before = {kind: median_metrics(samples["baseline"][kind])
                              for kind in ("cold", "warm")}
                    figures["baseline"]["routes"][route] = before
                    for kind in ("cold", "warm"):
                        print(f"  {route:<8} {kind}: baseline {args.baseline} FCP "
                              f"{before[kind].get('fcp')} LCP {before[kind].get('lcp')} interactive "
                              f"{before[kind].get('interactive')} | HB / baseline interactive "
                              f"{ratio(route_figures[kind]['app'].get('interactive'), before[kind].get('interactive'))}",
                              flush=True)
        finally:
            server.shutdown()
            browser.close()
    save_part("pageload", figures)
    return figures
