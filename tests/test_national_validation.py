"""Honest numbers: calibration said as calibration, checks the unit models can fail, and sampled
inputs that each state what their width rests on (upper bounds read as upper bounds).

The toy unit (`kind: toy_unit`, tests/test_national.py) gives numbers by hand: one task of 60 min
for each of 10 patients once a day is 10 × 7 × 60 / 60 = 70 h a week, / 35 h = 2 FTE, × gross-up
1.5 = 3 gross sykepleier årsverk for 10 places, 0.3 per place; 1 000 places give 300.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import commands.national
from planner.io.errors import InputError
from planner.national import outputs
from planner.national.config import Triangle, load_national
from planner.national.montecarlo import draw_params, jobs_for, nominal, sampled_inputs, tornado_cases, tri
from planner.national.run import _tech_sets, run_national
from test_national import NORGE, QUIET, _edit, toy_national
from test_national_inputs import _both_refuse

PER_PLACE = 0.3          # gross sykepleier årsverk per toy place (module docstring)


def _run(path: Path, sid: str = "mid", **kw):
    cfg = load_national(path)
    args = {"scenarios": [sid], "draws": 1, "units": 1, "workers": 0, "cache_dir": None, "progress": False,
            "tornado": False}
    return run_national(cfg, **{**args, **kw})


def _summary(res) -> dict:
    return json.loads(json.dumps(outputs.build_summary(res), allow_nan=False))


# --------------------------------------------------------------------------- 1. calibration, said so
def test_tabell_2_1_line_is_a_calibration_not_a_check(tmp_path, capsys):
    p = toy_national(tmp_path)
    out = tmp_path / "out"
    assert commands.national.main(["national", "run", str(p), "--out", str(out), "--draws", "2", "--no-cache",
                                   "--no-progress", "--workers", "0", "--scenario", "mid"]) == 0
    text = capsys.readouterr().out
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "validation" not in s                       # the old key that called it a check is gone
    line = s["calibration_tabell_2_1"]["mid"]
    assert line["by_construction"] is True and "by construction" in line["text"]
    assert not any(k.endswith("rel_diff") for k in line)          # no percentage that reads as a test result
    # toy demand table: need 2000 + 800, supply 900 + 500 -> -1 400 = the file's Tabell 2.1 total
    assert line["model_baseline_gap"] == pytest.approx(-1400) and line["nou_gap"] == -1400
    assert "calibration: reproduces Tabell 2.1" in text and "check: baseline gap" not in text
    assert "vs NOU" not in text


def test_gap_table_basis_says_the_gap_is_the_tables_own_rows(tmp_path):
    p = _edit(toy_national(tmp_path), lambda d: d["groups"].update(need_2040_basis="gap_table"))
    line = _summary(_run(p))["calibration_tabell_2_1"]["mid"]
    assert line["need_2040_basis"] == "gap_table"
    assert "supply minus its Tabell 2.1 gap" in line["text"] and "Not a test of the model" in line["text"]


def test_own_growth_is_not_reported_as_a_failed_check(tmp_path):
    """Standard growth 0 moves the baseline away from Tabell 2.1 on purpose: the line says so."""
    p = _edit(toy_national(tmp_path), lambda d: d["scenarios"]["mid"].update(standard_growth=0.0))
    line = _summary(_run(p))["calibration_tabell_2_1"]["mid"]
    assert line["growth_overridden"] is True and line["by_construction"] is False
    assert line["text"].startswith("not comparable with Tabell 2.1") and "by design" in line["text"]
    assert line["model_baseline_gap"] > -1400            # less demand growth: a smaller shortage


@pytest.mark.parametrize("target, far", [(300, False), (600, True)])
def test_calibration_factor_with_its_figure_source_and_sentence(tmp_path, target, far):
    """300 årsverk bottom-up (1 000 places × 0.3); a figure of 600 doubles every result: stated, not hidden."""
    p = _edit(toy_national(tmp_path), lambda d: d["archetypes"][0].update(
        calibration={"target_fte": target, "year": 2019, "source": "KEY, Tabell 9"}))
    row = _summary(_run(p))["calibration"]["mid"][0]
    assert row["factor"] == pytest.approx(target / 300)
    assert row["target_source"] == "KEY, Tabell 9" and "KEY, Tabell 9" in row["sentence"]
    assert f"multiplied by {target / 300:.3f}" in row["sentence"]
    assert ("far from 1" in row["sentence"]) is far


# ------------------------------------------------------------- 2. a groups table missing a group
@pytest.mark.parametrize("group", ["psykolog", "tannpleier", "helsesykepleier"])
def test_shipped_table_without_a_group_is_an_input_error(tmp_path, group):
    """Dropping any row of the NOU's 14 breaks the printed sums by more than the tables' rounding
    (14 rows to the nearest 100, + the sum's own: 750); tannpleier's supply of 1 900 is the smallest."""
    shutil.copy(NORGE, tmp_path / "norge.yaml")
    rows = (NORGE.parent / "helsemod_groups.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [r for r in rows if not r.startswith(group + ",")]
    assert len(kept) == len(rows) - 1
    (tmp_path / "helsemod_groups.csv").write_text("".join(kept), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_national(tmp_path / "norge.yaml")
    msg = str(e.value)
    assert "totals_2040" in msg and "missing group" in msg


def test_toy_table_without_a_group_is_refused_by_check_and_run(tmp_path, capsys):
    p = toy_national(tmp_path)
    csv = tmp_path / "groups.csv"
    csv.write_text("".join(csv.read_text(encoding="utf-8").splitlines(keepends=True)[:2]), encoding="utf-8")
    err = _both_refuse(capsys, p, tmp_path)
    # supply 2040: sykepleier 900 alone against the file's 1 400
    assert "totals_2040.supply" in err and "900" in err and "1 400" in err


# ----------------------------------------------------------------- 3. checks the model can fail
def _with_checks(tmp_path: Path, checks: list[dict], minutes: float = 60) -> Path:
    p = toy_national(tmp_path, uncertainty=QUIET)
    unit = tmp_path / "units" / "toy.yaml"
    u = yaml.safe_load(unit.read_text(encoding="utf-8"))
    u["tasks"]["stell"]["minutes"] = minutes
    unit.write_text(yaml.safe_dump(u), encoding="utf-8")
    return _edit(p, lambda d: d.update(validation=checks))


PER_VOLUME = {"id": "per_place", "measure": "fte_per_volume", "archetypes": ["toy"], "value": PER_PLACE,
              "tolerance": 0.15, "tolerance_reason": "test", "source": "KEY, Tabell 1"}


@pytest.mark.parametrize("minutes, status, diff", [(60, "pass", 0.0), (120, "fail", 1.0), (66, "pass", 0.1)])
def test_per_place_check_fails_when_the_unit_is_wrong(tmp_path, minutes, status, diff):
    """Doubled minutes: 0.6 per place against 0.3 is +100 %, outside ±15 %; +10 % minutes is inside."""
    res = _run(_with_checks(tmp_path, [PER_VOLUME], minutes))
    row = _summary(res)["validation_units"]["mid"][0]
    assert row["model"] == pytest.approx(PER_PLACE * minutes / 60)
    assert row["difference"] == pytest.approx(diff) and row["status"] == status
    assert row["source"] == "KEY, Tabell 1" and row["tolerance_reason"] == "test"


def test_calibration_does_not_hide_a_wrong_unit(tmp_path):
    """A calibrated archetype with doubled minutes still reproduces its target, and still fails the check."""
    p = _with_checks(tmp_path, [PER_VOLUME], minutes=120)
    _edit(p, lambda d: d["archetypes"][0].update(calibration={"target_fte": 300, "year": 2019, "source": "t"}))
    s = _summary(_run(p))
    assert s["calibration"]["mid"][0]["factor"] == pytest.approx(0.5)      # 300 / (1 000 × 0.6)
    assert s["validation_units"]["mid"][0]["status"] == "fail"


def test_share_and_national_checks_by_hand(tmp_path):
    """Today the toy's only group is sykepleier (share 1); nationally 1 000 × 0.3 = 300 årsverk."""
    checks = [
        {"id": "share_ok", "measure": "share", "archetypes": ["toy"], "groups": ["sykepleier"], "value": 0.97,
         "tolerance": 0.05, "tolerance_reason": "t", "source": "s"},
        {"id": "share_bad", "measure": "share", "archetypes": ["toy"], "groups": ["helsefagarbeider"],
         "value": 0.5, "tolerance": 0.05, "tolerance_reason": "t", "source": "s"},
        {"id": "bound_ok", "measure": "national_fte", "test": "at_most", "archetypes": ["toy"],
         "groups": ["sykepleier"], "value": 300, "year": 2019, "source": "s"},
        {"id": "bound_bad", "measure": "national_fte", "test": "at_most", "archetypes": ["toy"],
         "groups": ["sykepleier"], "value": 299, "year": 2019, "source": "s"},
        {"id": "not_confirmed", "measure": "national_fte", "test": "at_most", "archetypes": ["toy"],
         "value": 1, "year": 2019, "source": "s", "unchecked": "page not seen"},
    ]
    rows = {r["id"]: r for r in _summary(_run(_with_checks(tmp_path, checks)))["validation_units"]["mid"]}
    assert rows["share_ok"]["model"] == pytest.approx(1.0) and rows["share_ok"]["status"] == "pass"
    assert rows["share_ok"]["difference"] == pytest.approx(0.03)          # points: 1.00 - 0.97
    assert rows["share_bad"]["model"] == pytest.approx(0.0) and rows["share_bad"]["status"] == "fail"
    assert rows["bound_ok"]["model"] == pytest.approx(300) and rows["bound_ok"]["status"] == "pass"
    assert rows["bound_bad"]["status"] == "fail"
    assert rows["not_confirmed"]["status"] == "unchecked"        # shown, neither passes nor fails


def test_a_failed_check_is_printed_with_its_source(tmp_path, capsys):
    p = _with_checks(tmp_path, [PER_VOLUME], minutes=120)
    assert commands.national.main(["national", "run", str(p), "--out", str(tmp_path / "o"), "--draws", "1",
                                   "--no-cache", "--no-progress", "--workers", "0", "--scenario", "mid"]) == 0
    text = capsys.readouterr().out
    assert "per_place" in text and "+100.0 %" in text and "±15 %" in text and "fail" in text
    assert "KEY, Tabell 1" in text and "1 of 1 checks fail" in text


def test_check_on_an_unknown_group_is_an_input_error(tmp_path):
    p = _with_checks(tmp_path, [{**PER_VOLUME, "groups": ["sykepleir"]}])
    with pytest.raises(InputError) as e:
        _run(p)
    assert "validation[0]" in str(e.value) and "sykepleir" in str(e.value)


@pytest.mark.parametrize("bad, field", [
    ({"tolerance": None}, "tolerance"),                                   # within needs a tolerance
    ({"tolerance_reason": None}, "tolerance"),                            # ... and why it is that wide
    ({"archetypes": ["nope"]}, "validation[0].archetypes[0]"),
    ({"measure": "national_fte"}, "year"),
    ({"measure": "share", "value": 0.5}, "groups"),
])
def test_bad_check_is_refused(tmp_path, capsys, bad, field):
    entry = {k: v for k, v in {**PER_VOLUME, **bad}.items() if v is not None}
    err = _both_refuse(capsys, _with_checks(tmp_path, [entry]), tmp_path)
    assert field in err


def test_shipped_checks_are_sourced_and_include_a_failing_kind():
    cfg = load_national(NORGE)
    ids = {c.id for c in cfg.checks}
    assert {"sykehjem_arsverk_per_plass", "hjemmesykepleie_arsverk_per_bruker", "kommunal_helsefagarbeider"} <= ids
    for c in cfg.checks:
        assert c.source and (c.test == "at_most" or c.tolerance_reason), c.id


# ------------------------------------------------- 4. every distribution states what its width rests on
SAMPLED = {
    "patient_mix": lambda d, e: d["uncertainty"].update(patient_mix={"sd_common": 0.2, **e}),
    "task_minutes": lambda d, e: d["uncertainty"].update(task_minutes={"sd_task": 0.2, **e}),
    "adoption_pace": lambda d, e: d["uncertainty"].update(adoption_pace={"low": 0.5, "high": 1.2, **e}),
    "part_time_effect": lambda d, e: d["uncertainty"].update(part_time_effect={"low": 0, "mode": 0.5, "high": 1, **e}),
    "sick_leave_effect": lambda d, e: d["uncertainty"].update(sick_leave_effect={"low": 0, "high": 1, **e}),
    "saving": lambda d, e: d["levers"]["technology"]["savings"][0].update(spread={"low": 0.1, "high": 0.3, **e}),
    "volume": lambda d, e: d["volume_drivers"]["plasser"].update(spread={"low": 0.9, "high": 1.1, **e}),
    "target": lambda d, e: d["archetypes"][0].update(calibration={"target_fte": 300, "year": 2019, "source": "t",
                                                                  "spread": {"low": 0.9, "high": 1.0, **e}}),
}


@pytest.mark.parametrize("what", sorted(SAMPLED))
def test_distribution_without_source_or_width_reason_is_refused(tmp_path, capsys, what):
    """`illustrative: true` alone no longer passes for a sampled input."""
    p = _edit(toy_national(tmp_path, uncertainty=QUIET), lambda d: SAMPLED[what](d, {"illustrative": True}))
    err = _both_refuse(capsys, p, tmp_path)
    assert "width_reason" in err and "neither `source:` nor `width_reason:`" in err


@pytest.mark.parametrize("what", sorted(SAMPLED))
def test_distribution_with_a_width_reason_loads_and_reaches_the_tornado(tmp_path, what):
    p = _edit(toy_national(tmp_path, uncertainty=QUIET), lambda d: SAMPLED[what](d, {"width_reason": f"why {what}"}))
    cfg = load_national(p)
    rows = sampled_inputs(cfg)
    assert any(r["basis"] == f"width: why {what}" for r in rows), rows


def test_zero_width_needs_no_reason(tmp_path):
    load_national(toy_national(tmp_path, uncertainty={"patient_mix": {"sd_common": 0.0, "sd_unit": 0.0}}))


def test_shipped_sampled_inputs_all_state_their_basis():
    cfg = load_national(NORGE)
    rows = sampled_inputs(cfg)
    names = {r["input"].split(".")[0] for r in rows}
    # the unit inputs, the adoption pace, and what the issue asked to sample besides
    assert {"patient_mix", "task_minutes", "adoption_pace", "technology_savings", "part_time_effect",
            "sick_leave_effect", "volumes", "calibration_targets"} <= names
    for r in rows:
        assert r["basis"].startswith(("source: ", "width: ")), r


def test_tornado_names_each_inputs_basis(tmp_path):
    p = _edit(toy_national(tmp_path), lambda d: SAMPLED["part_time_effect"](d, {"width_reason": "half of it"}))
    res = _run(p, draws=2, tornado=True)
    rows = {r["input"]: r for r in _summary(res)["tornado"]["mid"]}
    assert rows["part_time_effect"]["basis"] == "width: half of it"
    assert rows["adoption_pace"]["basis"] == "width: test"
    # part-time at full effect in 2040: sykepleier 30 + helsefagarbeider 10 årsverk; triangular(0, 0.5, 1)
    # has P10 = √(0.1 × 1 × 0.5) and P90 = 1 - √0.05; the sick-leave lever adds its 0.02 / 0.90 to the
    # sykepleier part: (30 × 1.0222 + 10) × 0.5528 = 22.48
    lo, hi = tri(0.1, Triangle(0, 0.5, 1)), tri(0.9, Triangle(0, 0.5, 1))
    assert (lo, hi) == pytest.approx((0.05 ** 0.5, 1 - 0.05 ** 0.5))
    assert rows["part_time_effect"]["swing"] == pytest.approx((30 * (1 + 0.02 / 0.9) + 10) * (hi - lo), abs=0.1)


# ------------------------------------------------------------------- sampled inputs reach the numbers
def test_effect_multiplier_at_its_mode_in_the_nominal_case(tmp_path):
    """Tabell 9.1 style effect of 30 (toy sykepleier, ramp 1 in 2040) × mode 0.5 = 15; no draw above 30."""
    p = _edit(toy_national(tmp_path), lambda d: SAMPLED["part_time_effect"](d, {"width_reason": "w",
                                                                                 "upper_bound": 1}))
    res = _run(p, draws=20)
    sy = res.groups.index("sykepleier")
    pt = res.nominal["mid"].supply_pt - res.nominal["mid"].supply_base
    assert pt[0, -1, sy] == pytest.approx(15)
    draws = (res.projections["mid"].supply_pt - res.projections["mid"].supply_base)[:, -1, sy]
    assert draws.max() <= 30 + 1e-9 and draws.min() >= 0 and draws.std() > 0


@pytest.mark.parametrize("calibrated, swings", [(False, True), (True, False)])
def test_volume_spread_moves_only_an_uncalibrated_archetype(tmp_path, calibrated, swings):
    """national = c × V × rate and c = target / (V × rate): V cancels once there is a target. The toy's
    LEON moves hours between two groups (total unchanged), so the sykepleier gap is what moves:
    0.5 adoption × 300 årsverk × (P90 - P10 of triangular(0.9, 1, 1.1)) ≈ 16."""
    def edit(d):
        SAMPLED["volume"](d, {"width_reason": "w"})
        if calibrated:
            d["archetypes"][0]["calibration"] = {"target_fte": 300, "year": 2019, "source": "t"}
    res = _run(_edit(toy_national(tmp_path, uncertainty=QUIET), edit), tornado=True)
    row = next(r for r in res.tornado["mid"] if r["input"] == "volumes")
    moved = abs(row["by_group_high"]["sykepleier"] - row["by_group_low"]["sykepleier"])
    assert (moved > 10) is swings and (moved < 1e-6) is (not swings)


# ---------------------------------------------------------------- 5. upper bounds stay upper bounds
@settings(max_examples=200, deadline=None)
@given(lo=st.floats(0, 1), w1=st.floats(0, 1), w2=st.floats(0, 1), q=st.floats(0, 1))
def test_triangle_never_samples_outside_its_ends(lo, w1, w2, q):
    hi = min(1.0, lo + w1 + w2)
    mode = min(hi, lo + w1)
    x = tri(q, Triangle(lo, mode, hi))
    assert lo - 1e-12 <= x <= hi + 1e-12


def test_shipped_tilsyn_saving_is_sampled_below_its_opptil_bound():
    """«opptil 40 prosent»: the share is sampled in 0-0.4, its nominal is below 0.4, and no solve gets more."""
    cfg = load_national(NORGE)
    sav = {s.family: s for s in cfg.scenarios["helsemod_middels"].levers.tech_savings}
    t = sav["tilsyn"]
    assert t.spread.upper_bound == 0.4 and t.spread.high <= 0.4 and t.share < 0.4
    sets, _ = _tech_sets(cfg, list(cfg.scenarios))
    shares = []
    for p in [*draw_params(cfg, 300), nominal(cfg), *(x for pair in tornado_cases(cfg).values() for x in pair)]:
        for j in jobs_for(cfg, p, sets, 1):
            shares += [s for f, s in j.tech if f == "tilsyn"]
    assert len(shares) > 300 and max(shares) <= 0.4 and min(shares) >= 0.0
    assert max(shares) > 0.3                  # the draws do reach toward the bound


def test_shipped_part_time_effect_is_an_upper_bound():
    """Tabell 9.1 is the effect if everyone takes the measure up: 1 is the most, never the likely value."""
    cfg = load_national(NORGE)
    t = cfg.uncertainty.part_time
    assert t.upper_bound == 1.0 and t.high <= 1.0 and t.mode < 1.0
    assert max(p.part_time_mult for p in draw_params(cfg, 300)) <= 1.0


@pytest.mark.parametrize("saving, problem", [
    ({"share": 0.4, "upper_bound": 0.4, "spread": {"low": 0, "high": 0.4, "width_reason": "w"}},
     "read as a point value"),
    ({"share": 0.4, "upper_bound": 0.4}, "without a spread"),
    ({"share": 0.2, "upper_bound": 0.4, "spread": {"low": 0, "high": 0.5, "width_reason": "w"}},
     "above the upper bound"),
    ({"share": 0.6, "spread": {"low": 0, "high": 0.5, "width_reason": "w"}}, "outside the spread"),
])
def test_an_upper_bound_is_not_read_as_a_point(tmp_path, capsys, saving, problem):
    p = _edit(toy_national(tmp_path), lambda d: d["levers"]["technology"]["savings"][0].update(saving))
    err = _both_refuse(capsys, p, tmp_path)
    assert problem in err and "levers.technology.savings[0]" in err


def test_an_effect_mode_at_its_upper_bound_is_refused(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: SAMPLED["part_time_effect"](
        d, {"mode": 1.0, "upper_bound": 1.0, "width_reason": "w"}))
    err = _both_refuse(capsys, p, tmp_path)
    assert "uncertainty.part_time_effect.mode" in err and "read as a point value" in err


# ------------------------------------------------------------------ the baseline's HELSEMOD range
def test_baseline_band_is_the_nou_alternatives(tmp_path):
    """Toy demand table, 2040: lav 1 400 - (1 100 + 600) = -300; mid 1 400 - (2 000 + 800) = -1 400."""
    b = _summary(_run(toy_national(tmp_path)))["baseline_band"]["mid"]
    totals = {k: v["total"] for k, v in b["by_alternative"].items()}
    assert totals == pytest.approx({"lav": -300, "mid": -1400})
    assert (b["low"], b["high"]) == (-1400, -300) and b["this_scenario"] == "mid"
    assert "not a probability" in b["what"]


def test_report_of_a_summary_without_the_new_keys_asks_for_a_rerun(tmp_path, capsys):
    old = {"version": outputs.SUMMARY_VERSION, "scenarios": [], **{k: {} for k in outputs.REPORT_KEYS},
           "validation": {}}
    for k in ("calibration_tabell_2_1", "validation_units"):
        old.pop(k)
    (tmp_path / "summary.json").write_text(json.dumps(old), encoding="utf-8")
    assert commands.national.main(["national", "report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "calibration_tabell_2_1" in err and "rerun" in err
