"""Fail on any untranslated, fuzzy, stale or mismatched UI string (run by `make test`).

- the committed template (locales/messages.pot) must equal a fresh extraction;
- every message of the template must be in every catalog, and no catalog may hold others;
- Finnish and Swedish must translate every message (English is the source language);
- a translation must use exactly the {names} to fill in of its msgid.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from hbapp.config import REPO_ROOT, SUPPORTED_LOCALES

MUST_TRANSLATE = ("fi", "sv")
PLACEHOLDER = re.compile(r"\{(\w*)\}")
KEYWORDS = ["-k", "T", "-k", "t", "-k", "N_", "-k", "ngettext:1,2"]


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def check(root: Path = REPO_ROOT) -> list[str]:
    problems: list[str] = []
    committed = _load(root / "locales" / "messages.pot")
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / "fresh.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
             *KEYWORDS, "--no-location", "--omit-header", "-o", str(fresh_path), "."],
            cwd=root, check=True, capture_output=True,
        )
        fresh = _load(fresh_path)
    template_ids = {_ids(m) for m in committed if m.id}
    fresh_ids = {_ids(m) for m in fresh if m.id}
    for missing in sorted(fresh_ids - template_ids):
        problems.append(f"not extracted (run make locales-update): {missing[0]!r}")
    for stale in sorted(template_ids - fresh_ids):
        problems.append(f"stale in messages.pot (run make locales-update): {stale[0]!r}")
    for locale in SUPPORTED_LOCALES:
        catalog = _load(root / "locales" / locale / "LC_MESSAGES" / "messages.po")
        seen = set()
        for message in catalog:
            if not message.id:
                continue
            key = _ids(message)
            seen.add(key)
            if key not in fresh_ids:
                problems.append(f"{locale}: stale message {key[0]!r}")
                continue
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy translation of {key[0]!r}")
            strings = _strings(message)
            if locale in MUST_TRANSLATE and not all(strings):
                problems.append(f"{locale}: untranslated {key[0]!r}")
                continue
            wanted = set(PLACEHOLDER.findall(key[0]))
            for text in strings:
                if text and set(PLACEHOLDER.findall(text)) != wanted:
                    problems.append(f"{locale}: {{names}} differ in {key[0]!r}: {text!r}")
        for missing in sorted(fresh_ids - seen):
            problems.append(f"{locale}: missing (run make locales-update) {missing[0]!r}")
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print("translations complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
