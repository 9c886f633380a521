"""bench/results/latest.json (merged per part) and its markdown summary latest.md."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

from bench.stats import budget_check, kib

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LATEST = RESULTS_DIR / "latest.json"
SUMMARY = RESULTS_DIR / "latest.md"

# The budgets of issue 9, kept here so the summary can say where we stand.
BUDGETS = {
    "home_js_gzip_bytes": 200 * 1024,
    "home_css_gzip_bytes": 40 * 1024,
    "cold_lcp_ratio": 2.0,
    "event_p95_ms_at_500": 100.0,
    "query_p95_ms": 20.0,
}


def load() -> dict:
    if LATEST.exists():
        return json.loads(LATEST.read_text())
    return {}


def save_part(name: str, figures: dict) -> None:
    """Replace one part's figures in latest.json and rewrite the markdown summary."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    data = load()
    data[name] = {
        **figures,
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    LATEST.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    SUMMARY.write_text(markdown(data))


def markdown(data: dict) -> str:
    lines = ["# HB benchmark results", ""]
    weight = data.get("weight")
    if weight:
        lines += [f"## Page weight (measured {weight['measured_at']})", "",
                  "| route | requests | JS gzip | CSS gzip | HTML gzip | total gzip | total raw |",
                  "|---|---|---|---|---|---|---|"]
        for route, totals in weight["routes"].items():
            lines.append(
                f"| `{route}` | {totals['total']['requests']} | {kib(totals['js']['gzip'])} | "
                f"{kib(totals['css']['gzip'])} | {kib(totals['html']['gzip'])} | "
                f"{kib(totals['total']['gzip'])} | {kib(totals['total']['bytes'])} |")
        home = weight["routes"].get("/")
        if home:
            lines += ["", f"Budget: home JS ≤ 200 KiB gzip: **{budget_check(home['js']['gzip'], BUDGETS['home_js_gzip_bytes'])}**, "
                      f"home CSS ≤ 40 KiB gzip: **{budget_check(home['css']['gzip'], BUDGETS['home_css_gzip_bytes'])}**"]
        lines.append("")
    pageload = data.get("pageload")
    if pageload:
        lines += [f"## Page load, CPU 4× slower, 1.6 Mbps / 150 ms RTT (measured {pageload['measured_at']})", "",
                  "| route | load | FCP ms | LCP ms | interactive ms | static FCP | static LCP | LCP ratio |",
                  "|---|---|---|---|---|---|---|---|"]
        for route, kinds in pageload["routes"].items():
            for kind in ("cold", "warm"):
                app, floor = kinds[kind]["app"], kinds[kind]["static"]
                lines.append(
                    f"| `{route}` | {kind} | {app['fcp']} | {app['lcp']} | {app['interactive']} | "
                    f"{floor['fcp']} | {floor['lcp']} | {kinds[kind]['lcp_ratio']} |")
        lines += ["", "Budget: cold LCP ≤ 2 × the static floor: " + ", ".join(
            f"`{route}` **{budget_check(kinds['cold']['lcp_ratio'], BUDGETS['cold_lcp_ratio'])}**"
            for route, kinds in pageload["routes"].items()), ""]
    load_part = data.get("events")
    if load_part:
        lines += [f"## Events under load, {load_part['workers']} workers, Redis state (measured {load_part['measured_at']})", "",
                  "| clients | events | errors | p50 ms | p95 ms | p99 ms | open page p95 | change month p95 | worker RSS per client | Redis per client |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for run in load_part["runs"]:
            all_ = run["all"]
            lines.append(
                f"| {run['clients']} | {all_['count']} | {run['errors']} | {all_['p50']} | {all_['p95']} | "
                f"{all_['p99']} | {run['by_event'].get('open_page', {}).get('p95')} | "
                f"{run['by_event'].get('change_month', {}).get('p95')} | "
                f"{kib(run['rss_per_client_bytes'])} | {kib(run['redis_per_client_bytes'])} |")
        lines.append("")
    scale = data.get("datascale")
    if scale:
        lines += [f"## Data scale: {scale['clients']} clients, {scale['events']} service events, PostgreSQL (measured {scale['measured_at']})", "",
                  "| query | runs | p50 ms | p95 ms | p99 ms | ≤ 20 ms p95 |", "|---|---|---|---|---|---|"]
        for name, figures in scale["queries"].items():
            lines.append(f"| {name} | {figures['count']} | {figures['p50']} | {figures['p95']} | "
                         f"{figures['p99']} | {budget_check(figures['p95'], BUDGETS['query_p95_ms'])} |")
        lines.append("")
    return "\n".join(lines)
