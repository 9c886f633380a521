"""`make reliability`: the full budgets of issue 17, then one table.

    python -m tests.reliability.run [--fuzz N] [--imports N] [--api N] [--faults N]
                                    [--volume N] [--matrix-clients N] [--only PART ...]

Parts (all by default): matrix (every handler × every role on PostgreSQL), fuzz (N inputs per
handler family on SQLite), imports (N mutated files per importer and 100 000-row files),
api (schemathesis against the provider API's OpenAPI document, N per operation, when the
provider API is present), volume (N concurrent operations on one month on PostgreSQL), faults
(N faults of each kind with its own PostgreSQL, Redis and backend). PostgreSQL for matrix and
volume is a cluster of its own too. The exit status is 1 when any figure does not hold.

The parts are cut into units (one per handler family, per importer, per group of API
operations, the matrix, the volume run) that run in `--jobs` processes of their own (default:
the number of cores), longest first; the faults part, which mostly waits on its servers, runs
beside them in a process of its own. Each unit has its own database (SQLite on /dev/shm, or a
PostgreSQL cluster of its own), so units cannot disturb each other's checks.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

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
    counts: Counter = field(default_factory=Counter)  # outcomes, statuses: summed over units
    units: int = 1

    def merge(self, other: Row) -> None:
        """Add another unit of the same part."""
        self.load = "; ".join(x for x in (self.load, other.load) if x)
        self.faults = "; ".join(x for x in (self.faults, other.faults) if x)
        self.inputs += other.inputs
        self.lost += other.lost
        self.failures += other.failures
        self.seconds += other.seconds
        self.notes += other.notes
        self.counts.update(other.counts)
        self.units += other.units


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


def part_matrix(args, pg, _unit=None) -> Row:
    from hbapp.migrations import upgrade
    from tests.reliability.matrix import run_matrix

    url = pg.create_database("hb_matrix")
    upgrade(url)
    result = run_matrix(_seed(url), sample_clients=args.matrix_clients)
    return Row("authorization matrix (PostgreSQL)",
               load=f"{result.handlers} handlers × {result.roles} roles",
               inputs=result.calls, failures=len(result.problems),
               counts=Counter(result.outcomes), notes=result.problems[:20])


def handler_families() -> list[str]:
    """The handler families (`fuzz.family_of`): each package under hbapp/pages, and shared."""
    pages = Path(__file__).resolve().parents[2] / "hbapp" / "pages"
    return sorted(p.name for p in pages.iterdir() if (p / "__init__.py").exists()) + ["shared"]


def part_fuzz(args, _pg, unit: str | None = None) -> Row:
    """One handler family (unit) or all of them."""
    from tests.reliability.fuzz import fuzz_handlers

    families = {unit} if unit else None
    result = fuzz_handlers(_seed(_sqlite_url()), args.fuzz, families=families)
    problems = list(result.problems)
    if unit is None or unit == "shared":
        # A family no unit was given (a new package under hbapp/pages) must not go unfuzzed.
        for family in sorted(set(result.families) - set(handler_families())):
            problems.append(f"family {family} is not in handler_families(): not fuzzed")
    families_text = ", ".join(f"{k} {v}" for k, v in sorted(result.inputs.items()))
    return Row("handler fuzzing (SQLite)", load=families_text,
               inputs=sum(result.inputs.values()), failures=len(problems),
               counts=Counter(result.outcomes)
               + Counter({"handlers covered": len(result.per_handler)}),
               notes=problems[:20])


def part_imports(args, _pg, unit: str | None = None) -> Row:
    """One importer (unit: its module, or "events" for the provider events CSV) or all."""
    from tests.reliability import world
    from tests.reliability.fuzz import BIG_ROWS, ImportFuzzResult, big_file, check_import, \
        events_import_available, fuzz_event_import, fuzz_importers, importers

    engine = world.use_database(_seed(_sqlite_url()))
    result = ImportFuzzResult()
    big = []
    if unit != "events":
        chosen = [i for i in importers() if unit is None or i.module == unit]
        fuzz_importers(engine, args.imports, result, only={i.module for i in chosen})
        watch = world.WriteWatch(engine)
        for importer in chosen:
            if importer.module in BIG_ROWS:
                text, line = big_file(importer.module, 100_000)
                before = len(result.problems)
                check_import(engine, watch, importer, text, result, label=" (100 000 rows)")
                big.append(f"{importer.module}: 100 000 rows, bad line {line}: "
                           f"{'ok' if len(result.problems) == before else 'FAILED'}")
        watch.close()
    if unit in (None, "events") and events_import_available():
        fuzz_event_import(engine, args.imports, result)
    per = ", ".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in sorted(result.inputs.items()))
    return Row("CSV importers", load=per, inputs=sum(result.inputs.values()),
               failures=len(result.problems), counts=Counter(result.outcomes),
               notes=big + result.problems[:20])


API_UNITS = 5  # the provider API's operations are shared out over this many units


def part_api(args, _pg, unit: str | None = None) -> Row:
    """Operations number `unit`, unit + API_UNITS, ... (or all of them)."""
    from tests.reliability import api_fuzz

    if not api_fuzz.available():
        return Row("provider API (schemathesis)", load="not present in this build",
                   notes=["the provider API (issue 14c) is not in this build"])
    share = None if unit is None else (int(unit), API_UNITS)
    result = api_fuzz.run(_seed(_sqlite_url()), args.api, share=share)
    return Row("provider API (schemathesis)",
               load=", ".join(f"{k} {v}" for k, v in result.per_operation.items()),
               inputs=result.inputs, failures=len(result.problems),
               counts=Counter({f"status {k}": v for k, v in result.statuses.items()}),
               notes=result.problems[:20])


def part_volume(args, pg, _unit=None) -> Row:
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


def part_faults(args, _pg, _unit=None) -> Row:
    from tests.reliability.faults import run_faults

    result = run_faults(per_kind=args.faults)
    injected = ", ".join(f"{k} {result.survived[k]}/{v}" for k, v in result.injected.items())
    outages = ", ".join(f"{k} {v}" for k, v in result.outage_seen.items())
    return Row("faults under traffic", load=(
        f"{result.surveys_acknowledged} surveys, {result.swaps_acknowledged} swaps, "
        f"{result.changes_committed} decision changes, "
        f"{result.provider_events_acknowledged} provider events acknowledged"),
        faults=injected, inputs=sum(result.operations_tried.values()),
        lost=result.lost + result.doubled, failures=len(result.problems),
        notes=[f"/healthz saw the outage: {outages or 'never'}",
               f"recovery: max {max(result.recovery_seconds or [0]):.1f} s",
               f"notices shown during faults: {result.notices}, silent answers: "
               f"{result.silent_answers}", f"tried: {dict(result.operations_tried)}"]
        + result.problems[:20])


PARTS = {"matrix": part_matrix, "fuzz": part_fuzz, "imports": part_imports, "api": part_api,
         "volume": part_volume, "faults": part_faults}
PG_PARTS = {"matrix", "volume"}


def units(args) -> list[tuple[str, str | None]]:
    """(part, unit) in the order to start them: the longest first (measured per input)."""
    chosen = [name for name in PARTS if args.only is None or name in args.only]
    cost: list[tuple[float, str, str | None]] = []
    for name in chosen:
        if name == "fuzz":
            cost += [(0.02 * args.fuzz, name, family) for family in handler_families()]
        elif name == "api":
            cost += [(0.015 * args.api, name, str(i)) for i in range(API_UNITS)]
        elif name == "imports":
            from tests.reliability.fuzz import events_import_available, importers

            modules = [i.module for i in importers()]
            # The 100 000-row decisions file alone takes minutes (a query per client).
            cost += [(0.015 * args.imports + (170 if m.endswith("decisions") else 20), name, m)
                     for m in modules]
            if events_import_available():
                cost.append((0.015 * args.imports, name, "events"))
        elif name == "matrix":
            cost.append((100.0 * args.matrix_clients, name, None))
        elif name == "volume":
            cost.append((0.15 * args.volume, name, None))
        elif name == "faults":
            cost.append((1e9, name, None))  # started first, in a process of its own
    return [(name, unit) for _, name, unit in sorted(cost, key=lambda c: -c[0])]


def run_unit(args, name: str, unit: str | None) -> Row:
    """One unit, in a process of its own (its own database, its own PostgreSQL if needed)."""
    os.environ["HB_DATA_DIR"] = tempfile.mkdtemp(prefix="hb-reliability-")
    # multiprocessing starts units with -B when the parent had bytecode off: turn it back on
    # (the bytecode goes to PYTHONPYCACHEPREFIX, outside the checkout, see main).
    if sys.pycache_prefix:
        sys.dont_write_bytecode = False
    began = time.monotonic()
    pg = None
    try:
        if name in PG_PARTS:
            from tests.reliability.servers import OwnPostgres

            pg = OwnPostgres()
        row = PARTS[name](args, pg, unit)
    except Exception:  # noqa: BLE001 - a part that breaks is a failed figure
        row = Row(name, failures=1, notes=[f"{name} {unit or ''}: "
                                           + traceback.format_exc()[-2000:]])
    finally:
        if pg is not None:
            pg.close()
    row.seconds = time.monotonic() - began
    return row


def print_table(rows: list[tuple[str, Row]], wall: float) -> None:
    print("\n| part | load held | faults injected/survived | inputs tried | lost or doubled "
          "| failures | time |")
    print("|---|---|---|---|---|---|---|")
    for _, row in rows:
        time_text = (f"{row.seconds:.0f} s" if row.units == 1
                     else f"{row.seconds:.0f} s in {row.units} units")
        print(f"| {row.part} | {row.load} | {row.faults or '–'} | {row.inputs:,} | {row.lost} "
              f"| {row.failures} | {time_text} |".replace(",", " "))
    print(f"\nwall clock: {wall:.0f} s")
    for _, row in rows:
        if row.notes or row.counts:
            print(f"\n{row.part}:")
            for key, value in sorted(row.counts.items()):
                print(f"  - {key}: {value}")
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
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="units run at once (faults run beside them)")
    args = parser.parse_args(argv)
    began = time.monotonic()
    # Each unit is a fresh interpreter: let them share compiled bytecode, kept outside the
    # checkout (the Makefile turns bytecode off to keep the tree clean), instead of each
    # compiling Reflex and HB again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX",
                          str(Path(tempfile.gettempdir()) / "hb-reliability-pycache"))
    todo = units(args)
    rows: dict[str, Row] = {}
    context = multiprocessing.get_context("spawn")
    # One process per unit (max_tasks_per_child=1): a unit's global settings (the database it
    # points the app at) never leak into the next one.
    pool = ProcessPoolExecutor(args.jobs, mp_context=context, max_tasks_per_child=1)
    side = ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1)
    running = {}
    try:
        for name, unit in todo:
            executor = side if name == "faults" else pool
            running[executor.submit(run_unit, args, name, unit)] = (name, unit)
            print(f"reliability: {name} {unit or ''} queued", flush=True)
        pending = set(running)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                name, unit = running[future]
                try:
                    row = future.result()
                except Exception:  # noqa: BLE001 - a unit whose process died
                    row = Row(name, failures=1, notes=[traceback.format_exc()[-2000:]])
                print(f"reliability: {name} {unit or ''} done in {row.seconds:.0f} s, "
                      f"{row.inputs} inputs, {row.failures} failures "
                      f"(at {time.monotonic() - began:.0f} s)", flush=True)
                if name in rows:
                    rows[name].merge(row)
                else:
                    rows[name] = row
    finally:
        pool.shutdown(cancel_futures=True)
        side.shutdown(cancel_futures=True)
    ordered = [(name, rows[name]) for name in PARTS if name in rows]
    print_table(ordered, time.monotonic() - began)
    return 1 if any(row.failures or row.lost for _, row in ordered) else 0


if __name__ == "__main__":
    sys.exit(main())
