"""The national page: its logic gives `leon national run`'s numbers, the sliders move them, and the
page itself runs a small scenario through Streamlit's AppTest.

Runs are of the shipped norge.yaml, one scenario, relaxed heads, 2 draws (about 1-2 s each)."""

from __future__ import annotations

import io
import json

import pytest

from app import national_logic as nl
from app.logic import scratch_root
from planner.io.errors import InputError
from planner.national.outputs import build_summary
from planner.national.run import run_national

SID = "helsemod_middels"
DRAWS = 2


@pytest.fixture(scope="module")
def cfg():
    return nl.load()


@pytest.fixture(scope="module")
def default_run(cfg):
    return nl.run(cfg, SID, draws=DRAWS)[1]


@pytest.fixture(scope="module")
def no_sharing(cfg):
    return nl.run(cfg, SID, nl.Levers(adoption=0.0), draws=DRAWS)[1]


def test_summary_equals_run_national(cfg, default_run):
    res = run_national(cfg, scenarios=[SID], draws=DRAWS, units=1, workers=0, cache_dir=None, progress=False,
                       relax=True)
    cli = build_summary(res)
    for key in ("need", "supply", "gap", "freed_by_leon", "freed_pooling", "freed_total", "freed_split",
                "bands", "waterfall"):
        assert default_run[key] == cli[key], key
    assert default_run == cli          # and nothing else differs either


def test_adoption_zero_frees_nothing(default_run, no_sharing):
    before = nl.freed_total(default_run, SID)
    assert before["total"] != 0        # the file's task sharing frees something (else the test proves nothing)
    assert nl.freed_total(no_sharing, SID) == {"task_sharing": 0.0, "pooling": 0.0, "total": 0.0}
    step = {r["step"]: r for r in nl.waterfall_rows(no_sharing, SID)}["task_sharing"]
    assert step == {"step": "task_sharing", "total": 0.0, "total_authorised": 0.0, "total_other": 0.0}
    # need and supply without levers do not depend on the sliders
    y = str(default_run["horizon"])
    assert no_sharing["need_baseline"][SID][y] == default_run["need_baseline"][SID][y]


def test_sliders_scale_the_file_curves_and_leave_the_file(cfg):
    file_ts = cfg.scenarios[SID].levers.task_sharing
    new = nl.with_levers(cfg, SID, nl.Levers(adoption=0.5, technology=0.0, part_time=None, sick_leave=0.07))
    lv = new.scenarios[SID].levers
    # norge.yaml's task-sharing adoption is 0.60 in 2040: × 0.5 = 0.30
    assert file_ts.at(2040) == pytest.approx(0.60)
    assert lv.task_sharing.at(2040) == pytest.approx(0.30)
    assert lv.technology is None and lv.part_time_variant is None and lv.sick_leave_target == 0.07
    assert cfg.scenarios[SID].levers.task_sharing is file_ts          # the loaded config is untouched
    assert new.scenarios["helsemod_lav"] is cfg.scenarios["helsemod_lav"]


def test_part_time_and_sick_leave_off_leave_no_step(cfg, default_run):
    on = {r["step"]: r["total"] for r in nl.waterfall_rows(default_run, SID)}
    assert on["part_time"] > 0 and on["sick_leave"] > 0
    s = nl.run(cfg, SID, nl.Levers(part_time=None, sick_leave=None), draws=DRAWS, tornado=False)[1]
    off = {r["step"]: r["total"] for r in nl.waterfall_rows(s, SID)}
    assert off["part_time"] == 0 and off["sick_leave"] == 0
    assert off["task_sharing"] == on["task_sharing"]


def test_bad_slider_values_are_input_errors(cfg):
    with pytest.raises(InputError, match="negative"):
        nl.with_levers(cfg, SID, nl.Levers(adoption=-1))
    with pytest.raises(InputError, match="unknown variant"):
        nl.with_levers(cfg, SID, nl.Levers(part_time="half"))
    with pytest.raises(InputError, match="unknown scenario"):
        nl.with_levers(cfg, "nope", nl.Levers())


def test_downloads_are_built_in_memory(default_run):
    from openpyxl import load_workbook

    tmp = scratch_root()
    before = set(tmp.glob("leon-national-*"))
    # JSON keys are strings (the levers' curve years), as in the summary.json the command writes
    assert json.loads(nl.summary_bytes(default_run)) == json.loads(json.dumps(default_run))
    wb = load_workbook(io.BytesIO(nl.workbook_bytes(default_run)))
    year = default_run["horizon"]
    assert {"README", f"{SID}_{year}", f"{SID}_freed_{year}", f"waterfall_{year}"} <= set(wb.sheetnames)
    assert set(tmp.glob("leon-national-*")) == before       # the temporary folder is gone


def test_horizon_rows_carry_the_bands(default_run):
    rows = {r["group"]: r for r in nl.horizon_rows(default_run, SID)}
    assert rows["total"]["gap"] == default_run["gap"][SID][str(default_run["horizon"])]["total"]
    for r in rows.values():
        assert r["need_p10"] <= r["need_p90"] and r["gap_p10"] <= r["gap_p90"]


# ------------------------------------------------------------------------------------------ the page
def _page(lang: str = "nb"):
    from streamlit.testing.v1 import AppTest

    def app(lang: str) -> None:
        from app.national_page import render

        render(lang)

    at = AppTest.from_function(app, args=(lang,), default_timeout=120).run()
    at.number_input(key="nat_draws").set_value(DRAWS).run()
    at.button(key="nat_run").click().run()
    assert not at.exception, at.exception
    return at


def test_parquet_download_holds_every_draw_as_the_command_writes_it(cfg, tmp_path):
    import pandas as pd

    from planner.national.outputs import write_parquet
    res, _ = nl.run(cfg, SID, draws=DRAWS)
    got = pd.read_parquet(io.BytesIO(nl.parquet_bytes(res)))
    # the command's file from the same result: the same frame, column for column
    write_parquet(res, tmp_path)
    pd.testing.assert_frame_equal(got, pd.read_parquet(tmp_path / "results.parquet"))
    assert got["draw"].nunique() == DRAWS and set(got["scenario"]) == {SID}


def test_page_runs_and_shows_the_horizon_table(default_run):
    at = _page()
    assert not at.error
    tables = [d.value for d in at.dataframe]
    [horizon] = [t for t in tables if "behov P10" in t.columns]
    year = str(default_run["horizon"])
    total = horizon[horizon["gruppe"] == "totalt"].iloc[0]
    assert total["behov"] == default_run["need"][SID][year]["total"]
    assert total["gap"] == default_run["gap"][SID][year]["total"]
    freed = nl.freed_total(default_run, SID)
    [m] = [m for m in at.metric if m.label == "totalt"]
    assert m.value == f"{freed['total']:,.0f}".replace(",", " ")
    assert len(at.download_button) == 3


def test_page_slider_to_zero_frees_nothing():
    at = _page("en")
    at.slider(key=f"nat_adoption:{SID}").set_value(0.0).run()
    assert not at.metric          # the old answer is not shown for new sliders
    at.button(key="nat_run").click().run()
    assert {m.label: m.value for m in at.metric} == {"task sharing": "0", "pooling": "0", "total": "0"}
