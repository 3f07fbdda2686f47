"""Orchestration of a national run: jobs -> cache -> executor -> rates -> calibration -> projection."""

from __future__ import annotations

import difflib
import json
import numbers
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.io.errors import InputError, shown
from planner.national import kommune as kommune_mod
from planner.national import scaling, schema, skill, validation
from planner.national.cache import SolveCache, job_key
from planner.national.config import NationalConfig
from planner.national.executors import run_jobs
from planner.national.montecarlo import DrawParams, basis, draw_params, jobs_for, nominal, tornado_cases
from planner.national.projection import Projection, project
from planner.national.units import Job, load_base, solver_fingerprint, unit_fingerprint, unit_kind


@dataclass
class NationalResult:
    cfg: NationalConfig
    scenarios: list[str]
    draws: int
    units_per_archetype: int
    groups: list[str]
    projections: dict[str, Projection]
    nominal: dict[str, Projection]
    residuals: dict[str, list[dict]]
    tornado: dict[str, list[dict]]
    adoption_mult: np.ndarray
    stats: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    validation: dict[str, list[dict]] = field(default_factory=dict)   # scenario -> checks of the units
    # the same Monte Carlo draws from the units' LP relaxation (continuous heads): read for the freed
    # split only, beside the integer one; in a relaxed run (`--relax`) these are the projections
    relaxed: dict[str, Projection] = field(default_factory=dict)
    authorised: dict[str, bool] = field(default_factory=dict)   # national group -> authorised

    @property
    def heads(self) -> str:
        return "relaxed" if self.cfg.relax else "integer"


def check_units(cfg: NationalConfig) -> list[str]:
    """Every archetype's unit file exists, loads and has a positive volume. Returns warnings."""
    warnings = []
    for i, a in enumerate(cfg.archetypes):
        w = f"archetypes[{i}] ({a.id}).unit"
        if not a.unit_path.is_file():
            raise InputError(cfg.path, w, f"unit file not found: {a.unit_path}",
                             "point `unit:` (relative to the national file) at a `kind: unit` file")
        inst = load_base(a.unit_path)   # the unit loader raises its own InputError for a bad unit
        beds = float(getattr(inst, "beds", 0) or 0)
        if beds <= 0:
            raise InputError(a.unit_path, "beds", f"volume {beds:g} must be > 0 to scale the unit nationally",
                             "set `beds:` to the unit's places, users or beds")
        if any(v < 0 for v in inst.patient_counts.values()):
            raise InputError(a.unit_path, "patient_classes", "negative patient count", "use counts >= 0")
        if cfg.planning_base is not None and type(inst).__name__ != "ToyInstance":
            from planner.staffing.instance import with_planning_base

            # the base is a group of every unit and each task it bounds is marked: checked before any solve
            with_planning_base(inst, None if cfg.planning_base == "none" else cfg.planning_base,
                               file=cfg.path, where="planning_base")
    warnings += skill.check_supply(cfg)
    skill.authorised_groups(cfg)      # the units' catalogue and the national file agree
    return warnings


# local worker processes: more is a typo, not a machine (a fork pool starts them all at once); a cluster
# is --dask's
MAX_WORKERS = 1024


def whole_option(option: str, value: object, bounds: tuple[int, int], what: str, note: str = "") -> int:
    """A command-line number: whole and within `bounds`, else an InputError naming the option and its range."""
    lo, hi = bounds
    rng = f"{schema._n(lo)} to {schema._n(hi)}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        problem = f"{shown(value)} is not a whole number"
    elif not lo <= value <= hi:
        problem = f"{shown(int(value))} is {'below' if value < lo else 'above'} the allowed range"
    else:
        return int(value)
    raise InputError(option, "", f"{problem}: {what} must be {rng}", f"give {option} {rng}{note}")


