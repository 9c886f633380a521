"""Concurrency at volume on PostgreSQL: swaps, cancellations and decision changes of one
client's month at the same moment (`tests/reliability/volume.py`), and the deadlock it found.

`make test` runs 120 operations; `make reliability` 1 000 (HB_RELIABILITY=1).
"""

from __future__ import annotations

import os

import pytest

from hbapp.seed import seed_demo
from tests.reliability.volume import run_volume, volume_world

FULL = os.environ.get("HB_RELIABILITY") == "1"
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(database_factory):
    from hbapp.db import make_engine

    engine = make_engine(database_factory("postgresql"))
    seed_demo(engine)
    yield engine
    engine.dispose()


def test_swaps_and_decision_changes_at_the_same_moment_do_not_deadlock(pg_engine):
    """Bug (b): a swap locked the budget row and then (by its foreign key) waited for the
    client row, while a decision change held the client row and waited for the budget row.
    Every writer of a client's money now locks the client row first."""
    from tests.reliability import volume

    result = run_volume(pg_engine, operations=60, threads=12, seed=2,
                        kinds={"swap": 1, "change": 1})
    assert result.failures == [], result.failures[:5]
    assert result.committed["swap"] > 0 and result.committed["change"] > 0
    assert result.problems == []
    assert volume_world(pg_engine).client_id


def test_a_thousand_operations_on_one_month(pg_engine):
    operations = 1000 if FULL else 120
    result = run_volume(pg_engine, operations=operations, threads=16)
    print(f"\nRELIABILITY volume operations={result.operations} seconds={result.seconds:.1f} "
          f"committed={dict(result.committed)} refused={dict(result.refused)} "
          f"failures={len(result.failures)} problems={len(result.problems)}")
    assert result.failures == [], result.failures[:5]
    assert result.problems == [], result.problems[:10]
    assert sum(result.committed.values()) + sum(result.refused.values()) == operations
    assert result.committed["swap"] > 0 and result.committed["change"] > 0
