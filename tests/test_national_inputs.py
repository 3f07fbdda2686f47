"""National inputs: the scenario file and its groups table go through one validation, so bad input is
one message naming the file, the field or CSV line and column, and a fix — never a traceback, a `nan`
total or a summary.json that is not JSON. `leon check` and `leon national run` accept the same files.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

import commands.national
from conftest import run_cli
from planner.io.errors import InputError
from planner.io.registry import files_read, recording_reads
from planner.national import outputs
from planner.national.config import load_national
from planner.national.schema import NationalFile
from test_national import NORGE, TOY_CSV, _edit, toy_national

TRACEBACK = "Traceback"


def _check(capsys, path: Path) -> tuple[int, str]:
    code, _, err = run_cli(["check", path], capsys)
    assert TRACEBACK not in err
    return code, err


def _run(capsys, path: Path, out: Path, *extra: str) -> tuple[int, str]:
    code = commands.national.main(["national", "run", str(path), "--out", str(out), "--draws", "1", "--no-cache",
                                   "--no-progress", "--workers", "0", *extra])
    err = capsys.readouterr().err
    assert TRACEBACK not in err
    return code, err


def _both_refuse(capsys, path: Path, tmp_path: Path) -> str:
    """`leon check` and `leon national run` refuse the file with the same message; the run writes nothing."""
    code, err = _check(capsys, path)
    assert code == 2, err
    assert "fix:" in err
    rcode, rerr = _run(capsys, path, tmp_path / "out")
    assert rcode == 2 and rerr == err
    assert not (tmp_path / "out" / "summary.json").exists()
    return err


def _line_of(err: str) -> int:
    return int(re.search(r"\(line (\d+)\)", err).group(1))


# ------------------------------------------------------------------------------------ groups table
def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    p = toy_national(tmp_path)
    (tmp_path / "groups.csv").write_text(text, encoding=encoding)
    return p


SYK = "sykepleier,Sykepleier,800,900,1000,1100,2000,,-200,-1100,30,300"   # line 2 of TOY_CSV
HEADER = TOY_CSV.splitlines()[0]

# (row 2 as written, where the message must point, what it must say); columns: 1 group, 4 supply_2040,
# 10 gap_2040_mid
CELL_CASES = {
    "nan": (SYK.replace(",900,", ",NaN,"), "line 2, column 4 (supply_2040)", "'NaN' is not a number"),
    "inf": (SYK.replace(",900,", ",inf,"), "line 2, column 4 (supply_2040)", "'inf' is not a number"),
    "minus_infinity_gap": (SYK.replace(",-1100,", ",-Infinity,"), "line 2, column 10 (gap_2040_mid)",
                           "'-Infinity' is not a number"),
    "empty": (SYK.replace(",900,", ",,"), "line 2, column 4 (supply_2040)", "empty cell"),
    "blank_spaces": (SYK.replace(",900,", ",  ,"), "line 2, column 4 (supply_2040)", "empty cell"),
    "quoted": (SYK.replace(",900,", ',"900",'), "line 2, column 4 (supply_2040)", "'900' is quoted"),
    "thousands_space": (SYK.replace(",900,", ",9 000,"), "line 2, column 4 (supply_2040)", "not a number: '9 000'"),
    "underscore": (SYK.replace(",900,", ",9_000,"), "line 2, column 4 (supply_2040)", "not a number: '9_000'"),
    "negative": (SYK.replace(",900,", ",-900,"), "line 2, column 4 (supply_2040)", "-900 is negative"),
    "too_large": (SYK.replace(",900,", ",9e9,"), "line 2, column 4 (supply_2040)", "is outside"),
    "semicolon_in_cell": (SYK.replace(",900,", ",900;5,"), "line 2, column 4 (supply_2040)", "has `;` in it"),
    "bad_id": (SYK.replace("sykepleier,", "Sykepleier,", 1), "line 2, column 1 (group)", "is not a group id"),
    "empty_id": (SYK.replace("sykepleier,", ",", 1), "line 2, column 1 (group)", "empty group id"),
    "extra_field": (SYK + ",7", "line 2", "13 columns, the header has 12"),
    "unclosed_quote": (SYK.replace("Sykepleier,", '"Sykepleier,'), "line 2, character 12", "not closed"),
}


@pytest.mark.parametrize("case", sorted(CELL_CASES))
def test_bad_table_cell_names_line_and_column(tmp_path, capsys, case):
    row, where, problem = CELL_CASES[case]
    rest = TOY_CSV.splitlines()[2]
    err = _both_refuse(capsys, _csv(tmp_path, f"{HEADER}\n{row}\n{rest}\n"), tmp_path)
    assert f"groups.csv: {where}" in err and problem in err


def test_nan_in_table_used_to_reach_summary_and_now_stops_before_any_output(tmp_path, capsys):
    """The reported case: NaN passed `leon check` and the run wrote `nan` totals and bare NaN tokens."""
    p = _csv(tmp_path, TOY_CSV.replace("800,900,", "800,NaN,"))
    err = _both_refuse(capsys, p, tmp_path)
    assert "line 2, column 4 (supply_2040)" in err
    assert not (tmp_path / "out").exists()      # refused before the output folder is made


def test_missing_column_is_named(tmp_path, capsys):
    err = _both_refuse(capsys, _csv(tmp_path, TOY_CSV.replace(",gap_2040_mid,", ",gap2040_mid,")), tmp_path)
    assert "groups.csv: line 1 (header): column `gap_2040_mid` is missing" in err


def test_missing_group_column_is_named(tmp_path, capsys):
    err = _both_refuse(capsys, _csv(tmp_path, TOY_CSV.replace("group,", "gruppe,", 1)), tmp_path)
    assert "column `group` is missing" in err and "'gruppe'" in err


def test_header_only_table(tmp_path, capsys):
    err = _both_refuse(capsys, _csv(tmp_path, HEADER + "\n"), tmp_path)
    assert "groups.csv" in err and "no group rows" in err


def test_tab_separated_table_says_so(tmp_path, capsys):
    err = _both_refuse(capsys, _csv(tmp_path, TOY_CSV.replace(",", "\t")), tmp_path)
    assert "line 1 (header)" in err and "separated by tabs" in err


def test_mixed_separators_say_so(tmp_path, capsys):
    lines = TOY_CSV.splitlines()
    lines[2] = lines[2].replace(",", ";")
    err = _both_refuse(capsys, _csv(tmp_path, "\n".join(lines) + "\n"), tmp_path)
    assert "groups.csv: line 3" in err and "the header uses `,`" in err


def test_decimal_comma_in_semicolon_table(tmp_path, capsys):
    text = TOY_CSV.replace(",", ";").replace(";900;", ";900,5;")
    err = _both_refuse(capsys, _csv(tmp_path, text), tmp_path)
    assert "line 2, column 4 (supply_2040)" in err and "decimal comma" in err and "900.5" in err


def _groups(p: Path) -> dict:
    return load_national(p).groups


def test_bom_and_semicolons_read_as_the_comma_table(tmp_path):
    (tmp_path / "comma").mkdir()
    want = _groups(toy_national(tmp_path / "comma"))
    for name, text, enc in (("bom", TOY_CSV, "utf-8-sig"), ("semicolon", TOY_CSV.replace(",", ";"), "utf-8"),
                            ("bom_semicolon", TOY_CSV.replace(",", ";"), "utf-8-sig")):
        d = tmp_path / name
        d.mkdir()
        got = _groups(_csv(d, text, enc))
        assert got == want, name
    assert (tmp_path / "bom" / "groups.csv").read_bytes()[:3] == b"\xef\xbb\xbf"   # the case is real


def test_quoted_label_with_separator_is_text(tmp_path):
    p = _csv(tmp_path, TOY_CSV.replace("sykepleier,Sykepleier,", 'sykepleier,"Syke, ""pleier""",'))
    assert _groups(p)["sykepleier"].label == 'Syke, "pleier"'


