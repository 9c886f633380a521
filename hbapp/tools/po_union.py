"""A git merge driver for gettext catalogs: the union of both sides' messages.

Two branches that each add strings touch neighbouring lines of the sorted catalogs, which a line
merge reports as conflicts. This driver keeps every message of either side (ours wins where both
translated the same msgid differently); `make locales-update` afterwards drops what is obsolete.

    git config merge.po-union.driver ".venv/bin/python -m hbapp.tools.po_union %O %A %B"

(`.gitattributes` names the driver for locales/**.po and messages.pot.)
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def union(ours_path: str, theirs_path: str) -> None:
    with open(ours_path, "rb") as handle:
        ours = read_po(handle)
    with open(theirs_path, "rb") as handle:
        theirs = read_po(handle)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours[message.id] = message
        elif not mine.string or (isinstance(mine.string, tuple) and not any(mine.string)):
            mine.string = message.string
    with open(ours_path, "wb") as handle:
        write_po(handle, ours, omit_header=True, sort_output=True)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    _base, ours, theirs = argv
    union(ours, theirs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
