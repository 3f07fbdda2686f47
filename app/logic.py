"""The unit page's logic as plain functions: load, edit, solve, tables, downloads.

Nothing here computes a staffing number of its own: every figure comes from the planner functions
`leon solve` calls (load_unit, solve_instance, freed_breakdown, result_dict, write_xlsx, write_json),
so the app and the CLI give the same answer for the same unit.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from planner.io.errors import InfeasibleError, InputError
from planner.io.loader import read_yaml
from planner.staffing.instance import Instance, load_unit

INSTANCES = Path(__file__).resolve().parent.parent / "instances"
UNITS = INSTANCES / "units"
UPLOAD_TYPES = ("yaml", "yml", "xlsx")
MODES = ("baseline", "leon")
OPTIONS = {"mode": "both", "objective": "hours", "solver": "highs", "relax": False, "time_limit": None}


# Uploads (staff lists and rosters carry names: personal data) and downloads pass through a scratch
# folder only because the readers and writers take paths. On Linux it is made in /dev/shm, a file
# system held in memory, so nothing the user gives reaches a disk; elsewhere in the system's temporary
# folder. Either way it is removed as soon as the file is read or written.
MEMORY = Path("/dev/shm")


def scratch_root() -> Path:
    """Where scratch folders are made: /dev/shm when it is there and writable, else the temporary folder."""
    return MEMORY if MEMORY.is_dir() and os.access(MEMORY, os.W_OK) else Path(tempfile.gettempdir())


def scratch(prefix: str) -> Path:
    """A new private scratch folder (in memory where the system has one); the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root()))


def shipped_units(folder: Path = UNITS) -> dict[str, Path]:
    """{file name: path} of the shipped unit files, sorted by name."""
    return {p.name: p for p in sorted(folder.glob("*.yaml"))}


# ------------------------------------------------------------------------------------------ upload
def load_upload(name: str, data: bytes) -> Instance:
    """A unit read from uploaded bytes (YAML or a unit workbook).

    The bytes go to a temporary folder that is removed once the unit is read. Beside the file the
    folder links the shipped catalogue and rule folders, so a unit written like the shipped ones
    (`catalogue: ../catalogue/tasks.yaml`) finds them. Errors name the upload, not the folder."""
    return _in_upload_folder(name, data, load_unit)


def upload_document(name: str, data: bytes) -> tuple[dict, str]:
    """An uploaded unit, checked as load_upload checks it (a workbook's errors at their cells), as its
    document and the name the document goes by (a workbook's is the same name ending in .yaml)."""
    def read(path: Path) -> tuple[dict, str]:
        load_unit(path)
        if path.suffix.lower() == ".xlsx":
            from planner.staffing.workbook import unit_document

            return unit_document(path), f"{path.stem}.yaml"
        return read_yaml(path)[0], path.name
    return _in_upload_folder(name, data, read)


def _in_upload_folder(name: str, data: bytes, read):
    """read(path) of the bytes written as `name` in a temporary copy of the shipped layout (units/ beside
    links to the other instance folders); the folder is removed afterwards."""
    base = Path(name).name or "upload.yaml"
    if Path(base).suffix.lower().lstrip(".") not in UPLOAD_TYPES:
        raise InputError(base, "", "is neither a unit YAML file nor a unit workbook",
                         "upload a .yaml file (kind: unit) or an .xlsx workbook from `leon template`")
    return read_in_layout("units", base, data, read, "leon-upload-")


def read_in_layout(folder: str, name: str, data: bytes, read, prefix: str):
    """read(path) of the bytes written as `name` in `folder` of a scratch copy of the shipped layout (links
    to the other instance folders beside it, so relative references such as `../catalogue/tasks.yaml`
    find the shipped files); the copy is removed afterwards, and errors name the upload, not the copy."""
    tmp = scratch(prefix)
    try:
        for sub in INSTANCES.iterdir():
            if sub.is_dir() and sub.name != folder:
                os.symlink(sub, tmp / sub.name, target_is_directory=True)
        (tmp / folder).mkdir()
        path = tmp / folder / name
        path.write_bytes(data)
        try:
            return read(path)
        except InputError as e:
            e = InputError(*(str(x).replace(str(path), name) for x in (e.file, e.field, e.problem, e.fix)))
            raise named_error(e, tmp, name) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------ the document
def unit_document(path: Path) -> dict:
    """A unit file's document: the dict its YAML holds (a shipped unit's, read as the CLI reads it)."""
    return read_yaml(path)[0]


