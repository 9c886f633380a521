"""`hb score <instrument-id>`: score one questionnaire's answers read as a JSON object on stdin.

Prints JSON: promis10 `{"gph": {"raw","t","se"}, "gmh": {...}}`; whoqol-bref
`{"q1","q2","physical": {"raw","score"}, "psychological", "social", "environment"}`;
whodas12 `{"total"}`; hb-experience `{"mean","answered","would_keep"}`.
Unknown instrument, bad JSON, unknown item or bad value: one-line error on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from hbapp.domain.inputs import JsonInputError, loads_json, read_stdin
from hbapp.domain.scoring import INSTRUMENT_IDS, ScoringError, score

EXIT_BAD_INPUT = 2

# Keys printed per instrument (None = everything the scorer returns).
OUTPUT_KEYS: dict[str, tuple[str, ...] | None] = {
    "promis10": ("gph", "gmh"),
    "whoqol-bref": ("q1", "q2", "physical", "psychological", "social", "environment"),
    "whodas12": ("total",),
    "hb-experience": None,
}


def run(args: argparse.Namespace) -> int:
    instrument = args.instrument

    def fail(message: str) -> int:
        print(f"hb score {instrument}: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if instrument not in OUTPUT_KEYS:
        return fail(f"unknown instrument (known: {', '.join(INSTRUMENT_IDS)})")
    try:
        data = loads_json(read_stdin())
    except JsonInputError as exc:
        return fail(f"stdin is not valid JSON ({exc})")
    if not isinstance(data, dict):
        return fail(f"expected a JSON object of item answers, got {type(data).__name__}")
    try:
        result = score(instrument, data)
    except ScoringError as exc:
        return fail(f"{exc} [{exc.code}]")
    keys = OUTPUT_KEYS[instrument]
    if keys is not None:
        result = {k: result[k] for k in keys}
    print(json.dumps(result, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score questionnaire answers (JSON object on stdin)",
        description="Read answers as a JSON object on stdin and print the scores as JSON.",
    )
    parser.add_argument("instrument", help=f"instrument id: {', '.join(INSTRUMENT_IDS)}")
    parser.set_defaults(func=run)
