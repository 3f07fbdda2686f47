"""The unit page (Enhet): pick or upload a unit, edit patients, solve, read and download the answer.

Run with `leon app`. The page only lays out what app.logic returns; the numbers are the CLI's.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:  # `streamlit run app/main.py` puts app/ first on the path, not the project
    sys.path.insert(0, ROOT)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import logic, national_page, roster_page  # noqa: E402
from app.labels import LANGUAGES, label  # noqa: E402
from planner.io.errors import InfeasibleError, InputError  # noqa: E402


@st.cache_resource(show_spinner=False, max_entries=16)
def _solved(key: tuple, _inst) -> logic.Answer:
    """One solve per unit and patient counts (the key); reruns of the page reuse it."""
    return logic.solve_unit(_inst)


def _unit(t) -> tuple[str, object] | None:
    """(a key naming the unit's source, the unit), or None while no file is uploaded."""
    shipped = logic.shipped_units()
    source = st.radio(t("source"), ("shipped", "upload"), format_func=t, key="source", horizontal=True)
    if source == "shipped":
        names = list(shipped)
        name = st.selectbox(t("unit"), names, key="unit",
                            index=names.index("sykehjem.yaml") if "sykehjem.yaml" in names else 0)
        return f"shipped:{name}", logic.load_unit(shipped[name])
    up = st.file_uploader(t("upload_file"), type=list(logic.UPLOAD_TYPES), key="upload")
    if up is None:
        st.info(t("upload_hint"))
        return None
    data = up.getvalue()
    return f"upload:{up.name}:{hash(data)}", logic.load_upload(up.name, data)


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


def unit_page(t) -> None:
    """Enhet: pick or upload a unit, edit patients, solve, read and download the answer."""
    st.title(t("title"))
    try:
        picked = _unit(t)
        if picked is None:
            return
        key, inst = picked
        st.subheader(t("patients"))
        edited = st.data_editor(pd.DataFrame(logic.patient_rows(inst)), key=f"patients:{key}", hide_index=True,
                                num_rows="fixed", disabled=["class"],
                                column_config={"class": t("class"),
                                               "count": st.column_config.NumberColumn(t("count"))})
        inst = logic.with_patient_counts(inst, logic.counts_from_table(edited.to_dict("records")))
    except InputError as e:
        st.error(f"**{t('invalid')}**\n\n```\n{e}\n```", icon="⚠️")
        return
    if st.button(t("solve"), key="solve", type="primary"):
        st.session_state["solved_for"] = key
    if st.session_state.get("solved_for") != key:
        return
    try:
        answer = _solved((key, tuple(sorted(inst.patient_counts.items()))), inst)
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
