"""National split: freed by task sharing apart from pooling (rounding), integer and relaxed; authorised
health personnel and the other groups apart; a supply for every group; the horizon from the file; a
kommune in place of Norway.

Toy units (`kind: toy_unit`) give hand-computed numbers; the split that needs integer heads uses a
small real unit (tests/data) solved by the staffing model.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import commands.national
from planner.io.errors import InputError
from planner.national.config import load_national
from planner.national.run import run_and_write, run_national
from planner.national.units import Job, load_base
from planner.staffing.solve import solve_mode
from test_national import QUIET, _edit, toy_national

DATA = Path(__file__).resolve().parent / "data"

# one task, 10 patients × 1 × 60 min × 7 days = 70 h/week = 2 FTE at 35 h, × 1.5 gross = 3 gross årsverk.
# Today half sykepleier, half helsefagarbeider; pooled: all helsefagarbeider (a today's performer);
# LEON: all assistent. Per unit: pooling = B - P = sykepleier +1.5, helsefagarbeider -1.5;
# task sharing = P - L = helsefagarbeider +3, assistent -3; total = sykepleier +1.5, hfa +1.5, assistent -3.
SPLIT_UNIT = {
    "kind": "toy_unit", "id": "toy", "type": "sykehjem", "beds": 10,
    "patient_classes": {"lett": 4, "tung": 6}, "norm_hours_per_week": 35.0, "gross_up": 1.5,
    "tasks": {"stell": {"minutes": 60, "family": "stell", "per_patient_per_day": 1.0,
                        "today": {"sykepleier": 0.5, "helsefagarbeider": 0.5},
                        "pooled": {"helsefagarbeider": 1.0}, "leon": {"assistent": 1.0}}},
}
ASSISTENT = {"assistent": {"basis": "flat", "reason": "test: held at today's level"}}


def split_national(tmp: Path, basis: str = "flat", **over) -> Path:
    """The toy national file (1 000 places = 100 toy units, adoption 0.5 in 2040, no noise) with the
    split unit; assistent is a group only the unit staffs, with a stated supply basis."""
    p = toy_national(tmp, uncertainty=QUIET, **over)
    (tmp / "units" / "toy.yaml").write_text(yaml.safe_dump(SPLIT_UNIT), encoding="utf-8")
    return _edit(p, lambda d: d.update(other_groups={"supply": {"assistent": {**ASSISTENT["assistent"],
                                                                              "basis": basis}}}))


def _run(p: Path, **kw):
    kw = {"draws": 2, "units": 1, "workers": 0, "cache_dir": None, "progress": False, "tornado": False, **kw}
    return run_national(load_national(p), **kw)


def _g(res, g: str) -> int:
    return res.groups.index(g)


# ------------------------------------------------------------------------------------------ the split
def test_split_by_hand_and_adds_up_per_group(tmp_path):
    res = _run(split_national(tmp_path), scenarios=["mid"])
    p = res.projections["mid"]
    # 100 units × adoption 0.5 = 50 units' worth
    want = {"task_sharing": {"sykepleier": 0, "helsefagarbeider": 150, "assistent": -150},
            "pooling": {"sykepleier": 75, "helsefagarbeider": -75, "assistent": 0},
            "total": {"sykepleier": 75, "helsefagarbeider": 75, "assistent": -150}}
    got = {"task_sharing": p.freed_by_leon, "pooling": p.pooling, "total": p.freed_total}
    for part, per in want.items():
        for g, x in per.items():
            np.testing.assert_allclose(got[part][:, -1, _g(res, g)], x, atol=1e-9, err_msg=f"{part} {g}")
    # every draw, year and group: pooling + task sharing = total = need without LEON - need with all of B->L
    np.testing.assert_allclose(p.pooling + p.freed_by_leon, p.freed_total, atol=1e-9)
    # the headline is task sharing only: the waterfall's step and the need with task sharing
    wf = p.waterfall(2040)
    np.testing.assert_allclose(wf["task_sharing"], p.freed_by_leon[:, -1], atol=1e-9)
    np.testing.assert_allclose(p.need_base - p.need_ts, p.freed_by_leon, atol=1e-9)


def test_split_in_summary_and_excel(tmp_path):
    p = split_national(tmp_path)
    s = run_and_write(p, tmp_path / "out", scenario="mid", draws=2, units=1, workers=0, cache_dir=None,
                      progress=False, console=False)
    f = s["freed_split"]["mid"]
    assert s["version"] == 2 and s["horizon"] == 2040 and f["year"] == 2040
    assert f["heads"] == "relaxed" and f["integer"] is None       # the toy file says solve.relax: true
    r = f["relaxed"]
    assert r["task_sharing"]["helsefagarbeider"] == pytest.approx(150)
    assert r["pooling"]["sykepleier"] == pytest.approx(75)
    for g in s["groups"]:
        assert r["pooling"][g] + r["task_sharing"][g] == pytest.approx(r["total"][g], abs=0.11), g
    # freed_by_leon (the old key) is task sharing; freed_total is what it used to be
    assert s["freed_by_leon"]["mid"]["2040"]["helsefagarbeider"] == pytest.approx(150)
    assert s["freed_total"]["mid"]["2040"]["helsefagarbeider"] == pytest.approx(75)
    assert s["freed_pooling"]["mid"]["2040"]["sykepleier"] == pytest.approx(75)
    sheet = pd.read_excel(tmp_path / "out" / "report.xlsx", sheet_name="mid_freed_2040").set_index("group")
    assert sheet.loc["helsefagarbeider", "task_sharing_relaxed"] == pytest.approx(150)
    assert sheet.loc["assistent", "gap"] == pytest.approx(-150)
    readme = pd.read_excel(tmp_path / "out" / "report.xlsx", sheet_name="README").iloc[:, 0].str.cat(sep=" ")
    assert "pooling = baseline − pooled" in readme and "task sharing = pooled − LEON" in readme


def _mip_units(tmp: Path) -> tuple[Path, Path]:
    """Two small real units: `pool` needs a helsefagarbeider head today only because today's fixed shares
    round up (3 patients; stell and rydding half sykepleier, half helsefagarbeider; a sykepleier on
    every shift could do it all); `share` moves helsefagarbeider work to assistent under LEON."""
    out = []
    for name, patients, rydding in (("pool", 3, {"helsefagarbeider": 0.5, "sykepleier": 0.5}),
                                    ("share", 10, None)):
        d = tmp / name
        d.mkdir()
        for f in ("unit.yaml", "catalogue.yaml", "groups.yaml", "rules.yaml"):
            shutil.copy(DATA / f, d / f)
        u = yaml.safe_load((d / "unit.yaml").read_text(encoding="utf-8"))
        u["patient_classes"][0]["count"] = patients
        (d / "unit.yaml").write_text(yaml.safe_dump(u, sort_keys=False), encoding="utf-8")
        if rydding:
            c = yaml.safe_load((d / "catalogue.yaml").read_text(encoding="utf-8"))
            next(t for t in c["tasks"] if t["id"] == "rydding")["today"] = rydding
            (d / "catalogue.yaml").write_text(yaml.safe_dump(c, sort_keys=False, allow_unicode=True), encoding="utf-8")
        out.append(d / "unit.yaml")
    return out[0], out[1]


@pytest.mark.parametrize("which", ["pool", "share"])
def test_split_with_integer_heads_on_small_real_units(tmp_path, which):
    """The national split equals the unit's own baseline/pooled/LEON solves scaled by hand, integer and
    relaxed side by side; the rounding case frees a head by pooling and none by task sharing."""
    pool, share = _mip_units(tmp_path)
    unit = pool if which == "pool" else share
    p = toy_national(tmp_path, uncertainty=QUIET)
    _edit(p, lambda d: (d["archetypes"][0].update(unit=str(unit)), d["solve"].update(relax=False),
                        d.update(other_groups={"supply": ASSISTENT})))
    res = _run(p, scenarios=["mid"], draws=1)
    inst = load_base(unit)
    scale = 0.5 * 1000 / inst.beds            # adoption 0.5 in 2040 × 1 000 places / beds per unit
    for heads, proj in (("integer", res.projections["mid"]), ("relaxed", res.relaxed["mid"])):
        fte = {m: solve_mode(inst, m, relax=heads == "relaxed").fte_gross for m in ("baseline", "pooled", "leon")}
        for g in fte["baseline"]:
            j = _g(res, g)
            pooling = scale * (fte["baseline"][g] - fte["pooled"][g])
            sharing = scale * (fte["pooled"][g] - fte["leon"][g])
            assert proj.pooling[0, -1, j] == pytest.approx(pooling, abs=1e-6), (heads, g)
            assert proj.freed_by_leon[0, -1, j] == pytest.approx(sharing, abs=1e-6), (heads, g)
            assert proj.freed_total[0, -1, j] == pytest.approx(pooling + sharing, abs=1e-6), (heads, g)
    hf = _g(res, "helsefagarbeider")
    if which == "pool":      # a whole head on the day shift: integer pooling > relaxed pooling, no task sharing
        assert res.projections["mid"].pooling[0, -1, hf] > res.relaxed["mid"].pooling[0, -1, hf] + 1
        assert res.projections["mid"].freed_by_leon[0, -1].sum() == pytest.approx(0, abs=1e-6)
    else:                    # LEON gives the helsefagarbeider's work to assistent
        assert res.projections["mid"].freed_by_leon[0, -1, hf] > 0
        assert res.projections["mid"].freed_by_leon[0, -1, _g(res, "assistent")] < 0


def test_relaxed_run_has_no_integer_figures(tmp_path):
    res = _run(split_national(tmp_path), scenarios=["mid"])
    assert res.heads == "relaxed" and res.relaxed["mid"] is res.projections["mid"]


def test_cache_key_names_the_modes_and_the_relaxed_solves():
    j = Job("u.yaml", "a", 0, -1, (1,))
    key = json.dumps(j.key_payload())
    assert '"pooled"' in key and '"relaxed_too": true' in key
    assert Job("u.yaml", "a", 0, -1, (1,), relax=True).key_payload() != j.key_payload()
    assert not Job("u.yaml", "a", 0, -1, (1,), tech=(("stell", 0.2),)).relaxed_too


# ------------------------------------------------------------------------------- authorised / other
def test_subtotals_add_up_to_the_total(tmp_path):
    p = split_national(tmp_path)
    _edit(p, lambda d: d["uncertainty"].update(patient_mix={"sd_common": 0.3, "sd_unit": 0.2, "width_reason": "test"}))
    out = tmp_path / "out"
    s = run_and_write(p, out, draws=4, units=2, workers=0, cache_dir=None, progress=False, console=False)
    assert s["groups"][-3:] == ["total_authorised", "total_other", "total"]
    assert s["skill"] == {"sykepleier": "authorised", "helsefagarbeider": "authorised", "assistent": "other"}
    df = pd.read_parquet(out / "results.parquet")
    keys = ["scenario", "year", "draw"]
    wide = df.pivot_table(index=keys, columns="group", values=["freed_by_leon", "freed_pooling", "gap", "need"])
    for col in ("freed_by_leon", "freed_pooling", "gap", "need"):
        w = wide[col]
        np.testing.assert_allclose(w["total_authorised"], w["sykepleier"] + w["helsefagarbeider"], atol=1e-6)
        np.testing.assert_allclose(w["total_other"], w["assistent"], atol=1e-6)
        np.testing.assert_allclose(w["total"], w["total_authorised"] + w["total_other"], atol=1e-6)
    # the draws really differ, so the per-draw sums are not trivially the same number
    assert wide["need"]["total"].nunique() > 3
    # the waterfall's parts add up to its total
    wf = s["waterfall"]["mid"]
    for k in ("task_sharing", "gap"):
        parts = wf["by_skill"]["total_authorised"][k] + wf["by_skill"]["total_other"][k]
        assert abs(parts - wf[k]) <= 0.2 + 0.02 * abs(wf[k]), k     # P50s of per-draw sums


def test_unit_catalogue_decides_authorised_and_a_disagreement_is_an_error(tmp_path):
    _pool, share = _mip_units(tmp_path)
    p = toy_national(tmp_path, uncertainty=QUIET)
    _edit(p, lambda d: (d["archetypes"][0].update(unit=str(share)), d.update(other_groups={"supply": ASSISTENT})))
    from planner.national.skill import authorised_groups
    flags = authorised_groups(load_national(p))
    assert flags["assistent"] is False and flags["helsefagarbeider"] is True
    _edit(p, lambda d: d["other_groups"].update(authorised={"assistent": True}))
    with pytest.raises(InputError) as e:
        authorised_groups(load_national(p))
    assert "other_groups.authorised.assistent" in str(e.value) and "catalogue" in str(e.value)


def test_unauthorised_unit_group_may_not_count_as_a_helsemod_group(tmp_path, capsys):
    _pool, share = _mip_units(tmp_path)
    p = toy_national(tmp_path, uncertainty=QUIET)
    _edit(p, lambda d: (d["archetypes"][0].update(unit=str(share)),
                        d["groups"].update(unit_group_map={"assistent": "helsefagarbeider"})))
    rc = commands.national.main(["national", "run", str(p), "--out", str(tmp_path / "o"), "--no-cache",
                                 "--no-progress", "--workers", "0", "--draws", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and "groups.unit_group_map.assistent" in err and "not authorised" in err


# ------------------------------------------------------------------------------------------- supply
@pytest.mark.parametrize("basis", ["flat", "follows_baseline_need", "working_age"])
def test_assistants_needed_beyond_their_supply_show_a_negative_gap(tmp_path, basis, capsys):
    """LEON gives all of stell to assistent, who do none of it today: the 150 årsverk LEON needs in 2040
    are a shortage whatever the basis (today's assistant årsverk are 0, so every basis gives supply 0)."""
    p = split_national(tmp_path, basis=basis)
    if basis == "working_age":
        _edit(p, lambda d: d["other_groups"].update(working_age={2019: 100, 2040: 90, "source": "test"}))
    out = tmp_path / "out"
    s = run_and_write(p, out, scenario="mid", draws=2, units=1, workers=0, cache_dir=None, progress=False)
    assert s["gap"]["mid"]["2040"]["assistent"] == pytest.approx(-150)
    assert s["freed_split"]["mid"]["gap"]["assistent"] == pytest.approx(-150)
    assert s["other_groups"]["assistent"]["basis"]["mid"] == basis
    text = capsys.readouterr().out
    assert "assistent 2040: supply 0" in text and "gap -150" in text


def test_supply_bases_by_hand(tmp_path):
    """Today's assistant årsverk 30 per unit (a second task): flat keeps 3 000, working_age moves it with
    the population (100 in 2019 -> 90 in 2040: × 0.9), follows_baseline_need with the need (index 2 here)."""
    unit = dict(SPLIT_UNIT, tasks={**SPLIT_UNIT["tasks"], "vask": {
        "minutes": 60, "family": "vask", "per_unit_per_day": 100.0, "today": {"assistent": 1.0}}})
    # vask: 100 × 7 × 60 / 60 = 700 h/week / 35 = 20 FTE × 1.5 = 30 gross per unit; × 100 units = 3 000
    want = {"flat": 3000, "working_age": 3000 * 0.9, "follows_baseline_need": 6000}
    for basis, supply in want.items():
        d = tmp_path / basis
        d.mkdir()
        p = split_national(d, basis=basis)
        (d / "units" / "toy.yaml").write_text(yaml.safe_dump(unit), encoding="utf-8")
        _edit(p, lambda x: (x["other_groups"].update(working_age={2019: 100, 2040: 90, "source": "t"}),
                            x["service_areas"]["omsorg"]["fte_2040"].update(mid=200)))
        proj = _run(p, scenarios=["mid"]).projections["mid"]
        a = proj.groups.index("assistent")
        assert proj.supply_base[0, -1, a] == pytest.approx(supply), basis
        assert proj.need_base[0, -1, a] == pytest.approx(6000), basis     # 3 000 × area index 200/100


def test_scenario_overrides_a_supply_basis(tmp_path):
    p = split_national(tmp_path, basis="follows_baseline_need")
    _edit(p, lambda d: d["scenarios"]["mid"].update(supply={"assistent": "flat"}))
    cfg = load_national(p)
    assert cfg.supply_basis(cfg.scenarios["mid"], "assistent") == "flat"
    assert cfg.supply_basis(cfg.scenarios["lav"], "assistent") == "follows_baseline_need"


def test_removing_a_group_from_the_table_is_an_error(tmp_path, capsys):
    """helsefagarbeider's row gone: the table's rows no longer add up to its printed totals (and the unit
    still staffs a group nothing gives a supply): refused at check and at run, naming the cause."""
    p = split_national(tmp_path)
    csv = tmp_path / "groups.csv"
    csv.write_text("\n".join(x for x in csv.read_text().splitlines() if not x.startswith("helsefagarbeider")) + "\n")
    for argv in (["check", str(p)], ["national", "run", str(p), "--out", str(tmp_path / "o"), "--no-cache",
                                     "--no-progress", "--workers", "0"]):
        if argv[0] == "check":
            import cli
            rc = cli.main(argv)
        else:
            rc = commands.national.main(argv)
        err = capsys.readouterr().err
        assert rc == 2, argv
        assert ("totals_2040" in err and "missing group" in err) or \
            ("other_groups.supply" in err and "'helsefagarbeider'" in err and "no row in groups.csv" in err), err


def test_a_group_without_a_supply_assumption_is_an_error(tmp_path, capsys):
    p = split_national(tmp_path)
    _edit(p, lambda d: d.pop("other_groups"))
    rc = commands.national.main(["national", "run", str(p), "--out", str(tmp_path / "o"), "--no-cache",
                                 "--no-progress", "--workers", "0"])
    err = capsys.readouterr().err
    assert rc == 2 and "'assistent'" in err and "no supply assumption" in err


@pytest.mark.parametrize("edit, where, problem", [
    (lambda d: d["other_groups"]["supply"]["assistent"].update(basis="grows"), "other_groups.supply.assistent.basis",
     "expected one of"),
    (lambda d: d["other_groups"]["supply"].update(sykepleier={"basis": "flat", "reason": "x"}),
     "other_groups.supply.sykepleier", "its supply comes from the table"),
    (lambda d: d["other_groups"]["supply"]["assistent"].update(basis="working_age"),
     "other_groups.supply.assistent.basis", "needs the working-age population"),
    (lambda d: d["scenarios"]["mid"].update(supply={"renholder": "flat"}), "scenarios.mid.supply.renholder",
     "no supply assumption to override"),
    (lambda d: d["other_groups"]["supply"]["assistent"].pop("reason"), "other_groups.supply.assistent.reason",
     "is required"),
])
def test_bad_supply_assumptions(tmp_path, capsys, edit, where, problem):
    p = _edit(split_national(tmp_path), edit)
    rc = commands.national.main(["national", "run", str(p), "--out", str(tmp_path / "o"), "--no-cache",
                                 "--no-progress", "--workers", "0"])
    err = capsys.readouterr().err
    assert rc == 2 and f"national.yaml: {where}" in err and problem in err, err


# ------------------------------------------------------------------------------------------- horizon
def test_horizon_comes_from_the_file(tmp_path, capsys):
    p = split_national(tmp_path)
    _edit(p, lambda d: d["years"].update(end=2035))
    out = tmp_path / "out"
    s = run_and_write(p, out, scenario="mid", draws=2, units=1, workers=0, cache_dir=None, progress=False)
    assert s["horizon"] == 2035 and s["bands"]["mid"]["year"] == 2035 and s["waterfall"]["mid"]["year"] == 2035
    assert s["freed_split"]["mid"]["year"] == 2035 and "2040" not in s["gap"]["mid"]
    # adoption 0 (2025) -> 0.5 (2040), linear: 2035 = 1/3; task sharing moves 300 × 1/3 = 100
    assert s["freed_by_leon"]["mid"]["2035"]["helsefagarbeider"] == pytest.approx(100)
    text = capsys.readouterr().out
    assert "mid, 2035" in text and "2040" not in text.replace("2025-2040", "")
    sheets = pd.ExcelFile(out / "report.xlsx").sheet_names
    assert "mid_2035" in sheets and "waterfall_2035" in sheets and not any("2040" in x for x in sheets)
    assert commands.national.main(["national", "report", str(out)]) == 0
    assert "mid, 2035" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------- kommune
def _kommune(tmp: Path, value: float, year: int = 2019, growth: dict | None = None) -> Path:
    k = {"kind": "kommune", "id": "testkommune", "name": "Testkommune",
         "volumes": {"plasser": {"value": value, "year": year, "source": "test"}}}
    if growth:
        k["growth"] = {**growth, "source": "test"}
    path = tmp / "kommune.yaml"
    path.write_text(yaml.safe_dump(k, allow_unicode=True), encoding="utf-8")
    return path


def test_kommune_with_the_national_volumes_gives_the_national_result(tmp_path):
    p = split_national(tmp_path)
    _edit(p, lambda d: d["uncertainty"].update(patient_mix={"sd_common": 0.3, "sd_unit": 0.2, "width_reason": "test"},
                                               adoption_pace={"low": 0.5, "high": 1.5, "width_reason": "test"}))
    kw = {"draws": 3, "units": 2, "workers": 0, "cache_dir": tmp_path / "cache", "progress": False, "console": False}
    nat = run_and_write(p, tmp_path / "nat", **kw)
    kom = run_and_write(p, tmp_path / "kom", kommune=_kommune(tmp_path, 1000), **kw)
    assert kom["kind"] == "kommune" and kom["kommune"]["id"] == "testkommune"
    for key in ("freed_by_leon", "freed_pooling", "freed_total", "freed_split"):
        for sid in nat["scenarios"]:
            n = nat[key][sid]
            if key == "freed_split":
                n = {k: v for k, v in n.items() if k not in ("supply", "need", "gap")}
            assert kom[key][sid] == n, (key, sid)
    assert kom["freed_by_leon"]["mid"]["2040"]["helsefagarbeider"] != 0
    assert not (tmp_path / "kom" / "results.parquet").exists() and (tmp_path / "kom" / "report.xlsx").is_file()


def test_kommune_scales_with_its_volume_and_its_own_growth(tmp_path):
    p = split_national(tmp_path)
    kw = {"scenario": "mid", "draws": 1, "units": 1, "workers": 0, "cache_dir": None, "progress": False,
          "console": False}
    # 40 places in 2023 = 4 toy units; own growth 1.0 (2023) -> 1.5 (2040): 2040 = 6 units' worth
    k = run_and_write(p, tmp_path / "k", kommune=_kommune(tmp_path, 40, 2023, {2023: 1.0, 2040: 1.5}), **kw)
    # task sharing helsefagarbeider per unit 3 × adoption 0.5 × 6 = 9; today's sykepleier 1.5 × 6 = 9
    assert k["freed_by_leon"]["mid"]["2040"]["helsefagarbeider"] == pytest.approx(9)
    assert k["units_baseline"]["mid"]["2040"]["sykepleier"] == pytest.approx(9)
    assert k["units_with_task_sharing"]["mid"]["2040"]["assistent"] == pytest.approx(9)


def test_kommune_report_and_bad_kommune(tmp_path, capsys):
    p = split_national(tmp_path)
    out = tmp_path / "k"
    rc = commands.national.main(["national", "run", str(p), "--kommune", str(_kommune(tmp_path, 40)),
                                 "--out", str(out), "--no-cache", "--no-progress", "--workers", "0",
                                 "--draws", "1", "--scenario", "mid"])
    text = capsys.readouterr().out
    assert rc == 0 and "kommune Testkommune, mid, 2040" in text and "units, today's mix" in text
    assert commands.national.main(["national", "report", str(out)]) == 0
    assert "kommune Testkommune" in capsys.readouterr().out
    bad = _kommune(tmp_path, 40)
    _edit(bad, lambda d: d["volumes"].update(senger={"value": 5, "year": 2020, "source": "t"}))
    rc = commands.national.main(["national", "run", str(p), "--kommune", str(bad), "--out", str(out),
                                 "--no-cache", "--no-progress", "--workers", "0"])
    err = capsys.readouterr().err
    assert rc == 2 and "kommune.yaml: volumes.senger" in err and "unknown volume driver" in err


def test_planning_base_check_compares_the_base_groups_need_with_and_without_task_sharing():
    """The check reads the projection: need with task sharing against need without, for the base group
    of the units (toy units set none, so the row comes from a real unit's `planning_base`)."""
    from types import SimpleNamespace as NS

    from planner.national.basecheck import planning_base_check

    unit = Path(__file__).resolve().parent.parent / "instances" / "units" / "sykehjem.yaml"
    cfg = NS(archetypes=[NS(id="sykehjem", unit_path=unit)], national_group=lambda g: g)
    # two draws, one year, groups [helsefagarbeider, assistent]; P50 of the base group's need: 105
    p = NS(years=[2040], groups=["helsefagarbeider", "assistent"],
           need_base=np.array([[[100.0, 50.0]], [[110.0, 40.0]]]),
           need_ts=np.array([[[120.0, 30.0]], [[130.0, 20.0]]]))       # P50 125 = 105 + 20
    res = NS(cfg=cfg, projections={"mid": p})
    (row,) = planning_base_check(res, "mid")
    assert row["group"] == "helsefagarbeider" and row["need_without_task_sharing"] == 105.0
    assert row["need_with_task_sharing"] == 125.0 and row["at_least_baseline"]
    p.need_ts = np.array([[[90.0, 60.0]], [[100.0, 50.0]]])             # P50 95 < 105: fewer
    (row,) = planning_base_check(res, "mid")
    assert not row["at_least_baseline"] and "fewer" in row["text"]
    # the shipped nursing home under its base needs more helsefagarbeidere with LEON: no shortfall to name
    assert row["shortfalls"] == []


def test_planning_base_of_the_national_file_reaches_every_unit_solve():
    """A job with a planning base solves the unit under that base: `none` is the unit without a base,
    a group the unit's own base; and the base is part of the job's cache key."""
    from planner.national.units import Job, load_base, solve_job
    from planner.staffing.instance import with_planning_base
    from planner.staffing.solve import solve_instance

    unit = Path(__file__).resolve().parent.parent / "instances" / "units" / "sykehjem.yaml"
    job = Job(unit_path=str(unit), archetype="sykehjem", unit_index=0, draw=-1, seed=(1,), relax=True)
    none = Job(**{**job.__dict__, "planning_base": "none"})
    assert job.key_payload() != none.key_payload()
    base = load_base(unit)
    assert base.planning_base == "helsefagarbeider"
    for j, inst in ((job, base), (none, with_planning_base(base, None))):
        got = solve_job(j)["fte"]["leon"]
        want = solve_instance(inst, ("leon",), relax=True)["leon"].fte.gross
        assert got == pytest.approx({g: float(x) for g, x in want.items()}, abs=1e-6)
    # assistants as base fill the lowest level first: fewer helsefagarbeidere than under the NOU's base
    assert solve_job(none)["fte"]["leon"]["helsefagarbeider"] < solve_job(job)["fte"]["leon"]["helsefagarbeider"]


def test_a_planning_base_the_units_lack_is_refused_before_any_solve(tmp_path, capsys):
    import cli

    shipped = Path(__file__).resolve().parent.parent / "instances"
    shutil.copytree(shipped, tmp_path / "instances")
    nat = tmp_path / "instances" / "national" / "norge.yaml"
    nat.write_text(nat.read_text().replace("planning_base: helsefagarbeider", "planning_base: jordmor"))
    rc = cli.main(["check", str(nat)])
    err = capsys.readouterr().err
    assert rc == 2 and "planning_base" in err and "jordmor" in err, err
