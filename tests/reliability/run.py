"""`make reliability`: the full budgets of issue 17, then one table.

    python -m tests.reliability.run [--fuzz N] [--imports N] [--api N] [--faults N]
                                    [--volume N] [--matrix-clients N] [--only PART ...]

Parts (all by default): matrix (every handler × every role on PostgreSQL), fuzz (N inputs per
handler family on SQLite), imports (N mutated files per importer and 100 000-row files),
api (schemathesis against the provider API's OpenAPI document, N per operation, when the
provider API is present), volume (N concurrent operations on one month on PostgreSQL), faults
(N faults of each kind with its own PostgreSQL, Redis and backend). PostgreSQL for matrix and
volume is a cluster of its own too. The exit status is 1 when any figure does not hold.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field

os.environ.setdefault("HB_DATA_DIR", tempfile.mkdtemp(prefix="hb-reliability-"))


@dataclass
class Row:
    part: str
    load: str = ""
    faults: str = ""
    inputs: int = 0
    lost: int = 0
    failures: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _sqlite_url() -> str:
    from hbapp.migrations import upgrade

    directory = tempfile.mkdtemp(prefix="hb-rel-", dir="/dev/shm" if os.path.isdir("/dev/shm")
                                 else None)
    url = f"sqlite:///{directory}/hb.db"
    upgrade(url)
    return url


def _seed(url: str) -> str:
    from hbapp.db import make_engine
    from hbapp.seed import seed_demo

    engine = make_engine(url)
    seed_demo(engine)
    engine.dispose()
    return url


def part_matrix(args, pg) -> Row:
    from hbapp.migrations import upgrade
    from tests.reliability.matrix import run_matrix

    url = pg.create_database("hb_matrix")
    upgrade(url)
    result = run_matrix(_seed(url), sample_clients=args.matrix_clients)
    return Row("authorization matrix (PostgreSQL)",
               load=f"{result.handlers} handlers × {result.roles} roles",
               inputs=result.calls, failures=len(result.problems),
               notes=[f"{k}: {v}" for k, v in result.outcomes.items()] + result.problems[:20])


def part_fuzz(args, _pg) -> Row:
    from tests.reliability.fuzz import fuzz_handlers

    result = fuzz_handlers(_seed(_sqlite_url()), args.fuzz)
    families = ", ".join(f"{k} {v}" for k, v in sorted(result.inputs.items()))
    return Row("handler fuzzing (SQLite)", load=f"per family: {families}",
               inputs=sum(result.inputs.values()), failures=len(result.problems),
               notes=[f"{k}: {v}" for k, v in result.outcomes.items()]
               + [f"handlers covered: {len(result.per_handler)}"] + result.problems[:20])


def part_imports(args, _pg) -> Row:
    from tests.reliability import world
    from tests.reliability.fuzz import BIG_ROWS, big_file, check_import, fuzz_importers, \
        importers

    engine = world.use_database(_seed(_sqlite_url()))
    result = fuzz_importers(engine, args.imports)
    watch = world.WriteWatch(engine)
    big = []
    for importer in importers():
        if importer.module in BIG_ROWS:
            text, line = big_file(importer.module, 100_000)
            before = len(result.problems)
            check_import(engine, watch, importer, text, result, label=" (100 000 rows)")
            big.append(f"{importer.module}: 100 000 rows, bad line {line}: "
                       f"{'ok' if len(result.problems) == before else 'FAILED'}")
    watch.close()
    from tests.reliability.fuzz import events_import_available, fuzz_event_import

    if events_import_available():
        fuzz_event_import(engine, args.imports, result)
    per = ", ".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in sorted(result.inputs.items()))
    return Row("CSV importers", load=f"per importer: {per}", inputs=sum(result.inputs.values()),
               failures=len(result.problems),
               notes=[f"{k}: {v}" for k, v in result.outcomes.items()] + big
               + result.problems[:20])


def part_api(args, _pg) -> Row:
    from tests.reliability import api_fuzz

    if not api_fuzz.available():
        return Row("provider API (schemathesis)", load="not present in this build",
                   notes=["the provider API (issue 14c) is not in this build"])
    result = api_fuzz.run(_seed(_sqlite_url()), args.api)
    return Row("provider API (schemathesis)",
               load=f"{result.operations} operations, {args.api} per operation",
               inputs=result.inputs, failures=len(result.problems),
               notes=[f"status {k}: {v}" for k, v in sorted(result.statuses.items())]
               + result.problems[:20])


def part_volume(args, pg) -> Row:
    from hbapp.db import make_engine
    from hbapp.migrations import upgrade
    from tests.reliability.volume import run_volume

    url = pg.create_database("hb_volume")
    upgrade(url)
    engine = make_engine(_seed(url))
    result = run_volume(engine, operations=args.volume, threads=16)
    engine.dispose()
    return Row("concurrency at volume (PostgreSQL)",
               load=f"{result.operations} concurrent operations on one month, 16 threads, "
                    f"{result.seconds:.0f} s",
               inputs=result.operations, failures=len(result.failures) + len(result.problems),
               notes=[f"committed {dict(result.committed)}", f"refused {dict(result.refused)}"]
               + result.failures[:10] + result.problems[:10])


def part_faults(args, _pg) -> Row:
    from tests.reliability.faults import run_faults

    result = run_faults(per_kind=args.faults)
    injected = ", ".join(f"{k} {result.survived[k]}/{v}" for k, v in result.injected.items())
    outages = ", ".join(f"{k} {v}" for k, v in result.outage_seen.items())
    return Row("faults under traffic", load=(
        f"{result.surveys_acknowledged} surveys, {result.swaps_acknowledged} swaps, "
        f"{result.changes_committed} decision changes acknowledged"),
        faults=injected, inputs=sum(result.operations_tried.values()),
        lost=result.lost + result.doubled, failures=len(result.problems),
        notes=[f"/healthz saw the outage: {outages or 'never'}",
               f"recovery: max {max(result.recovery_seconds or [0]):.1f} s",
               f"notices shown during faults: {result.notices}, silent answers: "
               f"{result.silent_answers}", f"tried: {dict(result.operations_tried)}"]
        + result.problems[:20])


PARTS = {"matrix": part_matrix, "fuzz": part_fuzz, "imports": part_imports, "api": part_api,
         "volume": part_volume, "faults": part_faults}


def print_table(rows: list[Row]) -> None:
    print("\n| part | load held | faults injected/survived | inputs tried | lost or doubled "
          "| failures | time |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.part} | {row.load} | {row.faults or '–'} | {row.inputs:,} | {row.lost} "
              f"| {row.failures} | {row.seconds:.0f} s |".replace(",", " "))
    for row in rows:
        if row.notes:
            print(f"\n{row.part}:")
            for note in row.notes:
                print(f"  - {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=10_000, help="inputs per handler family")
    parser.add_argument("--imports", type=int, default=10_000, help="files per importer")
    parser.add_argument("--api", type=int, default=10_000, help="inputs per API operation")
    parser.add_argument("--faults", type=int, default=20, help="faults of each kind")
    parser.add_argument("--volume", type=int, default=1_000, help="concurrent operations")
    parser.add_argument("--matrix-clients", type=int, default=3,
                        help="clients per client page in the matrix")
    parser.add_argument("--only", nargs="*", choices=sorted(PARTS), default=None)
    args = parser.parse_args(argv)
    from tests.reliability.servers import OwnPostgres

    rows = []
    pg = OwnPostgres()
    try:
        for name, part in PARTS.items():
            if args.only is not None and name not in args.only:
                continue
            print(f"reliability: {name} ...", flush=True)
            began = time.monotonic()
            try:
                row = part(args, pg)
            except Exception:  # noqa: BLE001 - a part that breaks is a failed figure
                row = Row(name, failures=1, notes=[traceback.format_exc()[-2000:]])
            row.seconds = time.monotonic() - began
            rows.append(row)
            print(f"reliability: {name} done in {row.seconds:.0f} s, {row.failures} failures",
                  flush=True)
    finally:
        pg.close()
    print_table(rows)
    return 1 if any(row.failures or row.lost for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
