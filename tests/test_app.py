"""The web app's unit page: its logic as plain functions (the same numbers as `leon solve`), and the
page itself through Streamlit's AppTest (load, pick, solve, edit, errors, infeasible unit)."""

from __future__ import annotations

import argparse
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

from app import logic
from app.logic import scratch_root
from conftest import ROOT, run_cli
from planner.io.errors import InfeasibleError, InputError

UNITS = ROOT / "instances" / "units"
SYKEHJEM = UNITS / "sykehjem.yaml"
DISPLAY = 0.005  # the page shows årsverk with two decimals


@pytest.fixture(scope="module")
def cli_doc(tmp_path_factory):
    """`leon solve instances/units/sykehjem.yaml --json` as the CLI writes it."""
    import cli

    out = tmp_path_factory.mktemp("cli") / "sykehjem.json"
    assert cli.main(["solve", str(SYKEHJEM), "--json", str(out), "--quiet"]) == 0
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def answer():
    return logic.solve_unit(logic.load_unit(SYKEHJEM))


def _infeasible_unit(unit_dir: Path) -> Path:
    """The small test unit with no sykepleier allowed at night, against its rule that wants one on
    every shift; catalogue and rules by absolute path, so the file can be uploaded on its own."""
    path = unit_dir / "unit.yaml"
    d = yaml.safe_load(path.read_text())
    d.update(catalogue=str(unit_dir / "catalogue.yaml"), rules=[str(unit_dir / "rules.yaml")],
             availability={"sykepleier": {"natt": 0}})
    path.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True))
    return path


def _leftovers() -> set[str]:
    return {p.name for p in scratch_root().glob("leon-*")}


# ------------------------------------------------------------------------------------------ logic
def test_freed_arsverk_equal_the_cli(answer, cli_doc):
    rows = {r["group"]: r for r in logic.freed_rows(answer.doc)}
    split = cli_doc["freed_fte_breakdown"]
    for g, total in cli_doc["freed_fte"].items():
        assert rows[g]["total"] == pytest.approx(total, abs=DISPLAY)
        assert rows[g]["pooling"] == pytest.approx(split["pooling"][g], abs=DISPLAY)
        assert rows[g]["task_sharing"] == pytest.approx(split["task_sharing"][g], abs=DISPLAY)
    # the sum row adds the groups: pooling + task sharing = total, for the sum as for each group
    assert rows["sum"]["total"] == pytest.approx(sum(cli_doc["freed_fte"].values()), abs=DISPLAY)
    assert rows["sum"]["pooling"] + rows["sum"]["task_sharing"] == pytest.approx(rows["sum"]["total"], abs=1e-3)
    assert answer.doc["cost_change_nok_per_week"] == pytest.approx(cli_doc["cost_change_nok_per_week"], abs=0.5)
    assert logic.cost_text(answer.doc) == f"{cli_doc['cost_change_nok_per_week']:+,.0f} NOK".replace(",", " ")


def test_heads_table_reads_baseline_then_leon(answer, cli_doc):
    rows = {r["shift"]: r for r in logic.heads_rows(answer)}
    b, lo = cli_doc["results"]["baseline"]["staff"], cli_doc["results"]["leon"]["staff"]
    assert set(rows) == set(b)
    for s in b:
        for g in b[s]:
            assert rows[s][g] == f"{b[s][g]:g} → {lo[s][g]:g}"


def test_heads_changes_colour_fewer_and_more(answer, cli_doc):
    b, lo = cli_doc["results"]["baseline"]["staff"], cli_doc["results"]["leon"]["staff"]
    change = logic.heads_changes(answer)
    for s in b:
        for g in b[s]:
            assert change[s, g] == (1 if lo[s][g] > b[s][g] else -1 if lo[s][g] < b[s][g] else 0)
    assert any(v for v in change.values()), "the nursing home's heads move under LEON"


