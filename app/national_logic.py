"""The national page's logic as plain functions: the same planner calls as `leon national run`.

A run here keeps nothing on disk: no solve cache, and the downloads (summary JSON, workbook, Parquet) are built
in memory (the workbook through a temporary folder that is removed at once).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.logic import scratch
from planner.io.errors import InputError
from planner.national.config import Curve, NationalConfig, load_national
from planner.national.outputs import (
    AUTHORISED,
    OTHER,
    TOTAL,
    _not_finite,
    build_summary,
    results_frame,
    row_order,
    write_excel,
)
from planner.national.run import NationalResult, run_national

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_FILE = ROOT / "instances" / "national" / "norge.yaml"
PART_TIME = (None, "min70", "full")     # off, or a Tabell 9.1 column
DEFAULT_DRAWS = 5


@dataclass(frozen=True)
class Levers:
    """The page's sliders. `adoption` multiplies the scenario's task-sharing curve (0 = off),
    `technology` its technology curve (0 = off); `part_time` is a Tabell 9.1 variant or None (off);
    `sick_leave` the target share or None (off). None in a field keeps the file's value."""

    adoption: float | None = None
    technology: float | None = None
    part_time: str | None | bool = False      # False = the file's value
    sick_leave: float | None | bool = False   # False = the file's value


def load(path: str | Path = NATIONAL_FILE) -> NationalConfig:
    return load_national(path)


def file_levers(cfg: NationalConfig, sid: str) -> dict[str, Any]:
    """The slider defaults a scenario starts from: the file's part-time variant and sick-leave target."""
    lv = cfg.scenarios[sid].levers
    return {"part_time": lv.part_time_variant, "sick_leave": lv.sick_leave_target,
            "task_sharing": lv.task_sharing is not None, "technology": lv.technology is not None}


def _scaled(curve: Curve | None, m: float | None) -> Curve | None:
    if m is None or curve is None:
        return curve
    if m <= 0:
        return None       # off: no adoption in any year
    return Curve(tuple((y, v * m) for y, v in curve.points))   # projection caps the share at 1


def _ramp(cfg: NationalConfig, ramp: Curve | None) -> Curve:
    """A lever switched on in a scenario without its own ramp: linear from none at the start to full at the end."""
    return ramp or Curve(((cfg.start, 0.0), (cfg.end, 1.0)))


def with_levers(cfg: NationalConfig, sid: str, levers: Levers) -> NationalConfig:
    """The config with scenario `sid`'s levers replaced by the sliders' (the file is not touched)."""
    if sid not in cfg.scenarios:
        raise InputError(cfg.path, "scenarios", f"unknown scenario {sid!r}", f"use one of {sorted(cfg.scenarios)}")
    if levers.adoption is not None and levers.adoption < 0:
        raise InputError("adoption", "", f"multiplier {levers.adoption:g} is negative", "use 0 or more")
    if levers.part_time not in (False, *PART_TIME):
        raise InputError("part_time", "", f"unknown variant {levers.part_time!r}", "use min70, full or off")
    if levers.sick_leave not in (False, None) and not 0 <= float(levers.sick_leave) < 1:
        raise InputError("sick_leave", "", f"target share {levers.sick_leave} is outside 0-1", "use a share like 0.083")
    scen = cfg.scenarios[sid]
    lv = scen.levers
    new = dataclasses.replace(lv, task_sharing=_scaled(lv.task_sharing, levers.adoption),
                              technology=_scaled(lv.technology, levers.technology))
    if levers.part_time is not False:
        ramp = _ramp(cfg, lv.part_time_ramp) if levers.part_time else lv.part_time_ramp
        new = dataclasses.replace(new, part_time_variant=levers.part_time, part_time_ramp=ramp)
    if levers.sick_leave is not False:
        new = dataclasses.replace(new, sick_leave_target=levers.sick_leave,
                                  sick_leave_ramp=_ramp(cfg, lv.sick_leave_ramp) if levers.sick_leave is not None
                                  else lv.sick_leave_ramp)
    scens = dict(cfg.scenarios)
    scens[sid] = dataclasses.replace(scen, levers=new)
    return dataclasses.replace(cfg, scenarios=scens)


