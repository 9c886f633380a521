"""A quick sample of the fuzzers (`tests/reliability/fuzz.py`); `make reliability` runs the
full budgets. Handlers: every handler family as every role through the real event processing;
importers: mutated files, a large file with one bad row, wrong encodings through the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability import fuzz, world


@pytest.fixture(scope="module")
def seeded_url(database_factory):
    return world.seeded_url("sqlite", database_factory)


def test_every_importer_has_a_sample():
    found = {importer.module for importer in fuzz.importers()}
    assert found >= {"hbapp.commands.providers", "hbapp.commands.decisions"}
    assert found <= set(fuzz.SAMPLES), "a new importer needs a sample in fuzz.SAMPLES"


def test_handler_fuzz_sample(seeded_url):
    result = fuzz.fuzz_handlers(seeded_url, examples_per_family=20,
                                roles=(None, "demo-client", "demo-relative-view", "demo-worker",
                                       "demo-admin", "demo-provider"))
    assert set(result.inputs) >= {"client", "worker", "admin", "shared"}
    assert result.problems == [], "\n".join(result.problems[:30])


def test_importer_fuzz_sample(seeded_url):
    engine = world.use_database(seeded_url)
    result = fuzz.fuzz_importers(engine, examples=40)
    assert result.outcomes["refused"] > 0
    assert result.problems == [], "\n".join(result.problems[:30])


@pytest.mark.parametrize("module", sorted(fuzz.BIG_ROWS))
def test_a_large_file_with_one_bad_row_imports_nothing(seeded_url, module):
    engine = world.use_database(seeded_url)
    rows = 3_000
    text, bad_line = fuzz.big_file(module, rows)
    importer = next(i for i in fuzz.importers() if i.module == module)
    watch = world.WriteWatch(engine)
    try:
        with pytest.raises(importer.failed) as failed:
            importer.run(engine, text)
        assert not watch.since(0)
    finally:
        watch.close()
    assert [e for e in failed.value.errors if e.startswith(f"line {bad_line}:")], \
        failed.value.errors[:3]
    assert len(failed.value.errors) == 1


@pytest.mark.parametrize(("command", "encoding"), [("providers", "latin-1"),
                                                   ("decisions", "utf-16")])
def test_a_file_in_another_encoding_is_refused_with_a_message(seeded_url, tmp_path, command,
                                                             encoding):
    module = f"hbapp.commands.{command}"
    path = tmp_path / "file.csv"
    path.write_bytes(fuzz.SAMPLES[module]().replace("Hoiva", "Hoivä").replace(
        "Tuula", "Tüüla").encode(encoding, errors="replace"))
    env = {"HB_DATABASE_URL": seeded_url, "PATH": str(Path(sys.executable).parent),
           "HB_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "hbapp.cli", command, "import", str(path)],
                          capture_output=True, text=True, env=env)
    assert done.returncode in (1, 2), done.stdout
    assert "error" in done.stderr.lower() or "line" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_field_name_is_not_an_untranslated_message():
    """The full run reported error_field 'relation' as untranslated text: error_field names
    the field at fault (for focus), it is never shown; error itself is still checked."""
    from types import SimpleNamespace

    from tests.reliability.inprocess import Answer

    def update(values: dict):
        return SimpleNamespace(delta={"s": values}, events=[])

    msgids = {"relation", "This information is missing."}
    field_only = Answer(updates=[update({"error_field_rx_state_": "relation"})])
    assert fuzz._message_problems(field_only, msgids, "fi") == []
    shown = Answer(updates=[update({"error_rx_state_": "This information is missing."})])
    assert fuzz._message_problems(shown, msgids, "fi")