def test_family_rows_show_where_each_familys_hours_move(answer):
    # recomputed from the allocation itself: hours per week by (family, group) and mode
    hours = {}
    for m in ("baseline", "leon"):
        for task, per in answer.results[m].allocation.items():
            fam = answer.inst.tasks[task].family
            for g, h in per.items():
                hours[m, fam, g] = hours.get((m, fam, g), 0.0) + h
    rows = {r["family"]: r for r in logic.family_rows(answer)}
    fams = {f for _, f, _ in hours}
    moving = {f for f in fams if any(abs(hours.get(("baseline", f, g), 0) - hours.get(("leon", f, g), 0)) >= 0.05
                                     for g in answer.inst.groups)}
    assert set(rows) == moving and "stell" in rows
    for f, r in rows.items():
        for g, text in r.items():
            if g != "family":
                assert text == f"{hours.get(('baseline', f, g), 0.0):.0f} → {hours.get(('leon', f, g), 0.0):.0f}"


def test_more_patients_need_more_hours():
    inst = logic.load_unit(SYKEHJEM)
    before = logic.solve_unit(inst)
    heavier = logic.with_patient_counts(inst, {"tung": inst.patient_counts["tung"] + 6})
    after = logic.solve_unit(heavier)
    assert heavier.patient_counts["tung"] == inst.patient_counts["tung"] + 6
    assert after.doc["unit"]["patients"] == before.doc["unit"]["patients"] + 6
    for m in logic.MODES:  # six more residents with omfattende bistandsbehov: more paid hours either way
        assert sum(after.results[m].weekly_hours.values()) > sum(before.results[m].weekly_hours.values())


def test_invalid_count_gives_the_cli_message(unit_dir, capsys):
    inst = logic.load_unit(unit_dir / "unit.yaml")
    with pytest.raises(InputError) as app_err:
        logic.with_patient_counts(inst, {"tung": -3})
    # the same value in the unit file, through `leon solve`
    path = unit_dir / "unit.yaml"
    d = yaml.safe_load(path.read_text())
    d["patient_classes"][0]["count"] = -3
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    code, _, err = run_cli(["solve", path], capsys)
    assert code == 2
    e = app_err.value
    assert e.field == "patient_classes[0].count"
    assert f"{e.field} (line" in err and f": {e.problem}\n  fix: {e.fix}" in err
    with pytest.raises(InputError, match="give a number"):
        logic.with_patient_counts(inst, logic.counts_from_table([{"class": "tung", "count": float("nan")}]))
    # each class within its limit, the sum over it: 6000 lett + 5 middels + 6000 tung = 12 005
    with pytest.raises(InputError, match="add up to 12005 patients"):
        logic.with_patient_counts(logic.load_unit(SYKEHJEM), {"lett": 6000, "tung": 6000})


def test_upload_reads_like_the_file_and_leaves_nothing(tmp_path):
    before = _leftovers()
    inst = logic.load_upload("min_enhet.yaml", SYKEHJEM.read_bytes())
    assert inst.patient_counts == logic.load_unit(SYKEHJEM).patient_counts
    assert inst.path.name == "min_enhet.yaml" and len(inst.rules) > 0
    with pytest.raises(InputError) as e:
        logic.load_upload("feil.yaml", b"kind: unit\nid: x\n")
    assert e.value.file == "feil.yaml" and "fix:" in str(e.value)
    assert tempfile.gettempdir() not in str(e.value) and str(scratch_root()) not in str(e.value)
    with pytest.raises(InputError, match="neither a unit YAML file nor a unit workbook"):
        logic.load_upload("notes.txt", b"hello")
    assert _leftovers() == before


def test_upload_of_a_workbook(tmp_path, capsys):
    """A workbook made beside the shipped layout (units/ next to catalogue/ and rules/) names its
    catalogue and rules as ../catalogue/… and ../rules/…, which the app resolves for an upload."""
    shutil.copytree(Path(SYKEHJEM).parent.parent, tmp_path / "instances")
    book = tmp_path / "instances" / "units" / "enhet.xlsx"
    code, _, err = run_cli(["template", book, "--from", tmp_path / "instances" / "units" / "sykehjem.yaml"], capsys)
    assert code == 0, err
    inst = logic.load_upload(book.name, book.read_bytes())
    assert inst.patient_counts == logic.load_unit(SYKEHJEM).patient_counts


