"""Merge translations from a JSON file into one language's catalog.

    python -m hbapp.tools.po_merge fi translations.fi.json

The JSON maps English msgids to translations (a list for plural forms). Entries not in the
catalog are reported (run `make locales-update` first). The catalog is locked while it is
rewritten, so several people (or scripts) can merge at once.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from hbapp.config import REPO_ROOT

LOCK = REPO_ROOT / "locales" / ".lock"


def merge(locale: str, translations: dict[str, str | list[str]]) -> list[str]:
    path = REPO_ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
    unknown = []
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for msgid, text in translations.items():
            message = catalog.get(msgid) or next(
                (m for m in catalog if isinstance(m.id, tuple) and m.id[0] == msgid), None
            )
            if message is None:
                unknown.append(msgid)
                continue
            message.string = tuple(text) if isinstance(message.id, tuple) else text
            message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=True)  # as `make locales-update` writes it
    return unknown


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    locale, json_path = argv
    unknown = merge(locale, json.loads(Path(json_path).read_text(encoding="utf-8")))
    for msgid in unknown:
        print(f"not in the {locale} catalog (run make locales-update first): {msgid!r}",
              file=sys.stderr)
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
