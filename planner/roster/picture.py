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


def _png(path, dates, rows, shifts, violations, gaps, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle
    col = colours(shifts)
    people = list(rows)
    n, D = len(people), len(dates)
    fig, ax = plt.subplots(figsize=(max(8, D * 0.22 + 2), max(3, n * 0.24 + 1.5)))
    for i, pid in enumerate(people):
        for d, c in enumerate(rows[pid]):
            if c:
                ax.add_patch(Rectangle((d, i), 1, 1, facecolor=col.get(c, "#ccc"), edgecolor="white", lw=0.5))
                ax.text(d + 0.5, i + 0.5, c, ha="center", va="center", fontsize=5,
                        color="white" if shifts.get(c, {}).get("time") == "natt" else "black")
    didx = {d: k for k, d in enumerate(dates)}
    pidx = {p: k for k, p in enumerate(people)}
    for v in violations:
        if v["person"] in pidx and v["date"] in didx:
            ax.add_patch(Rectangle((didx[v["date"]] + 0.05, pidx[v["person"]] + 0.05), 0.9, 0.9, fill=False,
                                   edgecolor="#cc0000" if v["hard"] else "#ff8800", lw=1.2 if v["hard"] else 0.8))
    for g in gaps:
        if g["date"] in didx:
            ax.add_patch(Rectangle((didx[g["date"]], -0.9), 1, 0.7, facecolor="#ff00aa", alpha=0.6))
    for d in range(D):
        if d % 7 >= 5:
            ax.axvspan(d, d + 1, color="#000", alpha=0.04, lw=0)
    ax.set_xlim(0, D)
    ax.set_ylim(n, -1)
    ax.set_yticks([i + 0.5 for i in range(n)])
    ax.set_yticklabels(people, fontsize=6)
    ax.set_xticks([d + 0.5 for d in range(0, D, 7)])
    ax.set_xticklabels([dates[d] for d in range(0, D, 7)], fontsize=6)
    handles = [Patch(facecolor=col[c], label=f"{c} {shifts[c].get('start', '')}-{shifts[c].get('end', '')}") for c in col]
    handles += [Patch(facecolor="none", edgecolor="#cc0000", label="hard violation"),
                Patch(facecolor="none", edgecolor="#ff8800", label="soft violation"),
                Patch(facecolor="#ff00aa", alpha=0.6, label="coverage gap (top row)")]
    ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150, format="png")
    plt.close(fig)
