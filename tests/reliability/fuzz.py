"""Fuzzing with hypothesis: every event handler as every role, and every CSV importer.

**Handlers.** `fuzz_handlers` draws a role, a handler of a family (one side of the app: client
pages, worker pages, admin pages, shared), and a payload: the handler's parameters with values
of the annotated type or of any other (None, bools, huge and negative integers, NaN and
infinities, unicode text, numeric and date-like strings, 25 000-character strings, lists,
nested objects), keys dropped or added, the form keys the handler reads with hostile values, or
a payload that is not an object at all. Each goes through the real event processing
(`inprocess.InProcessApp`). Checked per input: no unhandled exception and no ERROR log; a
refused or failed event committed nothing (`world.WriteWatch`: no partial write); every
message a person sees is translated text, never an English msgid in a Finnish page nor an
exception's text. After each family the money invariants of every client hold.

**Importers.** Every `hb <thing> import` (discovered: a module of `hbapp.commands` with an
`import_*(engine, text)` function and an `ImportFailed` exception) needs a sample in `SAMPLES`,
so a new importer cannot go unfuzzed. `fuzz_importer` mutates the sample (bytes inserted,
removed, duplicated; quotes broken; BOM; control characters; lines joined and repeated): each
run imports completely or raises ImportFailed whose every error starts with "line N:", and a
failed run writes nothing. `big_file` builds 100 000 rows with one bad row near the end.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
import typing
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.reliability import world
from tests.reliability.inprocess import HandlerRef, InProcessApp, concrete_path, handlers, \
    page_routes
from tests.reliability.matrix import SKIP

HUGE = "Å" * 25_000

# Values of any type: what a forged event can carry.
ANY_VALUE = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{1,25}([.,][0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "2026-02-30", "31.12.9999",
                     "Infinity", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e\u2028",
                     "\x00", "٣", "𝟙𝟚", HUGE, "a" * 200]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _typed(annotation: Any, keys: list[str]) -> st.SearchStrategy:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        return st.one_of(*[_typed(a, keys) for a in typing.get_args(annotation)])
    if annotation is type(None):
        return st.none()
    if annotation is int:
        return st.one_of(st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
                         st.integers(min_value=-3, max_value=40))
    if annotation is bool:
        return st.booleans()
    if annotation is float:
        return st.floats(allow_nan=True, allow_infinity=True)
    if annotation is dict or origin is dict:
        form_value = st.one_of(ANY_VALUE, st.text(max_size=30),
                               st.sampled_from(["1", "2", "on", "yes", "home_care", "cleaning",
                                                "2026", "12", "38,50", "-5", "9" * 30]))
        known = st.fixed_dictionaries({}, optional={k: form_value for k in keys}) \
            if keys else st.just({})
        return st.one_of(known, st.dictionaries(st.text(max_size=12), form_value, max_size=6))
    if annotation is list or origin is list:
        return st.lists(st.one_of(st.text(max_size=10), st.integers()), max_size=5)
    return st.one_of(st.text(max_size=40), st.from_regex(r"-?[0-9]{1,20}", fullmatch=True),
                     st.sampled_from(["1", "2", "3", "0", "-1", "fi", "sv", "en", "xx",
                                      HUGE, "\x00"]))


_PAYLOADS: dict[str, st.SearchStrategy] = {}


def payloads(handler: HandlerRef) -> st.SearchStrategy:
    if handler.qualname not in _PAYLOADS:
        _PAYLOADS[handler.qualname] = _payloads(handler)
    return _PAYLOADS[handler.qualname]


def _payloads(handler: HandlerRef) -> st.SearchStrategy:
    params = handler.parameters()
    keys = handler.form_keys()
    typed = {name: st.one_of(_typed(annotation, keys), ANY_VALUE)
             for name, annotation in params.items()}

    @st.composite
    def build(draw):
        payload = {}
        for name, strategy in typed.items():
            if draw(st.integers(0, 9)) == 0:
                continue  # a missing key
            payload[name] = draw(strategy)
        if draw(st.integers(0, 9)) == 0:
            payload[draw(st.text(min_size=1, max_size=8))] = draw(ANY_VALUE)  # an extra key
        return payload

    return st.one_of(build(), build(), build(), build(),
                     st.one_of(st.none(), st.integers(), st.text(max_size=5),
                               st.lists(st.integers(), max_size=2)))


def family_of(handler: HandlerRef) -> str:
    """The side of the app a handler belongs to."""
    parts = handler.family.split(".")
    return parts[1] if parts[0] == "pages" and len(parts) > 2 else "shared"


@dataclass
class FuzzResult:
    inputs: Counter = field(default_factory=Counter)  # family -> inputs tried
    per_handler: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)  # every family found, fuzzed or not


def _untranslated(text: str, msgids: set[str], locale: str) -> bool:
    return locale != "en" and text in msgids


_LEAKY = re.compile(r"Traceback|object at 0x|Exception\(|Error\(|sqlalchemy|psycopg|"
                    r"Internal Server Error")


def _message_problems(answer, msgids: set[str], locale: str) -> list[str]:
    found = []
    for state, values in answer.delta.items():
        for key, value in values.items():
            if not isinstance(value, str) or not value:
                continue
            if key.removesuffix("_rx_state_").endswith("_field"):
                continue  # error_field: the name of the field at fault, never shown as text
            if any(word in key for word in ("error", "notice", "message", "status_text")):
                if _untranslated(value, msgids, locale):
                    found.append(f"untranslated {key}: {value[:80]!r}")
                if _LEAKY.search(value):
                    found.append(f"internal text in {key}: {value[:120]!r}")
    for script in answer.scripts:
        if "hbNotice" in script and _LEAKY.search(script):
            found.append(f"internal text in a notice: {script[:120]!r}")
    return found


def english_msgids() -> set[str]:
    from pathlib import Path

    from babel.messages.pofile import read_po

    with Path("locales/fi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {m.id for m in catalog if isinstance(m.id, str) and m.id and m.string != m.id}


def fuzz_handlers(url: str, examples_per_family: int, roles=world.ROLES,
                  families: set[str] | None = None, seed: int | None = None) -> FuzzResult:
    from hbapp.services import identity

    engine = world.use_database(url)
    today = date.today()
    secrets = world.Secrets.load(engine)
    sample_client = sorted(secrets.clients)[0]
    routes = page_routes()
    by_family: dict[str, list[HandlerRef]] = {}
    for handler in handlers():
        if handler.name in SKIP:
            continue
        by_family.setdefault(family_of(handler), []).append(handler)
    msgids = english_msgids()
    sessions = {}
    for subject in roles:
        cookie, _ = world.sign_in(engine, subject)
        token = cookie.partition("=")[2] or None
        current = identity.signed_in(engine, token, today) if token else None
        sessions[subject] = (cookie, current)
    result = FuzzResult(families=sorted(by_family))
    watch = world.WriteWatch(engine)
    from tests.reliability.volume import ledger_problems_all

    try:
        with InProcessApp() as app:
            tabs: dict[tuple, Any] = {}

            def tab_for(subject, handler):
                key = (subject, handler.state)
                if key not in tabs:
                    tab = app.tab(sessions[subject][0])
                    route = next(iter(routes.get(handler.state.get_full_name(), [])), "/")
                    route = "/" + route.lstrip("/") if route != "index" else "/"
                    tab.open(route, {"client_id": str(sample_client)}
                             if "[client_id]" in route else None)
                    tabs[key] = tab
                return tabs[key]

            for family, members in sorted(by_family.items()):
                if families is not None and family not in families:
                    continue

                @settings(max_examples=examples_per_family, deadline=None, database=None,
                          derandomize=seed is not None, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck))
                @given(data=st.data())
                def check(data):
                    subject = data.draw(st.sampled_from(list(roles)), label="role")
                    handler = data.draw(st.sampled_from(members), label="handler")
                    payload = data.draw(payloads(handler), label="payload")
                    tab = tab_for(subject, handler)
                    mark = watch.mark()
                    answer = tab.call(handler, payload)
                    result.inputs[family] += 1
                    result.per_handler[handler.qualname] += 1
                    where = f"{subject} {handler.qualname} {_short(payload)}"
                    for error in answer.unhandled():
                        result.problems.append(f"UNHANDLED {where}: {type(error).__name__}: "
                                               f"{str(error)[:200]}")
                    for line in answer.logged_errors:
                        result.problems.append(f"ERROR LOG {where}: {line[:200]}")
                    refused = not answer.delta and any("hbNotice" in s for s in answer.scripts)
                    failed = bool(answer.errors)
                    result.outcomes["refused" if refused else "failed" if failed else "ran"] += 1
                    if (refused or failed) and watch.since(mark):
                        result.problems.append(f"PARTIAL WRITE {where}: {watch.since(mark)}")
                    current = sessions[subject][1]
                    locale = (current.locale if current and current.locale else "fi")
                    for problem in _message_problems(answer, msgids, locale):
                        result.problems.append(f"MESSAGE {where}: {problem}")

                app.runner.call(check)  # hypothesis in the loop's thread: no hand-overs
                for problem in ledger_problems_all(engine, today):
                    result.problems.append(f"LEDGER after {family}: {problem}")
    finally:
        watch.close()
    return result


def _short(payload: Any) -> str:
    text = json.dumps(payload, default=str, ensure_ascii=False)
    return text if len(text) < 160 else text[:150] + f"…({len(text)} chars)"


# ------------------------------------------------------------------------------ importers


def _provider_sample() -> str:
    from hbapp.seed import business_id_for

    header = ("business_id,name,service_code,band,price_eur,municipalities,languages,"
              "takes_new_clients,evening_service,weekend_service,phone,email,street_address,"
              "postal_code,city,opening_hours,description_fi,description_sv,description_en\n")
    rows = []
    for number, service in ((9_123_456, "home_care"), (9_123_470, "cleaning")):
        rows.append(f'{business_id_for(number)},Uusi Hoiva Oy,{service},weekday_day,"38,00",'
                    f'405,fi sv,kyllä,ei,no,05 123 4567,info@uusi.example,Katu 1,53100,'
                    f'Lappeenranta,ma–pe 8–16,"Autamme kotona,\nja siivoamme.",Vi hjälper.,'
                    f'We help.\n')
    return header + "".join(rows)


def _decision_sample() -> str:
    year = date.today().year - 1
    header = ("identity_code,first_name,last_name,municipality,language,street_address,phone,"
              "worker_email,decision_number,decision_date,valid_from,valid_to,reason,"
              "service_code,units_per_month,unit_value_eur,unit_value_reason\n")
    return header + (
        f'010190-950A,Tuula,Laine,405,fi,"Kauppakatu 1, A 2",040 123,sari.makinen@ekhva.example,'
        f'OLD-{year}-17,{year}-12-15,{year + 1}-01-01,,"Tarvitset apua kotona,\nja siivousta.",'
        f"home_care,20,,\n"
        f"020290-950S,Stina,Berg,153,sv,,,,OLD-{year}-18,1.6.{year},1.6.{year},31.12.{year},"
        f"Du behöver hjälp.,personal_assistance,40,,\n")


# command module -> a good file. A new importer without a sample fails test_every_importer.
SAMPLES = {
    "hbapp.commands.providers": _provider_sample,
    "hbapp.commands.decisions": _decision_sample,
}


@dataclass(frozen=True)
class Importer:
    module: str
    run: Any  # import_*(engine, text)
    failed: type  # its ImportFailed


def importers() -> list[Importer]:
    import hbapp.commands

    found = []
    for info in pkgutil.iter_modules(hbapp.commands.__path__, prefix="hbapp.commands."):
        module = importlib.import_module(info.name)
        failed = getattr(module, "ImportFailed", None)
        functions = [f for name, f in inspect.getmembers(module, inspect.isfunction)
                     if name.startswith("import_") and f.__module__ == module.__name__]
        if failed is not None and functions:
            found.append(Importer(info.name, functions[0], failed))
    for extra in EXTRA_IMPORTERS:
        found.append(extra)
    return found


EXTRA_IMPORTERS: list[Importer] = []  # importers outside hbapp.commands (the provider API's)


@st.composite
def mutated(draw, sample: str) -> str:
    text = sample
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "quote", "bom", "control",
                                     "join", "field", "replace_line"]))
        lines = text.split("\n")
        position = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "insert":
            text = text[:position] + draw(st.text(min_size=1, max_size=6)) + text[position:]
        elif kind == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 20)):]
        elif kind == "duplicate" and len(lines) > 1:
            index = draw(st.integers(1, len(lines) - 1))
            lines.insert(index, lines[index])
            text = "\n".join(lines)
        elif kind == "quote":
            text = text[:position] + '"' + text[position:]
        elif kind == "bom":
            text = "\ufeff" + text
        elif kind == "control":
            text = text[:position] + draw(st.sampled_from(["\x00", "\x07", "\u2028", "\r",
                                                           "\x1b", "\ufffd"])) + text[position:]
        elif kind == "join" and len(lines) > 2:
            index = draw(st.integers(0, len(lines) - 2))
            lines[index] = lines[index] + lines.pop(index + 1)
            text = "\n".join(lines)
        elif kind == "field" and len(lines) > 1:
            index = draw(st.integers(1, len(lines) - 1))
            cells = lines[index].split(",")
            cell = draw(st.integers(0, len(cells) - 1))
            cells[cell] = draw(st.one_of(ANY_VALUE.map(str), st.text(max_size=12)))
            lines[index] = ",".join(cells)
            text = "\n".join(lines)
        elif kind == "replace_line" and len(lines) > 1:
            lines[draw(st.integers(0, len(lines) - 1))] = draw(st.text(max_size=60))
            text = "\n".join(lines)
    return text


LINE_NUMBERED = re.compile(r"^line [0-9]+: \S")


@dataclass
class ImportFuzzResult:
    inputs: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def check_import(engine, watch, importer: Importer, text: str, result: ImportFuzzResult,
                 label: str = "") -> None:
    mark = watch.mark()
    result.inputs[importer.module] += 1
    try:
        importer.run(engine, text)
    except importer.failed as failed:
        result.outcomes["refused"] += 1
        errors = list(getattr(failed, "errors", []) or [str(failed)])
        bad = [e for e in errors if not LINE_NUMBERED.match(e)]
        if not errors or bad:
            result.problems.append(f"{importer.module}{label}: errors without a line number: "
                                   f"{bad[:3] or errors[:1]}")
        if watch.since(mark):
            result.problems.append(f"{importer.module}{label}: half-imported: "
                                   f"{watch.since(mark)[:5]}")
    except Exception as error:  # noqa: BLE001 - any other exception is the finding
        result.problems.append(f"{importer.module}{label}: {type(error).__name__}: "
                               f"{str(error)[:200]} for {_short(text)}")
    else:
        result.outcomes["imported"] += 1


def fuzz_importers(engine, examples: int, result: ImportFuzzResult | None = None,
                   only: set[str] | None = None) -> ImportFuzzResult:
    result = result or ImportFuzzResult()
    watch = world.WriteWatch(engine)
    try:
        for importer in importers():
            if only is not None and importer.module not in only:
                continue
            sample = SAMPLES[importer.module]()

            @settings(max_examples=examples, deadline=None, database=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(text=mutated(sample))
            def check(text):
                check_import(engine, watch, importer, text, result)

            check()
    finally:
        watch.close()
    return result


def _provider_row(index: int, price: str = "38,00") -> str:
    from hbapp.seed import business_id_for

    # Numbers 2 apart: business_id_for skips a number without a check digit to the next.
    return (f'{business_id_for(5_000_000 + 2 * index)},Hoiva {index} Oy,home_care,weekday_day,'
            f'"{price}",405,fi,kyllä,ei,no,05 123 4567,info@hoiva.example,Katu 1,53100,'
            f'Lappeenranta,ma–pe 8–16,Autamme kotona.,Vi hjälper.,We help.')


def _decision_row(index: int, units: str = "20") -> str:
    from datetime import timedelta

    from hbapp.seed import identity_code_for

    year = date.today().year - 1
    code = identity_code_for(date(1930, 1, 1) + timedelta(days=index % 25_000),
                             900 + index // 25_000)
    return (f"{code},Testi,Henkilö{index},405,fi,,,,BIG-{year}-{index},{year}-12-15,"
            f"{year + 1}-01-01,,Tarvitset apua.,home_care,{units},,")


BIG_ROWS = {"hbapp.commands.providers": (_provider_row, {"price": "-5"}),
            "hbapp.commands.decisions": (_decision_row, {"units": "many"})}


def big_file(module: str, rows: int = 100_000) -> tuple[str, int]:
    """`rows` distinct good rows and one bad row near the end; returns (text, its line)."""
    build, bad = BIG_ROWS[module]
    sample = SAMPLES[module]()
    bad_index = rows - 17
    lines = [sample.split("\n", 1)[0]]
    lines.extend(build(i, **bad) if i == bad_index else build(i) for i in range(rows))
    return "\n".join(lines) + "\n", bad_index + 2


# ------------------------------------------------------- provider events CSV (issue 14c)


def events_import_available() -> bool:
    return importlib.util.find_spec("hbapp.services.event_import") is not None


def _events_sample(voucher: str) -> str:
    from datetime import timedelta

    day = date.today() - timedelta(days=2)
    rows = [f"{voucher},home_care,{day.isoformat()} {8 + i}:00,{day.isoformat()} {8 + i}:45,"
            f"ext-{i}" for i in range(3)]
    return "voucher,service_code,start,end,external_id\n" + "\n".join(rows) + "\n"


def fuzz_event_import(engine, examples: int, result: ImportFuzzResult | None = None
                      ) -> ImportFuzzResult:
    """The provider's CSV of events is recorded row by row (a bad row never loses a good one):
    every row must come back with its line and an outcome, a refused row with its code, no
    exception may escape, and the same file sent again must record nothing twice."""
    from sqlmodel import func, select

    from hbapp.db import read_session
    from hbapp.models import ServiceEvent, Voucher
    from hbapp.services.event_import import import_events

    result = result or ImportFuzzResult()
    with read_session(engine) as session:
        voucher = session.exec(select(Voucher).order_by(Voucher.id)).first()
    sample = _events_sample(voucher.code)
    module = "hbapp.services.event_import"

    def events() -> int:
        with read_session(engine) as session:
            return session.exec(select(func.count()).select_from(ServiceEvent)).one()

    def one(data: bytes, label: str = "") -> None:
        result.inputs[module] += 1
        try:
            report = import_events(engine, provider_id=voucher.provider_id, data=data,
                                   actor=None)
            before = events()
            again = import_events(engine, provider_id=voucher.provider_id, data=data,
                                  actor=None)
        except Exception as error:  # noqa: BLE001 - any exception is the finding
            result.problems.append(f"{module}{label}: {type(error).__name__}: "
                                   f"{str(error)[:200]} for {_short(data[:300].decode('utf-8', 'replace'))}")
            return
        if report.file_code:
            result.outcomes["refused"] += 1
            return
        result.outcomes["imported" if not report.refused else "refused"] += 1
        for outcome in report.outcomes:
            if outcome.line < 2 or outcome.result not in ("recorded", "needs_review", "repeated",
                                                          "refused"):
                result.problems.append(f"{module}{label}: bad outcome {outcome}")
            if outcome.result == "refused" and not outcome.code:
                result.problems.append(f"{module}{label}: line {outcome.line} refused without "
                                       f"a reason")
        if events() != before or again.count("recorded") or again.count("needs_review"):
            result.problems.append(f"{module}{label}: the same file recorded events twice")

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(text=mutated(sample), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252",
                                                           "utf-16"]))
    def check(text, encoding):
        one(text.encode(encoding, errors="replace"))

    check()
    big = "voucher,service_code,start,end,external_id\n" + "".join(
        f"{voucher.code},home_care,2020-01-01 08:00,2020-01-01 09:00,big-{i}\n"
        for i in range(100_000))
    one(big.encode(), " (100 000 rows)")
    return result
