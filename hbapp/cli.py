"""The `hb` console script: `hb <command> ...`.

Each command lives in its own module under `hbapp.commands` and exposes
`register(subparsers)`, which adds an argparse sub-parser whose `func(args) -> int` runs it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = [
    "hbapp.commands.db",
    "hbapp.commands.decisions",
    "hbapp.commands.events",
    "hbapp.commands.export",
    "hbapp.commands.nps",
    "hbapp.commands.providers",
    "hbapp.commands.score",
    "hbapp.commands.seed",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hb", description="HB personal budget app tools")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
