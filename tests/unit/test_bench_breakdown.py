"""The pure parts of the load and breakdown benchmarks: py-spy parsing and attribution, SQL
counter deltas, completion of an event, HB / floor ratios, the results summary."""

from __future__ import annotations

from bench.breakdown import _delta, attribute, layer_of, parse_collapsed, short_state
from bench.results import markdown
from bench.socketload import _has_call_script, _is_hydrated, compare

COLLAPSED = """\
process 12:"reflex run";thread (0x7f) ;<module> (reflex:8);load (/x/hbapp/pages/client/budget.py:70);budget_month (/x/hbapp/services/budget.py:216);execute (/v/site-packages/sqlalchemy/orm/session.py:2300) 6
process 12:"reflex run";thread (0x7f) ;<module> (reflex:8);_serialize (/v/site-packages/reflex/state.py:2500);dumps (/usr/lib/python3.11/pickle.py:10) 3
process 12:"reflex run";thread (0x7f) ;<module> (reflex:8);select (/usr/lib/python3.11/selectors.py:468) 1
process 12:"reflex run";thread (0x7f) ;mystery (/elsewhere/thing.py:1) 2
"""


def test_parse_collapsed_reads_frames_outermost_first_and_counts():
    stacks = parse_collapsed(COLLAPSED + "garbage line without a count\n")
    assert [count for _, count in stacks] == [6, 3, 1, 2]
    frames, _ = stacks[0]
    assert frames[0] == ("<module>", "reflex")
    assert frames[-1] == ("execute", "/v/site-packages/sqlalchemy/orm/session.py")


def test_layers_charge_the_innermost_known_frame():
    assert layer_of("/x/hbapp/services/budget.py") == "HB services, domain and views"
    assert layer_of("/x/hbapp/pages/client/budget.py") == "HB pages, state and middleware"
    assert layer_of("/v/site-packages/reflex/istate/manager/redis.py").startswith("Reflex state")
    assert layer_of("/elsewhere/thing.py") is None
    result = attribute(parse_collapsed(COLLAPSED))
    shares = {row["layer"]: row["percent"] for row in result["layers"]}
    assert result["samples"] == 12
    assert shares["SQLAlchemy and SQLModel"] == 50.0  # not the HB frames above it
    assert shares["pickle, JSON, Babel"] == 25.0  # pickle inside Reflex's _serialize
    assert shares["Granian and asyncio"] == round(100 / 12, 1)
    assert shares["other Python"] == round(200 / 12, 1)
    functions = {row["function"]: row["percent"] for row in result["functions"]}
    assert functions["budget_month (/x/hbapp/services/budget.py)"] == 50.0


def test_short_state_names():
    key = ("reflex___state____state.hbapp___state____app_state."
           "hbapp___pages___client___budget____budget_state")
    assert short_state(key) == "app_state.budget_state"
    assert short_state("reflex___state____state") == "state"


def test_sql_delta_per_event_from_postgres_counters():
    before = {"database": (10, 5, 100, 50, 0, 0, 0),
              "tables": {"person": (4, 0, 0, 0, 0), "auditlog": (0, 0, 2, 0, 0)}}
    after = {"database": (30, 15, 300, 90, 10, 0, 0),
             "tables": {"person": (24, 0, 0, 0, 0), "auditlog": (0, 0, 12, 0, 0),
                        "budget": (10, 10, 0, 0, 0)}}
    delta = _delta(before, after, 10)
    assert delta["per_event"]["commits"] == 2.0
    assert delta["per_event"]["rollbacks"] == 1.0
    assert delta["per_event"]["rows_inserted"] == 1.0
    assert delta["tables"]["person"]["index_scans"] == 2.0
    assert delta["tables"]["auditlog"]["inserted"] == 1.0
    assert delta["table_reads_per_event"] == 4.0  # person 2 + budget 1 + 1


def test_event_completion_predicates():
    hydrated = {"delta": {"reflex___state____state": {"is_hydrated_rx_state_": True}}}
    assert _is_hydrated(hydrated)
    assert not _is_hydrated({"delta": {"reflex___state____state": {"is_hydrated_rx_state_": False}}})
    assert not _is_hydrated({"events": []})
    script = {"delta": {}, "events": [{"name": "_call_script", "payload": {}}]}
    assert _has_call_script(script) and not _has_call_script(hydrated)


def run(p95: float, cpu: float, redis: int) -> dict:
    return {"target": "x", "all": {"p50": p95 / 2, "p95": p95, "p99": p95, "count": 10},
            "by_event": {"open_page": {"p95": p95}, "change_month": {"p95": p95}},
            "worker_cpu_ms_per_event": cpu, "database_cpu_ms_per_event": 1.0,
            "redis_cpu_ms_per_event": 1.0, "redis_per_client_bytes": redis, "errors": 0,
            "rss_per_client_bytes": 1024, "load_average": [1.0, 1.0]}


def test_ratios_and_summary_of_hb_against_the_floor():
    floor, hb = run(20.0, 5.0, 2048), run(50.0, 15.0, 20480)
    ratios = compare(floor, hb)
    assert ratios["p95"] == 2.5
    assert ratios["worker_cpu_per_event"] == 3.0
    assert ratios["total_cpu_per_event"] == round(17 / 7, 2)
    assert ratios["redis_per_client"] == 10.0
    summary = markdown({"events": {"workers": 3, "oplock": "on", "measured_at": "now",
                                   "levels": [{"clients": 500, "floor": floor, "hb": hb,
                                               "hb_over_floor": ratios}]}})
    assert "| 500 | **HB / floor** |" in summary
    assert "p95 ≤ 2 × floor **over**" in summary
    assert "Redis ≤ 40 KiB per tab **ok**" in summary
    assert "500 clients: p95 ≤ 100 ms with 0 errors **ok**" in summary
