"""Write a unit workbook a manager can fill in Excel (`leon template`), empty or from a unit's values.

The sheets and columns are those of planner.staffing.workbook_layout, so what is written here reads back
(planner.staffing.workbook) as the same unit. Header rows are frozen and locked; ids have drop-down
lists and numbers the schema's bounds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from planner.io.loader import read_yaml
from planner.io.writer import atomic_path
from planner.staffing.instance import load_catalogue, load_rules, load_unit
from planner.staffing.workbook_layout import (
    ARBEIDSMENGDE,
    ARBEIDSMENGDE_TAIL,
    CLASS_HELP,
    CLASS_PREFIX,
    ENHET,
    HELP,
    LISTS,
    SHEETS,
    Col,
    bounds,
)

SHIPPED = Path(__file__).resolve().parents[2] / "instances"  # the catalogue and rule sets leon ships
TIMES = ["dag", "kveld", "natt", "lang"]
DAY_TYPES = ["hverdag", "helg"]
SPARE = 300  # empty rows below the data that are unlocked and carry the validations
_HEAD = PatternFill("solid", fgColor="DDEBF7")


def write_template(out: Path, unit: Path | None) -> str:
    """Write the workbook; a one-line summary of what it holds."""
    out = Path(out)
    if unit is not None:
        raw, lists = _from_unit(Path(unit), out.parent)
    else:
        raw, lists = _empty(out.parent)
    _save(out, raw, lists)
    what = f"unit {raw['id']}" if raw.get("id") else "an empty unit"
    return (f"{what}: {len(raw.get('shifts', []))} shifts, {len(raw.get('workload', []))} workload rows, "
            f"{len(lists['oppgaver'])} tasks and {len(lists['regler'])} rules in the lists")


def write_unit_book(out: Path, raw: dict, folder: Path) -> None:
    """Write a unit document (the dict a unit YAML holds) as the workbook `leon template --from` makes of
    it. Its catalogue and rule references are relative to `folder` and stay as written: the workbook is
    meant to sit in `folder`, where the YAML would. The document is not checked here."""
    refs = list(raw.get("rules", []))
    _save(Path(out), raw, _doc_lists(raw, Path(folder) / "unit.yaml", refs, refs))


def _save(out: Path, raw: dict, lists: dict) -> None:
    wb = _workbook(raw, lists)
    with atomic_path(out, suffix=".xlsx") as tmp:
        wb.save(tmp)


def _rel(ref: str, base: Path, out_dir: Path) -> str:
    """A file reference made relative to the workbook's folder (as YAML references are to the YAML's)."""
    return os.path.relpath((base.parent / ref).resolve(), out_dir.resolve())


def _from_unit(path: Path, out_dir: Path) -> tuple[dict, dict]:
    load_unit(path)  # a template is only written from a unit that passes every check
    if path.suffix.lower() == ".xlsx":
        from planner.staffing.workbook import unit_document

        raw = unit_document(path)
    else:
        raw = dict(read_yaml(path)[0])
    orig = list(raw.get("rules", []))
    lists = _doc_lists(raw, path, orig, [_rel(r, path, out_dir) for r in orig])
    raw["catalogue"] = _rel(raw["catalogue"], path, out_dir)
    raw["rules"] = [_rel(r, path, out_dir) for r in orig]
    return raw, lists


def _doc_lists(raw: dict, path: Path, refs: list[str], shown: list[str]) -> dict:
    """The drop-down lists of a unit document read from `path` (its references are relative to that
    file); its rule files are listed under the names `shown`."""
    groups, tasks, _ = load_catalogue((path.parent / raw["catalogue"]).resolve())
    rules = [(new, load_rules((path.parent / r).resolve()).rules) for r, new in zip(refs, shown, strict=True)]
    return _lists(groups, tasks, [s["id"] for s in raw["shifts"]], rules, raw.get("extra_rules", []))


def _empty(out_dir: Path) -> tuple[dict, dict]:
    cat = SHIPPED / "catalogue" / "tasks.yaml"
    groups, tasks, _ = load_catalogue(cat)
    rule_files = [p for p in sorted((SHIPPED / "rules").glob("*.yaml")) if read_yaml(p)[0].get("kind") == "rules"]
    rules = [(os.path.relpath(p, out_dir.resolve()), load_rules(p).rules) for p in rule_files]
    # the schema's defaults (fte, productive share) hold while their cells stay empty
    raw = {"catalogue": os.path.relpath(cat, out_dir.resolve()), "type": "other"}
    return raw, _lists(groups, tasks, [], rules, [])


def _lists(groups, tasks, shift_ids, rules, extra) -> dict[str, Any]:
    return {"grupper": list(groups), "oppgaver": list(tasks),
            "vakter": ["all", *shift_ids, *TIMES, *DAY_TYPES],
            "regler": [r.id for _, rs in rules for r in rs] + [r["id"] for r in extra if "id" in r],
            "regelfiler": [f for f, _ in rules], "_rules": rules,
            "_minutes": {t: spec.minutes for t, spec in tasks.items()}}


# ---------------------------------------------------------------------------------------- writing
def _text(col: Col, v: Any) -> Any:
    if v is None:
        return None
    if col.cell == "list" and isinstance(v, list):
        return ", ".join(map(str, v))
    if col.cell == "yaml" and not isinstance(v, (int, float, str)):
        return yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False).strip()
    return v


def _workbook(raw: dict, lists: dict) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    lst = wb.create_sheet(LISTS)
    refs = {}
    for c, (name, items) in enumerate((k, v) for k, v in lists.items() if not k.startswith("_")):
        lst.cell(1, c + 1, name)
        for r, item in enumerate(items, start=2):
            lst.cell(r, c + 1, item)
        col = get_column_letter(c + 1)
        refs[name] = f"{LISTS}!${col}$2:${col}${max(2, len(items) + 1)}"
    lst.sheet_state = "hidden"

    classes = [c["id"] for c in raw.get("patient_classes", [])]
    work_cols = ARBEIDSMENGDE + [Col(CLASS_PREFIX + c, "num", CLASS_HELP.format(c=c), *_pp()) for c in classes] \
        + ARBEIDSMENGDE_TAIL
    _enhet(wb, raw, refs)
    _table(wb, "pasienter", SHEETS["pasienter"], raw.get("patient_classes", []), refs, {})
    _table(wb, "vakter", SHEETS["vakter"], raw.get("shifts", []), refs,
           {"day_type": DAY_TYPES, "time": TIMES})
    _table(wb, "arbeidsmengde", work_cols, [_work_row(w) for w in raw.get("workload", [])], refs,
           {"task": "oppgaver", "shifts": ("vakter", "warning")})
    _table(wb, "oppgavetid", SHEETS["oppgavetid"], _minute_rows(raw, lists["_minutes"]), refs,
           {"task": "oppgaver"})
    _table(wb, "regler", SHEETS["regler"], _rule_rows(raw, lists), refs,
           {"rule_file": ("regelfiler", "warning"), "rule": "regler", "enabled": ["TRUE", "FALSE"]})
    avail = [{"group": g, "shifts": s, "max_heads": n} for g, per in raw.get("availability", {}).items()
             for s, n in per.items()]
    _table(wb, "tilgjengelighet", SHEETS["tilgjengelighet"], avail, refs,
           {"group": "grupper", "shifts": ("vakter", "warning")})
    _help(wb, work_cols)
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    return wb


def _pp():
    from planner.staffing.schema import WorkloadEntry

    return WorkloadEntry, "per_patient"


def _work_row(w: dict) -> dict:
    row = dict(w)
    row.setdefault("shifts", "all")
    if isinstance(row.get("per_patient"), dict):
        for c, v in row.pop("per_patient").items():
            row[CLASS_PREFIX + c] = v
    return row


def _minute_rows(raw: dict, catalogue: dict[str, float]) -> list[dict]:
    """One row per task of the workload (and per task with minutes of the unit's own): the catalogue's
    minutes beside the unit's."""
    own = raw.get("task_minutes", {})
    tasks = list(dict.fromkeys([w.get("task") for w in raw.get("workload", []) if w.get("task")] + list(own)))
    return [{"task": t, "catalogue_minutes": catalogue.get(t), **own.get(t, {})} for t in tasks]


def _rule_rows(raw: dict, lists: dict) -> list[dict]:
    overrides = raw.get("rule_overrides", {})
    rows = []
    sets = [(f, rs) for f, rs in lists["_rules"] if f in raw.get("rules", [])] if raw.get("id") else []
    for ref, rs in sets + [(None, raw.get("extra_rules", []))]:
        if ref:
            rows.append({"rule_file": ref})
        for r in rs:
            rid, name, typ = (r.id, r.name, r.type) if hasattr(r, "id") else (r.get("id"), r.get("name"), r.get("type"))
            rows.append({"rule": rid, "about": f"{name or rid} ({typ})", **overrides.get(rid, {})})
    return rows


def _header(ws, cols: list[Col]) -> None:
    for c, col in enumerate(cols, start=1):
        cell = ws.cell(1, c, col.name)
        cell.font = Font(bold=True)
        cell.fill = _HEAD
        ws.column_dimensions[get_column_letter(c)].width = max(12, min(40, len(col.name) + 4))
    ws.freeze_panes = "A2"


def _protect(ws, ncols: int, last: int) -> None:
    """Lock the header row only: every cell below it stays editable, and rows may be added and removed."""
    for row in ws.iter_rows(min_row=2, max_row=last, max_col=ncols):
        for cell in row:
            cell.protection = Protection(locked=False)
    p = ws.protection
    p.sheet = True
    p.insertRows = p.deleteRows = p.formatColumns = p.formatCells = p.sort = p.autoFilter = False


def _validate(ws, col: Col, letter: str, first: int, last: int, refs: dict, choice) -> None:
    rng = f"{letter}{first}:{letter}{last}"
    if choice is not None:
        style = "stop"
        if isinstance(choice, tuple):
            choice, style = choice
        formula = f'"{",".join(choice)}"' if isinstance(choice, list) else refs[choice]
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle=style,
                            error="Velg en verdi fra listen.", errorTitle=col.name)
    elif col.cell == "num" and col.field:
        assert col.model is not None  # a number column with a field names its model
        lo, hi = bounds(col.model, col.field)
        if hi is None:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(lo), allow_blank=True)
        else:
            dv = DataValidation(type="decimal", operator="between", formula1=str(lo), formula2=str(hi),
                                allow_blank=True)
        dv.error, dv.errorTitle = f"Skriv et tall fra {lo:g}" + (f" til {hi:g}." if hi is not None else "."), col.name
    elif col.cell == "bool":
        dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
    else:
        return
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(rng)