def document_yaml(doc: dict) -> str:
    """The document as a unit YAML file (sources and notes kept; comments are not part of it)."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


def document_instance(doc: dict, name: str) -> Instance:
    """The unit a document describes, through the CLI's loader: the document is written as `name` into
    the layout of the shipped units (its catalogue and rule references relative to instances/units/),
    so every check and error is the CLI's."""
    return load_upload(name, document_yaml(doc).encode())


def named_error(e: InputError, tmp: Path, name: str) -> InputError:
    """The error with the temporary folder's path (an upload's, with or without units/) replaced by the
    upload's name."""
    def clean(text: str) -> str:
        for t in {str(tmp.resolve()), str(tmp)}:
            for inner in (f"{t}/units/{name}", f"{t}/{name}"):
                text = text.replace(inner, name)
            text = text.replace(f"{t}/units/", "").replace(f"{t}/", "")
        return text
    return InputError(clean(str(e.file)), clean(e.field), clean(e.problem), clean(e.fix))


# ------------------------------------------------------------------------------------------ edit
def patient_rows(inst: Instance) -> list[dict]:
    """One row per care-need class: id and count (the table the page edits)."""
    return [{"class": c, "count": n} for c, n in inst.patient_counts.items()]


def with_patient_counts(inst: Instance, counts: dict[str, object]) -> Instance:
    """The unit with new patient counts per class, each checked as the unit file's own field is
    (the same message as `leon solve` gives for that value in patient_classes[i].count)."""
    from planner.io.loader import _validation_error
    from planner.staffing.schema import MAX_PATIENTS, PatientClass

    new = dict(inst.patient_counts)
    for i, cid in enumerate(inst.patient_counts):
        if cid not in counts:
            continue
        try:
            new[cid] = PatientClass.model_validate({"id": cid, "count": counts[cid]}).count
        except ValidationError as e:
            err = _validation_error(inst.path, None, e)
            raise InputError(inst.path.name, f"patient_classes[{i}].{err.field}", err.problem, err.fix) from None
    unknown = sorted(set(counts) - set(new))
    if unknown:
        raise InputError(inst.path.name, "patient_classes", f"unknown care-need class {unknown[0]!r}",
                         f"use one of: {', '.join(new)}")
    total = sum(new.values())
    if total > MAX_PATIENTS:  # the unit file's own check on the sum of the classes, in its words
        most = f"{MAX_PATIENTS:,}".replace(",", " ")
        raise InputError(inst.path.name, "patient_classes",
                         f"the patient classes add up to {total:g} patients, more than {most}"
                         " (the most leon accepts in one unit)",
                         "check the counts, or model a larger service as several units")
    return dataclasses.replace(inst, patient_counts=new)


# ------------------------------------------------------------------------------------------ solve
@dataclass
class Answer:
    inst: Instance
    results: dict
    doc: dict


def solve_unit(inst: Instance) -> Answer:
    """Baseline and LEON with the CLI's defaults (hours, HiGHS, whole persons, explanations).

    Raises InfeasibleError with the CLI's diagnosis text when no staffing satisfies every rule."""
    from planner.staffing.explain import describe_bend
    from planner.staffing.report import result_dict
    from planner.staffing.solve import freed_breakdown, solve_instance

    results = solve_instance(inst, MODES, OPTIONS["objective"], OPTIONS["solver"], None, False, explain=True)
    infeasible = [m for m, r in results.items() if r.status == "infeasible"]
    if infeasible:
        bends = [b for m in infeasible for b in results[m].bends]
        lines = [f"  {m}: {describe_bend(inst, b)}" for m in infeasible for b in results[m].bends]
        raise InfeasibleError(f"infeasible: {inst.path.name}: no staffing satisfies every rule "
                              f"({', '.join(infeasible)}). These had to bend in the smallest relaxation:\n"
                              + "\n".join(lines), bends)
    failed = [m for m, r in results.items() if r.status not in ("optimal", "time_limit")]
    if failed:
        raise InfeasibleError(f"no solution: {inst.path.name}: the solver found no solution for {', '.join(failed)} "
                              f"(status: {', '.join(results[m].status for m in failed)})")
    breakdown = freed_breakdown(inst, results, OPTIONS["solver"], OPTIONS["objective"], None, False)
    return Answer(inst, results, result_dict(inst, results, dict(OPTIONS), breakdown))


