"""Draw the app icons (PNG, ICO, SVG) into assets/ with the standard library only.

    python -m hbapp.tools.make_icons

The mark is "HB" in white block letters on the brand blue. The maskable icon keeps the
letters inside the central safe zone (a circle of 40 % radius), as Android crops it.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from hbapp.config import REPO_ROOT

BRAND = (0x00, 0x34, 0x79)
WHITE = (0xFF, 0xFF, 0xFF)
# 5 × 7 block letters; "#" is ink.
LETTERS = {
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
}
TEXT = "HB"


def _ink_cells() -> list[tuple[int, int]]:
    """(column, row) of every inked cell of the word, letters one cell apart."""
    cells = []
    for index, letter in enumerate(TEXT):
        for row, line in enumerate(LETTERS[letter]):
            for column, mark in enumerate(line):
                if mark == "#":
                    cells.append((index * 6 + column, row))
    return cells


WORD_COLUMNS = len(TEXT) * 6 - 1
WORD_ROWS = 7


def _pixels(size: int, cell: int, corner: int) -> list[bytearray]:
    """RGBA rows: a (rounded) blue square with the word centred."""
    rows = [bytearray(size * 4) for _ in range(size)]
    for y in range(size):
        for x in range(size):
            inside = True
            if corner:
                cx = min(max(x, corner), size - 1 - corner)
                cy = min(max(y, corner), size - 1 - corner)
                inside = (x - cx) ** 2 + (y - cy) ** 2 <= corner**2
            if inside:
                rows[y][x * 4:x * 4 + 4] = bytes((*BRAND, 255))
    left = (size - WORD_COLUMNS * cell) // 2
    top = (size - WORD_ROWS * cell) // 2
    for column, row in _ink_cells():
        for y in range(top + row * cell, top + (row + 1) * cell):
            for x in range(left + column * cell, left + (column + 1) * cell):
                rows[y][x * 4:x * 4 + 4] = bytes((*WHITE, 255))
    return rows


def png(size: int, cell: int, corner: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )

    raw = b"".join(b"\x00" + bytes(row) for row in _pixels(size, cell, corner))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(png_bytes: bytes, size: int) -> bytes:
    """An ICO file holding one PNG image (supported by every current browser)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png_bytes), 22)
    return header + entry + png_bytes


def svg() -> str:
    cell = 4
    size = 64
    left = (size - WORD_COLUMNS * cell) // 2
    top = (size - WORD_ROWS * cell) // 2
    rects = "".join(
        f'<rect x="{left + c * cell}" y="{top + r * cell}" width="{cell}" height="{cell}"/>'
        for c, r in _ink_cells()
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="HB">'
        '<rect width="64" height="64" rx="10" fill="#003479"/>'
        f'<g fill="#fff" shape-rendering="crispEdges">{rects}</g></svg>\n'
    )


def main() -> None:
    assets = REPO_ROOT / "assets"
    files: dict[str, bytes] = {
        "icon-192.png": png(192, 10, 24),
        "icon-512.png": png(512, 28, 64),
        "icon-maskable-512.png": png(512, 24, 0),
        "apple-touch-icon.png": png(180, 10, 0),
        "favicon.ico": ico(png(32, 2, 4), 32),
        "icon.svg": svg().encode(),
    }
    for name, content in files.items():
        Path(assets / name).write_bytes(content)
        print(f"assets/{name}: {len(content)} bytes")


if __name__ == "__main__":
    main()
