"""`hb nps`: Net Promoter Score with its adjusted-Wald 95 % interval.

Reads a JSON list of integer scores 0–10 on stdin and prints
`{"n": int, "nps": float|null, "low": float|null, "high": float|null}` (floats rounded
to 4 decimals). Bad input: one-line error on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from hbapp.domain.inputs import JsonInputError, loads_json, read_stdin
from hbapp.domain.nps import nps_summary

EXIT_BAD_INPUT = 2


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def run(args: argparse.Namespace) -> int:
    def fail(message: str) -> int:
        print(f"hb nps: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    try:
        data = loads_json(read_stdin())
    except JsonInputError as exc:
        return fail(f"stdin is not valid JSON ({exc})")
    if not isinstance(data, list):
        return fail(f"expected a JSON list of integer scores 0–10, got {type(data).__name__}")
    for i, s in enumerate(data):
        if isinstance(s, bool) or not isinstance(s, int):
            return fail(f"item {i}: expected an integer 0–10, got {json.dumps(s)}")
        if not 0 <= s <= 10:
            return fail(f"item {i}: score {s} is out of range 0–10")
    summary = nps_summary(data)
    out = {
        "n": summary.n,
        "nps": _round(summary.nps),
        "low": _round(summary.low),
        "high": _round(summary.high),
    }
    print(json.dumps(out))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nps",
        help="Net Promoter Score of 0–10 scores read as a JSON list on stdin",
        description=(
            "Read a JSON list of integer scores 0-10 on stdin; print n, NPS and the "
            "adjusted-Wald 95% interval as JSON."
        ),
    )
    parser.set_defaults(func=run)
