"""The roster page (Turnus): audit a shipped unit's roster or an uploaded grid against its rules, or build a
roster (staff from the unit's file, an upload, or generated from the requirement) with progress and a stop
that keeps the best so far; the heltid comparison of roster models.

The main app calls `render(lang)` from its page switch. The page only lays out what app.roster_logic
returns; the audit is `leon roster check`'s, the build `leon roster build`'s engine.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import roster_logic as logic
from app import roster_verdict as verdict
from planner.io.errors import InputError
from planner.roster.picture import colours

LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Turnus – kontroll mot arbeidstidsreglene",
        "unit": "Enhet",
        "source": "Turnus fra",
        "shipped": "Eksempelturnus",
        "upload": "Egen fil (CSV eller Excel)",
        "build": "Bygg en ny turnus",
        "time_limit": "Tidsgrense (sekunder)",
        "build_button": "Bygg turnus",
        "building": "Bygger turnus ... {t:.0f} av {limit:g} s: beste kostnad {obj}, nedre grense {bound}",
        "building_first": "Bygger turnus ... {t:.0f} av {limit:g} s: leter etter den første turnusen",
        "building_unbounded": "Bygger turnus ... {t:.0f} av {limit:g} s: beste kostnad {obj}, nedre grense ennå "
                              "ikke bevist",
        "build_hint": "Bygg en 6-ukers turnus for enheten og de valgte ansatte.",
        "improve_file": "Start fra en turnus (valgfritt): dagens turnus eller en tidligere bygget, CSV eller XLSX",
        "improve_help": "Forbedring: søket starter fra denne turnusen i stedet for fra en grådig start, og resultatet "
                        "blir aldri dårligere enn den (rader som bryter en hard regel planlegges om først). "
                        "Ombygging: hver celle som endres koster, så turnusen endres minst mulig - marker fraværet "
                        "som «unavailable» i personalfilen.",
        "improve_ready": "Neste bygging starter fra {name}.",
        "keep_ready": "Neste bygging bygger om {name} med færrest mulig endrede celler.",
        "start_mode": "Bruk turnusen til",
        "mode_improve": "Forbedring (alt kan endres)",
        "mode_keep": "Ombygging (færrest mulig endringer, f.eks. ved sykefravær)",
        "lock_file": "Låste vakter (valgfritt): CSV eller XLSX, tom celle er fri",
        "lock_help": "En vaktkode låser den vakten, fri-merke (-, F, fri, x) låser en fridag, tom celle er fri. Låste "
                     "celler er harde: turnusen holder dem alle, eller bygget sier hvilke regler de kolliderer med.",
        "lock_ready": "Neste bygging holder de låste cellene i {name}.",
        "locked_from": "Låste celler fra {name}: {n}. De er harde: en turnus uten harde brudd holder dem alle.",
        "changed": "Endret {n} av {m} celler mot {name} (dekning og harde regler først, så færrest mulig endringer).",
        "changed_cells": "Endrede celler",
        "col_person": "Person",
        "col_date": "Dato",
        "col_before": "Før",
        "col_after": "Etter",
        "improve_from": "Startet fra {name}: mål {obj} ({hard} harde brudd). Resultatet er aldri dårligere.",
        "improve_from_hard": "Startet fra {name}: mål {obj}, men {hard} harde brudd: radene med brudd ble planlagt "
                             "om først, og det kan åpne vakter. Resultatet holder alle harde regler.",
        "build_other": "En turnus for {unit} bygges nå: vent, eller velg {unit} og stopp den.",
        "stop_button": "Stopp og behold beste",
        "stopping": "Stopper ... den beste turnusen så langt beholdes.",
        "build_failed": "Byggingen feilet",
        "diagnosis": "Byggerens forklaring",
        "staff_source": "Ansatte fra",
        "staff_shipped": "Eksempelfilen",
        "staff_upload": "Egen ansattfil (YAML)",
        "staff_generated": "Generert fra bemanningsbehovet",
        "staff_file": "Last opp ansattfil (.yaml, kind: staff): id, gruppe og stillingsprosent per ansatt",
        "staff_hint": "Last opp en ansattfil for å begynne.",
        "staff_summary": "{name}: {n} ansatte, {fte:.2f} årsverk",
        "staff_generated_note": "Laget slik eksempelfilene ble laget: stillinger dimensjonert etter enhetens "
                                "LEON-behov, med stillingsstørrelser og helgeturnus fra de siterte kildene.",
        "download_staff": "Last ned ansattlisten (YAML)",
        "gap_row": "dekningshull",
        "gap_tip": "{shift} {group}: mangler {n}",
        "download_csv": "Last ned turnusen (CSV)",
        "heltid_title": "Heltid: sammenlign turnusmodeller (FAFO-idealtyper, NOU 2023:4 tabell 9.2)",
        "heltid_limit": "Tidsgrense for alle modellene (sekunder)",
        "heltid_button": "Sammenlign modellene",
        "heltid_running": "Modell {m}: {s}",
        "heltid_chart": "Andel heltidsstillinger per turnusmodell",
        "heltid_note": "Tall vises bare for lovlige turnuser. bevist = lovlig turnus ved begge grensene; "
                       "mulig = lovlig, med avstand til grensene; bevist umulig = modellen kan ikke brukes "
                       "(et funn); ikke funnet i tide = ikke et funn, gi mer tid.",
        "model": "modell", "weekend": "helg", "shifts": "vakter hverdag/helg", "heads": "personer",
        "heads_bound": "personer (min)", "arsverk": "årsverk", "full_time": "heltid",
        "full_time_bound": "heltid (maks)", "share": "andel heltid", "status": "status", "reason": "begrunnelse",
        "proven": "bevist", "feasible": "mulig", "infeasible": "bevist umulig",
        "none_found_in_time": "ikke funnet i tide",
        "download_heltid": "Last ned sammenligningen (JSON)",
        "upload_file": "Last opp turnus (.csv eller .xlsx): rader = ansatt-id, kolonner = datoer, celler = vaktkoder",
        "upload_hint": "Last opp en turnusfil for å begynne.",
        "invalid": "Ugyldig inndata",
        "hard": "Harde brudd",
        "soft": "Myke brudd",
        "missing": "Manglende vakter",
        "by_rule": "Brudd per regel (harde først)",
        "rule": "regel",
        "kind": "type",
        "count": "antall",
        "legal_source": "hjemmel",
        "hard_kind": "hard",
        "soft_kind": "myk",
        "hard_list": "Harde brudd",
        "grid": "Turnusen",
        "grid_note": "Rød ramme: hardt brudd; stiplet oransje: mykt brudd "
                     "(hold pekeren over cellen for regel og hjemmel).",
        "violations": "Alle brudd",
        "person": "ansatt",
        "date": "dato",
        "detail": "detaljer",
        "gaps": "Dekningshull (dag × vakt × gruppe)",
        "no_gaps": "Ingen dekningshull: turnusen dekker bemanningsbehovet.",
        "shift": "vakt",
        "group": "gruppe",
        "hours": "Timer mot avtalt stilling",
        "hours_note": "Innenfor: avviket er høyst {tol:g} timer (regelens toleranse).",
        "percent": "stilling %",
        "planned": "planlagt",
        "contract": "avtalt",
        "difference": "avvik",
        "within": "innenfor",
        "download_json": "Last ned kontrollen (JSON)",
        "download_xlsx": "Last ned turnusen (Excel)",
        "people": "{n} ansatte, {w} uker fra {start}, regelsett {rules}",
    },
    "en": {
        "title": "Roster – audit against the working-time rules",
        "unit": "Unit",
        "source": "Roster from",
        "shipped": "Example roster",
        "upload": "Own file (CSV or Excel)",
        "upload_file": "Upload a roster (.csv or .xlsx): rows = staff id, columns = dates, cells = shift codes",
        "upload_hint": "Upload a roster file to begin.",
        "invalid": "Invalid input",
        "hard": "Hard violations",
        "soft": "Soft violations",
        "missing": "Missing shifts",
        "by_rule": "Violations per rule (hard first)",
        "rule": "rule",
        "kind": "kind",
        "count": "count",
        "legal_source": "legal source",
        "hard_kind": "hard",
        "soft_kind": "soft",
        "hard_list": "Hard violations",
        "grid": "The roster",
        "grid_note": "Red frame: hard violation; dashed orange: soft violation "
                     "(hover over a cell for rule and source).",
        "violations": "All violations",
        "person": "person",
        "date": "date",
        "detail": "detail",
        "gaps": "Coverage gaps (day × shift × group)",
        "no_gaps": "No coverage gaps: the roster covers the requirement.",
        "shift": "shift",
        "group": "group",
        "hours": "Hours against contract",
        "hours_note": "Within: off by at most {tol:g} hours (the rule's tolerance).",
        "percent": "position %",
        "planned": "planned",
        "contract": "contract",
        "difference": "difference",
        "within": "within",
        "download_json": "Download the audit (JSON)",
        "download_xlsx": "Download the roster (Excel)",
        "download_csv": "Download the roster (CSV)",
        "heltid_title": "Heltid: compare roster models (FAFO ideal types, NOU 2023:4 Table 9.2)",
        "heltid_limit": "Time limit for all models (seconds)",
        "heltid_button": "Compare the models",
        "heltid_running": "Model {m}: {s}",
        "heltid_chart": "Share of full-time positions per roster model",
        "heltid_note": "Figures are shown only for legal rosters. proven = a legal roster at both bounds; "
                       "feasible = legal, with its gap to them; proven infeasible = the model cannot work (a "
                       "finding); none found in time = not a finding, give more time.",
        "model": "model", "weekend": "weekend", "shifts": "shifts weekday/weekend", "heads": "heads",
        "heads_bound": "heads (min)", "arsverk": "årsverk", "full_time": "full-time",
        "full_time_bound": "full-time (max)", "share": "full-time share", "status": "status", "reason": "reason",
        "proven": "proven", "feasible": "feasible", "infeasible": "proven infeasible",
        "none_found_in_time": "none found in time",
        "download_heltid": "Download the comparison (JSON)",
        "build": "Build a new roster",
        "time_limit": "Time limit (seconds)",
        "build_button": "Build roster",
        "building": "Building ... {t:.0f} of {limit:g} s: best cost {obj}, lower bound {bound}",
        "building_first": "Building ... {t:.0f} of {limit:g} s: looking for the first roster",
        "building_unbounded": "Building ... {t:.0f} of {limit:g} s: best cost {obj}, no lower bound proven yet",
        "build_hint": "Build a 6-week roster for the unit and the chosen staff.",
        "improve_file": "Start from a roster (optional): the present roster or an earlier build, CSV or XLSX",
        "improve_help": "Improving: the search starts from this roster instead of a greedy start, and the result is "
                        "never worse than it (rows that break a hard rule are re-planned first). Rebuilding: every "
                        "changed cell costs, so the roster changes as little as it can - mark the absence as "
                        "«unavailable» in the staff file.",
        "improve_ready": "The next build starts from {name}.",
        "keep_ready": "The next build rebuilds {name} with the fewest changed cells.",
        "start_mode": "Use the roster for",
        "mode_improve": "Improving (anything may change)",
        "mode_keep": "Rebuilding (fewest changes, e.g. for sick leave)",
        "lock_file": "Locked cells (optional): CSV or XLSX, an empty cell is free",
        "lock_help": "A shift code locks that shift, an off mark (-, F, fri, x) locks a day off, an empty cell is "
                     "free. Locks are hard: the roster keeps them all, or the build says which rules they clash with.",
        "lock_ready": "The next build keeps the locked cells of {name}.",
        "locked_from": "Locked cells from {name}: {n}. They are hard: a roster without hard violations keeps them all.",
        "changed": "Changed {n} of {m} cells against {name} (cover and the hard rules first, then the fewest changes).",
        "changed_cells": "Changed cells",
        "col_person": "Person",
        "col_date": "Date",
        "col_before": "Before",
        "col_after": "After",
        "improve_from": "Started from {name}: objective {obj} ({hard} hard violations). The result is never worse.",
        "improve_from_hard": "Started from {name}: objective {obj}, but {hard} hard violations: the rows breaking "
                             "them were re-planned first, which may open shifts. The result keeps every hard rule.",
        "build_other": "A roster for {unit} is being built: wait, or choose {unit} and stop it.",
        "stop_button": "Stop and keep the best",
        "stopping": "Stopping ... the best roster so far is kept.",
        "build_failed": "The build failed",
        "diagnosis": "The builder's explanation (as `leon roster build`)",
        "staff_source": "Staff from",
        "staff_shipped": "The example file",
        "staff_upload": "Own staff file (YAML)",
        "staff_generated": "Generated from the requirement",
        "staff_file": "Upload a staff file (.yaml, kind: staff): id, group and position percent per person",
        "staff_hint": "Upload a staff file to begin.",
        "staff_summary": "{name}: {n} people, {fte:.2f} årsverk",
        "staff_generated_note": "Made the way the example files were made: positions sized to the unit's LEON "
                                "requirement, with position sizes and weekend cycles from the cited sources.",
        "download_staff": "Download the staff list (YAML)",
        "gap_row": "coverage gaps",
        "gap_tip": "{shift} {group}: {n} missing",
        "people": "{n} people, {w} weeks from {start}, rule set {rules}",
    },
}

HARD_CSS = "border: 3px solid #cc0000; font-weight: bold"
SOFT_CSS = "border: 2px dashed #ff8800"
GAP_CSS = "background-color: #f8d0d0; color: #990000; font-weight: bold"
POLL = 0.5   # seconds between looks at a running build


def label(key: str, lang: str = "nb") -> str:
    return LABELS.get(lang, LABELS["nb"])[key]


def styled_grid(a: logic.Audit, lang: str = "nb"):
    """The grid as a pandas Styler: each shift code in its colour (planner/roster/picture.py), each cell with
    a violation framed (hard: red, soft: dashed orange) and titled with rule, person, date and source; below
    the people, a row of the shift-heads missing per day (titled with shift, group and count)."""
    frame = pd.DataFrame.from_dict(a.rows, orient="index", columns=a.dates).replace("", "-")
    col = colours(a.shifts)
    mk = logic.marks(a)
    gaps = logic.gaps_by_date(a)
    gap_row = label("gap_row", lang)

    def css(pid: str, date: str, code: str) -> str:
        out = []
        if code in col:
            night = a.shifts[code].get("time") == "natt"
            out.append(f"background-color: {col[code]}; color: {'#ffffff' if night else '#000000'}")
        vs = mk.get((pid, date))
        if vs:
            out.append(HARD_CSS if any(v["hard"] for v in vs) else SOFT_CSS)
        return "; ".join(out)

    styles = pd.DataFrame([[css(p, d, frame.at[p, d]) for d in a.dates] for p in frame.index],
                          index=frame.index, columns=frame.columns)
    tips = pd.DataFrame([["\n".join(_tip(v, lang) for v in mk.get((p, d), [])) for d in a.dates]
                         for p in frame.index], index=frame.index, columns=frame.columns)
    frame.loc[gap_row] = [str(sum(g["missing"] for g in gaps.get(d, []))) if gaps.get(d) else "" for d in a.dates]
    styles.loc[gap_row] = [GAP_CSS if gaps.get(d) else "" for d in a.dates]
    tips.loc[gap_row] = ["\n".join(label("gap_tip", lang).format(shift=g["shift"], group=g["group"], n=g["missing"])
                                   for g in gaps.get(d, [])) for d in a.dates]
    return (frame.style.apply(lambda _: styles, axis=None)
            .set_tooltips(tips, as_title_attribute=True)
            .set_table_styles([{"selector": "td, th", "props": "font: 11px sans-serif; text-align: center; "
                                "padding: 2px 3px"}]))


def _tip(v: dict, lang: str) -> str:
    kind = label("hard_kind" if v["hard"] else "soft_kind", lang)
    return f"{v['rule']} ({kind}), {v['person']}, {v['date']}: {v['detail']} [{v['source']}]"


def _audit(t, lang: str, unit: str) -> logic.Audit | None:
    source = st.radio(t("source"), ("shipped", "upload", "build"), format_func=t, key="roster_source",
                      horizontal=True)
    if source == "shipped":
        return _cached_shipped(unit)
    staff = _staff(t, unit)
    if staff is None:
        return None
    if source == "build":
        return _built(t, lang, unit, staff)
    up = st.file_uploader(t("upload_file"), type=list(logic.UPLOAD_TYPES), key="roster_upload")
    if up is None:
        st.info(t("upload_hint"))
        return None
    return logic.audit_upload(unit, up.name, up.getvalue(), staff)


def _staff(t, unit: str) -> logic.Staff | None:
    """The staff to audit an upload or build a roster for: the unit's staff file, an uploaded staff YAML,
    or a staff list generated from the unit's requirement (None while an upload is awaited)."""
    source = st.radio(t("staff_source"), logic.STAFF_SOURCES, key="roster_staff_source", horizontal=True,
                      format_func=lambda k: t(f"staff_{k}"))
    if source == "upload":
        up = st.file_uploader(t("staff_file"), type=list(logic.STAFF_TYPES), key="roster_staff_upload")
        if up is None:
            st.info(t("staff_hint"))
            return None
        staff = _cached_staff(unit, "upload", up.name, up.getvalue())
    else:
        staff = _cached_staff(unit, source)
    people = staff.file.staff
    st.caption(t("staff_summary").format(name=staff.name, n=len(people), fte=sum(p.percent for p in people) / 100))
    if source == "generated":
        st.caption(t("staff_generated_note"))
        st.download_button(t("download_staff"), staff.text, staff.name, key="roster_staff_yaml",
                           mime="application/x-yaml")
    return staff


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_staff(unit: str, source: str, name: str = "", data: bytes = b"") -> logic.Staff:
    if source == "upload":
        return logic.staff_upload(unit, name, data)
    return logic.staff_generated(unit) if source == "generated" else logic.staff_shipped(unit)


