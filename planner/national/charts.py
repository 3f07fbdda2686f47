"""PNG charts: need vs supply per group with P10-P90 bands, and the horizon year's waterfall, each with
authorised health personnel and the other groups apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from planner.national.outputs import AUTHORISED, OTHER, atomic_path

MAIN_GROUPS = ("sykepleier", "helsefagarbeider", "vernepleier", "assistent", "lege")


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, target: Path) -> None:
    with atomic_path(target, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110, format="png", metadata={"Software": None})


def need_supply_chart(res, sid: str, target: Path) -> None:
    plt = _plt()
    p = res.projections[sid]
    groups = [g for g in MAIN_GROUPS if g in p.groups] + [AUTHORISED, OTHER]
    authorised = np.array([bool(res.authorised.get(g)) for g in p.groups])
    titles = {AUTHORISED: "authorised health personnel", OTHER: "other groups (assistants, support)"}
    n = len(groups)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    years = np.array(p.years)

    def series(arr, j):
        if isinstance(j, str):
            a = arr[:, :, authorised if j == AUTHORISED else ~authorised].sum(axis=2)
        else:
            a = arr[:, :, j]
        return np.percentile(a, [10, 50, 90], axis=0)

    for ax, g in zip(axes.ravel(), groups):
        j = g if g in (AUTHORISED, OTHER) else p.groups.index(g)
        for arr, label, color, ls in ((p.need_base, "need, today's mix", "tab:red", "--"),
                                      (p.need_all, "need with levers", "tab:red", "-"),
                                      (p.supply_base, "supply", "tab:blue", "--"),
                                      (p.supply_all, "supply with levers", "tab:blue", "-")):
            lo, mid, hi = series(arr, j)
            ax.plot(years, mid / 1000, color=color, ls=ls, label=label)
            if np.any(hi - lo > 1e-9):
                ax.fill_between(years, lo / 1000, hi / 1000, color=color, alpha=0.15, lw=0)
        ax.set_title(titles.get(g, g), fontsize=9 if g in titles else None)
        ax.set_xlabel("year")
        ax.set_ylabel("1 000 årsverk")
        ax.set_xticks([y for y in p.years if y % 5 == 0] or p.years[:: max(1, len(p.years) // 4)])
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(groups):]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"{sid}: need vs supply {p.years[0]}–{p.years[-1]} (P50, band P10–P90)")
    fig.tight_layout()
    _save(fig, target)
    plt.close(fig)


def waterfall_chart(summary: dict, sid: str, target: Path) -> None:
    """The horizon year's gap from today's mix to the levers, authorised and other groups side by side
    (their sum is the total; one bar for both would net a nurse freed against an assistant needed)."""
    plt = _plt()
    wf = summary["waterfall"][sid]
    steps = ["baseline_gap", "task_sharing", "technology", "part_time", "sick_leave"]
    labels = ["gap, today's mix", "task sharing (LEON)", "technology", "part-time", "sick leave", "gap with levers"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), sharey=True)
    for ax, (part, title) in zip(axes, ((AUTHORISED, "authorised health personnel"),
                                        (OTHER, "other groups (assistants, support)"))):
        w = wf["by_skill"][part]
        level = 0.0
        for i, k in enumerate(steps):
            v = w[k] / 1000
            if k == "baseline_gap":
                ax.bar(i, v, color="tab:gray")
                ax.text(i, v / 2, f"{v:.1f}", ha="center", va="center", fontsize=9, color="white")
                level = v
            else:
                ax.bar(i, v, bottom=level, color="tab:green" if v >= 0 else "tab:red")
                ax.text(i, max(level, level + v), f"{v:+.1f}", ha="center", va="bottom", fontsize=8)
                level += v
        g = w["gap"] / 1000
        ax.bar(len(steps), g, color="tab:gray")
        ax.text(len(steps), g / 2, f"{g:.1f}", ha="center", va="center", fontsize=9, color="white")
        ax.axhline(0, color="black", lw=0.8)
        ax.margins(y=0.12)            # room for the step labels above the highest bar
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("1 000 årsverk (supply − need)")
    fig.suptitle(f"{sid}: contributions to the {wf['year']} gap (P50; total {wf['gap'] / 1000:.1f})")
    fig.tight_layout()
    _save(fig, target)
    plt.close(fig)


def chart_files(sid: str) -> tuple[str, str]:
    """The chart files of one scenario (the output guard checks them before the run)."""
    return f"need_supply_{sid}.png", f"waterfall_{sid}.png"


def write_charts(res, summary: dict, out_dir: Path) -> list[Path]:
    out = []
    for sid in res.scenarios:
        a, b = (out_dir / n for n in chart_files(sid))
        need_supply_chart(res, sid, a)
        waterfall_chart(summary, sid, b)
        out += [a, b]
    return out
