"""The web app's roster page (Turnus): its logic as plain functions (the same audit as `leon roster check`),
the styled grid's marks, and the page itself through Streamlit's AppTest (shipped roster, broken upload)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest

from app import roster_logic as logic
from app import roster_page
from conftest import ROOT
from planner.io.errors import InputError

SYKEHJEM = ROOT / "instances" / "rosters" / "sykehjem_6uker.csv"


@pytest.fixture(scope="module")
def cli_audit(tmp_path_factory):
    """`leon roster check instances/rosters/sykehjem_6uker.csv --unit … --staff … --json` as the CLI writes it."""
    import cli
    out = tmp_path_factory.mktemp("cli") / "audit.json"
    code = cli.main(["roster", "check", str(SYKEHJEM), "--unit", str(ROOT / "instances/units/sykehjem.yaml"),
                     "--staff", str(ROOT / "instances/staff/sykehjem.yaml"), "--json", str(out)])
    assert code == 1   # the shipped roster has hard violations: exit 1
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def audit():
    return logic.audit_shipped("sykehjem")


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("leon-roster-*")}


# ------------------------------------------------------------------------------------------ logic
def test_audit_equals_the_cli(audit, cli_audit):
    for k in ("violations", "coverage_gaps", "hours", "summary", "rules", "weeks", "start", "rules_set"):
        assert audit.report[k] == cli_audit[k], k
    # the grid is the shipped file's: 54 people x 42 days (6 weeks x 7)
    assert len(audit.rows) == 54 and len(audit.dates) == 42
    assert audit.rows["spln01"][:4] == ["N", "", "", "N"]   # first cells of the CSV: N,-,-,N


def test_counts_put_hard_rules_first_and_add_up(audit, cli_audit):
    counts = logic.rule_counts(audit)
    assert counts[0] == {"rule": "weekend_frequency", "hard": True, "count": 3,
                         "source": next(r["source"] for r in cli_audit["rules"] if r["id"] == "weekend_frequency")}
    assert all(c["hard"] for c in counts[:1]) and not any(c["hard"] for c in counts[1:])
    assert sum(c["count"] for c in counts) == len(cli_audit["violations"])


def test_violation_rows_carry_the_legal_source(audit):
    rows = logic.violation_rows(audit)
    assert [(v["rule"], v["person"]) for v in rows[:3]] == [("weekend_frequency", "ser02")] * 3
    assert all(v["source"] for v in rows if v["hard"])


def test_hours_within_the_tolerance(audit, cli_audit):
    rows = {r["person"]: r for r in logic.hours_rows(audit)}
    h = cli_audit["hours"]["spln01"]
    assert rows["spln01"]["difference"] == pytest.approx(h["planned"] - h["contract"], abs=0.01)
    # spln01: 55 % of 35.5 h x 6 weeks = 117.15 h contract; the CLI's planned hours less that is the
    # difference, within the rule's tolerance of 4 h
    assert rows["spln01"]["contract"] == pytest.approx(0.55 * 35.5 * 6)
    assert audit.tolerance == 4.0 and rows["spln01"]["within"] == (abs(rows["spln01"]["difference"]) <= 4.0)


def test_styled_grid_marks_exactly_the_violating_cells(audit):
    styler = roster_page.styled_grid(audit)
    styler._compute()
    framed = {}
    for (i, j), props in styler.ctx.items():
        css = dict(props)
        if "border" in css:
            framed[styler.data.index[i], styler.data.columns[j]] = css["border"]
    viol = audit.report["violations"]
    hard = {(v["person"], v["date"]) for v in viol if v["hard"]}
    assert set(framed) == {(v["person"], v["date"]) for v in viol}
    assert {k for k, b in framed.items() if "solid" in b} == hard
    # colours are picture.py's: a night shift cell (spln01, first day, N) in the natt colour
    from planner.roster.picture import PALETTE
    assert ("background-color", PALETTE["natt"]) in styler.ctx[0, 0]
    html = styler.to_html()
    v = next(v for v in viol if v["hard"])
    assert f"weekend_frequency (hard), ser02, {v['date']}" in html


def test_upload_reads_like_the_file_and_leaves_nothing(audit):
    before = _leftovers()
    up = logic.audit_upload("sykehjem", "mine.csv", SYKEHJEM.read_bytes())
    assert up.report["violations"] == audit.report["violations"] and up.roster == "mine.csv"
    assert _leftovers() == before


def test_upload_of_a_workbook(audit):
    wb = openpyxl.load_workbook(io.BytesIO(logic.xlsx_bytes(audit)))
    ws = wb.active
    assert ws.cell(1, 2).value == "2027-01-04" and ws.cell(2, 1).value == "spln01"
    buf = io.BytesIO()
    wb.save(buf)
    up = logic.audit_upload("sykehjem", "turnus.xlsx", buf.getvalue())
    assert up.report["violations"] == audit.report["violations"]


def test_broken_upload_names_the_upload_not_the_folder():
    bad = SYKEHJEM.read_text().replace("spln01,N,", "spln01,Q,", 1).encode()
    before = _leftovers()
    with pytest.raises(InputError) as e:
        logic.audit_upload("sykehjem", "feil.csv", bad)
    assert e.value.file == "feil.csv" and "unknown shift code 'Q'" in e.value.problem
    assert "line 2, column 2" in e.value.field
    assert "leon-roster-" not in str(e.value)
    assert _leftovers() == before
    with pytest.raises(InputError, match="neither a roster CSV"):
        logic.audit_upload("sykehjem", "turnus.pdf", b"%PDF")


def test_json_download_is_the_audit(audit):
    assert json.loads(logic.json_bytes(audit))["violations"] == audit.report["violations"]


# ------------------------------------------------------------------------------------------ page
def _page():
    from app.roster_page import render
    render("nb")


def _app():
    from streamlit.testing.v1 import AppTest
    return AppTest.from_function(_page, default_timeout=120).run()


def test_page_shows_the_hard_violation():
    at = _app()
    assert not at.exception, at.exception
    assert not at.error
    hard = [m for m in at.metric if m.label == roster_page.label("hard")]
    assert [m.value for m in hard] == ["3"]
    # the hard violations' table: rule, person, date, detail, source; three rows, all ser02's weekends
    [table] = [d.value for d in at.dataframe if list(d.value.columns)[:2] == ["regel", "ansatt"] and len(d.value) == 3]
    assert set(table["ansatt"]) == {"ser02"} and set(table["regel"]) == {"weekend_frequency"}
    counts = at.dataframe[0].value
    assert counts.iloc[0]["regel"] == "weekend_frequency" and counts.iloc[0]["type"] == "hard"
    assert len(at.get("download_button")) == 3
    # the grid is the styled table: ser02's hard cells carry their rule in the cell's title
    [grid] = at.get("html")
    assert 'title="weekend_frequency (hard), ser02, 2027-01-09' in grid.proto.body


def test_page_shows_a_broken_upload_as_an_error():
    at = _app()
    at.radio(key="roster_source").set_value("upload").run()
    bad = SYKEHJEM.read_text().replace("spln01,N,", "spln01,Q,", 1).encode()
    at.file_uploader(key="roster_upload").upload("feil.csv", bad, "text/csv").run()
    assert not at.exception, at.exception
    [err] = at.error
    assert "feil.csv" in err.value and "unknown shift code 'Q'" in err.value
    assert not at.metric


def test_english_labels_match_the_bokmal_ones():
    assert set(roster_page.LABELS["en"]) == set(roster_page.LABELS["nb"])
    assert roster_page.label("hard", "en") == "Hard violations" and roster_page.label("hard") == "Harde brudd"


def test_page_in_english():
    from streamlit.testing.v1 import AppTest

    def page(lang):
        from app.roster_page import render
        render(lang)
    at = AppTest.from_function(page, args=("en",), default_timeout=120).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric if m.label == "Hard violations"] == ["3"]


# ------------------------------------------------------------------------------------------ build
def test_built_roster_is_legal_and_its_audit_is_the_audit_of_its_csv():
    a, verdict = logic.build_roster("sykehjem", 8.0)
    assert a is not None and verdict["status"] in ("optimal", "feasible")
    assert a.report["summary"]["hard_violations"] == 0
    # the downloaded CSV, audited as an upload (the CLI's reading of a grid), gives the same audit
    again = logic.audit_upload("sykehjem", "built.csv", logic.csv_bytes(a))
    assert again.rows == a.rows
    assert again.report["summary"] == a.report["summary"]


def test_build_time_limit_out_of_range_is_an_input_error():
    with pytest.raises(InputError, match="outside 1-3600"):
        logic.build_roster("sykehjem", 0.0)


def _finished(at, unit: str = "sykehjem"):
    """Wait for the page's background build, then draw the page again (as its poll does in a browser)."""
    build = at.session_state["roster_builds"][unit]
    assert build.wait(120), "the build did not end"
    at.run()
    assert not at.exception, at.exception


