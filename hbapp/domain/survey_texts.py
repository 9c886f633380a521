"""Instrument texts for display: shipped texts plus an organization's licensed translations.

PROMIS-10, WHOQOL-BREF and WHODAS 2.0 ship in English only; their Finnish and Swedish texts
are licensed. An organization that holds a licence drops a file `<id>.<lang>.json` into the
licensed directory (env `HB_SURVEYS_LICENSED_DIR`, else `surveys/licensed/`); it is merged
over the English texts at load. Without one, the English original is shown. Scoring never
reads texts, so an overlay cannot change a score. Pure standard library.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hbapp.domain.scoring import load_instrument, surveys_dir

__all__ = [
    "OverlayError",
    "DisplayInstrument",
    "licensed_dir",
    "load_overlay",
    "localized_instrument",
    "merge_overlay",
]

ORIGINAL_LANGUAGE = "en"
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


class OverlayError(ValueError):
    """A licensed translation file that cannot be used (malformed or incomplete)."""


def licensed_dir() -> Path:
    """Where licensed translations live: env HB_SURVEYS_LICENSED_DIR, else surveys/licensed."""
    override = os.environ.get("HB_SURVEYS_LICENSED_DIR")
    if override:
        return Path(override)
    return surveys_dir() / "licensed"


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OverlayError(f"{where}: expected a non-empty text")
    return value


def merge_overlay(instrument: dict, overlay: dict) -> dict:
    """A new instrument with the overlay's language added to every text.

    The overlay must translate the title, every item's text and every option label (and
    a scale's end labels): a half-translated questionnaire would mix languages, which the
    licences do not allow. Raises OverlayError otherwise.
    """
    lang = overlay.get("language")
    if not isinstance(lang, str) or not _LANG_RE.match(lang):
        raise OverlayError("overlay: 'language' must be a language code such as 'fi'")
    if overlay.get("id") != instrument["id"]:
        raise OverlayError(f"overlay: id {overlay.get('id')!r} is not {instrument['id']!r}")
    items = overlay.get("items")
    if not isinstance(items, dict):
        raise OverlayError("overlay: 'items' must be an object keyed by item key")
    unknown = set(items) - {item["key"] for item in instrument["items"]}
    if unknown:
        raise OverlayError(f"overlay: unknown items {sorted(unknown)}")

    merged = copy.deepcopy(instrument)
    merged["title"][lang] = _text(overlay.get("title"), "title")
    if "time_frame" in merged:
        merged["time_frame"][lang] = _text(
            overlay.get("time_frame", merged["time_frame"].get(ORIGINAL_LANGUAGE)), "time_frame"
        )
    for item in merged["items"]:
        key = item["key"]
        given = items.get(key)
        if not isinstance(given, dict):
            raise OverlayError(f"overlay: item {key} is missing")
        item["text"][lang] = _text(given.get("text"), f"{key}.text")
        if "options" in item:
            labels = given.get("options")
            if not isinstance(labels, dict):
                raise OverlayError(f"overlay: {key}.options must map option values to labels")
            for option in item["options"]:
                option["label"][lang] = _text(
                    labels.get(str(option["value"])), f"{key}.options.{option['value']}"
                )
        if "scale" in item:
            for end in ("min_label", "max_label"):
                item["scale"][end][lang] = _text(given.get(end), f"{key}.{end}")
    if lang not in merged["languages"]:
        merged["languages"].append(lang)
    merged.setdefault("licensed_overlays", {})[lang] = str(overlay.get("licence", ""))
    return merged


def load_overlay(instrument_id: str, language: str, directory: Path | None = None) -> dict | None:
    """The parsed overlay file `<id>.<language>.json`, or None when there is none."""
    if not _LANG_RE.match(language or ""):
        return None
    path = (directory or licensed_dir()) / f"{instrument_id}.{language}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OverlayError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise OverlayError(f"{path}: expected a JSON object")
    data.setdefault("language", language)
    if data["language"] != language:
        raise OverlayError(f"{path}: says language {data['language']!r}")
    return data


@dataclass(frozen=True)
class DisplayInstrument:
    """An instrument ready to show in one language.

    `language` is the language of the texts shown; `fallback` is True when the wanted
    language was not available and the English original is shown instead; `overlay_error`
    explains why a licensed file present for the language could not be used.
    """

    instrument: dict
    language: str
    fallback: bool
    overlay_error: str | None = None


def localized_instrument(
    instrument_id: str, language: str, directory: Path | None = None
) -> DisplayInstrument:
    """The instrument in `language` if shipped or licensed, else in the English original."""
    instrument = load_instrument(instrument_id)
    if language in instrument["languages"]:
        return DisplayInstrument(instrument, language, False)
    error = None
    try:
        overlay = load_overlay(instrument_id, language, directory)
        if overlay is not None:
            return DisplayInstrument(merge_overlay(instrument, overlay), language, False)
    except OverlayError as exc:
        # A broken licensed file must not take the survey down: show the original.
        error = str(exc)
    return DisplayInstrument(instrument, ORIGINAL_LANGUAGE, True, error)