def _heltid(t, unit: str) -> None:
    """The heltid comparison of the roster models: table, chart, download (on request; one time limit)."""
    st.subheader(t("heltid_title"))
    limit = st.number_input(t("heltid_limit"), 1, 3600, 80, 10, key="heltid_limit")
    done = st.session_state.setdefault("heltid_done", {})
    if st.button(t("heltid_button"), key="heltid_run"):
        box = st.empty()
        res = logic.heltid(unit, float(limit),
                           done=lambda r: box.caption(t("heltid_running").format(m=r["model"], s=t(r["outcome"]))))
        done[unit] = res
    if unit not in done:
        return
    rows = logic.heltid_rows(done[unit])
    table = pd.DataFrame(rows)
    table["status"] = table["status"].map(t)
    st.dataframe(table.rename(columns={c: t(c) for c in table.columns}), hide_index=True, key="heltid_table")
    st.caption(t("heltid_note"))
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.barh([r["model"] for r in rows], [100 * (r["share"] or 0) for r in rows], color="#4c72b0")
    ax.set_xlabel("%")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_title(t("heltid_chart"))
    fig.tight_layout()
    st.pyplot(fig)
    plt.close(fig)
    st.download_button(t("download_heltid"), logic.heltid_json_bytes(done[unit]), f"{unit}_heltid.json",
                       key="heltid_json", mime="application/json")


