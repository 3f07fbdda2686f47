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
    for name in ("workload", "staffing", "allocation", "årsverk", "rules", "binding"):
        rows = list(wb[name].iter_rows(values_only=True))
        assert len(rows) >= 2 and all(rows[0]), name  # a header and at least one row
        # every cell is a plain value a spreadsheet shows as it is (no Python mappings as text)
        assert not any(isinstance(v, str) and v.startswith("{") for row in rows for v in row), name
    ws = wb["årsverk"]
    header = [c.value for c in ws[1]]
    assert "freed_fte_gross" in header
    binding = {c.value: i for i, c in enumerate(wb["binding"][1])}
    night = [r for r in wb["binding"].iter_rows(min_row=2, values_only=True) if r[binding["shift"]] == "hverdag_natt"]
    assert night and night[0][binding["extra_heads"]] == "1 sykepleier"
    assert not list(tmp_path.glob(".r.xlsx*")), "temporary file left behind"


def test_exported_mps_has_the_leon_optimum(unit_dir, tmp_path, capsys):
    mps = tmp_path / "leon.mps"
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys, "--export-mps", mps)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(doc["results"]["leon"]["objective"])


def test_exported_model_is_mps_whatever_the_file_name(unit_dir, tmp_path, capsys):
    # HiGHS chooses the format by the name: 'model.lp' or no suffix must still give MPS, not LP or nothing
    for name in ("model.lp", "model"):
        out = tmp_path / name
        code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--export-mps", out, "--quiet", "--no-explain"],
                               capsys)
        assert code == 0, err
        assert out.read_text().startswith("NAME")


def test_infeasible_names_the_rule_and_shift(unit_dir, capsys, tmp_path):
    # at most 0 sykepleier at night, but the rule wants 1 on every shift
    edit(unit_dir / "unit.yaml", lambda d: d.update(availability={"sykepleier": {"natt": 0}}))
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml"], capsys)
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


def test_infeasible_names_what_cannot_hold_together(unit_dir, capsys, tmp_path):
    # no sykepleier at night, but the rule wants one: the bent rule and the limit are named together
    edit(unit_dir / "unit.yaml", lambda d: d.update(availability={"sykepleier": {"natt": 0}}))
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--json", out, "--mode", "leon"], capsys)
    assert code == 1
    [d] = json.loads(out.read_text())["results"]["leon"]["diagnosis"]
    named = {d["rule"]} | {c["rule"] for c in d["conflicts_with"]}
    assert named == {"sykepleier_alltid", "availability of sykepleier"}
    assert "cannot hold together with" in err
    # two rules that contradict each other: at most 0 % sykepleier at night against one on every shift
    edit(unit_dir / "unit.yaml", lambda d: d.update(availability={}, extra_rules=[{
        "id": "ingen_sykepleier_natt", "type": "share", "groups": ["sykepleier"], "max": 0.0,
        "shifts": ["natt"], "illustrative": True}]))
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml", "--json", out, "--mode", "leon"], capsys)
    assert code == 1
    [d] = json.loads(out.read_text())["results"]["leon"]["diagnosis"]
    assert {d["rule"]} | {c["rule"] for c in d["conflicts_with"]} == {"sykepleier_alltid", "ingen_sykepleier_natt"}


def test_infeasible_rule_whose_groups_the_unit_lacks(unit_dir, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d.update(extra_rules=[{
        "id": "vernepleier_alltid", "type": "min_heads", "groups": ["vernepleier"], "min": 1, "illustrative": True}]))
    edit(unit_dir / "groups.yaml", lambda d: d["groups"].append({
        "id": "vernepleier", "name": "Vernepleier", "level": 3, "authorised": True, "cost_per_hour": 400,
        "illustrative": True}))
    code, _, err = run_cli(["solve", unit_dir / "unit.yaml"], capsys)
    assert code == 1
    assert "the unit has none of vernepleier" in err


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
