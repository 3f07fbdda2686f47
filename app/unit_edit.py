"""The unit as an editable document: the unit page's tables to and from the unit's YAML fields.

The page keeps the unit as the dict its YAML file holds (the document). Each table is made from the
document (`PARTS[part].rows`) and an edited table goes back into it (`PARTS[part].write`), which
changes only the rows (or, for availability, the groups) that differ from what the document gave: an
unedited unit stays exactly as it was read, and what an edit leaves alone keeps its source and notes.
The document reaches the solver through the CLI's own loader (app.logic.document_instance), so a bad
value is the CLI's error; `part_of` says which table that error belongs beside.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.io.errors import InputError
from planner.staffing.schema import TaskSpec

CLASS = "per_patient:"                       # workload columns per care-need class (as in the workbook)
RULE_VALUES = ("min", "max", "ratio", "max_patients")
SHIFT_VALUES = ("start", "end", "paid_hours", "days_per_week")
# the unit's fields each table edits: an error in one of them is shown beside that table
FIELD_PARTS = {"patient_classes": "patients", "workload": "workload", "task_minutes": "task_minutes",
               "today_overrides": "today", "shifts": "shifts", "rule_overrides": "rules", "extra_rules": "rules",
               "rules": "rules", "availability": "availability", "planning_base": "planning_base",
               "planning_base_source": "planning_base"}


@dataclass(frozen=True)
class Context:
    """What the tables show beside the document: the catalogue's tasks and the rules of the rule files."""

    name: str                                # the unit's file name, as errors name it
    tasks: dict[str, TaskSpec]
    rules: tuple[Any, ...] = ()              # RuleSpec of the unit's rule files, in order


def context(doc: dict, name: str, folder: Path) -> Context:
    """The catalogue and rule sets a document names (its references are relative to `folder`)."""
    from planner.staffing.instance import load_catalogue, load_rules

    _, tasks, _ = load_catalogue((folder / doc["catalogue"]).resolve())
    rules = tuple(r for ref in doc.get("rules") or [] for r in load_rules((folder / ref).resolve()).rules)
    return Context(name, tasks, rules)


# ------------------------------------------------------------------------------------ table values
def plain(v: Any) -> Any:
    """A cell as the document holds it: None for empty (NaN, blank text), Python numbers (whole ones as
    int), stripped text."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # a numpy scalar
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, str):
        return v.strip() or None
    return None if v is pd.NA or v is pd.NaT else v


def from_frame(df) -> list[dict]:
    """The rows of an edited table (a row the editor added has no `_row`: None)."""
    return [{str(k): plain(v) for k, v in rec.items()} for rec in df.to_dict("records")]


def to_frame(rows: list[dict], numeric: tuple[str, ...] = (), columns: list[str] | None = None):
    """The table for an editor, number columns as numbers even when all empty. A part whose rows may be
    added and removed keeps each row's place in the document in the column `_row` (the page hides it):
    the editor's own index cannot say which rows are new once a row is deleted."""
    cols = list(columns if columns is not None else [k for k in (rows[0] if rows else {}) if k != "_row"])
    if rows and "_row" in rows[0]:
        cols.append("_row")
    df = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    for c in (*numeric, "_row"):
        if c in df and (df[c].isna().all() or df[c].dtype == object):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


# ------------------------------------------------------------------------------------ helpers
def _replaced(doc: dict, key: str, value: Any) -> dict:
    """A copy of the document with `key` set in place (appended if new); None or {} removes it."""
    out = {k: copy.deepcopy(v) for k, v in doc.items()}
    if value is None or value == {}:
        out.pop(key, None)
    else:
        out[key] = value
    return out


def _selector_text(sel: Any) -> str | None:
    return ", ".join(map(str, sel)) if isinstance(sel, list) else sel


def _selector(text: Any) -> Any:
    """`dag, kveld` -> [dag, kveld]; one name stays a name."""
    if text is None:
        return None
    items = [x.strip() for x in str(text).split(",") if x.strip()]
    return items[0] if len(items) == 1 else items


def _selected(shifts: list[dict], sel: Any) -> list[str]:
    items = [sel] if isinstance(sel, str) else list(sel or [])
    return [s.get("id") for s in shifts
            if any(it in ("all", s.get("id"), s.get("time"), s.get("day_type")) for it in items)]


