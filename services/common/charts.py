"""Charts of released counts (calibration curves, Lorenz curves, ranked area bars) drawn
once as shapes and written as SVG or PNG.

PNG is rasterised here, with zlib and a 5x7 bitmap font, rather than by cairosvg or a
browser: the service images carry no cairo, fontconfig or X libraries, and these charts are
rectangles, straight lines and short labels, which a few dozen lines draw exactly.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

INK, GREY, PALE, ACCENT, WHITE = "#222222", "#888888", "#dddddd", "#1f6fb2", "#ffffff"
HIDDEN = "#c8c8c8"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.0
    dashed: bool = False


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: int = 13
    bold: bool = False
    anchor: str = "start"  # start | end | middle
    fill: str = INK


@dataclass
class Chart:
    width: int
    height: int
    title: str
    shapes: list = field(default_factory=list)


def svg(chart: Chart) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" '
           f'height="{chart.height}" viewBox="0 0 {chart.width} {chart.height}" '
           'font-family="sans-serif">'
           f'<title>{escape(chart.title)}</title>'
           f'<rect width="{chart.width}" height="{chart.height}" fill="{WHITE}"/>']
    for s in chart.shapes:
        if isinstance(s, Rect):
            out.append(f'<rect x="{s.x:.1f}" y="{s.y:.1f}" width="{max(s.w, 0):.1f}" '
                       f'height="{max(s.h, 0):.1f}" fill="{s.fill}"/>')
        elif isinstance(s, Line):
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in s.points)
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            out.append(f'<polyline points="{pts}" fill="none" stroke="{s.stroke}" '
                       f'stroke-width="{s.width}"{dash}/>')
        else:
            weight = ' font-weight="bold"' if s.bold else ""
            out.append(f'<text x="{s.x:.1f}" y="{s.y:.1f}" font-size="{s.size}" '
                       f'text-anchor="{s.anchor}" fill="{s.fill}"{weight}>'
                       f'{escape(s.text)}</text>')
    return "".join(out) + "</svg>\n"


# --- PNG ---------------------------------------------------------------------------------

# 5x7 glyphs, one string of 7 rows of 5 bits each; lower case is drawn as upper case
_FONT = {
    " ": "00000" * 7,
    "0": "01110100011001110101110011000101110", "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111", "3": "11111000100010000010000011000101110",
    "4": "00010001100101010010111110001000010", "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110", "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110", "9": "01110100011000101111000010001001100",
    "A": "01110100011000110001111111000110001", "B": "11110100011000111110100011000111110",
    "C": "01110100011000010000100001000101110", "D": "11100100101000110001100011001011100",
    "E": "11111100001000011110100001000011111", "F": "11111100001000011110100001000010000",
    "G": "01110100011000010111100011000101111", "H": "10001100011000111111100011000110001",
    "I": "01110001000010000100001000010001110", "J": "00111000100001000010000101001001100",
    "K": "10001100101010011000101001001010001", "L": "10000100001000010000100001000011111",
    "M": "10001110111010110101100011000110001", "N": "10001100011100110101100111000110001",
    "O": "01110100011000110001100011000101110", "P": "11110100011000111110100001000010000",
    "Q": "01110100011000110001101011001001101", "R": "11110100011000111110101001001010001",
    "S": "01111100001000001110000010000111110", "T": "11111001000010000100001000010000100",
    "U": "10001100011000110001100011000101110", "V": "10001100011000110001100010101000100",
    "W": "10001100011000110101101011010101010", "X": "10001100010101000100010101000110001",
    "Y": "10001100011000101010001000010000100", "Z": "11111000010001000100010001000011111",
    ".": "00000000000000000000000000110001100", ",": "00000000000000000000011000010001000",
    ":": "00000011000110000000011000110000000", "%": "11000110010001000100010001001100011",
    "(": "00010001000100001000010000010000010", ")": "01000001000001000010000100010001000",
    "-": "00000000000000011111000000000000000", "+": "00000001000010011111001000010000000",
    "/": "00000000010001000100010001000000000", "'": "01100001000100000000000000000000000",
    "=": "00000000001111100000111110000000000", "?": "01110100010000100010001000000000100",
    "<": "00010001000100010000010000010000010", ">": "01000001000001000001000100010001000",
    "&": "01100100101010001000101011001001101", "_": "00000000000000000000000000000011111",
    "#": "01010010101111101010111110101001010", "*": "00000001001010101110101010010000000",
}


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class _Canvas:
    def __init__(self, width: int, height: int):
        self.w, self.h = width, height
        self.px = bytearray(b"\xff" * (width * height * 3))

    def fill(self, x0: float, y0: float, x1: float, y1: float, rgb) -> None:
        xa, xb = max(0, round(min(x0, x1))), min(self.w, round(max(x0, x1)))
        ya, yb = max(0, round(min(y0, y1))), min(self.h, round(max(y0, y1)))
        row = bytes(rgb) * max(0, xb - xa)
        for y in range(ya, yb):
            start = (y * self.w + xa) * 3
            self.px[start:start + len(row)] = row

    def segment(self, a, b, width: float, rgb, dashed: bool) -> None:
        (x0, y0), (x1, y1) = a, b
        steps = max(1, round(max(abs(x1 - x0), abs(y1 - y0))))
        half = max(0.5, width / 2)
        for i in range(steps + 1):
            if dashed and (i // 5) % 2:
                continue
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            self.fill(x - half, y - half, x + half, y + half, rgb)

    def text(self, t: Text) -> None:
        scale = 2 if t.size >= 12 else 1
        advance = 6 * scale
        width = advance * len(t.text)
        x = t.x - (width if t.anchor == "end" else width / 2 if t.anchor == "middle" else 0)
        top = t.y - 7 * scale
        rgb = _rgb(t.fill)
        for ch in t.text:
            glyph = _FONT.get(ch.upper(), _FONT["?"])
            for r in range(7):
                for c in range(5):
                    if glyph[r * 5 + c] == "1":
                        x0, y0 = x + c * scale, top + r * scale
                        self.fill(x0, y0, x0 + scale + (1 if t.bold else 0), y0 + scale, rgb)
            x += advance

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        header = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def png(chart: Chart) -> bytes:
    canvas = _Canvas(chart.width, chart.height)
    for s in chart.shapes:
        if isinstance(s, Rect):
            canvas.fill(s.x, s.y, s.x + s.w, s.y + s.h, _rgb(s.fill))
        elif isinstance(s, Line):
            for a, b in zip(s.points, s.points[1:], strict=False):
                canvas.segment(a, b, s.width, _rgb(s.stroke), s.dashed)
        else:
            canvas.text(s)
    return canvas.png()


# --- the charts ------------------------------------------------------------------------


def ranked_bars(title: str, rows: Sequence[tuple[str, float | None]], unit: str,
                note: str = "") -> Chart:
    """Horizontal bars, largest first; a hidden value is a grey stub marked 'hidden'."""
    ranked = sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0]))
    top = max([v for _, v in ranked if v is not None] + [1e-9])
    height = 90 + 24 * len(ranked) + (20 if note else 0)
    chart = Chart(760, height, title)
    chart.shapes.append(Text(20, 28, title, 16, bold=True))
    chart.shapes.append(Text(20, 50, unit, 12, fill=GREY))
    y = 70
    for label, value in ranked:
        chart.shapes.append(Text(250, y + 14, label[:30], 12, anchor="end"))
        if value is None:
            chart.shapes.append(Rect(260, y + 2, 8, 16, HIDDEN))
            chart.shapes.append(Text(274, y + 14, "hidden", 12, fill=GREY))
        else:
            w = 400 * value / top
            chart.shapes.append(Rect(260, y + 2, w, 16, ACCENT))
            chart.shapes.append(Text(266 + w, y + 14, f"{value:,.1f}", 12))
        y += 24
    if note:
        chart.shapes.append(Text(20, y + 20, note, 11, fill=GREY))
    return chart


def curves(title: str, series: Sequence[tuple[str, Sequence[tuple[float, float]], str]],
           x_label: str, y_label: str, x_max: float = 1.0, y_max: float = 1.0, *,
           diagonal: bool = False, note: str = "", percent: bool = True) -> Chart:
    """Lines on a square plot from 0 to x_max and y_max: (name, points, colour) each;
    `diagonal`: the line of equality (a Lorenz curve's reference)."""
    chart = Chart(640, 640 + 18 * len(series) + (20 if note else 0), title)
    left, top, size = 80, 80, 440
    chart.shapes.append(Text(20, 28, title, 16, bold=True))
    for i in range(6):
        f = i / 5
        y = top + size - f * size
        x = left + f * size
        chart.shapes.append(Line(((left, y), (left + size, y)), PALE, 1))
        chart.shapes.append(Line(((x, top), (x, top + size)), PALE, 1))
        fmt = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:,.0f}")
        chart.shapes.append(Text(left - 8, y + 5, fmt(f * y_max), 11, anchor="end"))
        chart.shapes.append(Text(x, top + size + 20, fmt(f * x_max), 11, anchor="middle"))
    chart.shapes.append(Line(((left, top), (left, top + size), (left + size, top + size)),
                             INK, 1.5))
    if diagonal:
        chart.shapes.append(Line(((left, top + size), (left + size, top)), GREY, 1.5,
                                 dashed=True))
    legend_y = top + size + 60
    for name, points, colour in series:
        if len(points) >= 2:
            chart.shapes.append(Line(tuple(
                (left + size * px / x_max, top + size - size * py / y_max)
                for px, py in points), colour, 2.5))
        chart.shapes.append(Rect(left, legend_y - 10, 14, 10, colour))
        chart.shapes.append(Text(left + 20, legend_y, name, 12))
        legend_y += 18
    chart.shapes.append(Text(left + size / 2, top + size + 40, x_label, 12, anchor="middle"))
    chart.shapes.append(Text(left, top - 12, y_label, 12))
    if note:
        chart.shapes.append(Text(20, chart.height - 10, note, 11, fill=GREY))
    return chart