def _table(wb, name: str, cols: list[Col], rows: list[dict], refs: dict, choices: dict) -> None:
    ws = wb.create_sheet(name)
    _header(ws, cols)
    for r, row in enumerate(rows, start=2):
        for c, col in enumerate(cols, start=1):
            cell = ws.cell(r, c, _text(col, row.get(col.name)))
            if col.cell == "text":
                cell.number_format = "@"  # "07:30" stays text, not a time
    last = len(rows) + 1 + SPARE
    for c, col in enumerate(cols, start=1):
        _validate(ws, col, get_column_letter(c), 2, last, refs, choices.get(col.name))
    _protect(ws, len(cols), last)


def _enhet(wb, raw: dict, refs: dict) -> None:
    ws = wb.create_sheet("enhet")
    _header(ws, [*SHEETS["enhet"], Col("forklaring", "info", "")])
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 80
    fte = raw.get("fte", {})
    choices = {"type": ["sykehjem", "sykehus", "hjemmetjeneste", "other"], "baseline_shares": ["day", "shift"],
               "planning_base": "grupper"}
    for r, col in enumerate(ENHET, start=2):
        v = fte.get(col.name[4:]) if col.name.startswith("fte.") else raw.get(col.name)
        ws.cell(r, 1, col.name).font = Font(bold=True)
        cell = ws.cell(r, 2, _text(col, v))
        if col.cell == "text":
            cell.number_format = "@"
        ws.cell(r, 3, col.help).alignment = Alignment(wrap_text=True)
        _validate(ws, col, "B", r, r, refs, choices.get(col.name))
    for row in ws.iter_rows(min_row=2, max_row=len(ENHET) + 1, min_col=2, max_col=2):
        row[0].protection = Protection(locked=False)
    ws.protection.sheet = True  # field names and explanations stay as they are; values are free


def _help(wb, work_cols: list[Col]) -> None:
    ws = wb.create_sheet(HELP, 0)
    ws.append(["ark", "kolonne", "forklaring"])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.append(["(alle)", "", ("Arbeidsboken beskriver én enhet. leon check FIL.xlsx kontrollerer den og "
               "leon solve FIL.xlsx regner ut bemanningen, som for en YAML-fil. Første rad i hvert ark er "
               "låst; skriv i radene under. Tomme rader hoppes over. Filstier er relative til mappen "
               "arbeidsboken ligger i.")])
    for sheet, cols in SHEETS.items():
        for col in (ENHET if sheet == "enhet" else work_cols if sheet == "arbeidsmengde" else cols):
            ws.append([sheet, col.name, col.help])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 110
    ws.freeze_panes = "A2"