def workload_tasks(doc: dict) -> list[str]:
    """The tasks the workload uses, in the order they first appear."""
    return list(dict.fromkeys(w.get("task") for w in doc.get("workload") or []
                              if isinstance(w, dict) and isinstance(w.get("task"), str)))


def classes(doc: dict) -> list[str]:
    return [c.get("id") for c in doc.get("patient_classes") or []]


# ------------------------------------------------------------------------------------ Pasienter
def patient_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per care-need class: its id and count."""
    return [{"class": c.get("id"), "count": c.get("count")} for c in doc.get("patient_classes") or []]


def write_patients(doc: dict, rows: list[dict], ctx: Context) -> dict:
    old = patient_rows(doc, ctx)
    entries = copy.deepcopy(doc["patient_classes"])
    for i, (a, b) in enumerate(zip(old, rows, strict=True)):
        if a != b:
            entries[i]["count"] = b["count"]
    return _replaced(doc, "patient_classes", entries)


# ------------------------------------------------------------------------------------ Arbeidsmengde
def workload_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per workload entry: task, shifts (comma-separated), per patient (one number for every
    class, or one column per class), per unit. `_row` is the entry's place in the document."""
    out = []
    for i, w in enumerate(doc.get("workload") or []):
        pp = w.get("per_patient")
        row = {"_row": i, "task": w.get("task"), "shifts": _selector_text(w.get("shifts", "all")),
               "per_patient": None if isinstance(pp, dict) else pp}
        row.update({CLASS + c: pp.get(c) if isinstance(pp, dict) else None for c in classes(doc)})
        row["per_unit"] = w.get("per_unit")
        out.append(row)
    return out


def write_workload(doc: dict, rows: list[dict], ctx: Context) -> dict:
    """Rows kept as they were keep their entry untouched (source and note included); a changed row keeps
    its entry's source and note; rows may be added and removed."""
    old = {r["_row"]: r for r in workload_rows(doc, ctx)}
    entries = []
    for j, row in enumerate(rows):
        i = row.get("_row")  # None: an added row
        orig = doc["workload"][i] if i in old else {}
        if i in old and old[i] == row:
            entries.append(copy.deepcopy(orig))
            continue
        entries.append(_work_entry(ctx, j, row, orig))
    return _replaced(doc, "workload", entries)


def _work_entry(ctx: Context, j: int, row: dict, orig: dict) -> dict:
    if row.get("shifts") is None:
        raise InputError(ctx.name, f"workload[{j}].shifts", "no shift given",
                         "write the shifts the task is done on: all, a shift id, a time (dag, kveld, natt) "
                         "or a day type (hverdag, helg); several with commas")
    per_class = {k[len(CLASS):]: v for k, v in row.items() if k.startswith(CLASS) and v is not None}
    if per_class and row.get("per_patient") is not None:
        raise InputError(ctx.name, f"workload[{j}].per_patient",
                         "both a number for every patient and numbers per patient class",
                         "fill either the column for every patient or the columns per class, not both")
    entry: dict[str, Any] = {"task": row.get("task"), "shifts": _selector(row["shifts"])}
    if per_class or row.get("per_patient") is not None:
        entry["per_patient"] = per_class or row["per_patient"]
    if row.get("per_unit") is not None:
        entry["per_unit"] = row["per_unit"]
    entry.update({k: copy.deepcopy(v) for k, v in orig.items()
                  if k not in ("task", "shifts", "per_patient", "per_unit")})
    return entry


# ------------------------------------------------------------------------------------ Oppgavetid
def minute_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per task of the workload (and per task with minutes of the unit's own): the catalogue's
    minutes, and the unit's (empty: the catalogue's hold) with their source."""
    own = doc.get("task_minutes") or {}
    out = []
    for t in list(dict.fromkeys(workload_tasks(doc) + list(own))):
        spec, mine = ctx.tasks.get(t), own.get(t) or {}
        out.append({"task": t, "name": spec.name.nb if spec else None, "catalogue": spec.minutes if spec else None,
                    "minutes": mine.get("minutes"), "source": mine.get("source"),
                    "illustrative": bool(mine.get("illustrative", False))})
    return out


def write_minutes(doc: dict, rows: list[dict], ctx: Context) -> dict:
    """A row with minutes is the unit's own entry (its note kept); an emptied one goes back to the catalogue."""
    old = {r["task"]: r for r in minute_rows(doc, ctx)}
    own_old = doc.get("task_minutes") or {}
    own: dict[str, Any] = {}
    for row in rows:
        t = row["task"]
        if old.get(t) == row:
            if t in own_old:
                own[t] = copy.deepcopy(own_old[t])
            continue
        if row.get("minutes") is None:
            continue
        entry: dict[str, Any] = {"minutes": row["minutes"]}
        if row.get("source"):
            entry["source"] = row["source"]
        if row.get("illustrative"):
            entry["illustrative"] = True
        entry.update({k: v for k, v in (own_old.get(t) or {}).items()
                      if k not in ("minutes", "source", "illustrative")})
        own[t] = entry
    return _replaced(doc, "task_minutes", own)