def _builds() -> dict[str, logic.Build]:
    """This browser session's builds by unit (the latest per unit; at most one runs at a time)."""
    return st.session_state.setdefault("roster_builds", {})


def _built(t, lang: str, unit: str, staff: logic.Staff) -> logic.Audit | None:
    """Build on request in the background: progress while it runs, a stop that keeps the best roster so
    far, the time limit as the other stop. The result stays in this browser session only."""
    limit = st.number_input(t("time_limit"), 1, 3600, 30, 5, key="roster_limit")
    start, mode, locks = _build_uploads(t)
    builds = _builds()
    running = next((b for b in builds.values() if not b.done), None)
    # drawn before a build starts in this run, the button may be clicked again while it runs: once is enough
    if st.button(t("build_button"), key="roster_build", type="primary", disabled=running is not None) \
            and running is None:
        builds[unit] = running = logic.start_build(unit, float(limit), staff, start=start, start_mode=mode,
                                                   locks=locks)
    if running is not None and running.unit != unit:
        st.info(t("build_other").format(unit=running.unit))
    b = builds.get(unit)
    if b is None:
        st.info(t("build_hint"))
        return None
    if not b.done:
        _watch(lang, unit)
        return None
    if b.error is not None:
        if isinstance(b.error, InputError):
            raise b.error
        st.error(f"**{t('build_failed')}**\n\n```\n{b.error!r}\n```", icon="⛔")
        return None
    v = b.verdict
    assert v is not None
    _inputs_said(t, lang, b)
    {"success": st.success, "warning": st.warning, "error": st.error}[verdict.kind(v)](verdict.text(v, lang))
    if b.changed is not None:
        _changes(t, b)
    lines = v.get(f"diagnosis_{lang}") or v["diagnosis"]    # English: as `leon roster build` prints it
    if lines:
        with st.expander(t("diagnosis")):
            st.markdown("\n".join(f"- {d}" for d in lines))
    return b.audit


