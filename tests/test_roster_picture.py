"""The roster picture (PNG): read back pixel by pixel, each cell has its shift's colour, a weekend day off is
shaded, a violation is framed in its colour, a coverage gap is marked above its day."""
from __future__ import annotations

from PIL import Image, ImageColor

from planner.roster import picture as PIC

DATES = [f"2027-01-{d:02d}" for d in range(4, 18)]          # two weeks from Monday 4 January
SHIFTS = {"D": {"time": "dag", "start": "07:30", "end": "15:00"},
          "N": {"time": "natt", "start": "21:45", "end": "07:45"}}


def _cell(left: int, row: int, day: int) -> tuple[int, int]:
    """The top-left pixel of a cell."""
    return left + day * PIC.CELL_W, PIC.TOP + row * PIC.CELL_H


def test_png_cells_frames_and_gaps_read_back(tmp_path):
    rows = {"a": ["D"] * 5 + ["", ""] + ["N"] * 7, "b": [""] * 14}
    violations = [{"person": "a", "date": DATES[2], "rule": "r", "detail": "x", "hard": True},
                  {"person": "b", "date": DATES[3], "rule": "r", "detail": "x", "hard": False}]
    gaps = [{"date": DATES[9], "shift": "D", "group": "sykepleier", "missing": 1}]
    out = tmp_path / "r.png"
    PIC.write_picture(out, DATES, rows, SHIFTS, violations, gaps, "test")
    im = Image.open(out).convert("RGB")
    # the grid's left edge: the first column whose pixel at row a's top is the day shift's colour
    day, night = ImageColor.getrgb(PIC.PALETTE["dag"]), ImageColor.getrgb(PIC.PALETTE["natt"])
    y_a = PIC.TOP + 4
    left = next(x for x in range(im.width) if im.getpixel((x, y_a)) == day)
    assert im.getpixel((left + 4, y_a)) == day                                    # a, Monday: D
    x, y = _cell(left, 0, 8)
    assert im.getpixel((x + 4, y + 4)) == night                                   # a, Tuesday week 2: N
    x, y = _cell(left, 1, 5)
    assert im.getpixel((x + 6, y + 6)) == ImageColor.getrgb(PIC.WEEKEND)         # b, Saturday off: shaded
    x, y = _cell(left, 1, 1)
    assert im.getpixel((x + 6, y + 6)) == (255, 255, 255)                         # b, Tuesday off: white
    x, y = _cell(left, 0, 2)
    assert im.getpixel((x + 1, y + PIC.CELL_H // 2)) == (0xCC, 0, 0)              # hard: red frame
    x, y = _cell(left, 1, 3)
    assert im.getpixel((x + 1, y + PIC.CELL_H // 2)) == (0xFF, 0x88, 0)           # soft: orange frame
    x, _ = _cell(left, 0, 9)
    assert im.getpixel((x + PIC.CELL_W // 2, PIC.TOP - 6)) == ImageColor.getrgb("#ff66cc")   # the gap's day
    x, _ = _cell(left, 0, 8)
    assert im.getpixel((x + PIC.CELL_W // 2, PIC.TOP - 6)) == (255, 255, 255)     # no gap the day before