def check_planning_base_option(cfg: NationalConfig, base: str) -> None:
    """--planning-base is `none` or a group every archetype unit has: a misspelt group is the option's
    fault, so it is said here, before the file's own check would blame the file."""
    if base == "none":
        return
    units = {}
    for a in cfg.archetypes:
        if a.unit_path.is_file():      # a missing unit is check_units' to report
            inst = load_base(a.unit_path)
            if type(inst).__name__ != "ToyInstance":     # toy units have no planning base
                units[a.id] = list(inst.groups)
    if not units:
        return
    everywhere = [g for g in next(iter(units.values())) if all(g in gs for gs in units.values())]
    if base in everywhere:
        return
    choices = f"use one of: {', '.join(everywhere)}, or `none` (assistants as base)" if everywhere else \
        "the archetype units share no group: use `none` (assistants as base)"
    lacking = [a for a, gs in units.items() if base not in gs]
    if len(lacking) < len(units):
        raise InputError("--planning-base", "", f"group {base!r} is not a group of every archetype unit (not of "
                         f"{', '.join(lacking)})", choices)
    close = difflib.get_close_matches(base, everywhere, n=1)
    raise InputError("--planning-base", "", f"unknown group {base!r}: no archetype unit has it",
                     (f"did you mean {close[0]!r}? " if close else "") + choices)


def check_request(cfg: NationalConfig, scenarios: list[str] | None, draws: int | None,
                  units: int | None, workers: int | None = None) -> tuple[list[str], int, int]:
    """The command line's choices against the file: scenarios, draws and unit variants (defaults filled),
    and the worker processes; draws and variants within the bounds the file's `monte_carlo` has."""
    scenarios = scenarios or list(cfg.scenarios)
    for s in scenarios:
        if s not in cfg.scenarios:
            raise InputError(cfg.path, "--scenario", f"unknown scenario {s!r}", f"use one of {sorted(cfg.scenarios)}")
    draws = cfg.draws if draws is None else whole_option(
        "--draws", draws, schema.DRAWS, "the number of Monte Carlo draws",
        " (or leave it out for `monte_carlo.draws` in the file)")
    units = cfg.units_per_archetype if units is None else whole_option(
        "--units", units, schema.VARIANTS, "the number of unit variants per archetype",
        " (or leave it out for `monte_carlo.units_per_archetype` in the file)")
    if workers is not None:
        whole_option("--workers", workers, (0, MAX_WORKERS), "the number of local worker processes",
                     " (0 = in this process; leave it out for all cores)")
    return scenarios, draws, units


def _tech_sets(cfg: NationalConfig, scenarios: list[str]) -> tuple[list[tuple], dict[str, int]]:
    sets: list[tuple] = [()]
    which: dict[str, int] = {}
    for sid in scenarios:
        lv = cfg.scenarios[sid].levers
        t = tuple(sorted(lv.tech_savings, key=lambda s: (s.family, s.share))) if lv.technology else ()
        if t and t not in sets:
            sets.append(t)
        which[sid] = sets.index(t)
    return sets, which


def _tech_warnings(cfg: NationalConfig, tech_sets: list[tuple]) -> list[str]:
    fams: set[str] = set()
    for a in cfg.archetypes:
        fams |= {str(getattr(t, "family", "")) for t in load_base(a.unit_path).tasks.values()}
    out = []
    for ts in tech_sets:
        for s in ts:
            if s.family not in fams:
                out.append(f"technology saving on task family {s.family!r} applies to no archetype task "
                           f"(families present: {', '.join(sorted(fams))})")
    return sorted(set(out))