def _inputs_said(t, lang: str, b: logic.Build) -> None:
    """Above the verdict: the roster the build improved (with its own score) and the locks it kept."""
    if b.start_name is not None and b.start_mode == "improve":
        st.caption(t("improve_from_hard" if b.start_hard else "improve_from").format(
            name=b.start_name, obj=verdict.number(b.start_objective or 0, lang), hard=b.start_hard))
    if b.lock_name is not None:
        st.caption(t("locked_from").format(name=b.lock_name, n=b.locked_cells))


def _build_uploads(t) -> tuple[tuple[str, bytes] | None, str, tuple[str, bytes] | None]:
    """The build's optional uploads: a roster to start from, what it is for (improve | keep), locked cells.
    Each is confirmed by a caption the server draws: the upload has arrived, not only been picked."""
    up = st.file_uploader(t("improve_file"), type=list(logic.UPLOAD_TYPES), key="roster_improve_upload",
                          help=t("improve_help"))
    mode = "improve"
    if up is not None:
        mode = st.radio(t("start_mode"), ("improve", "keep"), format_func=lambda m: t(f"mode_{m}"),
                        key="roster_start_mode", horizontal=True)
        st.caption(t(f"{mode}_ready").format(name=up.name))
    locks = st.file_uploader(t("lock_file"), type=list(logic.UPLOAD_TYPES), key="roster_lock_upload",
                             help=t("lock_help"))
    if locks is not None:
        st.caption(t("lock_ready").format(name=locks.name))
    return ((up.name, up.getvalue()) if up is not None else None, mode,
            (locks.name, locks.getvalue()) if locks is not None else None)


