"""`python -m bench [parts...]`: run the benchmarks (all four by default).

Parts: weight, pageload, events, breakdown, data. Defaults are sized to finish in a few minutes
each on a 2-core machine; --full runs the sizes of issues 9 and 16 (50, 200 and 500 clients,
20 M service events). `events` and `breakdown` also start the bare Reflex floor (bench/floor).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

PARTS = ("weight", "pageload", "events", "breakdown", "data")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("parts", nargs="*", choices=[*PARTS, []], default=[],
                        help="parts to run (default: all)")
    parser.add_argument("--full", action="store_true",
                        help="full sizes: clients 50,200,500 for 30 s each; 20 M events")
    parser.add_argument("--url", help="use a running app (its database is HB_DATABASE_URL) "
                        "instead of starting the production profile")
    parser.add_argument("--workers", type=int, default=3, help="backend workers (default 3)")
    parser.add_argument("--oplock", choices=("on", "off"),
                        help="REFLEX_OPLOCK_ENABLED for HB and the floor alike (default: the "
                        "production profile's own setting)")
    parser.add_argument("--baseline", metavar="REV",
                        help="events: also drive HB as of this git revision (e.g. main), in "
                        "the same run, to measure a change against what it replaces")
    parser.add_argument("--baseline-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the baseline only (repeatable), e.g. "
                        "--baseline HEAD --baseline-env HB_EVENT_THREADS=0")
    parser.add_argument("--no-floor", action="store_true",
                        help="events: drive HB alone, without the bare Reflex floor")
    parser.add_argument("--runs", type=int, default=3,
                        help="page loads per route and kind; the median is reported")
    parser.add_argument("--clients", help="comma-separated client counts (default 20,50; "
                        "--full 50,200,500)")
    parser.add_argument("--duration", type=float, help="seconds of load per client count "
                        "(default 15; --full 30)")
    parser.add_argument("--breakdown-clients", type=int, default=50,
                        help="breakdown: tabs loading the app while py-spy samples it (default 50)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause between one client's events in seconds (default 2)")
    parser.add_argument("--events", type=int, help="service events to generate "
                        "(default 2 000 000; --full 20 000 000)")
    parser.add_argument("--scale-clients", type=int, default=100_000,
                        help="clients to generate (default 100 000)")
    parser.add_argument("--samples", type=int, default=200, help="timed runs per query")
    parser.add_argument("--reuse-data", action="store_true",
                        help="keep an existing hb_bench database of the same size")
    args = parser.parse_args(argv)
    args.parts = list(args.parts) or list(PARTS)
    if args.clients is None:
        args.clients = "50,200,500" if args.full else "20,50"
    args.client_counts = [int(n) for n in args.clients.split(",") if n.strip()]
    if args.duration is None:
        args.duration = 30.0 if args.full else 15.0
    if args.events is None:
        args.events = 20_000_000 if args.full else 2_000_000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    app_parts = [p for p in args.parts if p in ("weight", "pageload", "events", "breakdown")]
    if app_parts:
        from bench.server import floor_app, production_app

        oplock = None if args.oplock is None else args.oplock == "on"
        if oplock is None:
            from hbapp.tools.run_prod import DEFAULT_OPLOCK

            oplock = DEFAULT_OPLOCK
        args.oplock = "on" if oplock else "off"
        with contextlib.ExitStack() as stack:
            app = stack.enter_context(production_app(workers=args.workers, url=args.url,
                                                     oplock=oplock))
            started_apps: dict = {}

            def baseline():
                """HB at --baseline, started once for every part that compares with it."""
                if args.baseline and "baseline" not in started_apps:
                    from bench.server import baseline_app

                    started_apps["baseline"] = stack.enter_context(baseline_app(
                        args.baseline, workers=args.workers, oplock=oplock,
                        extra_env=dict(item.split("=", 1) for item in args.baseline_env)))
                return started_apps.get("baseline")

            targets = None  # the apps driven by events and breakdown, started once
            for part in app_parts:
                print(f"== {part}", flush=True)
                if part == "weight":
                    from bench import weight
                    weight.run(app, args)
                elif part == "pageload":
                    from bench import pageload
                    pageload.run(app, args, baseline=baseline())
                else:
                    from bench import socketload
                    if targets is None:
                        targets = [socketload.hb_target(app)]
                        if baseline() is not None:
                            targets.insert(0, socketload.baseline_target(baseline(),
                                                                          args.baseline))
                        if not args.no_floor:
                            floor = stack.enter_context(floor_app(workers=args.workers,
                                                                  oplock=oplock))
                            targets.insert(0, socketload.floor_target(floor))
                    if part == "breakdown":
                        from bench import breakdown
                        breakdown.run(targets, args)
                    else:
                        socketload.run(targets, args)
    if "data" in args.parts:
        print("== data", flush=True)
        from bench import datascale
        datascale.run(args)
    from bench.results import LATEST, SUMMARY
    print(f"results: {LATEST} and {SUMMARY} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