def run_national(cfg: NationalConfig, scenarios: list[str] | None = None, draws: int | None = None,
                 units: int | None = None, workers: int | None = None, dask: Any = None,
                 cache_dir: str | Path | None = ".leon-cache", progress: bool = True,
                 tornado: bool = True, relax: bool | None = None) -> NationalResult:
    t0 = time.perf_counter()
    if relax is not None and relax != cfg.relax:
        import dataclasses
        cfg = dataclasses.replace(cfg, relax=relax)
    scenarios, draws, units = check_request(cfg, scenarios, draws, units, workers)
    warnings = check_units(cfg)
    tech_sets, tech_of = _tech_sets(cfg, scenarios)
    warnings += _tech_warnings(cfg, tech_sets)

    # --- cases: Monte Carlo draws, the nominal case, tornado ends
    cases: list[tuple[str, DrawParams, int]] = [(f"draw:{p.draw}", p, units) for p in draw_params(cfg, draws)]
    cases.append(("nominal", nominal(cfg), 1))
    tcases = tornado_cases(cfg) if tornado else {}
    for name, (lo, hi) in tcases.items():
        cases += [(f"tornado:{name}:lo", lo, 1), (f"tornado:{name}:hi", hi, 1)]

    # --- jobs with content keys, deduplicated
    ufp = {a.id: unit_fingerprint(a.unit_path) for a in cfg.archetypes}
    sfp = {kind: solver_fingerprint(kind) for kind in {unit_kind(a.unit_path) for a in cfg.archetypes}}
    kind_of = {a.id: unit_kind(a.unit_path) for a in cfg.archetypes}
    case_keys: dict[str, list[tuple[str, int, str]]] = {}    # case -> [(archetype, tech idx, key)]
    unique: dict[str, Job] = {}
    for label, p, k in cases:
        rows = []
        for i, j in enumerate(jobs_for(cfg, p, tech_sets, k)):     # technology set innermost
            key = job_key(sfp[kind_of[j.archetype]], ufp[j.archetype], j.key_payload())
            unique.setdefault(key, j)
            rows.append((j.archetype, i % len(tech_sets), key))
        case_keys[label] = rows

    cache = SolveCache.open(cache_dir) if cache_dir else None
    results: dict[str, dict] = cache.get_many(unique) if cache else {}
    todo = [k for k in unique if k not in results]
    t1 = time.perf_counter()
    solved = run_jobs([unique[k] for k in todo], workers=workers, dask=dask, progress=progress)
    t_solve = time.perf_counter() - t1
    fresh = dict(zip(todo, solved))
    for k, r in fresh.items():
        if "error" in r:
            j = unique[k]
            if "problem" in r:
                raise InputError(r.get("file") or j.unit_path, r.get("field", ""), r["problem"], r.get("fix", ""))
            raise InputError(j.unit_path, "", f"unit solve failed ({r['error']}) for archetype {j.archetype}, "
                             f"variant {j.unit_index}, draw {j.draw}",
                             "run `leon solve` on the unit; lower the perturbation in `uncertainty:` if only "
                             "perturbed variants fail")
        bad = [m for m, st in r["status"].items() if st.lower() not in ("optimal", "ok", "feasible")]
        if bad:
            raise InputError(unique[k].unit_path, "", f"unit solve ended {r['status']} for a perturbed variant",
                             "check the unit solves (`leon solve`) and lower the perturbation in `uncertainty:`")
    if cache:
        cache.put_many(fresh)
        cache.close()
    results.update(fresh)

    authorised = skill.authorised_groups(cfg)
    groups = skill.ordered(scaling.national_groups(cfg, list(results.values())), authorised)

    def rates_for(label: str) -> dict[str, dict[str, dict[str, np.ndarray]]]:
        """archetype -> tech idx -> state rates."""
        by: dict[tuple[str, int], list[dict]] = {}
        for arch, ti, key in case_keys[label]:
            by.setdefault((arch, ti), []).append(results[key])
        out: dict[str, dict[int, dict[str, np.ndarray]]] = {}
        for (arch, ti), rs in by.items():
            out.setdefault(arch, {})[ti] = rs
        return out

    params = {lab: p for lab, p, _ in cases}

    def relaxed_view(rs: list[dict]) -> list[dict]:
        """The relaxed solves of unit results (a relaxed run's results are relaxed already)."""
        return [r if "fte_relaxed" not in r else {**r, "fte": r["fte_relaxed"]} for r in rs]

    def arch_fte(labels: list[str], sid: str, relaxed: bool = False) -> dict[str, dict[str, np.ndarray]]:
        """Per archetype and unit state, (draws, groups) årsverk in the volume year (a kommune's with
        --kommune). `relaxed`: from the relaxed solves, technology off (only the freed split reads it)."""
        scen = cfg.scenarios[sid]
        ti = tech_of[sid]
        acc: dict[str, dict[str, list]] = {}
        for lab in labels:
            rb = rates_for(lab)
            p = params[lab]
            for a in cfg.archetypes:
                st = {"off": relaxed_view(rb[a.id][0])} if relaxed else {"off": rb[a.id][0], "on": rb[a.id][ti]}
                nat = scaling.national_fte(cfg, scen, a.id, scaling.state_rates(cfg, st, groups),
                                           volume_mult=p.volume(a.volume_driver), target_mult=p.target(a.id))
                share = kommune_mod.volume_ratio(cfg, a.volume_driver)
                for s, v in nat.items():
                    acc.setdefault(a.id, {}).setdefault(s, []).append(v * share)
        return {a: {s: np.vstack(v) for s, v in d.items()} for a, d in acc.items()}

    mc_labels = [f"draw:{d}" for d in range(draws)]
    mult = np.array([params[lab].adoption_mult for lab in mc_labels])
    nom = nominal(cfg)

    def effects(labels: list[str]) -> dict[str, np.ndarray]:
        """The draws' sampled shares of the part-time and sick-leave effects, for project()."""
        return {"part_time_mult": np.array([params[lab].part_time_mult for lab in labels]),
                "sick_leave_mult": np.array([params[lab].sick_leave_mult for lab in labels])}
    projections, nominals, resid, torn, checks, relaxed = {}, {}, {}, {}, {}, {}
    bases = basis(cfg)
    for sid in scenarios:
        scen = cfg.scenarios[sid]
        projections[sid] = project(cfg, scen, groups, arch_fte(mc_labels, sid), mult, **effects(mc_labels))
        relaxed[sid] = projections[sid] if cfg.relax else \
            project(cfg, scen, groups, arch_fte(mc_labels, sid, relaxed=True), mult, **effects(mc_labels))
        nominals[sid] = project(cfg, scen, groups, arch_fte(["nominal"], sid), np.array([nom.adoption_mult]),
                                **effects(["nominal"]))
        rb = rates_for("nominal")
        rates_by_arch = {a.id: scaling.state_rates(cfg, {"off": rb[a.id][0], "on": rb[a.id][tech_of[sid]]}, groups)
                         for a in cfg.archetypes}
        resid[sid] = scaling.residuals(cfg, scen, rates_by_arch, groups)
        checks[sid] = validation.unit_checks(cfg, scen, rates_by_arch, groups)
        rows = []
        if tcases:
            year = cfg.horizon
            center = nominals[sid].gap[0, cfg.years.index(year)]
            for name, (lo, hi) in tcases.items():
                res = {}
                for end, p in (("lo", lo), ("hi", hi)):
                    lab = f"tornado:{name}:{end}"
                    pr = project(cfg, scen, groups, arch_fte([lab], sid), np.array([p.adoption_mult]), **effects([lab]))
                    res[end] = pr.gap[0, cfg.years.index(year)]
                rows.append({"input": name, "basis": bases.get(name, ""), "year": year,
                             "gap_nominal": float(center.sum()),
                             "gap_low_input": float(res["lo"].sum()), "gap_high_input": float(res["hi"].sum()),
                             "swing": float(abs(res["hi"].sum() - res["lo"].sum())),
                             "by_group_low": {g: float(x) for g, x in zip(groups, res["lo"])},
                             "by_group_high": {g: float(x) for g, x in zip(groups, res["hi"])}})
            rows.sort(key=lambda r: (-r["swing"], r["input"]))
        torn[sid] = rows

    stats = {"unit_solves": len(todo), "cached": len(unique) - len(todo), "jobs": len(unique),
             "solve_seconds": t_solve, "total_seconds": time.perf_counter() - t0,
             "executor": ("dask" if dask is not None else f"local[{workers if workers is not None else 'all'}]"),
             "relax": cfg.relax}
    return NationalResult(cfg, scenarios, draws, units, groups, projections, nominals, resid, torn, mult,
                          stats, warnings, validation=checks, relaxed=relaxed, authorised=authorised)


