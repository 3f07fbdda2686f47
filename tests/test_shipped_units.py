"""The shipped archetype units: valid, solvable, and every solution passes the independent check."""

import json

import pytest

from checker import check
from conftest import ROOT, run_cli

UNITS = sorted((ROOT / "instances" / "units").glob("*.yaml"))


def test_there_are_four_archetypes():
    assert {p.stem for p in UNITS} >= {"sykehjem", "medisinsk_sengepost", "hjemmesykepleie", "skarbovik"}


def test_every_shipped_file_is_valid(capsys):
    files = [*UNITS, *(ROOT / "instances" / "catalogue").glob("*.yaml"),
             *(ROOT / "instances" / "rules").glob("syke*.yaml")]
    code, out, err = run_cli(["check", *files], capsys)
    assert code == 0, err
    assert out.count("ok ") == len(files)


def test_catalogue_has_at_least_40_tasks():
    import yaml

    cat = yaml.safe_load((ROOT / "instances" / "catalogue" / "tasks.yaml").read_text())
    assert len(cat["tasks"]) >= 40


@pytest.mark.parametrize("unit", UNITS, ids=[p.stem for p in UNITS])
def test_shipped_unit_solves_and_passes_independent_check(unit, tmp_path, capsys):
    out = tmp_path / "r.json"
    code, _, err = run_cli(["solve", unit, "--json", out, "--quiet", "--no-explain"], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    for mode in ("baseline", "leon"):
        assert doc["results"][mode]["status"] == "optimal"
        assert check(unit, doc, mode) == []
    assert doc["results"]["leon"]["objective"] <= doc["results"]["baseline"]["objective"] + 1e-6
    # the two parts of the freed årsverk add up to the whole, group by group
    parts = doc["freed_fte_breakdown"]
    for g, v in doc["freed_fte"].items():
        assert parts["pooling"][g] + parts["task_sharing"][g] == pytest.approx(v, abs=1e-3)