def test_page_builds_a_roster():
    at = _app()
    at.radio(key="roster_source").set_value("build").run()
    assert not at.metric                       # nothing built yet: a hint, no figures
    at.number_input(key="roster_limit").set_value(5).run()
    at.button(key="roster_build").click().run()
    assert not at.exception, at.exception
    _finished(at)
    assert [m.value for m in at.metric if m.label == roster_page.label("hard")] == ["0"]
    [box] = [*at.success, *at.warning]     # a warning when the short build leaves cover open
    assert box.value.startswith("Lovlig turnus funnet")
    assert len(at.get("download_button")) == 3


# ------------------------------------------------------------------------------------------ heltid
@pytest.fixture(scope="module")
def heltid_short():
    return logic.heltid("sykehjem", 6.0)


def test_heltid_rows_follow_the_commands_result(heltid_short):
    rows = logic.heltid_rows(heltid_short)
    assert [r["model"] for r in rows] == [m["name"] for m in heltid_short["models"]] and len(rows) == 6
    for r, m in zip(rows, heltid_short["models"], strict=True):
        assert r["status"] in logic.HELTID_STATUS and r["status"] == m["outcome"]
        assert r["heads_bound"] == m["heads_bound"] and r["full_time_bound"] == m["full_time_bound"]
        if r["status"] == "none_found_in_time":       # not a finding: no figures
            assert r["heads"] is None and r["share"] is None
    assert json.loads(logic.heltid_json_bytes(heltid_short))["models"][0]["name"] == rows[0]["model"]


def test_heltid_time_limit_out_of_range_is_an_input_error():
    with pytest.raises(InputError, match="outside 1-3600"):
        logic.heltid("sykehjem", 0.5)


def test_page_compares_the_roster_models():
    at = _app()
    at.number_input(key="heltid_limit").set_value(5).run()
    at.button(key="heltid_run").click().run()
    assert not at.exception, at.exception
    [table] = [d.value for d in at.dataframe if "modell" in d.value.columns]
    assert len(table) == 6 and set(table["status"]) <= {roster_page.label(s) for s in logic.HELTID_STATUS}