def test_infeasible_unit_raises_its_diagnosis(unit_dir):
    inst = logic.load_unit(_infeasible_unit(unit_dir))
    with pytest.raises(InfeasibleError) as e:
        logic.solve_unit(inst)
    assert "sykepleier_alltid" in str(e.value) and "hverdag_natt" in str(e.value)
    assert e.value.diagnosis


def test_downloads_are_the_report_files(answer):
    before = _leftovers()
    doc = json.loads(logic.json_bytes(answer))
    assert doc == json.loads(json.dumps(answer.doc, default=float))
    with zipfile.ZipFile(io.BytesIO(logic.xlsx_bytes(answer))) as z:
        assert "xl/workbook.xml" in z.namelist()
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(logic.xlsx_bytes(answer)))
    assert {"staffing", "årsverk", "binding"} <= set(wb.sheetnames)
    assert _leftovers() == before


# ------------------------------------------------------------------------------------------ leon app
def test_app_help_lists_the_options(capsys):
    import cli

    with pytest.raises(SystemExit) as e:
        cli.main(["app", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for opt, default in (("--port", "8501"), ("--host", "127.0.0.1"), ("--no-browser", "open one")):
        assert opt in out and f"default: {default}" in " ".join(out.split())


def test_app_command_line():
    from commands.app import MAIN, command

    cmd = command(argparse.Namespace(port=8600, host="127.0.0.1", no_browser=True))
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[-1] == str(MAIN) and MAIN.exists()
    opts = dict(zip(cmd[4:-1:2], cmd[5:-1:2], strict=True))  # every option before the script
    assert opts == {"--server.address": "127.0.0.1", "--server.port": "8600",
                    "--browser.gatherUsageStats": "false", "--client.toolbarMode": "minimal",
                    "--server.headless": "true"}
    cmd = command(argparse.Namespace(port=8501, host="127.0.0.1", no_browser=False))
    assert "--server.headless" not in cmd


def test_sigterm_to_leon_app_ends_its_server_too(tmp_path):
    """`leon app` in its own process group; a SIGTERM to leon alone (not the group) must not leave the
    Streamlit server running."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "cli", "app", "--no-browser", "--port", str(port)], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        up = False
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                    up = True
                    break
            except OSError:
                time.sleep(0.2)
        assert up, "leon app did not answer"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 130
        time.sleep(0.5)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_app_refuses_a_bad_port(capsys):
    code, _, err = run_cli(["app", "--port", "70000"], capsys)
    assert code == 2 and "--port" in err and "fix:" in err


# ------------------------------------------------------------------------------------------ the page
def _page():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120).run()


def _solved_page():
    at = _page()
    at.selectbox(key="unit").select("sykehjem.yaml").run()
    at.button(key="solve").click().run()
    assert not at.exception, at.exception
    return at


def _metric(at, key: str, lang: str = "nb") -> str:
    from app.labels import label

    [m] = [m for m in at.metric if m.label == label(key, lang)]
    return m.value


def test_page_solves_the_nursing_home(cli_doc):
    at = _solved_page()
    assert not at.error
    total = sum(cli_doc["freed_fte"].values())
    assert _metric(at, "freed_total") == f"{total:.2f}"
    assert _metric(at, "cost_change") == logic.cost_text(cli_doc)
    [freed] = [d.value for d in at.dataframe if list(d.value.columns)[:1] == ["gruppe"]]
    assert list(freed.columns) == ["gruppe", "samordning", "oppgavedeling", "totalt"]
    for _, row in freed.iterrows():
        if row["gruppe"] != "sum":
            assert row["totalt"] == pytest.approx(cli_doc["freed_fte"][row["gruppe"]], abs=DISPLAY)
    # the answer's workbook and JSON, and the unit as edited (YAML and workbook)
    assert sorted(b.key for b in at.download_button) == ["json", "unit_xlsx", "unit_yaml", "xlsx"]
    [fam] = [d.value for d in at.dataframe if list(d.value.columns)[:1] == ["oppgavefamilie"]]
    assert "stell" in set(fam["oppgavefamilie"])


def test_page_in_english():
    at = _solved_page()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert _metric(at, "freed_total", "en")
    assert at.button(key="solve").label == "Solve"


def test_page_edit_changes_the_answer():
    at = _solved_page()
    first = _metric(at, "freed_total")
    tung = list(at.data_editor[0].value["class"]).index("tung")
    at.session_state["patients:shipped:sykehjem.yaml"] = {
        "edited_rows": {tung: {"count": 30}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.error and not at.exception
    # the page's answer is the logic's answer for the edited unit, and it differs from the first
    inst = logic.load_unit(SYKEHJEM)
    edited = logic.solve_unit(logic.with_patient_counts(inst, {"tung": 30}))
    assert _metric(at, "freed_total") == f"{logic.freed_rows(edited.doc)[-1]['total']:.2f}"
    assert _metric(at, "freed_total") != first


def test_page_shows_an_invalid_edit_with_field_and_fix():
    at = _solved_page()
    at.session_state["patients:shipped:sykehjem.yaml"] = {
        "edited_rows": {0: {"count": -2}}, "added_rows": [], "deleted_rows": []}
    at.run()
    [err] = at.error
    assert "patient_classes[0].count" in err.value and "fix: give a number that is not negative" in err.value
    assert not at.metric  # no answer beside an error


def test_page_shows_an_infeasible_units_diagnosis_first(unit_dir):
    at = _page()
    at.radio(key="source").set_value("upload").run()
    path = _infeasible_unit(unit_dir)
    at.file_uploader(key="upload").upload("umulig.yaml", path.read_bytes(), "application/x-yaml").run()
    at.button(key="solve").click().run()
    assert not at.exception, at.exception
    [err] = at.error
    assert "sykepleier_alltid" in err.value and "hverdag_natt" in err.value
    assert not at.metric


def test_page_shows_an_upload_error():
    at = _page()
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="upload").upload("tom.yaml", b"kind: unit\n", "application/x-yaml").run()
    [err] = at.error
    assert "tom.yaml" in err.value and "fix:" in err.value


def test_page_lists_the_binding_rules():
    # medisinsk_sengepost has binding rules in both modes (the nursing home has none)
    at = _page()
    at.selectbox(key="unit").select("medisinsk_sengepost.yaml").run()
    at.button(key="solve").click().run()
    assert not at.exception and not at.error
    texts = logic.binding_texts(logic.solve_unit(logic.load_unit(UNITS / "medisinsk_sengepost.yaml")).doc)
    shown = "\n".join(m.value for m in at.markdown)
    assert all(texts.values())
    for lines in texts.values():
        for line in lines:
            assert f"- {line}" in shown


# ------------------------------------------------------------------------------------------ editing the unit
SRC = "shipped:sykehjem.yaml"


def _editor(at, part: str, src: str = SRC):
    """The editor of a part (its key gains a version each time its edit becomes the document's)."""
    [e] = [e for e in at.data_editor if e.key == f"{part}:{src}" or e.key.startswith(f"{part}:{src}:")]
    return e


def _edit(at, part: str, edited_rows: dict, src: str = SRC, added_rows: list | None = None):
    at.session_state[_editor(at, part, src).key] = {"edited_rows": edited_rows, "added_rows": added_rows or [],
                                                    "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def _row(at, part: str, column: str, value: str, src: str = SRC) -> int:
    return list(_editor(at, part, src).value[column]).index(value)


def _tab(at, part: str):
    from app.labels import label

    [tab] = [x for x in at.tabs if x.label == label(f"tab_{part}")]
    return tab


def _answer(name: str, edit) -> logic.Answer:
    """The logic's answer for a shipped unit's document with one edit (a function of the document)."""
    from app import unit_edit

    doc = logic.unit_document(UNITS / name)
    return logic.solve_unit(logic.document_instance(edit(doc, unit_edit.context(doc, name, UNITS)), name))


def _freed(at) -> dict:
    [freed] = [d.value for d in at.dataframe if list(d.value.columns)[:1] == ["gruppe"]]
    return dict(zip(freed["gruppe"], freed["totalt"], strict=True))


def test_page_edit_of_task_minutes_moves_the_answer():
    """morgenstell 30 -> 45 min on the nursing home: 26.1 occurrences per day shift (1 × 0.333 + 5 × 0.833
    + 18 × 1.2), 7 day shifts a week, so 45.7 h more work a week; both modes pay more hours, and LEON's
    saving (the cost change) shrinks."""
    from app import unit_edit

    at = _solved_page()
    first = _metric(at, "cost_change")
    row = _row(at, "task_minutes", "task", "morgenstell")
    _edit(at, "task_minutes", {row: {"minutes": 45}})
    # minutes without a source: the CLI's error beside the table, and no answer until it is fixed
    [err] = _tab(at, "task_minutes").error
    assert "task_minutes.morgenstell" in err.value and "needs `source:`" in err.value and "fix:" in err.value
    assert not at.metric and not at.download_button
    _edit(at, "task_minutes", {row: {"illustrative": True}})
    assert not at.error

    def edit(doc, ctx):
        rows = unit_edit.minute_rows(doc, ctx)
        rows[row].update(minutes=45, illustrative=True)
        return unit_edit.write_minutes(doc, rows, ctx)
    edited, shipped = _answer("sykehjem.yaml", edit), logic.solve_unit(logic.load_unit(SYKEHJEM))
    assert _metric(at, "cost_change") == logic.cost_text(edited.doc) != first
    for m in logic.MODES:
        assert sum(edited.results[m].weekly_hours.values()) > sum(shipped.results[m].weekly_hours.values())


def test_page_disabling_a_min_heads_rule_needs_fewer_sykepleiere():
    """Skarbøvik's rule of two sykepleiere on every day and evening shift binds in both modes: without it
    LEON staffs fewer sykepleier heads and frees fewer årsverk (the rule's sykepleiere did work that
    helsefagarbeidere now do in both modes)."""
    from app import unit_edit

    src = "shipped:skarbovik.yaml"
    at = _page()
    at.selectbox(key="unit").select("skarbovik.yaml").run()
    at.button(key="solve").click().run()
    row = _row(at, "rules", "rule", "skarbovik_stab_dag_kveld", src)
    _edit(at, "rules", {row: {"enabled": False}}, src)
    assert not at.error

    def off(doc, ctx):
        rows = unit_edit.rule_rows(doc, ctx)
        rows[row]["enabled"] = False
        return unit_edit.write_rules(doc, rows, ctx)
    edited = _answer("skarbovik.yaml", off)
    shipped = logic.solve_unit(logic.load_unit(UNITS / "skarbovik.yaml"))
    assert _metric(at, "freed_total") == f"{logic.freed_rows(edited.doc)[-1]['total']:.2f}"

    def sykepleiere(a):
        return sum(a.doc["results"]["leon"]["staff"][s]["sykepleier"] for s in a.inst.shift_ids)
    assert sykepleiere(edited) < sykepleiere(shipped)


def test_page_tighter_availability_is_infeasible_with_its_diagnosis_first():
    """No sykepleier and no vernepleier at night: the rule of one of them on every shift cannot hold."""
    at = _solved_page()
    edits = {i: {"sykepleier": 0, "vernepleier": 0} for i, s in enumerate(_editor(at, "availability").value["shift"])
             if s.endswith("natt")}
    _edit(at, "availability", edits)
    [err] = at.error
    assert "sykepleier_pa_vakt" in err.value and "availability of" in err.value
    assert not at.metric  # the diagnosis, not an answer
    # the caps are the document's: the night rows of the table now hold them
    table = _editor(at, "availability").value
    assert list(table.loc[table["shift"] == "hverdag_natt", "sykepleier"]) == [0]


def test_page_planning_base_none_moves_freed_aarsverk_between_groups():
    """Without a planning base assistants may take tasks that need health competence in LEON: the
    nursing home frees fewer assistent årsverk and more helsefagarbeider årsverk (the total stays)."""
    from app import unit_edit

    at = _solved_page()
    before = _freed(at)
    [sel] = [s for s in at.selectbox if s.key.startswith(f"planning_base:{SRC}")]
    sel.select_index(0).run()  # the first option: none
    assert not at.exception and not at.error
    after = _freed(at)
    edited = _answer("sykehjem.yaml", lambda doc, ctx: unit_edit.write_planning_base(doc, None, doc))
    for g, total in edited.doc["freed_fte"].items():
        assert after[g] == pytest.approx(total, abs=DISPLAY)
    assert after["assistent"] < before["assistent"] and after["helsefagarbeider"] > before["helsefagarbeider"]


def test_page_added_workload_row_adds_work():
    """An extra shower row on the weekend day shifts (0.2 per patient) is more work: LEON pays at least
    as many hours (its staffing is monotone in the work; today's day shares need not be), and the page
    shows that answer."""
    from app import unit_edit

    at = _solved_page()
    n = len(_editor(at, "workload").value)
    _edit(at, "workload", {}, added_rows=[{"task": "dusj", "shifts": "helg_dag", "per_patient": 0.2}])
    assert not at.error
    assert len(_editor(at, "workload").value) == n + 1

    def add(doc, ctx):
        rows = unit_edit.workload_rows(doc, ctx)
        rows.append({"_row": n, "task": "dusj", "shifts": "helg_dag", "per_patient": 0.2})
        return unit_edit.write_workload(doc, rows, ctx)
    edited = _answer("sykehjem.yaml", add)
    shipped = logic.solve_unit(logic.load_unit(SYKEHJEM))
    assert "helg_dag" not in shipped.doc["workload"]["dusj"]   # dusj only on weekdays in the shipped unit
    assert edited.doc["workload"]["dusj"]["helg_dag"] > 0
    assert sum(edited.results["leon"].weekly_hours.values()) >= sum(shipped.results["leon"].weekly_hours.values())
    assert _metric(at, "cost_change") == logic.cost_text(edited.doc)


@pytest.mark.parametrize("part, key_column, key, change, field, problem", [
    ("today", "task", "morgenstell", {"helsefagarbeider": 0.7}, "today_overrides.morgenstell", "add up to 1.2"),
    ("shifts", "id", "hverdag_dag", {"end": "15.00"}, "shifts[0].end", "HH:MM"),
    ("rules", "rule", "aldri_alene", {"min": 2}, "rule_overrides.aldri_alene.min", "does not use `min`"),
    ("patients", "class", "tung", {"count": -3}, "patient_classes[2].count", "not negative"),
])
def test_page_shows_an_invalid_edit_beside_its_table(part, key_column, key, change, field, problem):
    from app.labels import label

    at = _solved_page()
    _edit(at, part, {_row(at, part, key_column, key): change})
    [err] = at.error
    [beside] = _tab(at, part).error   # the error is in the edited table's tab
    assert beside.value == err.value
    assert f"sykehjem.yaml: {field}: " in err.value and problem in err.value and "fix:" in err.value
    assert "(line" not in err.value   # the document has no lines the manager could look up
    [warn] = at.warning
    assert label(f"tab_{part}") in warn.value
    assert not at.metric and not at.download_button
    # undo: the shipped unit again, and its answer
    at.button(key="reset").click().run()
    assert not at.error and _metric(at, "freed_total")
    assert at.session_state[f"doc:{SRC}"] == logic.unit_document(SYKEHJEM)


def test_page_offers_the_edited_unit_for_download(tmp_path):
    """The page's YAML download is the document as edited; saved beside the shipped units it is a unit."""
    at = _solved_page()
    row = _row(at, "patients", "class", "tung")
    _edit(at, "patients", {row: {"count": 20}})
    keys = {b.key for b in at.download_button}
    assert {"unit_yaml", "unit_xlsx", "xlsx", "json"} <= keys
    doc = at.session_state[f"doc:{SRC}"]
    assert next(c for c in doc["patient_classes"] if c["id"] == "tung")["count"] == 20
    assert yaml.safe_load(logic.unit_yaml_bytes(doc)) == doc


def test_scratch_folders_are_made_in_memory_where_the_system_has_it():
    """Uploads carry names (personal data): on Linux their scratch copies live in /dev/shm (RAM), and a
    scratch folder is private to this user."""
    import os
    import shutil
    from pathlib import Path

    from app.logic import scratch
    tmp = scratch("leon-test-")
    try:
        if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
            assert tmp.parent == Path("/dev/shm")
        assert tmp.stat().st_mode & 0o077 == 0
    finally:
        shutil.rmtree(tmp)