# ------------------------------------------------------------------------------------ Dagens fordeling
def today_groups(doc: dict, ctx: Context) -> list[str]:
    """The table's columns: the unit's groups, then any other group a share names."""
    groups = list(doc.get("groups") or [])
    for shares in _today(doc, ctx).values():
        groups += [g for g in shares if g not in groups]
    return groups


def _today(doc: dict, ctx: Context) -> dict[str, dict]:
    own = doc.get("today_overrides") or {}
    tasks = list(dict.fromkeys(workload_tasks(doc) + list(own)))
    return {t: dict(own[t]) if t in own else dict(ctx.tasks[t].today) if t in ctx.tasks else {} for t in tasks}


def today_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per task of the workload: today's share per group, the unit's own (`own`) or else the catalogue's."""
    own = doc.get("today_overrides") or {}
    groups = today_groups(doc, ctx)
    return [{"task": t, "own": t in own, **{g: shares.get(g) for g in groups}}
            for t, shares in _today(doc, ctx).items()]


def write_today(doc: dict, rows: list[dict], ctx: Context) -> dict:
    """A changed row is the unit's own shares (empty and 0 left out), unless it equals the catalogue's."""
    old = {r["task"]: r for r in today_rows(doc, ctx)}
    groups = today_groups(doc, ctx)
    own = copy.deepcopy(doc.get("today_overrides") or {})
    for row in rows:
        t = row["task"]
        if old.get(t) == row:
            continue
        shares = {g: row[g] for g in groups if row.get(g) not in (None, 0)}
        catalogue = {g: v for g, v in (ctx.tasks[t].today if t in ctx.tasks else {}).items() if v}
        if shares == catalogue:
            own.pop(t, None)
        else:
            own[t] = shares
    return _replaced(doc, "today_overrides", own)


# ------------------------------------------------------------------------------------ Vakter
def shift_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per shift: id, day type and time (shown), start, end, paid hours, days per week (edited)."""
    return [{"id": s.get("id"), "day_type": s.get("day_type"), "time": s.get("time"),
             **{k: s.get(k) for k in SHIFT_VALUES}} for s in doc.get("shifts") or []]


def write_shifts(doc: dict, rows: list[dict], ctx: Context) -> dict:
    old = shift_rows(doc, ctx)
    entries = copy.deepcopy(doc["shifts"])
    for i, (a, b) in enumerate(zip(old, rows, strict=True)):
        if a != b:
            entries[i].update({k: b[k] for k in SHIFT_VALUES})
    return _replaced(doc, "shifts", entries)


# ------------------------------------------------------------------------------------ Regler
def _rules(doc: dict, ctx: Context) -> list[dict]:
    """Every rule of the unit (rule sets, then extra_rules) with its own values, before overrides."""
    out = []
    for r in [*ctx.rules, *(doc.get("extra_rules") or [])]:
        get = r.get if isinstance(r, dict) else (lambda k, d=None, r=r: getattr(r, k, d))
        out.append({"id": get("id"), "name": get("name"), "type": get("type"), "enabled": get("enabled", True),
                    **{f: get(f) for f in RULE_VALUES}})
    return out


def rule_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per rule: whether it applies and its values, the unit's overrides applied."""
    over = doc.get("rule_overrides") or {}
    rows = []
    for r in _rules(doc, ctx):
        o = over.get(r["id"]) or {}
        rows.append({"rule": r["id"], "about": f"{r['name'] or r['id']} ({r['type']})",
                     **{f: o.get(f, r[f]) for f in ("enabled", *RULE_VALUES)}})
    return rows