def run_and_write(national_file: str | Path, out_dir: str | Path, scenario: str | None = None,
                  draws: int | None = None, dask: str | None = None, workers: int | None = None,
                  cache_dir: str | Path | None = ".leon-cache", progress: bool = True, units: int | None = None,
                  console=None, relax: bool | None = None, kommune: str | Path | None = None,
                  planning_base: str | None = None) -> dict:
    """The whole `leon national run`: load, solve, project, write every output, print the tables.
    With `kommune` (a `kind: kommune` file) its volumes replace the national ones: the kommune's
    tables (summary.json, report.xlsx, run.json), no charts."""
    from planner.national import charts, outputs
    from planner.national.config import load_national

    cfg = load_national(national_file)
    if planning_base is not None:     # --planning-base: for every unit, over the file's setting
        import dataclasses

        check_planning_base_option(cfg, planning_base)
        cfg = dataclasses.replace(cfg, planning_base=planning_base)
    inputs = national_inputs(cfg)
    if kommune is not None:
        cfg = kommune_mod.apply(cfg, kommune_mod.load_kommune(kommune, cfg))
        inputs.append(cfg.kommune.path)
    chosen, _, _ = check_request(cfg, [scenario] if scenario else None, draws, units, workers)
    names = list(outputs.KOMMUNE_FILES) if kommune is not None else \
        [*outputs.OUTPUT_FILES, *(n for sid in chosen for n in charts.chart_files(sid))]
    out = prepare_out_dir(out_dir, names, inputs)
    res = run_national(cfg, scenarios=[scenario] if scenario else None, draws=draws, units=units,
                       workers=workers, dask=dask, cache_dir=cache_dir, progress=progress, relax=relax,
                       tornado=kommune is None)
    summary = outputs.write_summary(res, out)
    if kommune is None:
        outputs.write_parquet(res, out)
        charts.write_charts(res, summary, out)
    outputs.write_excel(summary, out)
    outputs.write_text(out / "run.json", json.dumps(res.stats, indent=1) + "\n")
    if console is not False:
        outputs.print_report(summary, console)
    return summary


