"""National layer: data, scaling, calibration, projection, levers, validation, bad input, CLI.

Unit solves here use the toy unit model (`kind: toy_unit`, planner/national/toy.py) so that every
expected value can be worked out by hand; one test at the end runs the shipped units if present.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import commands.national
from planner.national.config import load_national
from planner.national.projection import project
from planner.national.run import run_and_write, run_national
from planner.national.scaling import national_fte, rate_vector, state_rates
from planner.national.toy import load_toy, solve_toy
from planner.national.units import Job, shift_patient_mix, solve_job

ROOT = Path(__file__).resolve().parent.parent
NORGE = ROOT / "instances" / "national" / "norge.yaml"

# ------------------------------------------------------------------------------------------------
# A small national file whose numbers are easy to check by hand
# ------------------------------------------------------------------------------------------------
TOY_UNIT = {
    # one task, 10 patients, once a day, 60 min: 10 × 1 × 7 × 60 / 60 = 70 h/week;
    # 70 / 35 = 2 FTE; gross_up 1.5 -> 3 gross FTE. Today: sykepleier; LEON: helsefagarbeider.
    "kind": "toy_unit", "id": "toy", "type": "sykehjem", "beds": 10,
    "patient_classes": {"lett": 4, "tung": 6},
    "norm_hours_per_week": 35.0, "gross_up": 1.5,
    "tasks": {
        "stell": {"minutes": 60, "family": "stell", "per_patient_per_day": 1.0,
                  "today": {"sykepleier": 1.0}, "leon": {"helsefagarbeider": 1.0}},
    },
}

TOY_CSV = """\
group,nou_label,supply_2019,supply_2040,need_2019,need_2040_lav,need_2040_mid,gap_2019,gap_2040_lav,gap_2040_mid,parttime_min70_2040,parttime_full_2040
sykepleier,Sykepleier,800,900,1000,1100,2000,,-200,-1100,30,300
helsefagarbeider,Helsefagarbeider,500,500,500,600,800,,-100,-300,10,100
"""


def toy_national(tmp: Path, **over) -> Path:
    (tmp / "units").mkdir(exist_ok=True)
    (tmp / "units" / "toy.yaml").write_text(yaml.safe_dump(TOY_UNIT), encoding="utf-8")
    (tmp / "groups.csv").write_text(TOY_CSV, encoding="utf-8")
    src = {"source": "test"}
    d = {
        "kind": "national", "id": "toy", "base_year": 2019, "years": {"start": 2025, "end": 2040}, "seed": 7,
        "groups": {"table": "groups.csv",
                   "columns": {c: src for c in ("supply_2019", "supply_2040", "need_2019", "need_2040_lav",
                                                "need_2040_mid", "gap_2019", "gap_2040_lav", "gap_2040_mid",
                                                "parttime_min70_2040", "parttime_full_2040")},
                   "need_2040_basis": "demand_table"},
        "helsemod": {"source": "test", "scenarios": {
            "lav": {"standard_growth": 0.005, "productivity_growth": 0.005,
                    "totals_2040": {"need": 1700, "supply": 1400, "gap": -300}},
            "mid": {"standard_growth": 0.01, "productivity_growth": 0.005,
                    "totals_2040": {"need": 2800, "supply": 1400, "gap": -1400}}}},
        "service_areas": {"omsorg": {"fte_2019": 100, "fte_2040": {"lav": 100, "mid": 100}, "source": "test"}},
        "volume_drivers": {"plasser": {"value": 1000, "year": 2019, "unit": "plasser", "source": "test"}},
        "archetypes": [{"id": "toy", "unit": "units/toy.yaml", "volume_driver": "plasser",
                        "service_area": "omsorg", "calibration": None}],
        "levers": {
            "task_sharing": {"adoption": {2025: 0.0, 2040: 0.5}, "illustrative": True},
            "technology": {"adoption": {2025: 0.0, 2040: 0.0}, "illustrative": True,
                           "savings": [{"family": "stell", "share": 0.2, "illustrative": True}]},
            "part_time": {"variant": "min70", "ramp": {2025: 0.0, 2040: 1.0}, "source": "test"},
            "sick_leave": {"target_share": 0.08, "current": {"sykepleier": 0.10}, "ramp": {2025: 0, 2040: 1},
                           "source": "test"},
        },
        "scenarios": {"lav": {"helsemod": "lav"}, "mid": {"helsemod": "mid"},
                      "mid_none": {"helsemod": "mid", "levers": {"task_sharing": False, "technology": False,
                                                                  "part_time": False, "sick_leave": False}}},
        "monte_carlo": {"draws": 3, "units_per_archetype": 2, "illustrative": True},
        "uncertainty": {"patient_mix": {"sd_common": 0.3, "sd_unit": 0.2, "width_reason": "test"},
                        "task_minutes": {"sd_common": 0.1, "sd_task": 0.1, "width_reason": "test"},
                        "adoption_pace": {"low": 0.5, "high": 1.5, "width_reason": "test"}},
        "solve": {"relax": True},
    }
    for k, v in over.items():
        d[k] = v
    p = tmp / "national.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def _edit(path: Path, fn) -> Path:
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(d)
    path.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------
# Shipped data
# ------------------------------------------------------------------------------------------------
def test_shipped_norge_loads_and_every_lever_is_sourced():
    cfg = load_national(NORGE)
    assert set(cfg.helsemod) == {"helsemod_lav", "helsemod_middels", "helsemod_hoy"}
    assert cfg.years[0] == 2025 and cfg.years[-1] == 2040
    # Tabell 2.2: sykepleier supply 81 500 (2019) -> 102 900 (2040); the 2030 anchor is 81 500 + 13 000
    assert cfg.groups["sykepleier"].supply_anchors == {2019: 81500, 2030: 94500, 2040: 102900}
    # need 2040 = supply 2040 - gap 2040 (Tabell 2.2 and 2.1): 102 900 + 29 700 = 132 600
    assert cfg.groups["sykepleier"].need_anchors["helsemod_middels"][2040] == 132600
    assert cfg.groups["helsefagarbeider"].need_anchors["helsemod_middels"][2040] == 58900 + 24400


@pytest.mark.parametrize("sid", ["helsemod_lav", "helsemod_middels", "helsemod_hoy"])
def test_helsemod_scenarios_reproduce_nou_2040_totals_within_1pct(sid):
    """Task sharing off, new levers at zero: the 2040 gap and need match NOU 2023:4 within 1 %."""
    cfg = load_national(NORGE)
    scen = cfg.scenarios[sid]
    groups = [g for g in cfg.groups]
    zero = {a.id: {s: np.zeros((1, len(groups))) for s in ("B", "L", "BT", "LT")} for a in cfg.archetypes}
    p = project(cfg, scen, groups, zero, np.array([1.0]))
    i = p.years.index(2040)
    hm = cfg.helsemod[sid]
    # Tabell 2.1's total is HELSEMOD's 14 groups; the groups outside it get their own supply path
    gap = sum(p.gap_base[0, i, j] for j, g in enumerate(groups) if cfg.groups[g].helsemod)
    assert abs(gap - hm.totals_2040["gap"]) <= 0.01 * abs(hm.totals_2040["gap"])
    # assistent: 37 400 årsverk in 2021; need moves with kommunal helse og omsorg (Tabell 2.4), supply
    # with the population 18-66 (flat before the 2022 anchor): 37 400 × 3 545 000 / 3 450 000 = 38 430
    area = cfg.service_areas["kommunal_helse_omsorg"]
    ratio = area.fte_2040[sid] / area.fte_2019
    need = 37400 * ratio / ratio ** (2 / 21)
    a = groups.index("assistent")
    assert p.need_base[0, i, a] == pytest.approx(need)
    assert p.supply_base[0, i, a] == pytest.approx(37400 * 3545000 / 3450000)
    assert p.gap_base[0, i, a] == pytest.approx(37400 * 3545000 / 3450000 - need)
    need = sum(p.need_base[0, i, j] for j, g in enumerate(groups) if cfg.groups[g].helsemod)
    assert abs(need - hm.totals_2040["need"]) <= 0.01 * hm.totals_2040["need"]
    supply = sum(p.supply_base[0, i, j] for j, g in enumerate(groups) if cfg.groups[g].helsemod)
    assert abs(supply - hm.totals_2040["supply"]) <= 0.01 * hm.totals_2040["supply"]
    if sid == "helsemod_middels":     # the two headline groups, Tabell 2.1
        assert p.gap_base[0, i, groups.index("sykepleier")] == pytest.approx(-29700)
        assert p.gap_base[0, i, groups.index("helsefagarbeider")] == pytest.approx(-24400)


# ------------------------------------------------------------------------------------------------
# Toy unit, scaling, calibration
# ------------------------------------------------------------------------------------------------
def test_toy_unit_by_hand(tmp_path):
    toy_national(tmp_path)
    inst = load_toy(tmp_path / "units" / "toy.yaml")
    r = solve_toy(inst)
    # 70 h/week / 35 h = 2 net FTE, × 1.5 = 3 gross
    assert r["baseline"].fte_gross == pytest.approx({"helsefagarbeider": 0.0, "sykepleier": 3.0})
    assert r["leon"].fte_gross == pytest.approx({"helsefagarbeider": 3.0, "sykepleier": 0.0})


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 50), beds=st.floats(1, 200), fte=st.floats(0, 100))
def test_scaling_n_identical_units_is_n_times_one(n, beds, fte):
    cfg = load_national(toy_national(_tmpdir()))
    groups = ["sykepleier", "helsefagarbeider"]
    one = {"volume": beds, "fte": {"baseline": {"sykepleier": fte, "helsefagarbeider": fte / 2},
                                   "leon": {"sykepleier": fte / 3, "helsefagarbeider": fte}}}
    r1 = rate_vector([one], "baseline", cfg, groups)
    rn = rate_vector([one] * n, "baseline", cfg, groups)
    np.testing.assert_allclose(rn, r1, rtol=1e-12)
    # a national volume of n units: n × one unit's årsverk
    national = rn * (n * beds)
    np.testing.assert_allclose(national, n * np.array([fte, fte / 2]), rtol=1e-9, atol=1e-9)


QUIET = {"patient_mix": {"sd_common": 0.0, "sd_unit": 0.0, "illustrative": True},
         "task_minutes": {"sd_common": 0.0, "sd_task": 0.0, "illustrative": True},
         "adoption_pace": {"low": 1.0, "high": 1.0, "illustrative": True}}


@pytest.mark.parametrize("places", [10, 370, 1000])
def test_n_identical_units_end_to_end(tmp_path, places):
    """Noise off: K identical unit variants give one unit's rate, and N units' worth of places give
    N × one unit's årsverk, through solves, scaling and projection."""
    p = toy_national(tmp_path, uncertainty=QUIET)
    _edit(p, lambda d: d["volume_drivers"]["plasser"].update(value=places))
    cfg = load_national(p)
    kw = {"scenarios": ["mid"], "draws": 2, "workers": 0, "cache_dir": None, "progress": False, "tornado": False}
    one, many = run_national(cfg, units=1, **kw), run_national(cfg, units=5, **kw)
    sy = many.groups.index("sykepleier")
    n = places / 10                      # toy units of 10 beds, 3 gross sykepleier årsverk each today
    # 2040: adoption 0.5 moves half of today's sykepleier årsverk to helsefagarbeider
    np.testing.assert_allclose(many.projections["mid"].freed_by_leon[:, -1, sy], 0.5 * 3.0 * n)
    np.testing.assert_allclose(many.projections["mid"].need_all, one.projections["mid"].need_all)


