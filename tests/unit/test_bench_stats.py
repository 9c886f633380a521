"""The pure helpers of the benchmarks: percentiles, gzip accounting, resource kinds."""

from __future__ import annotations

import gzip

import pytest

from bench.stats import (budget_check, gzip_size, percentile, ratio, resource_kind, summarize,
                         weight_totals)


def test_percentile_interpolates_between_closest_ranks():
    values = [15, 20, 35, 40, 50]
    assert percentile(values, 0) == 15
    assert percentile(values, 50) == 35
    assert percentile(values, 100) == 50
    assert percentile(values, 40) == pytest.approx(29.0)  # rank 1.6 between 20 and 35
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_percentile_ignores_input_order_and_handles_edges():
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([7], 99) == 7
    assert percentile([], 95) is None
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_summarize_reports_rounded_figures():
    summary = summarize([10.0, 20.0, 30.0, 40.0])
    assert summary == {"count": 4, "p50": 25.0, "p95": 38.5, "p99": 39.7, "mean": 25.0,
                       "max": 40.0}
    assert summarize([]) == {"count": 0, "p50": None, "p95": None, "p99": None, "mean": None,
                             "max": None}


def test_gzip_size_counts_the_compressed_stream():
    body = b"const hb = 1;\n" * 500
    size = gzip_size(body)
    assert size == len(gzip.compress(body, compresslevel=6, mtime=0))
    assert size < len(body) / 10
    assert gzip.decompress(gzip.compress(body, compresslevel=6, mtime=0)) == body
    assert gzip_size(b"") == 0
    assert gzip_size(b"x") > 1  # header and trailer count: tiny bodies grow


def test_resource_kind():
    assert resource_kind("script", "http://h/assets/a.js") == "js"
    assert resource_kind("other", "http://h/assets/a.js?v=1") == "js"
    assert resource_kind("stylesheet", "http://h/hb.css") == "css"
    assert resource_kind("fetch", "http://h/x", "text/css; charset=utf-8") == "css"
    assert resource_kind("document", "http://h/budget/") == "html"
    assert resource_kind("fetch", "http://h/auth/session", "application/json") == "other"
    assert resource_kind("image", "http://h/favicon.ico") == "other"


def test_weight_totals_sum_per_kind_and_in_total():
    totals = weight_totals([
        {"kind": "js", "bytes": 1000, "gzip": 300},
        {"kind": "js", "bytes": 500, "gzip": 200},
        {"kind": "css", "bytes": 100, "gzip": 50},
    ])
    assert totals["js"] == {"requests": 2, "bytes": 1500, "gzip": 500}
    assert totals["css"] == {"requests": 1, "bytes": 100, "gzip": 50}
    assert totals["html"] == {"requests": 0, "bytes": 0, "gzip": 0}
    assert totals["total"] == {"requests": 3, "bytes": 1600, "gzip": 550}


def test_ratio_and_budget_check():
    assert ratio(300, 100) == 3.0
    assert ratio(None, 100) is None
    assert ratio(100, 0) is None
    assert budget_check(100, 100) == "ok"
    assert budget_check(101, 100) == "over"
    assert budget_check(None, 100) == "n/a"