def write_rules(doc: dict, rows: list[dict], ctx: Context) -> dict:
    """A changed value is a rule override; a value set back to the rule's own (or emptied) drops it."""
    own = {r["id"]: r for r in _rules(doc, ctx)}
    old = {r["rule"]: r for r in rule_rows(doc, ctx)}
    over = copy.deepcopy(doc.get("rule_overrides") or {})
    for row in rows:
        rid = row["rule"]
        if old.get(rid) == row:
            continue
        o = dict(over.get(rid) or {})
        for f in ("enabled", *RULE_VALUES):
            if row.get(f) == old[rid][f]:
                continue
            if row.get(f) is None or row[f] == own[rid][f]:
                o.pop(f, None)
            else:
                o[f] = row[f]
        if o:
            over[rid] = o
        else:
            over.pop(rid, None)
    return _replaced(doc, "rule_overrides", over)


# ------------------------------------------------------------------------------------ Tilgjengelighet
def availability_rows(doc: dict, ctx: Context) -> list[dict]:
    """One row per shift, one column per group: the most heads the group can supply (empty: no cap).
    Where the unit's selectors overlap, the tighter cap is shown, as the loader applies it."""
    shifts = doc.get("shifts") or []
    caps: dict[str, dict[str, Any]] = {}
    for g, per in (doc.get("availability") or {}).items():
        for sel, cap in (per or {}).items():
            for sid in _selected(shifts, sel):
                now = caps.setdefault(g, {}).get(sid)
                caps[g][sid] = cap if now is None else min(now, cap)
    return [{"shift": s.get("id"), **{g: caps.get(g, {}).get(s.get("id")) for g in doc.get("groups") or []}}
            for s in shifts]


def write_availability(doc: dict, rows: list[dict], ctx: Context) -> dict:
    """A group whose column changed gets its caps per shift id; the other groups keep theirs as written."""
    old = availability_rows(doc, ctx)
    avail = copy.deepcopy(doc.get("availability") or {})
    for g in doc.get("groups") or []:
        if [r.get(g) for r in old] == [r.get(g) for r in rows]:
            continue
        caps = {r["shift"]: r[g] for r in rows if r.get(g) is not None}
        if caps:
            avail[g] = caps
        else:
            avail.pop(g, None)
    return _replaced(doc, "availability", avail)


# ------------------------------------------------------------------------------------ Planleggingsgrunnlag
def base_options(doc: dict) -> list[str | None]:
    """None (assistants as base) or one of the unit's groups."""
    return [None, *(doc.get("groups") or [])]


def write_planning_base(doc: dict, base: str | None, original: dict) -> dict:
    """The document with another planning base. Its source is kept only for the base it was given for."""
    if base == doc.get("planning_base"):
        return doc
    out = _replaced(doc, "planning_base", base)
    same = base is not None and base == original.get("planning_base")
    return _replaced(out, "planning_base_source", original.get("planning_base_source") if same else None)


# ------------------------------------------------------------------------------------ the parts
@dataclass(frozen=True)
class Part:
    rows: Callable[[dict, Context], list[dict]]
    write: Callable[[dict, list[dict], Context], dict]
    dynamic: bool = False                    # rows may be added and removed (each row knows its `_row`)


PARTS = {"patients": Part(patient_rows, write_patients),
         "workload": Part(workload_rows, write_workload, dynamic=True),
         "task_minutes": Part(minute_rows, write_minutes),
         "today": Part(today_rows, write_today),
         "shifts": Part(shift_rows, write_shifts),
         "rules": Part(rule_rows, write_rules),
         "availability": Part(availability_rows, write_availability)}
ORDER = (*PARTS, "planning_base")            # the page's tabs


def edited(doc: dict, part: str, rows: list[dict], ctx: Context) -> dict | None:
    """The document with a table's rows written back, or None when that leaves it as it is (the rows are
    the document's own, or differ only where the document holds nothing yet: a source typed before the
    minutes it is for stays in the table until the minutes follow)."""
    p = PARTS[part]
    if rows == p.rows(doc, ctx):
        return None
    new = p.write(doc, rows, ctx)
    return None if new == doc else new


def part_of(e: InputError, name: str) -> str | None:
    """The table an error belongs beside: the one whose field of the unit file it names (None: another
    file, or a field no table edits). The loader names the document by `name` alone, every other file
    by its path (a rule set may have the unit's file name)."""
    if e.file != name:
        return None
    m = re.match(r"[a-z_]+", e.field)
    return FIELD_PARTS.get(m.group()) if m else None


def shown_error(e: InputError) -> InputError:
    """The error without the line number of the document's temporary YAML (the page has no such lines)."""
    return InputError(e.file, re.sub(r" \(line \d+\)$", "", e.field), e.problem, e.fix)

