"""The unit page (Enhet): pick or upload a unit, edit it in tables, solve, read and download the answer.

Run with `leon app`. The page only lays out what app.logic and app.unit_edit return; the numbers are the CLI's.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:  # `streamlit run app/main.py` puts app/ first on the path, not the project
    sys.path.insert(0, ROOT)

import copy  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import logic, national_page, roster_page, unit_edit  # noqa: E402
from app.labels import LANGUAGES, label  # noqa: E402
from planner.io.errors import InfeasibleError, InputError  # noqa: E402


@st.cache_resource(show_spinner=False, max_entries=16)
def _solved(key: tuple, _inst) -> logic.Answer:
    """One solve per unit document (the key); reruns of the page reuse it."""
    return logic.solve_unit(_inst)


@st.cache_resource(show_spinner=False, max_entries=32)
def _instance(text: str, name: str):
    """The unit of a document's YAML text, through the CLI's loader (an InputError is not cached)."""
    return logic.load_upload(name, text.encode())


@st.cache_resource(show_spinner=False, max_entries=16)
def _context(catalogue: str, rules: tuple[str, ...], name: str) -> unit_edit.Context:
    return unit_edit.context({"catalogue": catalogue, "rules": list(rules)}, name, logic.UNITS)


def _source(t) -> tuple[str, str] | None:
    """(a key naming the unit's source, the name its document goes by), or None while no file is
    uploaded. The source's document is kept in the session: `orig:KEY` as read, `doc:KEY` as edited."""
    state = st.session_state
    source = st.radio(t("source"), ("shipped", "upload"), format_func=t, key="source", horizontal=True)
    if source == "shipped":
        shipped = logic.shipped_units()
        names = list(shipped)
        name = st.selectbox(t("unit"), names, key="unit",
                            index=names.index("sykehjem.yaml") if "sykehjem.yaml" in names else 0)
        key = f"shipped:{name}"
        if f"orig:{key}" not in state:
            state[f"orig:{key}"], state[f"name:{key}"] = logic.unit_document(shipped[name]), name
    else:
        up = st.file_uploader(t("upload_file"), type=list(logic.UPLOAD_TYPES), key="upload")
        if up is None:
            st.info(t("upload_hint"))
            return None
        data = up.getvalue()
        key = f"upload:{up.name}:{hash(data)}"
        if f"orig:{key}" not in state:
            state[f"orig:{key}"], state[f"name:{key}"] = logic.upload_document(up.name, data)
    if f"doc:{key}" not in state:
        state[f"doc:{key}"] = copy.deepcopy(state[f"orig:{key}"])
    return key, state[f"name:{key}"]


# ------------------------------------------------------------------------------------------ editing
def _key(src: str, part: str) -> str:
    """The widget key of a part's editor: a new one after each change of the document by that editor
    (the edit is then the document's, and the editor starts again from it)."""
    v = st.session_state.get(f"ver:{src}", {}).get(part, 0)
    return f"{part}:{src}" + (f":{v}" if v else "")


def _commit(src: str, doc: dict, parts) -> None:
    st.session_state[f"doc:{src}"] = doc
    ver = dict(st.session_state.get(f"ver:{src}", {}))
    for p in parts:
        ver[p] = ver.get(p, 0) + 1
    st.session_state[f"ver:{src}"] = ver
    st.rerun()


def _show(t, e: InputError) -> None:
    st.error(f"**{t('invalid')}**\n\n```\n{e}\n```", icon="⚠️")


def _columns(t, part: str, doc: dict, ctx: unit_edit.Context) -> tuple[dict, list[str], list[str]]:
    """(column config, number columns, columns shown but not edited) of a part's table."""
    num, text, check = st.column_config.NumberColumn, st.column_config.TextColumn, st.column_config.CheckboxColumn
    if part == "patients":
        cfg = {"class": t("class"), "count": num(t("count"))}
        return cfg, ["count"], ["class"]
    if part == "workload":
        classes = {unit_edit.CLASS + c: num(f"{t('per_patient')}: {c}") for c in unit_edit.classes(doc)}
        cfg = {"task": st.column_config.SelectboxColumn(t("task"), options=list(ctx.tasks), required=True),
               "shifts": text(t("shifts_sel"), help=t("shifts_help")), "per_patient": num(t("per_patient_all")),
               **classes, "per_unit": num(t("per_unit"))}
        return cfg, ["per_patient", *classes, "per_unit"], []
    if part == "task_minutes":
        cfg = {"task": t("task"), "name": t("task_name"), "catalogue": num(t("catalogue_minutes")),
               "minutes": num(t("unit_minutes")), "source": text(t("source_col")),
               "illustrative": check(t("illustrative"))}
        return cfg, ["catalogue", "minutes"], ["task", "name", "catalogue"]
    if part == "today":
        groups = unit_edit.today_groups(doc, ctx)
        cfg = {"task": t("task"), "own": check(t("own_shares")), **{g: num(g) for g in groups}}
        return cfg, groups, ["task", "own"]
    if part == "shifts":
        cfg = {"id": t("shift"), "day_type": t("day_type"), "time": t("time"), "start": text(t("start")),
               "end": text(t("end")), "paid_hours": num(t("paid_hours")), "days_per_week": num(t("days_per_week"))}
        return cfg, ["paid_hours", "days_per_week"], ["id", "day_type", "time"]
    if part == "rules":
        values = {f: num(t(f"rule_{f}")) for f in unit_edit.RULE_VALUES}
        cfg = {"rule": t("rule"), "about": text(t("about"), width="medium"), "enabled": check(t("enabled")), **values}
        return cfg, list(values), ["rule", "about"]
    groups = list(doc.get("groups") or [])
    return {"shift": t("shift"), **{g: num(g) for g in groups}}, groups, ["shift"]


def _table(t, src: str, part: str, doc: dict, ctx: unit_edit.Context) -> bool:
    """A part's table; an edit becomes the document's (and reruns the page). False: the edited table
    cannot be written into the document (its error is shown under it)."""
    spec = unit_edit.PARTS[part]
    cfg, numeric, disabled = _columns(t, part, doc, ctx)
    rows = spec.rows(doc, ctx)
    out = st.data_editor(unit_edit.to_frame(rows, tuple(numeric), list(cfg)), key=_key(src, part), hide_index=True,
                         num_rows="dynamic" if spec.dynamic else "fixed", column_config={**cfg, "_row": None},
                         disabled=disabled, placeholder="")
    try:
        new = unit_edit.edited(doc, part, unit_edit.from_frame(out), ctx)
    except InputError as e:
        _show(t, e)
        return False
    if new is not None:
        _commit(src, new, [part])
    return True


def _planning_base(t, src: str, doc: dict, orig: dict) -> None:
    options = unit_edit.base_options(doc)
    now = doc.get("planning_base")
    base = st.selectbox(t("base_label"), options, index=options.index(now) if now in options else 0,
                        format_func=lambda g: t("no_base") if g is None else g, key=_key(src, "planning_base"))
    new = unit_edit.write_planning_base(doc, base, orig)
    if new is not doc:
        _commit(src, new, ["planning_base"])


def _edit(t, src: str, doc: dict, ctx: unit_edit.Context, error: tuple[str | None, InputError] | None) -> bool:
    """The unit's parts in tabs, each with the error that belongs beside it. False: a table holds an
    edit that cannot be written."""
    state = st.session_state
    ok = True
    for part, tab in zip(unit_edit.ORDER, st.tabs([t(f"tab_{p}") for p in unit_edit.ORDER]), strict=True):
        with tab:
            st.caption(t(f"cap_{part}"))
            if part == "planning_base":
                _planning_base(t, src, doc, state[f"orig:{src}"])
            else:
                ok = _table(t, src, part, doc, ctx) and ok
            if error is not None and error[0] == part:
                _show(t, error[1])
    return ok


def _results(t, answer: logic.Answer) -> None:
    doc = answer.doc
    rows = logic.freed_rows(doc)
    c1, c2 = st.columns(2)
    c1.metric(t("freed_total"), f"{rows[-1]['total']:.2f}")
    c2.metric(t("cost_change"), logic.cost_text(doc))
    st.subheader(t("freed"))
    table = pd.DataFrame(rows).rename(columns={k: t(k) for k in ("group", "pooling", "task_sharing", "total")})
    table.iloc[-1, 0] = t("sum")
    st.dataframe(table.round(2), hide_index=True)
    st.caption(t("freed_note"))
    st.subheader(t("heads"))
    heads = pd.DataFrame(logic.heads_rows(answer))
    change = logic.heads_changes(answer)
    colour = {-1: "background-color: #d9f2d9", 1: "background-color: #fde2c4", 0: ""}
    styled = heads.style.apply(lambda col: [colour[change.get((s, col.name), 0)] for s in heads["shift"]],
                               subset=[c for c in heads.columns if c != "shift"])
    st.dataframe(styled.relabel_index([t("shift")] + list(heads.columns[1:]), axis=1), hide_index=True,
                 key="heads")
    st.caption(t("heads_note"))
    fam = logic.family_rows(answer)
    if fam:
        st.subheader(t("families"))
        st.dataframe(pd.DataFrame(fam).rename(columns={"family": t("family")}).fillna(""), hide_index=True,
                     key="families")
    st.subheader(t("binding"))
    texts = logic.binding_texts(doc)
    if not any(texts.values()):
        st.write(t("no_binding"))
    for mode, lines in texts.items():
        if lines:
            st.markdown(f"**{t(mode)}**\n" + "\n".join(f"- {x}" for x in lines))
    stem = Path(doc["unit"]["file"]).stem
    d1, d2 = st.columns(2)
    d1.download_button(t("download_xlsx"), logic.xlsx_bytes(answer), f"{stem}.xlsx", key="xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    d2.download_button(t("download_json"), logic.json_bytes(answer), f"{stem}.json", key="json",
                       mime="application/json")


def _actions(t, src: str, name: str, doc: dict, valid: bool) -> None:
    """Solve, the edited unit's downloads (YAML; Excel made when asked for) and going back to the file."""
    c1, c2, c3, c4 = st.columns(4)
    if c1.button(t("solve"), key="solve", type="primary", disabled=not valid):
        st.session_state["solved_for"] = src
    stem = Path(name).stem
    if valid:
        c2.download_button(t("download_unit_yaml"), logic.unit_yaml_bytes(doc), f"{stem}.yaml", key="unit_yaml",
                           mime="application/x-yaml")
        c3.download_button(t("download_unit_xlsx"), lambda: logic.unit_xlsx_bytes(doc), f"{stem}.xlsx",
                           key="unit_xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    orig = st.session_state[f"orig:{src}"]
    if c4.button(t("reset"), key="reset", disabled=doc == orig):
        _commit(src, copy.deepcopy(orig), unit_edit.ORDER)


def unit_page(t) -> None:
    """Enhet: pick or upload a unit, edit it in tables, solve, read and download the answer."""
    st.title(t("title"))
    try:
        picked = _source(t)
        if picked is None:
            return
        src, name = picked
        doc = st.session_state[f"doc:{src}"]
        ctx = _context(doc["catalogue"], tuple(doc.get("rules") or []), name)
    except InputError as e:
        _show(t, e)
        return
    text = logic.document_yaml(doc)
    inst, error = None, None
    try:
        inst = _instance(text, name)
    except InputError as e:
        error = (unit_edit.part_of(e, name), unit_edit.shown_error(e))
    if error is not None and error[0] is None:
        _show(t, error[1])
    ok = _edit(t, src, doc, ctx, error)
    if error is not None and error[0] is not None:
        st.warning(t("see_tab").format(tab=t(f"tab_{error[0]}")))
    valid = ok and inst is not None
    _actions(t, src, name, doc, valid)
    if not valid or st.session_state.get("solved_for") != src:
        return
    try:
        answer = _solved((src, text), inst)
    except InfeasibleError as e:
        st.error(f"**{t('infeasible')}**\n\n```\n{e}\n```", icon="⛔")
        return
    _results(t, answer)


# the app's pages: label key -> render(lang); the unit page first (the default)
PAGES = {"page_unit": lambda lang: unit_page(lambda key: label(key, lang)),
         "page_roster": roster_page.render,
         "page_national": national_page.render}


def page() -> None:
    st.set_page_config(page_title="leon", layout="wide")
    lang = st.sidebar.radio("Språk / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
    if len(PAGES) > 1:
        which = st.sidebar.radio(label("page", lang), list(PAGES), format_func=lambda k: label(k, lang), key="page")
    else:
        which = next(iter(PAGES))
    PAGES[which](lang)


page()
