"""The web app's numbers are the command line's, for every shipped unit.

The unit page (its logic, app/logic.py, at the precision the page shows): freed årsverk per group
(pooling, task sharing, total) and in all, the weekly cost change, and heads per shift and group, against
`leon solve UNIT --json`. The roster page (drawn through Streamlit's AppTest): the audit of each shipped
roster - hard and soft violations, missing shift-heads, counts by rule and kind, coverage gaps, hours -
against `leon roster check ROSTER --unit UNIT --staff STAFF --json`. The CLI runs as its own process,
as a user runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app import logic, roster_page
from app import roster_logic as rlogic
from conftest import ROOT

UNITS = sorted((ROOT / "instances" / "units").glob("*.yaml"))
ROSTER_UNITS = rlogic.shipped_units()


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """{("solve" | "check", unit): the CLI's JSON}: every command started at once, then waited for."""
    out = tmp_path_factory.mktemp("cli")
    runs = {}
    for u in UNITS:
        runs["solve", u.stem] = ["solve", str(u), "--json", str(out / f"{u.stem}.json"), "--quiet"], 0
    for u in ROSTER_UNITS:
        # the shipped rosters have their planted hard violations: exit 1
        runs["check", u] = (["roster", "check", str(rlogic.shipped_roster(u)), "--unit",
                             str(rlogic.UNITS / f"{u}.yaml"), "--staff", str(rlogic.STAFF / f"{u}.yaml"),
                             "--json", str(out / f"{u}_audit.json")], 1)
    procs = {k: subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True) for k, (args, _) in runs.items()}
    docs = {}
    for k, p in procs.items():
        _, err = p.communicate(timeout=300)
        assert p.returncode == runs[k][1], (k, err)
        docs[k] = json.loads((out / (f"{k[1]}.json" if k[0] == "solve" else f"{k[1]}_audit.json")).read_text())
    return docs


def test_every_shipped_unit_and_roster_is_compared():
    assert len(UNITS) >= 4 and {u.stem for u in UNITS} >= set(ROSTER_UNITS) and len(ROSTER_UNITS) >= 4


# ------------------------------------------------------------------------------------------ unit page
@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.stem)
def test_unit_page_figures_equal_leon_solve(unit, cli):
    doc = cli["solve", unit.stem]
    answer = logic.solve_unit(logic.load_unit(unit))
    # freed årsverk: the page's table rounds to 2 decimals, its total metric writes 2 decimals
    rows = {r["group"]: r for r in logic.freed_rows(answer.doc)}
    split = doc["freed_fte_breakdown"]
    assert set(rows) == set(doc["freed_fte"]) | {"sum"}
    for g, total in doc["freed_fte"].items():
        assert round(rows[g]["total"], 2) == round(total, 2), g
        assert round(rows[g]["pooling"], 2) == round(split["pooling"][g], 2), g
        assert round(rows[g]["task_sharing"], 2) == round(split["task_sharing"][g], 2), g
    assert f"{rows['sum']['total']:.2f}" == f"{sum(doc['freed_fte'].values()):.2f}"
    # the weekly cost change as the page's metric writes it (whole NOK, spaces between thousands)
    assert logic.cost_text(answer.doc) == logic.cost_text(doc)
    # heads per shift and group: "today → LEON", each as the CLI's JSON has it
    b, lo = doc["results"]["baseline"]["staff"], doc["results"]["leon"]["staff"]
    heads = {r["shift"]: r for r in logic.heads_rows(answer)}
    assert set(heads) == set(b)
    for s in b:
        for g in b[s]:
            assert heads[s][g] == f"{b[s][g]:g} → {lo[s][g]:g}", (s, g)


# ------------------------------------------------------------------------------------------ roster page
def _page():
    from app.roster_page import render
    render("nb")


@pytest.fixture(scope="module")
def page():
    from streamlit.testing.v1 import AppTest
    return AppTest.from_function(_page, default_timeout=120).run()


@pytest.mark.parametrize("unit", ROSTER_UNITS)
def test_roster_page_audit_equals_leon_roster_check(unit, cli, page):
    doc = cli["check", unit]
    page.selectbox(key="roster_unit").set_value(unit).run()
    assert not page.exception, page.exception
    s = doc["summary"]
    t = roster_page.label
    shown = {m.label: m.value for m in page.metric}
    assert shown == {t("hard"): str(s["hard_violations"]), t("soft"): str(s["soft_violations"]),
                     t("missing"): str(s["missing_shifts"])}
    # counts by rule and kind, as the page's table shows them
    [counts] = [d.value for d in page.dataframe if list(d.value.columns) == ["regel", "type", "antall", "hjemmel"]]
    hard = {r["id"]: r["hard"] for r in doc["rules"]}
    assert {r["regel"]: (r["type"], r["antall"]) for _, r in counts.iterrows()} == \
        {k: (t("hard_kind") if hard[k] else t("soft_kind"), n) for k, n in s["by_rule"].items()}
    # coverage gaps: the table, or the line that says there are none
    gaps = [d.value for d in page.dataframe if "mangler" in d.value.columns and "vakt" in d.value.columns]
    if doc["coverage_gaps"]:
        [table] = gaps
        assert table.rename(columns={"dato": "date", "vakt": "shift", "gruppe": "group", "mangler": "missing"}) \
            .to_dict("records") == doc["coverage_gaps"]
    else:
        assert not gaps and any(m.value == t("no_gaps") for m in page.markdown)
    # the audit behind the page: every violation, gap and hour figure
    a = rlogic.audit_shipped(unit)
    for k in ("violations", "coverage_gaps", "hours", "summary"):
        assert a.report[k] == doc[k], k
    [hours] = [d.value for d in page.dataframe if "avtalt" in d.value.columns]
    assert {r["ansatt"]: (r["planlagt"], r["avtalt"]) for _, r in hours.iterrows()} == \
        {p: (h["planned"], h["contract"]) for p, h in doc["hours"].items()}
