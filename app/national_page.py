"""The national page (Nasjonalt): a scenario of norge.yaml with the levers on sliders, run, read, download.

`render(lang)` lays out what app.national_logic returns; the numbers are `leon national run`'s.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import national_logic as logic
from planner.io.errors import InputError

LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Nasjonalt – behov og tilbud av årsverk",
        "scenario": "Scenario",
        "adoption": "Oppgavedeling: opptrapping (× filens kurve, 0 = av)",
        "technology": "Teknologi: opptrapping (× filens kurve, 0 = av)",
        "part_time": "Deltid (NOU 2023:4, tabell 9.1)",
        "off": "av", "min70": "minst 70 %", "full": "heltid",
        "sick_leave": "Sykefravær: mål (andel)",
        "sick_leave_on": "Senk sykefraværet",
        "draws": "Monte Carlo-trekk",
        "relax": "Kontinuerlige hoder (raskt)",
        "run": "Beregn",
        "running": "Beregner enhetene og fremskrivingen …",
        "invalid": "Ugyldig inndata",
        "horizon": "Behov og tilbud per gruppe i {year} (P50, bånd P10–P90)",
        "chart": "Behov (med P10–P90) og tilbud i {year}",
        "freed": "Frigjorte årsverk i {year}",
        "freed_note": "Oppgavedeling = samordnet − LEON; samordning = i dag − samordnet; totalt = begge.",
        "waterfall": "Fra gapet uten tiltak til gapet med tiltak ({year})",
        "group": "gruppe", "skill": "type", "need": "behov", "need_p10": "behov P10", "need_p90": "behov P90",
        "supply": "tilbud", "gap": "gap", "gap_p10": "gap P10", "gap_p90": "gap P90",
        "task_sharing": "oppgavedeling", "pooling": "samordning", "total": "totalt",
        "total_authorised": "autorisert, sum", "total_other": "andre, sum",
        "authorised": "autorisert", "other": "andre",
        "step": "steg", "baseline_gap": "gap uten tiltak", "part_time_step": "deltid",
        "sick_leave_step": "sykefravær", "technology_step": "teknologi",
        "gap_sign": "Gap = tilbud − behov: mangel er negativ.",
        "seconds": "{n} enhetsløsninger, {s:.1f} s",
        "download_json": "Last ned sammendrag (JSON)",
        "download_xlsx": "Last ned Excel",
        "download_parquet": "Last ned alle trekk (Parquet)",
    },
    "en": {
        "title": "National – need and supply of årsverk",
        "scenario": "Scenario",
        "adoption": "Task sharing: adoption (× the file's curve, 0 = off)",
        "technology": "Technology: adoption (× the file's curve, 0 = off)",
        "part_time": "Part-time (NOU 2023:4, Table 9.1)",
        "off": "off", "min70": "at least 70 %", "full": "full time",
        "sick_leave": "Sick leave: target (share)",
        "sick_leave_on": "Lower sick leave",
        "draws": "Monte Carlo draws",
        "relax": "Continuous heads (fast)",
        "run": "Run",
        "running": "Solving the units and the projection …",
        "invalid": "Invalid input",
        "horizon": "Need and supply per group in {year} (P50, bands P10–P90)",
        "chart": "Need (with P10–P90) and supply in {year}",
        "freed": "Freed årsverk in {year}",
        "freed_note": "Task sharing = pooled − LEON; pooling = today − pooled; total = both.",
        "waterfall": "From the gap without levers to the gap with levers ({year})",
        "group": "group", "skill": "kind", "need": "need", "need_p10": "need P10", "need_p90": "need P90",
        "supply": "supply", "gap": "gap", "gap_p10": "gap P10", "gap_p90": "gap P90",
        "task_sharing": "task sharing", "pooling": "pooling", "total": "total",
        "total_authorised": "authorised, total", "total_other": "other, total",
        "authorised": "authorised", "other": "other",
        "step": "step", "baseline_gap": "gap without levers", "part_time_step": "part-time",
        "sick_leave_step": "sick leave", "technology_step": "technology",
        "gap_sign": "Gap = supply − need: a shortage is negative.",
        "seconds": "{n} unit solves, {s:.1f} s",
        "download_json": "Download summary (JSON)",
        "download_xlsx": "Download Excel",
        "download_parquet": "Download every draw (Parquet)",
    },
}
SUBTOTALS = ("total_authorised", "total_other", "total")


def label(key: str, lang: str = "nb") -> str:
    return LABELS.get(lang, LABELS["nb"])[key]


@st.cache_resource(show_spinner=False)
def _config():
    return logic.load()


def _levers(t, cfg, sid: str) -> tuple[logic.Levers, int, bool]:
    base = logic.file_levers(cfg, sid)
    c1, c2 = st.columns(2)
    adoption = c1.slider(t("adoption"), 0.0, 2.0, 1.0, 0.1, key=f"nat_adoption:{sid}",
                         disabled=not base["task_sharing"])
    tech = c2.slider(t("technology"), 0.0, 2.0, 1.0, 0.1, key=f"nat_technology:{sid}",
                     disabled=not base["technology"])
    part = c1.selectbox(t("part_time"), logic.PART_TIME, key=f"nat_part_time:{sid}",
                        index=logic.PART_TIME.index(base["part_time"]), format_func=lambda v: t(v or "off"))
    sick_on = c2.checkbox(t("sick_leave_on"), value=base["sick_leave"] is not None, key=f"nat_sick_on:{sid}")
    sick = c2.slider(t("sick_leave"), 0.04, 0.12, float(base["sick_leave"] or 0.083), 0.001, format="%.3f",
                     key=f"nat_sick:{sid}", disabled=not sick_on)
    draws = c1.number_input(t("draws"), 1, 200, logic.DEFAULT_DRAWS, key="nat_draws")
    relax = c2.checkbox(t("relax"), value=True, key="nat_relax")
    return logic.Levers(adoption=adoption, technology=tech, part_time=part,
                        sick_leave=sick if sick_on else None), int(draws), relax


def _renamed(df: pd.DataFrame, t) -> pd.DataFrame:
    """Column and subtotal names in the page's language."""
    df = df.rename(columns={c: t(c) for c in df.columns})
    col = t("group")
    if col in df:
        df[col] = [t(g) if g in SUBTOTALS else g for g in df[col]]
    if t("skill") in df:
        df[t("skill")] = [t(s) if s in ("authorised", "other") else "" for s in df[t("skill")]]
    return df