def test_table_read_is_recorded(tmp_path):
    p = toy_national(tmp_path)
    with recording_reads():
        load_national(p)
        reads = files_read()
    assert (tmp_path / "groups.csv").resolve() in reads and p.resolve() in reads


# ----------------------------------------------------------------- group rows the file needs
NEEDS_ROW = {
    "sick_leave_current": (lambda d: d["levers"]["sick_leave"]["current"].update(lege=0.1),
                           "levers.sick_leave.current.lege"),
    "scenario_sick_leave": (lambda d: d["scenarios"]["mid"].update(levers={"sick_leave": {"current": {"lege": 0.1}}}),
                            "scenarios.mid.levers.sick_leave.current.lege"),
    "supply_anchor": (lambda d: d["groups"].update(supply_anchors={"lege": {2030: 5, "source": "t"}}),
                      "groups.supply_anchors.lege"),
    "unit_group_map": (lambda d: d["groups"].update(unit_group_map={"spesialsykepleier": "lege"}),
                       "groups.unit_group_map.spesialsykepleier"),
}


@pytest.mark.parametrize("case", sorted(NEEDS_ROW))
def test_group_without_a_row_is_named(tmp_path, capsys, case):
    edit, field = NEEDS_ROW[case]
    err = _both_refuse(capsys, _edit(toy_national(tmp_path), edit), tmp_path)
    assert f"national.yaml: {field} (line" in err and "'lege' has no row in groups.csv" in err