def national_inputs(cfg: NationalConfig) -> list[Path]:
    """The files a run reads: the national file, its groups table, each archetype's unit and the files
    the unit refers to (some are read later, or in worker processes, so the guard is told up front)."""
    from planner.national.units import input_files

    table = (cfg.raw.get("groups") or {}).get("table")
    files = [cfg.path] + ([cfg.path.parent / table] if isinstance(table, str) else [])
    for a in cfg.archetypes:
        files += input_files(a.unit_path) or [a.unit_path]
    return files


def prepare_out_dir(out_dir: str | Path, names: tuple[str, ...] | list[str] = (),
                    inputs: tuple[Path, ...] | list[Path] = ()) -> Path:
    """Create the output folder and check every file the run will write there, before any solve, so a
    bad --out fails at once, not after the run: never a file or device in place of the folder, never
    a folder or an input file in place of an output file."""
    from planner.io.writer import guard_all

    fix = "give a folder you can write to, e.g. --out out/national"
    if not str(out_dir):
        raise InputError("--out", "", "the path is empty", fix)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        what = "is a file, not a folder" if out.is_file() else "is not a folder (a device, pipe or socket)"
        raise InputError(out, "--out", what, fix)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        raise InputError(out, "--out", f"cannot write here: {e.strerror or e}", fix) from None
    guard_all({f"--out ({n})": out / n for n in names}, inputs)
    return out