def _changes(t, b: logic.Build) -> None:
    """A rebuild with the fewest changes: how many cells it changed, and which (as `--keep-from` prints them)."""
    assert b.changed is not None
    st.info(t("changed").format(n=len(b.changed), m=b.compared_cells, name=b.start_name))
    if b.changed:
        with st.expander(t("changed_cells"), expanded=len(b.changed) <= 20):
            st.dataframe(pd.DataFrame(b.changed).rename(columns={
                "person": t("col_person"), "date": t("col_date"), "before": t("col_before"), "after": t("col_after")}),
                hide_index=True)


@st.fragment(run_every=POLL)
def _watch(lang: str, unit: str) -> None:
    """A running build: its progress and the stop button, redrawn every POLL seconds; once the build has
    ended, the whole page is drawn again to show it."""
    b = _builds().get(unit)
    if b is None:
        return
    if b.done:
        st.rerun()
    secs = b.elapsed()
    if b.best is None:
        text = label("building_first", lang).format(t=secs, limit=b.time_limit)
    else:
        obj, bound, _ = b.best
        text = label("building" if bound > 0 else "building_unbounded", lang).format(
            t=secs, limit=b.time_limit, obj=verdict.number(obj, lang), bound=verdict.number(bound, lang))
    st.progress(min(1.0, secs / b.time_limit), text=text)
    if not b.stop.is_set() and st.button(label("stop_button", lang), key="roster_stop"):
        b.stop.set()
    if b.stop.is_set():
        st.caption(label("stopping", lang))


