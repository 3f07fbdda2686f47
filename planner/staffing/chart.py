"""A picture of a staffing result: heads per shift by group (today vs LEON) and årsverk per group."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402

from planner.staffing.instance import Instance  # noqa: E402
from planner.io.writer import atomic_path  # noqa: E402
from planner.staffing.solve import ModeResult  # noqa: E402


def write_png(path: str | Path, inst: Instance, results: dict[str, ModeResult]) -> None:
    groups = [g for g in inst.groups if any(r.weekly_hours[g] > 0 for r in results.values())]
    modes = list(results)
    colours = plt.get_cmap("tab20")(range(len(groups)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [2.2, 1]})

    # left: stacked heads per shift, one bar per mode side by side
    width = 0.8 / len(modes)
    for mi, m in enumerate(modes):
        bottom = [0.0] * len(inst.shifts)
        xs = [i + (mi - (len(modes) - 1) / 2) * width for i in range(len(inst.shifts))]
        for gi, g in enumerate(groups):
            vals = [results[m].staff[s.id][g] for s in inst.shifts]
            ax1.bar(xs, vals, width * 0.95, bottom=bottom, color=colours[gi],
                    label=inst.groups[g].name if mi == 0 else None,
                    hatch="//" if m == "baseline" else None, edgecolor="white", linewidth=0.5)
            bottom = [b + v for b, v in zip(bottom, vals)]
        for x, b in zip(xs, bottom):
            ax1.text(x, b + 0.1, f"{b:g}", ha="center", va="bottom", fontsize=7)
    ax1.set_xticks(range(len(inst.shifts)), [s.id.replace("_", "\n") for s in inst.shifts], fontsize=8)
    ax1.set_ylabel("heads on shift")
    ax1.set_title(" | ".join(f"{'hatched' if m == 'baseline' else 'plain'}: {m}" for m in modes), fontsize=9)
    ax1.set_ylim(0, ax1.get_ylim()[1] * 1.08)
    ax1.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)

    # right: gross årsverk per group
    y = range(len(groups))
    h = 0.8 / len(modes)
    for mi, m in enumerate(modes):
        ax2.barh([i + (mi - (len(modes) - 1) / 2) * h for i in y], [results[m].fte.gross[g] for g in groups],
                 h * 0.95, color=[colours[i] for i in y], hatch="//" if m == "baseline" else None,
                 edgecolor="white", label=m)
    ax2.set_yticks(list(y), [inst.groups[g].name for g in groups], fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlabel("årsverk (gross, to employ)")
    fig.suptitle(f"{inst.name}: minimum forsvarlig staffing", fontsize=11)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
