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

# The budgets of issues 9 and 16, kept here so the summary can say where we stand.
BUDGETS = {
    "home_js_gzip_bytes": 150 * 1024,  # every client page
    "home_css_gzip_bytes": 40 * 1024,
    "cold_interactive_ratio": 2.5,  # app "interactive" / static floor LCP
    "warm_interactive_ratio": 1.5,
    "event_p95_ms_at_500": 100.0,
    "event_p95_over_floor": 2.0,  # HB p95 / bare Reflex floor p95 at every client count
    "redis_bytes_per_client": 40 * 1024,
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


def breakdown_markdown(breakdown: dict) -> list[str]:
    lines = [f"## Where the time goes, {breakdown['clients']} tabs, oplock {breakdown.get('oplock')} "
             f"(measured {breakdown['measured_at']})", ""]
    apps = [name for name, part in breakdown.items() if isinstance(part, dict) and "profile" in part]
    for name in apps:
        part = breakdown[name]
        prof = part["profile"]
        lines += [f"### {name}: py-spy, {prof.get('samples')} samples of {prof.get('events')} "
                  f"events ({prof.get('worker_cpu_ms_per_event')} ms worker CPU per event)", "",
                  "| layer (innermost frame) | share of samples | ≈ ms per event |", "|---|---|---|"]
        lines += [f"| {layer['layer']} | {layer['percent']} % | {layer.get('ms_per_event')} |"
                  for layer in prof.get("layers", [])]
        lines += ["", "| function (inclusive) | share |", "|---|---|"]
        lines += [f"| `{f['function']}` | {f['percent']} % |" for f in prof.get("functions", [])[:12]]
        redis = part["redis"]
        lines += ["", f"Redis per tab: {kib(redis['total_bytes'])} — " + ", ".join(
            f"{k['key']} {kib(k['bytes'])}" for k in redis["keys"][:6]), ""]
        lines += ["| event | commits | rollbacks (read-only ends) | index/seq scans | rows inserted | rows updated |",
                  "|---|---|---|---|---|---|"]
        for kind, sql in part["sql"].items():
            per = sql["per_event"]
            lines.append(f"| {kind} | {per['commits']} | {per['rollbacks']} | "
                         f"{sql['table_reads_per_event']} | {per['rows_inserted']} | {per['rows_updated']} |")
        lines.append("")
    return lines


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
            lines += ["", f"Budget: home JS ≤ 150 KiB gzip: **{budget_check(home['js']['gzip'], BUDGETS['home_js_gzip_bytes'])}**, "
                      f"home CSS ≤ 40 KiB gzip: **{budget_check(home['css']['gzip'], BUDGETS['home_css_gzip_bytes'])}**"]
        lines.append("")
    pageload = data.get("pageload")
    if pageload:
        lines += [f"## Page load, CPU 4× slower, 1.6 Mbps / 150 ms RTT (measured {pageload['measured_at']})", "",
                  "| route | load | FCP ms | LCP ms | interactive ms | static FCP | static LCP | LCP ratio | interactive ratio |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for route, kinds in pageload["routes"].items():
            for kind in ("cold", "warm"):
                app, floor = kinds[kind]["app"], kinds[kind]["static"]
                lines.append(
                    f"| `{route}` | {kind} | {app['fcp']} | {app['lcp']} | {app['interactive']} | "
                    f"{floor['fcp']} | {floor['lcp']} | {kinds[kind]['lcp_ratio']} | "
                    f"{kinds[kind].get('interactive_ratio')} |")
        base = pageload.get("baseline")
        if base:
            lines += ["", f"Against HB at {base['revision']} in the same run:", "",
                      "| route | load | baseline LCP | baseline interactive | HB interactive | HB / baseline |",
                      "|---|---|---|---|---|---|"]
            for route, kinds in base["routes"].items():
                for kind in ("cold", "warm"):
                    before = kinds[kind]
                    after = pageload["routes"][route][kind]["app"].get("interactive")
                    share = (round(after / before["interactive"], 2)
                             if after and before.get("interactive") else None)
                    lines.append(f"| `{route}` | {kind} | {before.get('lcp')} | "
                                 f"{before.get('interactive')} | {after} | {share} |")
        lines += ["", "Budgets (interactive / static floor LCP): cold ≤ 2.5×: " + ", ".join(
            f"`{route}` **{budget_check(kinds['cold'].get('interactive_ratio'), BUDGETS['cold_interactive_ratio'])}**"
            for route, kinds in pageload["routes"].items()) + "; warm ≤ 1.5×: " + ", ".join(
            f"`{route}` **{budget_check(kinds['warm'].get('interactive_ratio'), BUDGETS['warm_interactive_ratio'])}**"
            for route, kinds in pageload["routes"].items()), ""]
    load_part = data.get("events")
    if load_part and "levels" in load_part:
        lines += [f"## Events under load, {load_part['workers']} workers, Redis state, oplock "
                  f"{load_part.get('oplock')} (measured {load_part['measured_at']})", "",
                  "HB and the bare Reflex floor (`bench/floor`) with the same clients, think time "
                  "and mix, one after the other; the ratio is HB / floor.", "",
                  "| clients | app | events | errors | p50 ms | p95 ms | p99 ms | open page p95 | "
                  "change month p95 | worker CPU ms/event | PostgreSQL + Redis CPU ms/event | "
                  "Redis per tab | worker RSS per client | load avg |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for level in load_part["levels"]:
            for name, run in level.items():
                if not isinstance(run, dict) or "target" not in run:
                    continue
                all_ = run["all"]
                lines.append(
                    f"| {level['clients']} | {name} | {all_['count']} | {run['errors']} | "
                    f"{all_['p50']} | {all_['p95']} | {all_['p99']} | "
                    f"{run['by_event']['open_page']['p95']} | "
                    f"{run['by_event']['change_month']['p95']} | "
                    f"{run['worker_cpu_ms_per_event']} | "
                    f"{run.get('database_cpu_ms_per_event')} + {run.get('redis_cpu_ms_per_event')} | "
                    f"{kib(run['redis_per_client_bytes'])} | "
                    f"{kib(run['rss_per_client_bytes'])} | {run['load_average'][0]} |")
            for key, label in (("hb_over_floor", "HB / floor"), ("hb_over_baseline", "HB / baseline")):
                ratios = level.get(key)
                if not ratios:
                    continue
                lines.append(
                    f"| {level['clients']} | **{label}** | | | {ratios['p50']}× | "
                    f"**{ratios['p95']}×** | | {ratios['open_page_p95']}× | "
                    f"{ratios['change_month_p95']}× | {ratios['worker_cpu_per_event']}× | "
                    f"total {ratios.get('total_cpu_per_event')}× | {ratios['redis_per_client']}× | | |")
        checks = []
        for level in load_part["levels"]:
            hb, ratios = level.get("hb"), level.get("hb_over_floor")
            if hb and ratios:
                checks.append(f"{level['clients']} clients: p95 ≤ 2 × floor **"
                              f"{budget_check(ratios['p95'], BUDGETS['event_p95_over_floor'])}**, "
                              f"Redis ≤ 40 KiB per tab **"
                              f"{budget_check(hb['redis_per_client_bytes'], BUDGETS['redis_bytes_per_client'])}**")
            if hb and level["clients"] == 500:
                checks.append("500 clients: p95 ≤ 100 ms with 0 errors **" + (
                    budget_check(hb["all"]["p95"], BUDGETS["event_p95_ms_at_500"])
                    if hb["errors"] == 0 else "over") + "**")
        lines += ["", "Budgets: " + "; ".join(checks), ""]
    breakdown = data.get("breakdown")
    if breakdown:
        lines += breakdown_markdown(breakdown)
    scale = data.get("datascale")
    if scale:
        lines += [f"## Data scale: {scale['clients']} clients, {scale['events']} service events, PostgreSQL (measured {scale['measured_at']})", "",
                  "| query | runs | p50 ms | p95 ms | p99 ms | ≤ 20 ms p95 |", "|---|---|---|---|---|---|"]
        for name, figures in scale["queries"].items():
            lines.append(f"| {name} | {figures['count']} | {figures['p50']} | {figures['p95']} | "
                         f"{figures['p99']} | {budget_check(figures['p95'], BUDGETS['query_p95_ms'])} |")
        lines.append("")
    return "\n".join(lines)