_TMP = []


def _tmpdir() -> Path:
    import tempfile
    if not _TMP:
        _TMP.append(Path(tempfile.mkdtemp()))
    return _TMP[0]


def test_calibration_factor_by_hand(tmp_path):
    p = toy_national(tmp_path)
    _edit(p, lambda d: d["archetypes"][0].update(calibration={"target_fte": 600, "year": 2019, "source": "t"}))
    cfg = load_national(p)
    res = [solve_job(Job(str(tmp_path / "units" / "toy.yaml"), "toy", 0, -1, (1,), relax=True))]
    rates = state_rates(cfg, {"off": res}, ["sykepleier", "helsefagarbeider"])
    # 3 gross FTE / 10 beds = 0.3 per place; 1 000 places -> 300 årsverk; target 600 -> factor 2
    nat = national_fte(cfg, cfg.scenarios["mid"], "toy", rates)
    assert nat["B"] == pytest.approx([600.0, 0.0])
    assert nat["L"] == pytest.approx([0.0, 600.0])


def test_patient_mix_shift_keeps_total_and_moves_toward_heavy():
    c = {"lett": 4.0, "middels": 3.0, "tung": 3.0}
    up, down = shift_patient_mix(c, 0.5), shift_patient_mix(c, -0.5)
    assert sum(up.values()) == pytest.approx(10.0) and sum(down.values()) == pytest.approx(10.0)
    assert up["tung"] > 3.0 > down["tung"] and up["lett"] < 4.0 < down["lett"]
    assert shift_patient_mix(c, 0.0) == c