def test_check_bound_on_unknown_group(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["archetypes"][0].update(
        check={"group": "lege", "upper_bound_fte": 10, "source": "t"}))
    err = _both_refuse(capsys, p, tmp_path)
    assert "archetypes[0].check.group (line" in err and "'lege' is not a national group" in err


def test_sourced_column_not_in_the_table(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["groups"]["columns"].update(need_2050={"source": "t"}))
    err = _both_refuse(capsys, p, tmp_path)
    assert "groups.columns.need_2050 (line" in err and "groups.csv has no column `need_2050`" in err


@pytest.mark.parametrize("table", ["nope.csv", "."])
def test_table_path_that_is_no_file(tmp_path, capsys, table):
    p = _edit(toy_national(tmp_path), lambda d: d["groups"].update(table=table))
    err = _both_refuse(capsys, p, tmp_path)
    assert "groups.table (line" in err and ("not found" if table != "." else "is a folder") in err


# -------------------------------------------------------------------------------- unread blocks
@pytest.mark.parametrize("block", sorted(NationalFile.NOT_READ))
def test_unread_block_is_refused_with_what_to_do(tmp_path, capsys, block):
    p = _edit(toy_national(tmp_path), lambda d: d.update({block: {"x": {"fte": 1, "source": "t"}}}))
    err = _both_refuse(capsys, p, tmp_path)
    assert f"national.yaml: {block} (line" in err and f"the `{block}` block is not read" in err
    assert "fix: remove" in err
    lines = p.read_text(encoding="utf-8").splitlines()
    assert lines[_line_of(err) - 1].startswith(f"{block}:")


def test_shipped_file_has_no_unread_block_and_checks(capsys):
    raw = yaml.safe_load(NORGE.read_text(encoding="utf-8"))
    assert not set(raw) & set(NationalFile.NOT_READ)
    code, err = _check(capsys, NORGE)
    assert code == 0, err


def test_shipped_file_checks_from_its_own_folder(capsys, monkeypatch):
    monkeypatch.chdir(NORGE.parent)
    code, err = _check(capsys, Path(NORGE.name))
    assert code == 0, err


def test_misspelt_field_lists_the_fields(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["volume_drivers"]["plasser"].update(valeu=5))
    err = _both_refuse(capsys, p, tmp_path)
    assert "volume_drivers.plasser.valeu (line" in err and "is not a field here" in err
    assert "fields here:" in err and "value" in err


# ------------------------------------------------------------------------------- plausible bounds
def _lever(d, name):
    return d["levers"][name]


