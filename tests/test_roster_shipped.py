"""The shipped example rosters (instances/rosters/*_6uker.csv, made by `python -m planner.roster.examples
rosters`): `leon roster check` runs on each (exit 0 or 1, never 2), and on the nursing-home roster it finds
exactly the problems planted into it (docs/rosters.md, "Shipped example data")."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = ["sykehjem", "medisinsk_sengepost", "hjemmesykepleie", "skarbovik"]


def run(*args):
    from cli import main
    return main([str(a) for a in args])


def check(unit, tmp_path):
    out = tmp_path / f"{unit}.json"
    rc = run("roster", "check", ROOT / f"instances/rosters/{unit}_6uker.csv", "--unit",
             ROOT / f"instances/units/{unit}.yaml", "--staff", ROOT / f"instances/staff/{unit}.yaml", "--json", out)
    return rc, json.loads(out.read_text())


@pytest.mark.parametrize("unit", UNITS)
def test_check_runs_on_shipped_roster(unit, tmp_path, capsys):
    rc, rep = check(unit, tmp_path)
    assert rc in (0, 1)
    assert "Traceback" not in capsys.readouterr().err
    # every shipped roster covers the LEON requirement and keeps every contract (the planted problems
    # are cover- and hours-neutral exchanges)
    assert rep["summary"]["missing_shifts"] == 0 and rep["coverage_gaps"] == []
    assert not [v for v in rep["violations"] if v["rule"] == "contract_hours"]
    # the planted problems: two weekends in a row is hard (rc 1); the quick return is soft, or also a hard
    # daily-rest breach where kveld -> dag leaves less than the agreed 9 h (hospital: 8,5 h); nothing else is hard
    hard = {v["rule"] for v in rep["violations"] if v["hard"]}
    assert rc == 1 and "weekend_frequency" in hard and hard <= {"weekend_frequency", "daily_rest"}


# planted by planner.roster.examples.traditional_roster into instances/rosters/sykehjem_6uker.csv
SYKEHJEM_HARD = {("weekend_frequency", "ser02", "2027-01-09"), ("weekend_frequency", "ser02", "2027-01-16"),
                 ("weekend_frequency", "ser02", "2027-02-13")}
SYKEHJEM_SOFT = {("quick_return", "hfa03", "2027-01-22"), ("max_consecutive_days", "hfa01", "2027-01-22")}


def test_sykehjem_roster_planted_problems(tmp_path):
    rc, rep = check("sykehjem", tmp_path)
    got = {(v["rule"], v["person"], v["date"]) for v in rep["violations"]}
    hard = {(v["rule"], v["person"], v["date"]) for v in rep["violations"] if v["hard"]}
    assert rc == 1
    assert hard == SYKEHJEM_HARD                  # the only hard problem is the planted double weekend
    assert SYKEHJEM_SOFT <= got
    key = ("quick_return", "hfa03", "2027-01-22")
    q = next(v for v in rep["violations"] if (v["rule"], v["person"], v["date"]) == key)
    assert "K on 2027-01-21 and D on 2027-01-22" in q["detail"]
    s = next(v for v in rep["violations"] if (v["rule"], v["person"]) == ("max_consecutive_days", "hfa01")
             and v["date"] == "2027-01-22")
    assert s["detail"].startswith("7 consecutive working days")
    assert rep["summary"]["by_rule"] == SYKEHJEM_BY_RULE


SYKEHJEM_BY_RULE = {"max_consecutive_days": 11, "min_days_off": 92, "quick_return": 20, "weekend_frequency": 3}