# ------------------------------------------------------------------------------------------------
# Projection and levers, by hand
# ------------------------------------------------------------------------------------------------
def _nominal_projection(tmp_path, sid="mid", **over):
    cfg = load_national(toy_national(tmp_path, **over))
    res = run_national(cfg, scenarios=[sid], draws=1, units=1, workers=0, cache_dir=None,
                       progress=False, tornado=False)
    return cfg, res.nominal[sid]


def test_levers_by_hand(tmp_path):
    _, p = _nominal_projection(tmp_path)
    g = p.groups
    i40, i25 = p.years.index(2040), p.years.index(2025)
    sy, hf = g.index("sykepleier"), g.index("helsefagarbeider")
    # need anchors 1 000 (2019) -> 2 000 (2040), geometric: 2025 = 1 000 × 2^(6/21) = 1 219.0
    assert p.need_base[0, i25, sy] == pytest.approx(1000 * 2 ** (6 / 21))
    assert p.need_base[0, i40, sy] == pytest.approx(2000)
    # task sharing: 1 000 places × 0.3 sykepleier/place = 300 årsverk, adoption 0.5 × nominal pace 1
    # -> 150 årsverk move from sykepleier to helsefagarbeider in 2040
    assert p.freed_by_leon[0, i40, sy] == pytest.approx(150)
    assert p.freed_by_leon[0, i40, hf] == pytest.approx(-150)
    # part-time (Tabell 9.1 style, min70): +30 sykepleier in 2040 (ramp 1); 2025: ramp 0
    assert (p.supply_pt - p.supply_base)[0, i40, sy] == pytest.approx(30)
    assert (p.supply_pt - p.supply_base)[0, i25, sy] == pytest.approx(0)
    # sick leave 10 % -> 8 %: (900 + 30) × 0.02 / 0.90 = 20.667 extra in 2040
    assert (p.supply_all - p.supply_pt)[0, i40, sy] == pytest.approx(930 * 0.02 / 0.9)
    assert (p.supply_all - p.supply_pt)[0, i40, hf] == 0        # no sick-leave data for the group
    # waterfall adds up: -1 100 - 300 (baseline) + 0 (net LEON) + 40 + 20.667 = -1 339.33
    wf = p.waterfall(2040)
    assert sum(wf[k].sum() for k in ("baseline_gap", "task_sharing", "technology", "part_time", "sick_leave")) \
        == pytest.approx(wf["gap"].sum())
    assert wf["gap"].sum() == pytest.approx(-1400 + 40 + 930 * 0.02 / 0.9)


