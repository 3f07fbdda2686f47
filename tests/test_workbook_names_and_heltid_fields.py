"""Inputs that were read silently or not documented: a unit workbook's training and rule_overrides names
(checked as in a unit YAML, reported at their cell), a roster models file's `long_shift.covers` and
`day_type` (set by the model, so a value other than the model's is refused), and the --workers range in
`leon national run --help`.

Own data: the shipped files, copied to tmp_path and broken one at a time.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_cli
from planner.roster.heltid import load_models


@pytest.fixture
def inst(tmp_path: Path) -> Path:
    """A private copy of instances/ (units and models files name other files by relative paths)."""
    shutil.copytree(ROOT / "instances", tmp_path / "instances")
    return tmp_path / "instances"


def _refused(capsys, args) -> str:
    code, out, err = run_cli(args, capsys)
    assert code == 2, out + err
    assert "Traceback" not in out + err
    assert len(re.findall(r"^error:", err, re.MULTILINE)) == 1, err
    return err


# ------------------------------------------------------------------- 1. a unit workbook's names
@pytest.fixture
def book(inst: Path, capsys) -> Path:
    """The shipped nursing home as a workbook beside its YAML (its references as the YAML's)."""
    out = inst / "units" / "sykehjem.xlsx"
    code, _, err = run_cli(["template", out, "--from", inst / "units" / "sykehjem.yaml"], capsys)
    assert code == 0, err
    return out


def _enhet(book: Path, field: str, value) -> int:
    """Write the value of one field of the `enhet` sheet; its row."""
    wb = openpyxl.load_workbook(book)
    ws = wb["enhet"]
    row = next(c.row for c in ws["A"] if c.value == field)
    ws.cell(row, 2).value = value
    wb.save(book)
    return row


def _override(book: Path, rule: str, **cells) -> tuple[int, dict[str, str]]:
    """Fill cells of a rule's row in the `regler` sheet; its row and the column letter of each."""
    wb = openpyxl.load_workbook(book)
    ws = wb["regler"]
    head = {c.value: c.column for c in ws[1]}
    row = next(c.row for c in ws["B"] if c.value == rule)
    for name, value in cells.items():
        ws.cell(row, head[name]).value = value
    wb.save(book)
    return row, {name: openpyxl.utils.get_column_letter(head[name]) for name in cells}


def test_workbook_misspelt_training_is_refused_at_its_cell(book, capsys):
    row = _enhet(book, "training", "grunnoplaering, legemiddelkurs")
    for cmd in ("check", "solve"):
        err = _refused(capsys, [cmd, book])
        assert err.startswith(f"error: {book}: enhet, rad {row}, kolonne B (training) [training[0]]: "), err
        assert "unknown training 'grunnoplaering'" in err
        # the intended name first in the fix
        assert err.split("fix:", 1)[1].split(":", 1)[1].strip().startswith("grunnopplaering,"), err


def test_workbook_training_problem_is_worded_as_the_yaml_one(inst, book, capsys):
    """The same check as a unit YAML's (one definition): the same problem and fix, only the place differs."""
    _enhet(book, "training", "grunnopplaering, legemidelkurs")
    wb_err = _refused(capsys, ["check", book])
    unit = inst / "units" / "sykehjem.yaml"
    text = unit.read_text(encoding="utf-8")
    unit.write_text(text.replace("training: [grunnopplaering, legemiddelkurs,", "training: [grunnopplaering, "
                                 "legemidelkurs,", 1), encoding="utf-8")
    yaml_err = _refused(capsys, ["check", unit])
    assert "training[1] (line" in yaml_err and "[training[1]]" in wb_err
    assert yaml_err.split(": unknown training", 1)[1] == wb_err.split(": unknown training", 1)[1]


def test_workbook_misspelt_override_group_is_refused_in_the_workbook_not_the_rules_file(book, capsys):
    row, col = _override(book, "sykepleier_pa_vakt", groups="sykepleir")
    for cmd in ("check", "solve"):
        err = _refused(capsys, [cmd, book])
        assert err.startswith(f"error: {book}: regler, rad {row}, kolonne {col['groups']} (groups) "
                              "[rule_overrides.sykepleier_pa_vakt.groups[0]]: unknown group 'sykepleir'"), err
        assert "rules/sykehjem.yaml" not in err
        assert err.split("fix:", 1)[1].split("(", 1)[1].startswith("sykepleier,"), err  # the likely one first


def test_workbook_misspelt_override_shift_is_refused_at_its_cell(book, capsys):
    row, col = _override(book, "sykepleier_pa_vakt", shifts="dag, nigth")
    err = _refused(capsys, ["check", book])
    assert err.startswith(f"error: {book}: regler, rad {row}, kolonne {col['shifts']} (shifts) "
                          "[rule_overrides.sykepleier_pa_vakt.shifts[1]]: shift selector 'nigth' matches no "
                          "shift of the unit"), err
    assert "hverdag_natt" in err and "rules/sykehjem.yaml" not in err


def test_workbook_with_correct_names_solves_as_its_yaml(inst, book, capsys):
    # a training subset and an override naming a real group and shifts: the workbook solves, and as the
    # YAML with the same fields
    _enhet(book, "training", "grunnopplaering, legemiddelkurs")
    _override(book, "sykepleier_pa_vakt", groups="sykepleier", shifts="natt, helg_dag")
    unit = inst / "units" / "sykehjem.yaml"
    text = unit.read_text(encoding="utf-8")
    start = text.index("training: [")
    text = text[:start] + "training: [grunnopplaering, legemiddelkurs]" + text[text.index("]", start) + 1:]
    unit.write_text(text + "rule_overrides:\n  sykepleier_pa_vakt: {groups: [sykepleier], shifts: [natt, helg_dag]}\n",
                    encoding="utf-8")
    docs = []
    for src in (book, unit):
        out = inst / f"{src.suffix[1:]}.json"
        code, _, err = run_cli(["solve", src, "--json", out, "--quiet"], capsys)
        assert code == 0, err
        doc = json.loads(out.read_text())
        doc["unit"].pop("file")
        docs.append(doc)
    assert docs[0]["results"]["leon"]["status"] == "optimal"
    assert docs[0] == docs[1]


def test_workbook_training_on_a_catalogue_without_trainings(unit_dir, capsys):
    # the small test catalogue names no training condition at all
    out = unit_dir / "unit.xlsx"
    assert run_cli(["template", out, "--from", unit_dir / "unit.yaml"], capsys)[0] == 0
    row = _enhet(out, "training", "forflytning")
    err = _refused(capsys, ["check", out])
    assert f"enhet, rad {row}, kolonne B (training) [training[0]]" in err
    assert "unknown training 'forflytning'" in err and "the catalogue names no training" in err


# ------------------------------------------------------------ 2. long_shift fields the model sets
def _long_shift(models: Path, new: str) -> int:
    """Replace the shipped long shift's `covers: [D, K]` by `new`; its line."""
    text = models.read_text(encoding="utf-8")
    at = text.index("covers: [D, K]")
    models.write_text(text[:at] + new + text[at + len("covers: [D, K]"):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


@pytest.mark.parametrize("covers", ["[D]", "[K]", "[]", "[D, D]", "[D, K, K]"])
def test_long_shift_covers_other_than_the_models_is_refused(inst, capsys, covers):
    models = inst / "roster_models" / "fafo.yaml"
    line = _long_shift(models, f"covers: {covers}")
    err = _refused(capsys, ["check", models])
    assert err.startswith(f"error: {models}: long_shift.covers (line {line}): "), err
    assert "set by the model" in err and "takes over D and K" in err
    assert "remove `covers`" in err.split("fix:", 1)[1]
    # and where the models are run
    err = _refused(capsys, ["roster", "heltid", "--unit", inst / "units" / "sykehjem.yaml", "--models", models,
                            "--time-limit", "5"])
    assert "long_shift.covers" in err and "set by the model" in err


@pytest.mark.parametrize("day_type", ["helg", "hverdag", "all"])
def test_long_shift_day_type_is_refused(inst, capsys, day_type):
    # even `all`: model 4 (traditional weekdays, long weekends) works its long shift on weekends only
    models = inst / "roster_models" / "fafo.yaml"
    line = _long_shift(models, f"covers: [D, K], day_type: {day_type}")
    err = _refused(capsys, ["check", models])
    assert err.startswith(f"error: {models}: long_shift.day_type (line {line}): day_type {day_type} "), err
    assert "set by the model from each model's `weekday:` and `weekend:`" in err
    assert "remove `day_type`" in err.split("fix:", 1)[1]


def test_long_shift_covers_as_the_model_or_left_out_loads_the_same(inst, capsys):
    models = inst / "roster_models" / "fafo.yaml"
    shipped = load_models(models)
    assert shipped.long_shift["covers"] == ["D", "K"]
    _long_shift(models, "covers: [K, D]")
    assert run_cli(["check", models], capsys)[0] == 0
    # covers and day_type are the model's own (model._setup): what is read for the run is the same
    same = ("code", "time", "start", "end", "paid_hours")
    assert {k: load_models(models).long_shift[k] for k in same} == {k: shipped.long_shift[k] for k in same}
    models.write_text(models.read_text(encoding="utf-8").replace(" covers: [K, D],", ""), encoding="utf-8")
    assert "covers" not in models.read_text(encoding="utf-8")    # left out
    assert run_cli(["check", models], capsys)[0] == 0


# ------------------------------------------------------------------------ 3. --workers in --help
def test_workers_help_names_the_limit(capsys):
    import cli
    from planner.national.run import MAX_WORKERS
    with pytest.raises(SystemExit) as e:
        cli.main(["national", "run", "--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"--workers WORKERS local worker processes, 0 to {MAX_WORKERS} " in out
    docs = " ".join((ROOT / "docs" / "national.md").read_text(encoding="utf-8").split())
    assert f"above {MAX_WORKERS} is refused" in docs
