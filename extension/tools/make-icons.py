"""Draw the toolbar icons (no image library needed): python3 tools/make-icons.py

A dark rounded square with three lines of "text"; part of the middle line is marked
in the highlight colour, the way spun wording is marked on a page.
"""

import struct
import zlib
from pathlib import Path

BG = (36, 41, 56)
LINE = (230, 233, 240)
MARK = (255, 176, 32)


def shape(x: float, y: float) -> tuple[int, int, int, int]:
    """Colour of the point (x, y) in the unit square."""
    r = 0.18  # corner radius
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    lines = [(0.24, 0.18, 0.82, None), (0.45, 0.18, 0.82, (0.38, 0.82)), (0.66, 0.18, 0.62, None)]
    for top, left, right, mark in lines:
        if top <= y <= top + 0.11 and left <= x <= right:
            if mark and mark[0] <= x <= mark[1]:
                return (*MARK, 255)
            return (*LINE, 255)
    return (*BG, 255)


def png(size: int) -> bytes:
    ss = 4  # supersampling for smooth corners
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = shape((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)
                    for i in range(3):
                        acc[i] += c[i] * c[3]
                    acc[3] += c[3]
            a = acc[3] / (ss * ss)
            rgb = [int(acc[i] / acc[3]) if acc[3] else 0 for i in range(3)]
            row += bytes([*rgb, int(a)])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "src" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 48, 128):
        (out / f"icon-{size}.png").write_bytes(png(size))
        print(out / f"icon-{size}.png")