def test_no_levers_scenario_equals_baseline(tmp_path):
    _, p = _nominal_projection(tmp_path, sid="mid_none")
    np.testing.assert_allclose(p.gap, p.gap_base)
    np.testing.assert_allclose(p.freed_by_leon, 0)


@settings(max_examples=20, deadline=None)
@given(pace=st.floats(0, 3), ts=st.floats(0, 1), tech=st.floats(0, 1))
def test_waterfall_always_adds_up(pace, ts, tech):
    cfg = load_national(toy_national(_tmpdir()))
    scen = cfg.scenarios["mid"]
    import dataclasses

    from planner.national.config import Curve
    lv = dataclasses.replace(scen.levers, task_sharing=Curve(((2025, 0.0), (2040, ts))),
                             technology=Curve(((2025, 0.0), (2040, tech))))
    scen = dataclasses.replace(scen, levers=lv)
    groups = ["sykepleier", "helsefagarbeider"]
    x = {"toy": {"B": np.array([[300.0, 0.0]]), "L": np.array([[0.0, 300.0]]),
                 "BT": np.array([[240.0, 0.0]]), "LT": np.array([[0.0, 240.0]])}}
    p = project(cfg, scen, groups, x, np.array([pace]))
    for year in (2030, 2040):
        wf = p.waterfall(year)
        total = sum(wf[k] for k in ("baseline_gap", "task_sharing", "technology", "part_time", "sick_leave"))
        np.testing.assert_allclose(total, wf["gap"], atol=1e-9)
        # LEON only moves hours in the toy: what sykepleier loses, helsefagarbeider gains
        assert wf["task_sharing"][0, 0] == pytest.approx(-wf["task_sharing"][0, 1], abs=1e-9)


