"""Licensed translation overlays: merged over the English texts, or the English original."""

from __future__ import annotations

import json

import pytest

from hbapp.domain.scoring import load_instrument, score
from hbapp.domain.survey_texts import (
    OverlayError,
    licensed_dir,
    load_overlay,
    localized_instrument,
    merge_overlay,
)


def whodas_overlay(lang="fi", **changes) -> dict:
    inst = load_instrument("whodas12")
    overlay = {
        "id": "whodas12",
        "language": lang,
        "licence": "Test licence",
        "title": "WHODAS 2.0 (testikäännös)",
        "time_frame": "Viimeisten 30 päivän aikana",
        "items": {
            item["key"]: {"text": f"Kysymys {item['key']}",
                          "options": {str(o["value"]): f"Vaihtoehto {o['value']}"
                                      for o in item["options"]}}
            for item in inst["items"]
        },
    }
    overlay.update(changes)
    return overlay


def write(directory, overlay, name=None):
    path = directory / (name or f"{overlay['id']}.{overlay['language']}.json")
    path.write_text(json.dumps(overlay), encoding="utf-8")


def test_without_overlay_licensed_instruments_fall_back_to_english(tmp_path):
    for instrument_id in ("promis10", "whoqol-bref", "whodas12"):
        shown = localized_instrument(instrument_id, "fi", tmp_path)
        assert shown.fallback and shown.language == "en"
        assert shown.overlay_error is None


def test_own_questionnaire_is_shown_in_each_language(tmp_path):
    for lang in ("fi", "sv", "en"):
        shown = localized_instrument("hb-experience", lang, tmp_path)
        assert not shown.fallback and shown.language == lang
        assert all(item["text"][lang] for item in shown.instrument["items"])


def test_overlay_is_merged_over_the_english_texts(tmp_path):
    write(tmp_path, whodas_overlay())
    shown = localized_instrument("whodas12", "fi", tmp_path)
    assert not shown.fallback and shown.language == "fi"
    inst = shown.instrument
    assert inst["title"]["fi"] == "WHODAS 2.0 (testikäännös)"
    assert inst["items"][0]["text"] == {"en": load_instrument("whodas12")["items"][0]["text"]["en"],
                                        "fi": "Kysymys S1"}
    assert inst["items"][0]["options"][0]["label"]["fi"] == "Vaihtoehto 1"
    assert "fi" in inst["languages"]
    # Swedish still falls back: only the Finnish file exists.
    assert localized_instrument("whodas12", "sv", tmp_path).fallback
    # Texts never change scoring.
    answers = {f"S{i}": 3 for i in range(1, 13)}
    assert score("whodas12", answers) == {"total": 36}


def test_overlay_for_a_scale_item_needs_its_end_labels(tmp_path):
    inst = load_instrument("promis10")
    items = {}
    for item in inst["items"]:
        given = {"text": f"K {item['key']}"}
        if "options" in item:
            given["options"] = {str(o["value"]): "x" for o in item["options"]}
        items[item["key"]] = given
    overlay = {"id": "promis10", "language": "sv", "title": "PROMIS", "items": items}
    with pytest.raises(OverlayError, match="Global07r.min_label"):
        merge_overlay(inst, overlay)
    items["Global07r"].update(min_label="Ingen smärta", max_label="Värsta tänkbara smärta")
    merged = merge_overlay(inst, overlay)
    assert merged["items"][-1]["scale"]["max_label"]["sv"] == "Värsta tänkbara smärta"


@pytest.mark.parametrize("broken, message", [
    ({"title": ""}, "title"),
    ({"id": "promis10"}, "id"),
    ({"items": {"S1": {"text": "vain yksi"}}}, "S1.options"),
    ({"items": {"S13": {"text": "x"}}}, "unknown items"),
])
def test_incomplete_overlay_is_rejected_and_the_original_shown(tmp_path, broken, message):
    inst = load_instrument("whodas12")
    with pytest.raises(OverlayError, match=message):
        merge_overlay(inst, whodas_overlay(**broken))
    write(tmp_path, whodas_overlay(**broken), "whodas12.fi.json")
    shown = localized_instrument("whodas12", "fi", tmp_path)
    assert shown.fallback and shown.language == "en" and message.split(".")[0] in shown.overlay_error


def test_overlay_file_errors(tmp_path):
    (tmp_path / "whodas12.fi.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(OverlayError, match="not valid JSON"):
        load_overlay("whodas12", "fi", tmp_path)
    write(tmp_path, whodas_overlay("sv"), "whodas12.fi.json")
    with pytest.raises(OverlayError, match="language"):
        load_overlay("whodas12", "fi", tmp_path)
    assert load_overlay("whodas12", "../x", tmp_path) is None
    assert load_overlay("whodas12", "en", tmp_path) is None


def test_licensed_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HB_SURVEYS_LICENSED_DIR", str(tmp_path))
    assert licensed_dir() == tmp_path
    write(tmp_path, whodas_overlay())
    assert not localized_instrument("whodas12", "fi").fallback
    monkeypatch.delenv("HB_SURVEYS_LICENSED_DIR")
    assert licensed_dir().name == "licensed"