def run(cfg: NationalConfig, sid: str, levers: Levers = Levers(), draws: int = DEFAULT_DRAWS,
        relax: bool = True, workers: int = 0, tornado: bool = True) -> tuple[NationalResult, dict]:
    """One scenario with the sliders' levers: (the run, its summary as `leon national run` writes it).
    One unit per archetype, no cache on disk, in this process (workers 0) or one worker."""
    res = run_national(with_levers(cfg, sid, levers), scenarios=[sid], draws=draws, units=1, workers=workers,
                       cache_dir=None, progress=False, tornado=tornado, relax=relax)
    return res, build_summary(res)


# ------------------------------------------------------------------------------------------ tables
def horizon_rows(summary: dict, sid: str) -> list[dict]:
    """Need and supply with the levers per group and subtotal in the horizon year, gap with P10–P90."""
    b = summary["bands"][sid]
    y = str(b["year"])
    return [{"group": g, "need": summary["need"][sid][y][g], "need_p10": b["need"][g]["p10"],
             "need_p90": b["need"][g]["p90"], "supply": summary["supply"][sid][y][g],
             "gap": summary["gap"][sid][y][g], "gap_p10": b["gap"][g]["p10"], "gap_p90": b["gap"][g]["p90"]}
            for g in row_order(summary)]


def freed_rows(summary: dict, sid: str) -> list[dict]:
    """The horizon year's freed årsverk per group: task sharing, pooling, total (authorised and other
    apart, with their subtotals), from the run's own heads (relaxed in a relaxed run)."""
    f = summary["freed_split"][sid]
    parts = f["integer"] or f["relaxed"]
    return [{"group": g, "skill": summary["skill"].get(g, g), "task_sharing": parts["task_sharing"][g],
             "pooling": parts["pooling"][g], "total": parts["total"][g]} for g in row_order(summary)]


def freed_total(summary: dict, sid: str) -> dict[str, float]:
    """{task_sharing, pooling, total} of all groups in the horizon year."""
    row = next(r for r in freed_rows(summary, sid) if r["group"] == TOTAL)
    return {k: row[k] for k in ("task_sharing", "pooling", "total")}


WATERFALL_STEPS = ("baseline_gap", "task_sharing", "technology", "part_time", "sick_leave", "gap")


def waterfall_rows(summary: dict, sid: str) -> list[dict]:
    """The levers' steps from the baseline gap to the gap with levers: all groups, authorised, other."""
    wf = summary["waterfall"][sid]
    return [{"step": k, TOTAL: wf[k], AUTHORISED: wf["by_skill"][AUTHORISED][k], OTHER: wf["by_skill"][OTHER][k]}
            for k in WATERFALL_STEPS if k in wf]


# ------------------------------------------------------------------------------------------ downloads
def summary_bytes(summary: dict) -> bytes:
    """summary.json as `leon national run` writes it (refused, like there, if a number is not finite)."""
    bad = _not_finite(summary)
    if bad:
        raise InputError(summary.get("national_file", ""), bad[0], f"the result is {bad[1]}, not a finite number",
                         "check the inputs behind that value")
    return (json.dumps(summary, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")


def parquet_bytes(res: NationalResult) -> bytes:
    """results.parquet as `leon national run` writes it (every draw, year, group), built in memory."""
    import io
    buf = io.BytesIO()
    results_frame(res).to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def workbook_bytes(summary: dict) -> bytes:
    """report.xlsx as `leon national run` writes it: into a temporary folder, read back, removed."""
    tmp = scratch("leon-national-")
    try:
        write_excel(summary, tmp)
        return (tmp / "report.xlsx").read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
