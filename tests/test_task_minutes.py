"""A unit's own task minutes (`task_minutes`): they replace the catalogue's minutes for that unit only,
overheads still add to them, and a bad entry is one clear error at `task_minutes.TASK`.

The small test unit (tests/data): 10 patients, `stell` 2 per patient on the weekday day shift at the
catalogue's 30 min, so 10 × 2 × 30 / 60 = 10 h of stell per day shift."""

import pytest

from checker import check
from conftest import solve_json
from test_bad_input import assert_clear_error, edit


def _own_minutes(unit_dir, **entries) -> None:
    edit(unit_dir / "unit.yaml", lambda d: d.update(task_minutes=entries))


def test_unit_minutes_replace_the_catalogues(unit_dir, tmp_path, capsys):
    before = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)["workload"]
    _own_minutes(unit_dir, stell={"minutes": 45, "source": "time study on the unit"})
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    # 10 patients × 2 × 45 min / 60 = 15 h (was 10 h); the other tasks keep the catalogue's minutes
    assert before["stell"]["hverdag_dag"] == pytest.approx(10)
    assert doc["workload"]["stell"]["hverdag_dag"] == pytest.approx(15)
    assert doc["workload"]["medisin"] == before["medisin"] and doc["workload"]["rydding"] == before["rydding"]
    # the independent checker reads task_minutes itself: the allocation covers the new hours
    for mode in ("baseline", "leon"):
        assert check(unit_dir / "unit.yaml", doc, mode) == []


def test_overheads_add_to_the_units_minutes(unit_dir, tmp_path, capsys):
    # 45 own minutes + 6 minutes of documentation = 51 min: 10 × 2 × 51 / 60 = 17 h
    _own_minutes(unit_dir, stell={"minutes": 45, "illustrative": True})
    edit(unit_dir / "unit.yaml", lambda d: d.update(overheads=[
        {"id": "dok", "minutes": 6, "tasks": ["stell"], "illustrative": True}]))
    doc = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert doc["workload"]["stell"]["hverdag_dag"] == pytest.approx(17)


def test_minutes_for_a_task_the_workload_does_not_use_change_nothing(unit_dir, tmp_path, capsys):
    edit(unit_dir / "unit.yaml", lambda d: d.update(workload=d["workload"][:2]))  # without rydding
    before = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    _own_minutes(unit_dir, rydding={"minutes": 90, "illustrative": True})
    after = solve_json(unit_dir / "unit.yaml", tmp_path, capsys)
    assert after["workload"] == before["workload"]
    assert after["results"]["leon"]["objective"] == before["results"]["leon"]["objective"]


def test_unknown_task_is_named_with_a_fix(unit_dir, capsys):
    _own_minutes(unit_dir, morgenstel={"minutes": 35, "illustrative": True})
    err = assert_clear_error(capsys, ["check", unit_dir / "unit.yaml"], "unit.yaml", r"task_minutes\.morgenstel")
    assert "unknown task 'morgenstel'" in err and "catalogue.yaml" in err


@pytest.mark.parametrize("entry, field, words", [
    ({"minutes": 35}, r"task_minutes\.stell", "needs `source:`"),
    ({"minutes": 0, "illustrative": True}, r"task_minutes\.stell\.minutes", "greater than 0"),
    ({"minutes": 1441, "illustrative": True}, r"task_minutes\.stell\.minutes", "1440"),
    ({"minutes": "35", "illustrative": True}, r"task_minutes\.stell\.minutes", "number"),
    ({"minutes": 35, "illustrative": True, "minuter": 3}, r"task_minutes\.stell\.minuter", "remove the field"),
])
def test_bad_entry_is_named_with_a_fix(unit_dir, capsys, entry, field, words):
    _own_minutes(unit_dir, stell=entry)
    err = assert_clear_error(capsys, ["solve", unit_dir / "unit.yaml"], "unit.yaml", field)
    assert words in err
