"""The roster as a people x days grid coloured by shift, with violations marked (PNG or HTML)."""
from __future__ import annotations

import html
from pathlib import Path

from planner.io.writer import atomic_path

PALETTE = {"dag": "#8ecae6", "kveld": "#ffb703", "natt": "#3d405b", "lang": "#90be6d"}


def colours(shifts: dict[str, dict]) -> dict[str, str]:
    """shift code -> colour by its time of day (extra codes of the same time get the same hue)."""
    return {c: PALETTE.get(s.get("time", ""), "#cccccc") for c, s in shifts.items()}


def marks_from(violations: list[dict], gaps: list[dict] | None = None) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for v in violations:
        k = (v["person"], v["date"])
        out[k] = (out.get(k, "") + ("; " if k in out else "") + f"{v['rule']}: {v['detail']}")
    return out


def write_picture(path: str | Path, dates: list[str], rows: dict[str, list[str]], shifts: dict[str, dict],
                  violations: list[dict], gaps: list[dict], title: str = "") -> None:
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        _html(path, dates, rows, shifts, violations, gaps, title)
    else:
        _png(path, dates, rows, shifts, violations, gaps, title)


def _html(path, dates, rows, shifts, violations, gaps, title):
    col = colours(shifts)
    mk = marks_from(violations)
    hard = {(v["person"], v["date"]) for v in violations if v["hard"]}
    gap_days = {}
    for g in gaps:
        gap_days.setdefault(g["date"], []).append(f"{g['missing']} {g['group']} on {g['shift']}")
    out = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>",
           "<style>td,th{font:11px sans-serif;text-align:center;padding:2px 3px;border:1px solid #ddd}"
           "td.v{outline:3px solid #c00;outline-offset:-3px;font-weight:bold}td.s{outline:2px dashed #c60;outline-offset:-2px}"
           "th.we{background:#eee}th.gap{background:#f6c}</style>",
           f"<h3>{html.escape(title)}</h3><table><tr><th>id</th>"]
    for d in dates:
        cls = " class='gap'" if d in gap_days else ""
        tip = html.escape("; ".join(gap_days.get(d, [])))
        out.append(f"<th{cls} title='{tip}'>{d[5:]}</th>")
    out.append("</tr>")
    for pid, cells in rows.items():
        out.append(f"<tr><th>{html.escape(pid)}</th>")
        for d, c in zip(dates, cells):
            st = f" style='background:{col.get(c, '#fff')};color:{'#fff' if c and shifts.get(c, {}).get('time') == 'natt' else '#000'}'" if c else ""
            k = (pid, d)
            cls = " class='v'" if k in hard else (" class='s'" if k in mk else "")
            tip = f" title='{html.escape(mk[k])}'" if k in mk else ""
            out.append(f"<td{st}{cls}{tip}>{html.escape(c or '')}</td>")
        out.append("</tr>")
    out.append("</table><p>Red frame: hard violation; dashed: soft. Pink date: coverage gap (hover for details).</p>")
    with atomic_path(path) as tmp:
        tmp.write_text("".join(out), encoding="utf-8")


# pixels: a cell, the rows above the grid (title, week labels, coverage gaps), the gaps between blocks
CELL_W, CELL_H, TOP, PAD = 26, 20, 58, 8
WEEKEND = "#efefef"


