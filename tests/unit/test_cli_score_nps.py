"""`hb nps` and `hb score` through hbapp.cli.main, and once each as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hbapp import cli

REPO = Path(__file__).resolve().parents[2]


def run(monkeypatch, capsys, argv: list[str], stdin: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    rc = cli.main(argv)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def assert_bad_input(rc: int, out: str, err: str, *fragments: str) -> None:
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].strip(), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_commands_are_registered():
    assert "hbapp.commands.nps" in cli.COMMAND_MODULES
    assert "hbapp.commands.score" in cli.COMMAND_MODULES


# --------------------------------------------------------------------------- hb nps


def test_nps_all_promoters(monkeypatch, capsys):
    rc, out, err = run(monkeypatch, capsys, ["nps"], "[9, 10, 10]")
    assert rc == 0 and err == ""
    assert json.loads(out) == {"n": 3, "nps": 100.0, "low": -6.5803, "high": 100.0}


def test_nps_mixed(monkeypatch, capsys):
    rc, out, _ = run(monkeypatch, capsys, ["nps"], "[10, 10, 10, 9, 9, 8, 7, 2]")
    assert rc == 0
    assert json.loads(out) == {"n": 8, "nps": 50.0, "low": -7.4468, "high": 80.1741}


def test_nps_empty_list(monkeypatch, capsys):
    rc, out, _ = run(monkeypatch, capsys, ["nps"], "[]")
    assert rc == 0
    assert json.loads(out) == {"n": 0, "nps": None, "low": None, "high": None}


@pytest.mark.parametrize(
    "stdin, fragment",
    [
        ("", "not valid JSON"),
        ("nine", "not valid JSON"),
        ("[9, 10", "not valid JSON"),
        ("[NaN]", "not valid JSON"),
        ('{"scores": [9]}', "list"),
        ("9", "list"),
        ('"9,10"', "list"),
        ("[9, 9.5]", "9.5"),
        ("[9, 10.0]", "10.0"),
        ("[true]", "true"),
        ("[null]", "null"),
        ('["9"]', '"9"'),
        ("[[9]]", "[9]"),
        ("[11]", "out of range"),
        ("[0, -1]", "out of range"),
    ],
)
def test_nps_bad_input(monkeypatch, capsys, stdin, fragment):
    rc, out, err = run(monkeypatch, capsys, ["nps"], stdin)
    assert_bad_input(rc, out, err, "hb nps", fragment)


# --------------------------------------------------------------------------- hb score

PROMIS = {
    "Global01": 4, "Global02": 5, "Global03": 3, "Global04": 4, "Global05": 5,
    "Global09r": 2, "Global06": 4, "Global10r": 3, "Global08r": 2, "Global07r": 5,
}  # fmt: skip


def test_score_promis10(monkeypatch, capsys):
    # GPH = 3 + 4 + recode(5)=3 + 2 = 12; GMH = 5 + 4 + 5 + 3 = 17.
    rc, out, err = run(monkeypatch, capsys, ["score", "promis10"], json.dumps(PROMIS))
    assert rc == 0 and err == ""
    assert json.loads(out) == {
        "gph": {"raw": 12, "t": 39.8, "se": 4.1},
        "gmh": {"raw": 17, "t": 56.0, "se": 3.8},
    }


def test_score_promis10_partial(monkeypatch, capsys):
    answers = {k: v for k, v in PROMIS.items() if k != "Global07r"}
    rc, out, _ = run(monkeypatch, capsys, ["score", "promis10"], json.dumps(answers))
    assert rc == 0
    assert json.loads(out) == {
        "gph": {"raw": None, "t": None, "se": None},
        "gmh": {"raw": 17, "t": 56.0, "se": 3.8},
    }


def test_score_whoqol_bref(monkeypatch, capsys):
    answers = {f"Q{i}": 3 for i in range(1, 27)}
    answers.update(Q1=4, Q26=5, Q20=None)
    rc, out, _ = run(monkeypatch, capsys, ["score", "whoqol-bref"], json.dumps(answers))
    assert rc == 0
    assert json.loads(out) == {
        "q1": 4,
        "q2": 3,
        "physical": {"raw": 12.0, "score": 50.0},
        "psychological": {"raw": 10.6667, "score": 41.6667},
        "social": {"raw": 12.0, "score": 50.0},
        "environment": {"raw": 12.0, "score": 50.0},
    }


def test_score_whodas12(monkeypatch, capsys):
    answers = {f"S{i}": (i % 5) + 1 for i in range(1, 13)}  # 2,3,4,5,1,2,3,4,5,1,2,3
    rc, out, _ = run(monkeypatch, capsys, ["score", "whodas12"], json.dumps(answers))
    assert rc == 0
    assert json.loads(out) == {"total": 35}


def test_score_hb_experience(monkeypatch, capsys):
    answers = {"heard": 5, "choose": 4, "understand": 3, "would_keep": 9, "comment": "Kiitos"}
    rc, out, _ = run(monkeypatch, capsys, ["score", "hb-experience"], json.dumps(answers))
    assert rc == 0
    assert json.loads(out) == {"mean": 4.0, "answered": 3, "would_keep": "dont_know"}


@pytest.mark.parametrize(
    "instrument, stdin, fragments",
    [
        ("sf36", "{}", ["unknown instrument", "promis10"]),
        ("../surveys/promis10", "{}", ["unknown instrument"]),
        ("promis10", "", ["not valid JSON"]),
        ("promis10", "{Global01: 3}", ["not valid JSON"]),
        ("promis10", "[3, 3]", ["object"]),
        ("promis10", "null", ["object"]),
        ("promis10", '{"Global07r": 11}', ["Global07r", "out_of_range"]),
        ("promis10", '{"Global01": 3.5}', ["Global01", "not_integer"]),
        ("promis10", '{"Global01": true}', ["Global01", "not_integer"]),
        ("promis10", '{"Global99": 1}', ["Global99", "unknown_item"]),
        ("whoqol-bref", '{"Q1": 6}', ["Q1", "out_of_range"]),
        ("whoqol-bref", '{"Q0": 1}', ["Q0", "unknown_item"]),
        ("whodas12", '{"S1": "2"}', ["S1", "not_integer"]),
        ("whodas12", '{"S13": 2}', ["S13", "unknown_item"]),
    ],
)
def test_score_bad_input(monkeypatch, capsys, instrument, stdin, fragments):
    rc, out, err = run(monkeypatch, capsys, ["score", instrument], stdin)
    assert_bad_input(rc, out, err, "hb score", *fragments)


def test_score_needs_an_instrument(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("{}"))
    with pytest.raises(SystemExit) as exc:
        cli.main(["score"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- real process


def _subprocess(args: list[str], stdin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "hbapp.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


def test_subprocess_score_and_nps():
    proc = _subprocess(["score", "whodas12"], json.dumps({f"S{i}": 1 for i in range(1, 13)}))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"total": 12}

    proc = _subprocess(["nps"], "[9, 10, 11]")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "out of range" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("stdin", [
    "[" * 20_000 + "]" * 20_000,
    '{"a":' * 20_000 + "1" + "}" * 20_000,
    "[" + "9" * 5000 + "]",
    '["\\ud800"]',
])
@pytest.mark.parametrize("command", [["nps"], ["score", "promis10"]])
def test_hostile_input_is_bad_input_not_a_crash(monkeypatch, capsys, command, stdin):
    rc, out, err = run(monkeypatch, capsys, command, stdin)
    assert_bad_input(rc, out, err, "not valid JSON")


def test_subprocess_deep_nesting_and_bad_utf8_exit_2():
    for args, data in ((["nps"], b"[" * 20_000 + b"]" * 20_000),
                       (["score", "whodas12"], b'{"S1": "\xff"}')):
        proc = subprocess.run([sys.executable, "-m", "hbapp.cli", *args], input=data,
                              capture_output=True, cwd=REPO, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        assert proc.returncode == 2, proc.stderr
        assert b"Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
