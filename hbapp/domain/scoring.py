"""Scoring of the outcome instruments kept as data in `surveys/<id>.json`.

Pure standard library. Every number (option values, recodes, reversals, domains, minimum
answered counts, T-score tables, bands) is read from the instrument's JSON file; see
`surveys/README.md` and `/work/shared/instruments.md` for the facts behind them.

Answers are a dict `{item key: value}`; a missing key or `None` means "not answered".
Values are ints (bool is not accepted), free-text items take `str`.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "INSTRUMENT_IDS",
    "ScoringError",
    "load_instrument",
    "promis_band",
    "score",
    "score_hb_experience",
    "score_promis10",
    "score_whodas12",
    "score_whoqol_bref",
    "surveys_dir",
    "validate_answers",
]

INSTRUMENT_IDS = ("promis10", "whoqol-bref", "whodas12", "hb-experience")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ScoringError(ValueError):
    """Bad answers or instrument id.

    `key` is the offending item key (or instrument id), `code` is one of
    "unknown_item", "out_of_range", "not_integer", "not_text", "unknown_instrument".
    """

    def __init__(self, key: Any, code: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.code = code


# --------------------------------------------------------------------------- loading


def surveys_dir() -> Path:
    """The directory of instrument JSON files: env HB_SURVEYS_DIR, else `<repo>/surveys`."""
    override = os.environ.get("HB_SURVEYS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "surveys"


@lru_cache(maxsize=32)
def _load_cached(directory: str, instrument_id: str) -> dict:
    path = Path(directory) / f"{instrument_id}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScoringError(
            instrument_id, "unknown_instrument", f"unknown instrument {instrument_id!r}"
        ) from None
    data = json.loads(text)
    if data.get("id") != instrument_id:
        raise ValueError(f"{path}: id {data.get('id')!r} does not match file name")
    return data


def _instrument(instrument_id: str) -> dict:
    """The cached instrument (shared object: do not mutate)."""
    if not isinstance(instrument_id, str) or not _ID_RE.match(instrument_id):
        raise ScoringError(
            instrument_id, "unknown_instrument", f"unknown instrument {instrument_id!r}"
        )
    return _load_cached(str(surveys_dir()), instrument_id)


def load_instrument(instrument_id: str) -> dict:
    """The instrument definition from `surveys/<id>.json` (parsed once, returned as a copy)."""
    return copy.deepcopy(_instrument(instrument_id))


# --------------------------------------------------------------------------- validation


def _describe_allowed(item: Mapping) -> str:
    if "scale" in item:
        return f"{item['scale']['min']}–{item['scale']['max']}"
    return ", ".join(str(o["value"]) for o in item["options"])


def validate_answers(instrument_id: str, answers: Mapping[str, Any]) -> dict:
    """Check answers against the instrument and return a new dict with EVERY item key
    (None for unanswered ones).

    Raises ScoringError: unknown key → "unknown_item"; a non-int value (bool included)
    → "not_integer"; a value outside the item's options or scale → "out_of_range";
    a non-str value for a free-text item → "not_text".
    """
    inst = _instrument(instrument_id)
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of item key to value")
    items = {item["key"]: item for item in inst["items"]}
    for key in answers:
        if key not in items:
            raise ScoringError(key, "unknown_item", f"unknown item {key!r} for {instrument_id}")
    out: dict[str, Any] = {}
    for key, item in items.items():
        value = answers.get(key)
        if value is None:
            out[key] = None
            continue
        if item.get("type") == "text":
            if not isinstance(value, str):
                raise ScoringError(key, "not_text", f"{key}: expected text, got {value!r}")
            out[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScoringError(key, "not_integer", f"{key}: expected an integer, got {value!r}")
        if "scale" in item:
            ok = item["scale"]["min"] <= value <= item["scale"]["max"]
        else:
            ok = any(o["value"] == value for o in item["options"])
        if not ok:
            raise ScoringError(
                key,
                "out_of_range",
                f"{key}: value {value} is out of range (allowed: {_describe_allowed(item)})",
            )
        out[key] = value
    return out


# --------------------------------------------------------------------------- PROMIS-10


def _recode(value: int, ranges: list[dict]) -> int:
    for r in ranges:
        if r["min"] <= value <= r["max"]:
            return r["value"]
    raise ValueError(f"no recode for {value}")  # pragma: no cover - validated before


def score_promis10(answers: Mapping[str, Any]) -> dict:
    """PROMIS Global Health v1.2: GPH and GMH raw (4–20), T-score and SE from the published
    table; a subscale is None unless all four of its items are answered. Global07r is given
    0–10 (0 = no pain) and recoded to Global07rc 1–5. Global01 and Global09r are reported
    as single items."""
    inst = _instrument("promis10")
    rules = inst["scoring"]
    values = validate_answers("promis10", answers)
    for key, rec in rules["recode"].items():
        v = values.get(key)
        values[rec["into"]] = None if v is None else _recode(v, rec["ranges"])

    result: dict[str, Any] = {}
    for name, sub in rules["subscales"].items():
        vals = [values.get(k) for k in sub["items"]]
        if any(v is None for v in vals):
            result[name] = {"raw": None, "t": None, "se": None}
            continue
        raw = sum(vals)
        row = sub["table"][str(raw)]
        result[name] = {"raw": raw, "t": float(row["t"]), "se": float(row["se"])}
    for out_key, item_key in rules["single_items"].items():
        result[out_key] = values.get(item_key)
    return result


def promis_band(subscale: str, t: float) -> str:
    """Interpretation band of a PROMIS Global Health T-score: "excellent", "very_good",
    "good", "fair" or "poor" (cut-offs per subscale in promis10.json)."""
    subs = _instrument("promis10")["scoring"]["subscales"]
    if subscale not in subs:
        raise ValueError(f"unknown PROMIS subscale {subscale!r} (expected one of {sorted(subs)})")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or math.isnan(t):
        raise ValueError(f"T-score must be a number, got {t!r}")
    for band in subs[subscale]["bands"]:
        if band["min"] is None or t >= band["min"]:
            return band["band"]
    raise ValueError("band table has no open-ended lowest band")  # pragma: no cover


# --------------------------------------------------------------------------- WHOQOL-BREF


def score_whoqol_bref(answers: Mapping[str, Any]) -> dict:
    """WHOQOL-BREF: Q1 and Q2 as single items; four domains with raw = mean of answered
    (reversed where needed) items × 4 and score = (raw − 4) × 100/16. A domain is None
    below its minimum answered count; everything is None when fewer than 21 of 26 items
    are answered. raw and score are rounded to 4 decimals."""
    rules = _instrument("whoqol-bref")["scoring"]
    values = validate_answers("whoqol-bref", answers)
    nd = rules["round"]
    discard = sum(v is not None for v in values.values()) < rules["min_answered_total"]

    rev = rules["reverse"]
    for key in rev["items"]:
        if values[key] is not None:
            values[key] = rev["sum"] - values[key]

    result: dict[str, Any] = {}
    for out_key, item_key in rules["single_items"].items():
        result[out_key] = None if discard else values[item_key]
    tr = rules["transform"]
    for name, dom in rules["domains"].items():
        answered = [values[k] for k in dom["items"] if values[k] is not None]
        if discard or len(answered) < dom["min_answered"]:
            result[name] = {"raw": None, "score": None}
            continue
        raw = sum(answered) / len(answered) * rules["raw_multiplier"]
        transformed = (raw - tr["offset"]) * tr["scale"] / tr["range"]
        result[name] = {"raw": round(raw, nd), "score": round(transformed, nd)}
    return result


# --------------------------------------------------------------------------- WHODAS 12


def score_whodas12(answers: Mapping[str, Any]) -> dict:
    """WHODAS 2.0 12-item simple score: sum of S1..S12 (12–60), None unless all 12 answered."""
    rules = _instrument("whodas12")["scoring"]
    values = validate_answers("whodas12", answers)
    vals = [values[k] for k in rules["items"]]
    if any(v is None for v in vals):
        return {"total": None}
    return {"total": sum(vals)}


# --------------------------------------------------------------------------- HB experience


def score_hb_experience(answers: Mapping[str, Any]) -> dict:
    """Our HB experience questionnaire.

    Returns {"mean": float|None, "answered": int, "would_keep": "yes"|"no"|"dont_know"|None}:
    mean of the four 1–5 agree items (None when fewer than 3 answered, rounded to 4
    decimals), how many of them were answered, and the would-keep answer (1 yes, 0 no,
    9 don't know). The free-text comment is never scored.
    """
    rules = _instrument("hb-experience")["scoring"]
    values = validate_answers("hb-experience", answers)
    mean_rule = rules["mean"]
    answered = [values[k] for k in mean_rule["items"] if values[k] is not None]
    mean = None
    if len(answered) >= mean_rule["min_answered"]:
        mean = round(sum(answered) / len(answered), mean_rule["round"])
    result: dict[str, Any] = {"mean": mean, "answered": len(answered)}
    for out_key, single in rules["single_items"].items():
        v = values[single["item"]]
        result[out_key] = None if v is None else single["codes"][str(v)]
    return result


# --------------------------------------------------------------------------- dispatch

_SCORERS = {
    "promis10": score_promis10,
    "whoqol-bref": score_whoqol_bref,
    "whodas12": score_whodas12,
    "hb-experience": score_hb_experience,
}


def score(instrument_id: str, answers: Mapping[str, Any]) -> dict:
    """Validate `answers` and score them with the instrument's scorer."""
    scorer = _SCORERS.get(instrument_id)
    if scorer is None:
        raise ScoringError(
            instrument_id,
            "unknown_instrument",
            f"unknown instrument {instrument_id!r} (known: {', '.join(INSTRUMENT_IDS)})",
        )
    validate_answers(instrument_id, answers)
    return scorer(answers)