# (edit, field path, the last key as written on the line the message names, what it must say)
BOUNDS = {
    "draws_0": (lambda d: d["monte_carlo"].update(draws=0), "monte_carlo.draws", "draws", "0 is below 1"),
    "draws_huge": (lambda d: d["monte_carlo"].update(draws=100_000), "monte_carlo.draws", "draws", "above 10 000"),
    "draws_fraction": (lambda d: d["monte_carlo"].update(draws=2.5), "monte_carlo.draws", "draws",
                       "expected a whole number"),
    "units_0": (lambda d: d["monte_carlo"].update(units_per_archetype=0), "monte_carlo.units_per_archetype",
                "units_per_archetype", "below 1"),
    "base_year": (lambda d: d.update(base_year=1850), "base_year", "base_year", "below 1990"),
    "year_order": (lambda d: d["years"].update(start=2030, end=2026), "years.end", "end", "before start"),
    "curve_year": (lambda d: _lever(d, "task_sharing")["adoption"].update({1800: 0.1}),
                   "levers.task_sharing.adoption.1800", "1800", "below 1990"),
    "adoption_share": (lambda d: _lever(d, "task_sharing")["adoption"].update({2040: 1.5}),
                       "levers.task_sharing.adoption.2040", "2040", "above 1"),
    "adoption_nan": (lambda d: _lever(d, "task_sharing")["adoption"].update({2040: float("nan")}),
                     "levers.task_sharing.adoption.2040", "2040", "not a finite number"),
    "ramp_negative": (lambda d: _lever(d, "part_time")["ramp"].update({2040: -0.5}),
                      "levers.part_time.ramp.2040", "2040", "negative"),
    "saving_share": (lambda d: _lever(d, "technology")["savings"][0].update(share=1.2),
                     "levers.technology.savings[0].share", "share", "above 1"),
    "sick_target": (lambda d: _lever(d, "sick_leave").update(target_share=0.7),
                    "levers.sick_leave.target_share", "target_share", "above 0.5"),
    "sick_current": (lambda d: _lever(d, "sick_leave")["current"].update(sykepleier=0.9),
                     "levers.sick_leave.current.sykepleier", "sykepleier", "above 0.5"),
    "growth": (lambda d: d["helsemod"]["scenarios"]["mid"].update(standard_growth=0.3),
               "helsemod.scenarios.mid.standard_growth", "standard_growth", "above 0.1"),
    "scenario_growth": (lambda d: d["scenarios"]["mid"].update(productivity_growth=-0.5),
                        "scenarios.mid.productivity_growth", "productivity_growth", "below -0.1"),
    "totals_need": (lambda d: d["helsemod"]["scenarios"]["mid"]["totals_2040"].update(need=-1),
                    "helsemod.scenarios.mid.totals_2040.need", "need", "negative"),
    "volume_0": (lambda d: d["volume_drivers"]["plasser"].update(value=0), "volume_drivers.plasser.value",
                 "value", "not above 0"),
    "volume_huge": (lambda d: d["volume_drivers"]["plasser"].update(value=5e7), "volume_drivers.plasser.value",
                    "value", "above 10 000 000"),
    "volume_year": (lambda d: d["volume_drivers"]["plasser"].update(year=2200), "volume_drivers.plasser.year",
                    "year", "above 2100"),
    "area_fte": (lambda d: d["service_areas"]["omsorg"].update(fte_2019=0), "service_areas.omsorg.fte_2019",
                 "fte_2019", "not above 0"),
    "calibration": (lambda d: d["archetypes"][0].update(calibration={"target_fte": -3, "year": 2022, "source": "t"}),
                    "archetypes[0].calibration.target_fte", "target_fte", "negative"),
    "mix_sd": (lambda d: d["uncertainty"]["patient_mix"].update(sd_common=5), "uncertainty.patient_mix.sd_common",
               "sd_common", "above 3"),
    "pace": (lambda d: d["uncertainty"]["adoption_pace"].update(high=9), "uncertainty.adoption_pace.high",
             "high", "above 5"),
    "pace_order": (lambda d: d["uncertainty"]["adoption_pace"].update(low=1.4, high=1.2),
                   "uncertainty.adoption_pace.low", "low", "above high"),
    "seed": (lambda d: d.update(seed=-1), "seed", "seed", "negative"),
    "time_limit": (lambda d: d["solve"].update(time_limit=0), "solve.time_limit", "time_limit", "not above 0"),
    "relax_text": (lambda d: d["solve"].update(relax="yes"), "solve.relax", "relax", "expected true or false"),
}


@pytest.mark.parametrize("case", sorted(BOUNDS))
def test_number_out_of_plausible_range(tmp_path, capsys, case):
    edit, field, key, problem = BOUNDS[case]
    p = _edit(toy_national(tmp_path), edit)
    err = _both_refuse(capsys, p, tmp_path)
    assert f"national.yaml: {field} (line" in err and problem in err, err
    lines = p.read_text(encoding="utf-8").splitlines()
    assert lines[_line_of(err) - 1].strip().startswith((f"{key}:", f"- {key}:")), lines[_line_of(err) - 1]