@st.cache_resource(show_spinner=False, max_entries=8)
def _cached_shipped(unit: str) -> logic.Audit:
    return logic.audit_shipped(unit)


def render(lang: str = "nb") -> None:
    def t(key: str) -> str:
        return label(key, lang)

    st.header(t("title"))
    units = logic.shipped_units()
    unit = st.selectbox(t("unit"), units, key="roster_unit",
                        index=units.index("sykehjem") if "sykehjem" in units else 0)
    try:
        a = _audit(t, lang, unit)
    except InputError as e:
        st.error(f"**{t('invalid')}**\n\n```\n{e}\n```", icon="⚠️")
        return
    if a is None:
        _heltid(t, unit)
        return
    rep, s = a.report, a.report["summary"]
    st.caption(t("people").format(n=len(a.rows), w=rep["weeks"], start=rep["start"], rules=rep["rules_set"]))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("hard"), s["hard_violations"])
    c2.metric(t("soft"), s["soft_violations"])
    c3.metric(t("missing"), s["missing_shifts"])

    st.subheader(t("by_rule"))
    counts = pd.DataFrame(logic.rule_counts(a), columns=["rule", "hard", "count", "source"])
    counts["hard"] = counts["hard"].map(lambda h: t("hard_kind" if h else "soft_kind"))
    st.dataframe(counts.rename(columns={"rule": t("rule"), "hard": t("kind"), "count": t("count"),
                                        "source": t("legal_source")}), hide_index=True, key="roster_counts")
    vcols = {"rule": t("rule"), "person": t("person"), "date": t("date"), "detail": t("detail"),
             "source": t("legal_source")}
    rows = logic.violation_rows(a)
    hard = [v for v in rows if v["hard"]]
    if hard:
        st.subheader(t("hard_list"))
        st.dataframe(pd.DataFrame(hard, columns=list(vcols)).rename(columns=vcols), hide_index=True,
                     key="roster_hard")

    st.subheader(t("grid"))
    st.html(styled_grid(a, lang).to_html())
    st.caption(t("grid_note"))
    with st.expander(t("violations")):
        st.dataframe(pd.DataFrame(rows, columns=["hard", *vcols]).assign(
            hard=lambda f: f["hard"].map(lambda h: t("hard_kind" if h else "soft_kind")))
            .rename(columns={"hard": t("kind"), **vcols}), hide_index=True, key="roster_all")

    st.subheader(t("gaps"))
    gaps = logic.gap_rows(a)
    if gaps:
        st.dataframe(pd.DataFrame(gaps, columns=["date", "shift", "group", "missing"]).rename(
            columns={k: t(k) for k in ("date", "shift", "group", "missing")}), hide_index=True, key="roster_gaps")
    else:
        st.write(t("no_gaps"))

    st.subheader(t("hours"))
    hcols = ("person", "group", "percent", "planned", "contract", "difference", "within")
    st.dataframe(pd.DataFrame(logic.hours_rows(a), columns=list(hcols)).rename(columns={k: t(k) for k in hcols}),
                 hide_index=True, key="roster_hours")
    st.caption(t("hours_note").format(tol=a.tolerance))

    stem = f"{a.unit}_{a.roster.rsplit('.', 1)[0]}"
    d1, d2, d3 = st.columns(3)
    d1.download_button(t("download_json"), logic.json_bytes(a), f"{stem}_audit.json", key="roster_json",
                       mime="application/json")
    d2.download_button(t("download_xlsx"), logic.xlsx_bytes(a), f"{stem}.xlsx", key="roster_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    d3.download_button(t("download_csv"), logic.csv_bytes(a), f"{stem}.csv", key="roster_csv", mime="text/csv")
    _heltid(t, unit)