def freed_rows(doc: dict) -> list[dict]:
    """Freed gross årsverk per group: pooling, task sharing, total (the JSON's freed_fte_breakdown
    and freed_fte), with a sum row last."""
    split = doc.get("freed_fte_breakdown") or {}
    total = doc["freed_fte"]
    rows = [{"group": g, "pooling": split.get("pooling", {}).get(g),
             "task_sharing": split.get("task_sharing", {}).get(g), "total": total[g]} for g in total]
    rows.append({"group": "sum", **{k: (None if any(r[k] is None for r in rows) else sum(r[k] for r in rows))
                                    for k in ("pooling", "task_sharing", "total")}})
    return rows


def heads_rows(answer: Answer) -> list[dict]:
    """Heads per shift and group, baseline → LEON (as in the CLI's table)."""
    staff = {m: answer.doc["results"][m]["staff"] for m in MODES}
    return [{"shift": s, **{g: " → ".join(f"{staff[m][s][g]:g}" for m in MODES) for g in answer.inst.groups}}
            for s in answer.inst.shift_ids]


def heads_changes(answer: Answer) -> dict[tuple[str, str], int]:
    """(shift, group) -> -1 fewer heads in LEON than today, +1 more, 0 the same: for colouring."""
    staff = {m: answer.doc["results"][m]["staff"] for m in MODES}
    a, b = MODES[0], MODES[-1]
    return {(s, g): (staff[b][s][g] > staff[a][s][g] + 1e-9) - (staff[b][s][g] < staff[a][s][g] - 1e-9)
            for s in answer.inst.shift_ids for g in answer.inst.groups}


def family_rows(answer: Answer) -> list[dict]:
    """Task sharing by task family: hours per week per group, today → LEON, for the families whose work
    moves between groups (as the CLI's table "Task sharing: hours per week by task family"), largest first."""
    from planner.staffing.explain import family_hours
    before, after = (family_hours(answer.inst, answer.results[m]) for m in MODES)
    rows = []
    for fam in sorted(before, key=lambda f: -sum(before[f].values())):
        gs = [g for g in answer.inst.groups
              if before[fam].get(g, 0.0) > 0.05 or after.get(fam, {}).get(g, 0.0) > 0.05]
        if all(abs(before[fam].get(g, 0.0) - after.get(fam, {}).get(g, 0.0)) < 0.05 for g in gs):
            continue
        rows.append({"family": fam, **{g: f"{before[fam].get(g, 0.0):.0f} → {after.get(fam, {}).get(g, 0.0):.0f}"
                                       for g in gs}})
    return rows


def binding_texts(doc: dict) -> dict[str, list[str]]:
    """{mode: the binding rules in words}."""
    return {m: [b["text"] for b in doc["results"][m]["binding_rules"]] for m in doc["results"]}


# ------------------------------------------------------------------------------------------ downloads
def via_file(write, suffix: str) -> bytes:
    """Bytes a report function writes to a path: a temporary folder, read back, then removed."""
    tmp = scratch("leon-download-")
    try:
        out = tmp / f"result{suffix}"
        write(out)
        return out.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def xlsx_bytes(answer: Answer) -> bytes:
    from planner.staffing.report import write_xlsx

    return via_file(lambda p: write_xlsx(p, answer.inst, answer.results, answer.doc), ".xlsx")


def json_bytes(answer: Answer) -> bytes:
    from planner.io.writer import write_json

    return via_file(lambda p: write_json(p, answer.doc), ".json")


def unit_yaml_bytes(doc: dict) -> bytes:
    """The edited unit as a YAML file, to be saved beside the shipped units (instances/units/)."""
    return document_yaml(doc).encode()


def unit_xlsx_bytes(doc: dict) -> bytes:
    """The edited unit as the workbook `leon template --from` writes, to be saved beside the shipped units."""
    from planner.staffing.template import write_unit_book

    return via_file(lambda p: write_unit_book(p, doc, UNITS), ".xlsx")


def cost_text(doc: dict) -> str:
    """The weekly cost change LEON − baseline, as the CLI prints it (spaces between thousands)."""
    return f"{doc['cost_change_nok_per_week']:+,.0f} NOK".replace(",", " ")


def counts_from_table(rows: list[dict]) -> dict[str, object]:
    """{class: count} from the edited table's rows (a cleared cell is None, checked later)."""
    def plain(v: object) -> object:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v
    return {str(r["class"]): plain(r["count"]) for r in rows}