def _png(path, dates, rows, shifts, violations, gaps, title):
    """The grid drawn straight into one raster with Pillow: as matplotlib artists (a patch and a text per cell)
    Skarbøvik's 6 258 cells took 8-9 s, which a short --time-limit cannot spare; this takes a fraction of a
    second. Columns are days (weekends shaded), rows people; a red frame is a hard violation, an orange one a
    soft; a pink mark above a day is a coverage gap."""
    from PIL import Image, ImageDraw, ImageFont
    col = colours(shifts)
    people = list(rows)
    n, D = len(people), len(dates)
    font = ImageFont.load_default(size=11)
    small = ImageFont.load_default(size=10)
    didx = {d: k for k, d in enumerate(dates)}
    marks = _cell_marks(people, didx, violations)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left = PAD + max((int(probe.textlength(p, font=small)) for p in people), default=0) + PAD
    legend = [(col[c], None, f"{c} {shifts[c].get('start', '')}-{shifts[c].get('end', '')}") for c in col]
    legend += [(None, "#cc0000", "hard violation"), (None, "#ff8800", "soft violation"),
               ("#ff66cc", None, "coverage gap (above the day)")]
    legend_w = 2 * PAD + 24 + max(int(probe.textlength(t, font=small)) for _, _, t in legend)
    width = left + D * CELL_W + legend_w
    height = max(TOP + n * CELL_H + PAD, TOP + len(legend) * (CELL_H + 4) + PAD)
    im = Image.new("RGB", (width, height), "white")
    dr = ImageDraw.Draw(im)
    dr.text((PAD, PAD), title, fill="black", font=font)
    for d in range(D):
        x = left + d * CELL_W
        if d % 7 >= 5:
            dr.rectangle((x, TOP, x + CELL_W - 1, TOP + n * CELL_H - 1), fill=WEEKEND)
        if d % 7 == 0:
            dr.line((x, TOP - 24, x, TOP + n * CELL_H), fill="#999999")
            dr.text((x + 2, TOP - 36), dates[d], fill="black", font=small)
    for g in gaps:
        if g["date"] in didx:
            x = left + didx[g["date"]] * CELL_W
            dr.rectangle((x + 1, TOP - 12, x + CELL_W - 2, TOP - 3), fill="#ff66cc")
    for i, pid in enumerate(people):
        dr.text((left - PAD, TOP + i * CELL_H + CELL_H / 2), pid, fill="black", font=small, anchor="rm")
        _row(dr, left, TOP + i * CELL_H, rows[pid], shifts, col, marks.get(i, {}), small)
    x0 = left + D * CELL_W + PAD
    for k, (fill, frame, text) in enumerate(legend):
        y = TOP + k * (CELL_H + 4)
        dr.rectangle((x0, y, x0 + 20, y + CELL_H - 4), fill=fill or "white", outline=frame or "#999999",
                     width=3 if frame else 1)
        dr.text((x0 + 24 + PAD // 2, y + (CELL_H - 4) / 2), text, fill="black", font=small, anchor="lm")
    with atomic_path(path) as tmp:
        im.save(tmp, format="PNG", compress_level=3)


def _cell_marks(people: list[str], didx: dict[str, int], violations: list[dict]) -> dict[int, dict[int, bool]]:
    """row -> {day: whether a hard violation is there (else a soft one)}."""
    pidx = {p: k for k, p in enumerate(people)}
    marks: dict[int, dict[int, bool]] = {}
    for v in violations:
        if v["person"] in pidx and v["date"] in didx:
            row = marks.setdefault(pidx[v["person"]], {})
            d = didx[v["date"]]
            row[d] = row.get(d, False) or bool(v["hard"])
    return marks


def _row(dr, left: int, y: int, cells: list[str], shifts: dict, col: dict, marks: dict[int, bool], font) -> None:
    """One person's cells: the shift's colour and code, a frame where a violation is."""
    for d, c in enumerate(cells):
        x = left + d * CELL_W
        if c:
            dr.rectangle((x, y, x + CELL_W - 1, y + CELL_H - 1), fill=col.get(c, "#cccccc"), outline="white")
            ink = "white" if shifts.get(c, {}).get("time") == "natt" else "black"
            dr.text((x + CELL_W / 2, y + CELL_H / 2), c, fill=ink, font=font, anchor="mm")
        hard = marks.get(d)
        if hard is not None:
            dr.rectangle((x + 1, y + 1, x + CELL_W - 2, y + CELL_H - 2), outline="#cc0000" if hard else "#ff8800",
                         width=3 if hard else 2)