def test_scenario_override_outside_range_points_at_the_scenario(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["scenarios"]["mid"].update(
        levers={"sick_leave": {"target_share": 0.9}}))
    err = _both_refuse(capsys, p, tmp_path)
    assert "scenarios.mid.levers.sick_leave.target_share (line" in err and "above 0.5" in err


def test_lever_switch_that_is_no_switch(tmp_path, capsys):
    p = _edit(toy_national(tmp_path), lambda d: d["scenarios"]["mid"].update(levers={"part_time": "on"}))
    err = _both_refuse(capsys, p, tmp_path)
    assert "scenarios.mid.levers.part_time (line" in err and "expected true, false or a mapping" in err


# ------------------------------------------------------------------------------------- toy unit
TOY_UNIT_CASES = {
    "no_tasks": (lambda u: u.pop("tasks"), "tasks", "is required but missing"),
    "minutes": (lambda u: u["tasks"]["stell"].update(minutes=-1), "tasks.stell.minutes", "negative"),
    "class": (lambda u: u["tasks"]["stell"].update(per_patient_per_day={"middels": 1}),
              "tasks.stell.per_patient_per_day.middels", "unknown patient class 'middels'"),
    "share": (lambda u: u["tasks"]["stell"]["today"].update(sykepleier="all"), "tasks.stell.today.sykepleier",
              "expected a number"),
}


@pytest.mark.parametrize("case", sorted(TOY_UNIT_CASES))
def test_bad_toy_unit(tmp_path, capsys, case):
    """A toy unit used to fail with a KeyError or a silent 0; now as any other file."""
    edit, field, problem = TOY_UNIT_CASES[case]
    toy_national(tmp_path)
    unit = tmp_path / "units" / "toy.yaml"
    _edit(unit, edit)
    code, err = _check(capsys, unit)
    assert code == 2 and f"toy.yaml: {field} (line" in err and problem in err, err
    # the national file that uses it is refused the same way, by check and by run
    assert _both_refuse(capsys, tmp_path / "national.yaml", tmp_path) == err


# ------------------------------------------------------------------------------ summary.json
def _strict_json(text: str):
    def refuse(token):
        raise AssertionError(f"{token} in summary.json")
    return json.loads(text, parse_constant=refuse)


def test_good_file_checks_and_runs_to_strict_json(tmp_path, capsys):
    p = toy_national(tmp_path)
    code, err = _check(capsys, p)
    assert code == 0, err
    rcode, rerr = _run(capsys, p, tmp_path / "out")
    assert rcode == 0, rerr
    s = _strict_json((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    # TOY_CSV, demand_table basis: supply 900 + 500 minus need 2000 + 800 = -1400
    assert s["baseline_gap"]["mid"]["2040"]["total"] == pytest.approx(-1400)


def test_summary_with_a_non_finite_value_is_not_written(tmp_path, monkeypatch):
    class Res:
        cfg = load_national(toy_national(tmp_path))
    monkeypatch.setattr(outputs, "build_summary", lambda res: {"gap": {"mid": {"2040": {"total": float("nan")}}}})
    with pytest.raises(InputError, match=r"the result gap\.mid\.2040\.total is nan, not a finite number"):
        outputs.write_summary(Res, tmp_path / "out")
    assert not (tmp_path / "out" / "summary.json").exists()


# ---------------------------------------------------------------------------- --dask, relative paths
def test_dask_run_from_a_relative_path(tmp_path, capsys, monkeypatch):
    """Workers run in their own folder: a relative national file (and the unit and table paths inside
    it) must reach them as absolute paths. Same summary as the in-process run."""
    distributed = pytest.importorskip("distributed")
    toy_national(tmp_path)
    local = tmp_path / "local"
    assert commands.national.main(["national", "run", str(tmp_path / "national.yaml"), "--out", str(local),
                                   "--draws", "2", "--no-cache", "--no-progress", "--workers", "0"]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        monkeypatch.chdir(tmp_path)
        assert str(tmp_path) not in set(client.run(os.getcwd).values())   # the worker is elsewhere
        code = commands.national.main(["national", "run", "national.yaml", "--out", "dask", "--draws", "2",
                                       "--no-cache", "--no-progress", "--dask", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert code == 0, err
    assert (tmp_path / "dask" / "summary.json").read_bytes() == (local / "summary.json").read_bytes()