# ------------------------------------------------------------------------------------------------
# Bad input: exit 2 with file, field and fix
# ------------------------------------------------------------------------------------------------
def _cli_fails(tmp_path, capsys, path) -> str:
    rc = commands.national.main(["national", "run", str(path), "--out", str(tmp_path / "o"), "--no-cache",
                            "--no-progress", "--draws", "1"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "fix:" in err and "Traceback" not in err
    return err


def test_bad_unknown_archetype_unit(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["archetypes"][0].update(unit="units/nope.yaml"))
    err = _cli_fails(tmp_path, capsys, p)
    assert "national.yaml" in err and "archetypes[0] (toy).unit" in err


def test_bad_archetype_volume_driver(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["archetypes"][0].update(volume_driver="senger"))
    err = _cli_fails(tmp_path, capsys, p)
    assert "archetypes[0].volume_driver (line" in err and "plasser" in err


def test_bad_unknown_archetype_in_scenario(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["scenarios"]["mid"].update(archetypes=["toy", "sykehus"]))
    err = _cli_fails(tmp_path, capsys, p)
    assert "scenarios.mid.archetypes[1]" in err and "unknown archetype 'sykehus'" in err


def test_scenario_archetype_subset_limits_task_sharing(tmp_path):
    p = _edit(toy_national(tmp_path), lambda d: d["archetypes"].append(
        {"id": "toy2", "unit": "units/toy.yaml", "volume_driver": "plasser", "service_area": "omsorg"}) or
        d["scenarios"]["mid"].update(archetypes=["toy"]))
    cfg = load_national(p)
    res = run_national(cfg, scenarios=["mid", "lav"], draws=1, units=1, workers=0, cache_dir=None,
                       progress=False, tornado=False)
    sy = res.groups.index("sykepleier")
    # two identical archetypes of 1 000 places each: 300 + 300 sykepleier årsverk today; adoption 0.5.
    # "mid" reaches only toy: 150 freed; "lav" (all archetypes, area index 1): 300 freed
    assert res.nominal["mid"].freed_by_leon[0, -1, sy] == pytest.approx(150)
    assert res.nominal["lav"].freed_by_leon[0, -1, sy] == pytest.approx(300)


def test_bad_year_range(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["years"].update(end=2045))
    err = _cli_fails(tmp_path, capsys, p)
    assert "national.yaml: years" in err and "2019-2040" in err


def test_bad_lever_without_source(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["levers"]["part_time"].pop("source"))
    err = _cli_fails(tmp_path, capsys, p)
    assert "levers.part_time.source" in err and "illustrative: true" in err


def test_bad_negative_volume(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["volume_drivers"]["plasser"].update(value=-5))
    err = _cli_fails(tmp_path, capsys, p)
    assert "volume_drivers.plasser.value" in err and "negative" in err


def test_bad_unknown_scenario(tmp_path, capsys):
    p = toy_national(tmp_path)
    rc = commands.national.main(["national", "run", str(p), "--scenario", "nope", "--no-cache",
                            "--out", str(tmp_path / "o")])
    assert rc == 2 and "unknown scenario" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()        # checked before the output folder is made


# a section or entry of the wrong shape: (edit, field path the message must name, the problem it states)
MAPPING = "expected a mapping"
SHAPE_CASES = {
    "scenario_entry": (lambda d: d["scenarios"].update(mid="x"), "scenarios.mid", MAPPING),
    "uncertainty": (lambda d: d.update(uncertainty=[1]), "uncertainty", MAPPING),
    "unit_group_map": (lambda d: d["groups"].update(unit_group_map=["a"]), "groups.unit_group_map", MAPPING),
    "supply_anchors": (lambda d: d["groups"].update(supply_anchors=["a"]), "groups.supply_anchors", MAPPING),
    "supply_anchor": (lambda d: d["groups"].update(supply_anchors={"sykepleier": 5}),
                      "groups.supply_anchors.sykepleier", MAPPING),
    "non_helsemod": (lambda d: d["groups"].update(non_helsemod=["a"]), "groups.non_helsemod", MAPPING),
    "column_meta": (lambda d: d["groups"]["columns"].update(supply_2019="NOU"), "groups.columns.supply_2019",
                    MAPPING),
    "check": (lambda d: d["archetypes"][0].update(check="x"), "archetypes[0].check", MAPPING),
    "savings": (lambda d: d["levers"]["technology"].update(savings={"family": "x"}), "levers.technology.savings",
                "expected a list"),
    "sick_current": (lambda d: d["levers"]["sick_leave"].update(current=[0.1]), "levers.sick_leave.current",
                     MAPPING),
    "lever": (lambda d: d["levers"].update(part_time="on"), "levers.part_time", MAPPING),
    "helsemod_ref": (lambda d: d["scenarios"]["mid"].update(helsemod=["mid"]), "scenarios.mid.helsemod",
                     "expected text"),
    "seed": (lambda d: d.update(seed="abc"), "seed", "expected a whole number"),
}


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_bad_shape_names_the_field(tmp_path, capsys, case):
    edit, field, problem = SHAPE_CASES[case]
    err = _cli_fails(tmp_path, capsys, _edit(toy_national(tmp_path), edit))
    assert re.search(rf"national\.yaml: {re.escape(field)} \(line \d+\): {problem}", err), err


def test_bad_lever_without_source_in_a_scenario_points_at_the_scenario(tmp_path, capsys):
    def edit(d):
        d["levers"].pop("part_time")
        d["scenarios"]["mid"]["levers"] = {"part_time": {"variant": "full", "ramp": {2025: 0, 2040: 1}}}
    err = _cli_fails(tmp_path, capsys, _edit(toy_national(tmp_path), edit))
    assert "scenarios.mid.levers.part_time.source" in err


def test_bad_override_value_points_at_the_scenario(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["scenarios"]["mid"].update(
        levers={"task_sharing": {"adoption": {2040: 1.5}}}))
    err = _cli_fails(tmp_path, capsys, p)
    assert "scenarios.mid.levers.task_sharing.adoption.2040" in err


def test_bad_group_table_duplicate_row(tmp_path, capsys):
    p = toy_national(tmp_path)
    csv = tmp_path / "groups.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + csv.read_text(encoding="utf-8").splitlines()[1] + "\n",
                   encoding="utf-8")
    err = _cli_fails(tmp_path, capsys, p)
    assert "groups.csv: line 4, column 1 (group)" in err and "twice" in err


def _run_fails(capsys, argv) -> str:
    rc = commands.national.main(["national", "run", *argv, "--no-progress", "--workers", "0"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "fix:" in err and "Traceback" not in err
    return err


def test_bad_units_option(tmp_path, capsys):
    err = _run_fails(capsys, [str(toy_national(tmp_path)), "--units", "0", "--no-cache", "--out", str(tmp_path / "o")])
    assert "--units" in err


def test_bad_out_is_a_file_fails_before_solving(tmp_path, capsys):
    (tmp_path / "taken").write_text("x")
    err = _run_fails(capsys, [str(toy_national(tmp_path)), "--cache", str(tmp_path / "c"),
                              "--out", str(tmp_path / "taken")])
    assert "--out" in err and "not a folder" in err
    assert not (tmp_path / "c").exists()        # nothing solved, nothing cached


@pytest.mark.parametrize("how", ["file", "damaged"])
def test_bad_cache_dir(tmp_path, capsys, how):
    cache = tmp_path / "c"
    if how == "file":
        cache.write_text("x")
    else:
        cache.mkdir()
        (cache / "solves.sqlite").write_text("not a database " * 20)
    err = _run_fails(capsys, [str(toy_national(tmp_path)), "--cache", str(cache), "--out", str(tmp_path / "o")])
    assert "--cache" in err and "--no-cache" in err


def test_report_of_an_incomplete_summary(tmp_path, capsys):
    (tmp_path / "summary.json").write_text('{"version": 1, "scenarios": []}', encoding="utf-8")
    assert commands.national.main(["national", "report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "summary.json" in err and "missing" in err and "rerun" in err


# ------------------------------------------------------------------------------------------------
# Shipped data: our own arithmetic on sourced numbers
# ------------------------------------------------------------------------------------------------
_NUM = r"\d{1,3}(?: \d{3})*(?:,\d+)?"
_OP = re.compile(rf"({_NUM}) ([+\-/×]) ({_NUM}) = ({_NUM})")


def _no(x: str) -> float:
    return float(x.replace(" ", "").replace(",", "."))


def _derived(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "derived" and isinstance(v, str):
                yield path, v, node
            else:
                yield from _derived(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _derived(v, f"{path}[{i}]")


def test_shipped_derived_arithmetic_holds():
    """Every `a op b = c` in a `derived:` note is right to c's last digit, and a derived volume is its value."""
    raw = yaml.safe_load(NORGE.read_text(encoding="utf-8"))
    ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "/": lambda a, b: a / b, "×": lambda a, b: a * b}
    checked = 0
    for path, text, node in _derived(raw):
        for a, op, b, c in _OP.findall(text):
            decimals = len(c.split(",")[1]) if "," in c else 0
            assert abs(ops[op](_no(a), _no(b)) - _no(c)) <= 0.5 * 10 ** -decimals, (path, text)
            checked += 1
        if path.startswith(".volume_drivers."):
            assert _no(_OP.findall(text)[-1][3]) == node["value"], (path, text)
    assert checked >= 7


# ------------------------------------------------------------------------------------------------
# End to end (toy units)
# ------------------------------------------------------------------------------------------------
def test_cli_run_and_report_write_every_output(tmp_path, capsys):
    p = toy_national(tmp_path)
    out = tmp_path / "out"
    rc = commands.national.main(["national", "run", str(p), "--out", str(out), "--draws", "4",
                            "--cache", str(tmp_path / "cache"), "--no-progress", "--workers", "0"])
    assert rc == 0
    for f in ("summary.json", "results.parquet", "report.xlsx", "need_supply_mid.png", "waterfall_mid.png"):
        assert (out / f).is_file(), f
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(s["baseline_gap"]) == {"lav", "mid", "mid_none"}
    assert s["baseline_gap"]["mid"]["2040"]["total"] == pytest.approx(-1400)
    assert s["groups"][-1] == "total" and "sykepleier" in s["groups"]
    # freed_by_leon P50 in 2040: 300 × 0.5 × P50 of the adoption multiplier (triangular 0.5/1/1.5 draws)
    df = pd.read_parquet(out / "results.parquet")
    # scenarios × years × (2 groups + total_authorised, total_other, total) × draws
    assert len(df) == 3 * 16 * 5 * 4
    one = df[(df.scenario == "mid") & (df.year == 2040) & (df.group == "total")]
    np.testing.assert_allclose(one.gap, one.supply - one.need)
    capsys.readouterr()
    assert commands.national.main(["national", "report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "mid, 2040" in text and "waterfall" in text


def test_shipped_units_end_to_end(tmp_path):
    """The shipped archetypes through the real unit model (skipped until all units exist)."""
    cfg = load_national(NORGE)
    if not all(a.unit_path.is_file() for a in cfg.archetypes):
        pytest.skip("archetype unit files not shipped yet")
    s = run_and_write(NORGE, tmp_path / "out", scenario="helsemod_middels", draws=2, units=1, workers=0,
                      cache_dir=tmp_path / "cache", progress=False, console=False, relax=True)
    # authorised health personnel = HELSEMOD's 14 groups (+ farmasøyt, 0 today): Tabell 2.1's total
    total = s["baseline_gap"]["helsemod_middels"]["2040"]["total_authorised"]
    assert abs(total - (-69500)) <= 0.01 * 69500
    assert s["freed_by_leon"]["helsemod_middels"]["2040"]["sykepleier"] > 0
    assert math.isfinite(s["gap"]["helsemod_middels"]["2040"]["total"])