def _chart(t, rows: list[dict], year: int) -> None:
    import matplotlib.pyplot as plt

    groups = [r for r in rows if r["group"] not in SUBTOTALS]
    x = range(len(groups))
    fig, ax = plt.subplots(figsize=(9, 3.6))
    need = [r["need"] for r in groups]
    err = [[r["need"] - r["need_p10"] for r in groups], [r["need_p90"] - r["need"] for r in groups]]
    ax.bar([i - 0.2 for i in x], need, 0.4, yerr=err, capsize=3, label=t("need"))
    ax.bar([i + 0.2 for i in x], [r["supply"] for r in groups], 0.4, label=t("supply"))
    ax.set_xticks(list(x), [r["group"] for r in groups], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("årsverk")
    ax.set_title(t("chart").format(year=year))
    ax.legend()
    fig.tight_layout()
    st.pyplot(fig)
    plt.close(fig)


def _results(t, summary: dict, sid: str, stats: dict, parquet: bytes) -> None:
    year = summary["horizon"]
    st.caption(t("seconds").format(n=stats["unit_solves"], s=stats["total_seconds"]))
    st.subheader(t("horizon").format(year=year))
    rows = logic.horizon_rows(summary, sid)
    _chart(t, rows, year)
    st.dataframe(_renamed(pd.DataFrame(rows), t), hide_index=True, key="nat_horizon")
    st.caption(t("gap_sign"))

    st.subheader(t("freed").format(year=year))
    total = logic.freed_total(summary, sid)
    c = st.columns(3)
    for col, k in zip(c, ("task_sharing", "pooling", "total"), strict=True):
        col.metric(t(k), f"{total[k]:,.0f}".replace(",", " "))
    st.dataframe(_renamed(pd.DataFrame(logic.freed_rows(summary, sid)), t), hide_index=True, key="nat_freed")
    st.caption(t("freed_note"))

    st.subheader(t("waterfall").format(year=year))
    wf = pd.DataFrame(logic.waterfall_rows(summary, sid))
    wf["step"] = [t(s + "_step") if s in ("technology", "part_time", "sick_leave") else t(s) for s in wf["step"]]
    st.dataframe(_renamed(wf, t), hide_index=True, key="nat_waterfall")

    d1, d2, d3 = st.columns(3)
    d1.download_button(t("download_json"), logic.summary_bytes(summary), f"summary_{sid}.json",
                       mime="application/json", key="nat_json")
    d2.download_button(t("download_xlsx"), logic.workbook_bytes(summary), f"report_{sid}.xlsx", key="nat_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    d3.download_button(t("download_parquet"), parquet, f"results_{sid}.parquet", key="nat_parquet",
                       mime="application/vnd.apache.parquet")


def render(lang: str) -> None:
    def t(key: str) -> str:
        return label(key, lang)

    st.title(t("title"))
    try:
        cfg = _config()
    except InputError as e:
        st.error(f"**{t('invalid')}**\n\n```\n{e}\n```", icon="⚠️")
        return
    names = list(cfg.scenarios)
    sid = st.selectbox(t("scenario"), names, key="nat_scenario",
                       index=names.index("helsemod_middels") if "helsemod_middels" in names else 0)
    levers, draws, relax = _levers(t, cfg, sid)
    request = (sid, levers, draws, relax)
    if st.button(t("run"), key="nat_run", type="primary"):
        try:
            with st.spinner(t("running")):
                res, summary = logic.run(cfg, sid, levers, draws=draws, relax=relax)
        except InputError as e:
            st.error(f"**{t('invalid')}**\n\n```\n{e}\n```", icon="⚠️")
            return
        st.session_state["nat_result"] = (request, summary, res.stats, logic.parquet_bytes(res))
    done = st.session_state.get("nat_result")
    if done is None or done[0] != request:    # a slider moved since the run: run again
        return
    _results(t, done[1], sid, done[2], done[3])
