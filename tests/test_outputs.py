"""Outputs: JSON keys, Excel sheets, MPS export, infeasible diagnosis."""

import json

import highspy
import openpyxl
import pytest

from conftest import run_cli, solve_json
from test_bad_input import edit


def test_json_keeps_the_documented_keys(unit_dir, tmp_path, capsys):
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert doc["unit"]["id"] == "testenhet"
    for mode in ("baseline", "leon"):
        r = doc["results"][mode]
        for key in ("status", "objective", "staff", "weekly_hours", "fte", "cost_nok_per_week", "allocation"):
            assert key in r
        assert set(r["staff"]) == {"hverdag_dag", "hverdag_natt"}
    assert set(doc["freed_fte"]) == {"assistent", "helsefagarbeider", "sykepleier"}
    assert all({"rule", "shift", "source"} <= set(b) for b in doc["binding_rules"])


def test_excel_workbook_has_the_sheets(unit_dir, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--xlsx", out, "--quiet"], capsys)
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    assert {"workload", "staffing", "allocation", "årsverk", "rules"} <= set(wb.sheetnames)
    ws = wb["årsverk"]
    header = [c.value for c in ws[1]]
    assert "freed_fte_gross" in header
    assert not list(tmp_path.glob(".r.xlsx*")), "temporary file left behind"


def test_exported_mps_has_the_leon_optimum(unit_dir, tmp_path, capsys):
    mps = tmp_path / "leon.mps"
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys, "--export-mps", mps)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(doc["results"]["leon"]["objective"])


def test_infeasible_names_the_rule_and_shift(unit_dir, capsys, tmp_path):
    # at most 0 sykepleier at night, but the rule wants 1 on every shift
    edit(unit_dir / "unit.yaml", lambda d: d.update(availability={"sykepleier": {"natt": 0}}))
    code, out, err = run_cli(["solve", unit_dir / "unit.yaml"], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert "sykepleier_alltid" in err and "hverdag_natt" in err


def test_infeasible_json_carries_the_diagnosis(unit_dir, capsys, tmp_path):
    edit(unit_dir / "unit.yaml", lambda d: d.update(availability={"sykepleier": {"natt": 0}}))
    out = tmp_path / "r.json"
    code, _, _ = run_cli(["solve", unit_dir / "unit.yaml", "--json", out, "--mode", "leon"], capsys)
    assert code == 1
    doc = json.loads(out.read_text())
    diag = doc["results"]["leon"]["diagnosis"]
    assert doc["results"]["leon"]["status"] == "infeasible"
    # the cheapest relaxation bends either the rule or the availability limit, by exactly one head
    assert len(diag) == 1 and diag[0]["shift"] == "hverdag_natt" and diag[0]["amount"] == pytest.approx(1)


def test_rule_override_in_unit(unit_dir, tmp_path, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d.update(rule_overrides={"sykepleier_alltid": {"enabled": False}}))
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    # no rule: the night has no work -> 0 heads; the day's 12 h need 2 heads of 8 h:
    # 2 × 8 × 5 = 80 paid h/week
    assert doc["results"]["leon"]["objective"] == pytest.approx(80)
    assert doc["results"]["leon"]["staff"]["hverdag_natt"]["sykepleier"] == 0
    assert doc["binding_rules"] == []


def test_png_picture_is_written(unit_dir, tmp_path, capsys):
    out = tmp_path / "r.png"
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--png", out, "--quiet"], capsys)
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_outputs_get_the_mode_of_a_normal_new_file(unit_dir, tmp_path, capsys):
    import os
    import stat

    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--json", out, "--quiet"], capsys)
    assert code == 0, err
    umask = os.umask(0)
    os.umask(umask)
    # the temporary file is private (0600) until it is moved into place; the result must not be
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
