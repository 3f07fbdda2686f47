"""A unit with everything it refers to, resolved and checked across files.

`load_unit(path)` reads the unit, its catalogue, groups and rule sets, applies the unit's overrides
and returns one frozen `Instance`. Every cross-file problem (an unknown group, a task no one in the
unit may do, a rule on a shift that does not exist) is an InputError naming file and field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.io.errors import InputError
from planner.io.loader import fail_at, load_file, read_yaml
from planner.staffing.rule_types import RuleRefs
from planner.staffing.schema import (CatalogueFile, FteSpec, GroupsFile, GroupSpec, RuleSpec, RulesFile,
                            ShiftSpec, TaskMinutes, TaskSpec, UnitFile, unused_rule_fields)

DAY_TYPES = ("hverdag", "helg")
TIMES = ("dag", "kveld", "natt", "lang")


@dataclass(frozen=True)
class Instance:
    path: Path
    id: str
    name: str
    type: str
    beds: float
    groups: dict[str, GroupSpec]            # the unit's groups, lowest LEON level first
    shifts: tuple[ShiftSpec, ...]
    patient_counts: dict[str, float]
    tasks: dict[str, TaskSpec]              # catalogue tasks the workload uses
    workload: tuple                         # WorkloadEntry, shift selectors resolved later
    rules: tuple[RuleSpec, ...]             # enabled rules, overrides applied
    rule_files: dict[str, str]              # rule id -> file it came from
    productive: dict[str, float]            # group -> share of paid time on tasks
    availability: dict[str, dict[str, float]]  # group -> shift id -> most heads
    training: frozenset[str]
    today: dict[str, dict[str, float]]      # task -> group -> share (today's practice)
    fte: FteSpec
    catalogue_path: Path = field(default=Path())
    groups_path: Path = field(default=Path())
    overhead_minutes: dict[str, float] = field(default_factory=dict)  # task -> minutes added per occurrence
    baseline_shares: str = "day"
    # the lowest group that may do tasks needing health competence in LEON (None: assistants as base)
    planning_base: str | None = None
    planning_base_source: str | None = None

    @property
    def base_level(self) -> float | None:
        """The planning base's level: LEON's floor for tasks that need health competence."""
        return None if self.planning_base is None else self.groups[self.planning_base].level

    @property
    def input_files(self) -> list[Path]:
        """Every file the unit was read from (outputs must never replace one of them)."""
        return [self.path, self.catalogue_path, self.groups_path, *map(Path, self.rule_files.values())]

    @property
    def shift_ids(self) -> list[str]:
        return [s.id for s in self.shifts]

    def select_shifts(self, sel, file: Path | str, where: str) -> list[str]:
        return select_shifts(self.shifts, sel, file, where)


def select_shifts(shifts, sel, file, where: str) -> list[str]:
    """Resolve a shift selector (all, shift id, time of day, day type; or a list) to shift ids."""
    items = [sel] if isinstance(sel, str) else list(sel)
    out: list[str] = []
    for it in items:
        hit = [s.id for s in shifts if it in ("all", s.id, s.time, s.day_type)]
        if not hit:
            known = ", ".join(s.id for s in shifts)
            raise InputError(file, where, f"shift selector {it!r} matches no shift of the unit",
                             f"use all, a shift id ({known}), a time (dag, kveld, natt, lang) or a day type (hverdag, helg)")
        out += [h for h in hit if h not in out]
    return [s.id for s in shifts if s.id in out]


def _dupes(ids: list[str], file, where: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise InputError(file, f"{where}[{i}].id", f"duplicate id {x!r}", "give every entry its own id")
        seen.add(x)


def _resolve(base: Path, ref: str, file: Path, where: str) -> Path:
    p = (base.parent / ref).resolve()
    if not p.exists():
        raise InputError(file, where, f"refers to {ref!r}, which does not exist ({p})",
                         "correct the path; it is relative to the file that names it")
    return p


def _referenced(loader, ref_path: Path, file, where: str, ref: str):
    """Load a file another file names; a file of the wrong kind is reported where it is named."""
    try:
        return loader(ref_path)
    except InputError as e:
        if e.field == "kind" and Path(e.file) == ref_path:
            raise InputError(file, where, f"{ref!r} {e.problem}", e.fix) from None
        raise


def load_groups(path: Path) -> dict[str, GroupSpec]:
    gf: GroupsFile = load_file(path, "groups", GroupsFile)
    _dupes([g.id for g in gf.groups], path, "groups")
    return {g.id: g for g in gf.groups}


def load_catalogue(path: Path) -> tuple[dict[str, GroupSpec], dict[str, TaskSpec], Path]:
    cf: CatalogueFile = load_file(path, "catalogue", CatalogueFile)
    gpath = _resolve(path, cf.groups, path, "groups")
    groups = _referenced(load_groups, gpath, path, "groups", cf.groups)
    _dupes([t.id for t in cf.tasks], path, "tasks")
    for i, t in enumerate(cf.tasks):
        _dupes_plain([a.group for a in t.allowed], path, f"tasks[{i}].allowed")
        for j, a in enumerate(t.allowed):
            _known_group(a.group, groups, path, f"tasks[{i}].allowed[{j}].group")
            for g in a.supervisor or []:
                _known_group(g, groups, path, f"tasks[{i}].allowed[{j}].supervisor")
        allowed = {a.group for a in t.allowed}
        for g in t.today:
            if g not in allowed:
                raise InputError(path, f"tasks[{i}].today.{g}",
                                 f"today's performer {g!r} of task {t.id!r} is not among its allowed groups",
                                 f"add {g!r} to `allowed` or correct `today`")
    return groups, {t.id: t for t in cf.tasks}, gpath


def _dupes_plain(ids: list[str], file, where: str) -> None:
    if len(set(ids)) != len(ids):
        dup = next(x for x in ids if ids.count(x) > 1)
        raise InputError(file, where, f"group {dup!r} is listed twice", "list each group once")


def _known_group(g: str, groups: dict, file, where: str) -> None:
    if g not in groups:
        raise InputError(file, where, f"unknown group {g!r}",
                         f"use a group defined in the groups file ({', '.join(groups)})")


def load_rules(path: Path) -> RulesFile:
    rf: RulesFile = load_file(path, "rules", RulesFile)
    _dupes([r.id for r in rf.rules], path, "rules")
    return rf


def load_unit(path: str | Path) -> Instance:
    path = Path(path).resolve() if Path(path).exists() else Path(path)
    if path.suffix.lower() == ".xlsx":  # a unit workbook: the same fields, checked the same way
        from planner.staffing.workbook import located, read_unit

        uf, cells = read_unit(path)
        with located(path, cells):  # a problem in a field is reported at its cell
            return _unit_instance(path, uf)
    return _unit_instance(path, load_file(path, "unit", UnitFile))


def _unit_instance(path: Path, uf: UnitFile) -> Instance:
    cat_path = _resolve(path, uf.catalogue, path, "catalogue")
    all_groups, catalogue, groups_path = _referenced(load_catalogue, cat_path, path, "catalogue", uf.catalogue)

    _dupes([s.id for s in uf.shifts], path, "shifts")
    _dupes([c.id for c in uf.patient_classes], path, "patient_classes")
    _dupes_plain(list(uf.groups), path, "groups")
    for i, g in enumerate(uf.groups):
        _known_group(g, all_groups, path, f"groups[{i}]")
    groups = dict(sorted(((g, all_groups[g]) for g in uf.groups), key=lambda kv: (kv[1].level, kv[0])))

    # rules: rule sets in order, then the unit's own; overrides by id
    rules: list[RuleSpec] = []
    origin: dict[str, str] = {}
    for i, ref in enumerate(uf.rules):
        rpath = _resolve(path, ref, path, f"rules[{i}]")
        for r in _referenced(load_rules, rpath, path, f"rules[{i}]", ref).rules:
            if r.id in origin:
                raise InputError(rpath, f"rules.{r.id}", f"rule id {r.id!r} is also defined in {origin[r.id]}",
                                 "give rules in different rule sets different ids")
            rules.append(r)
            origin[r.id] = str(rpath)
    for j, r in enumerate(uf.extra_rules):
        if r.id in origin:
            raise InputError(path, f"extra_rules[{j}].id", f"rule id {r.id!r} is already defined in {origin[r.id]}",
                             "use `rule_overrides` to change a rule, or pick a new id")
        rules.append(r)
        origin[r.id] = str(path)
    for rid, ov in uf.rule_overrides.items():
        if rid not in origin:
            raise InputError(path, f"rule_overrides.{rid}", f"no rule with id {rid!r}",
                             f"use one of: {', '.join(origin) or '(no rules loaded)'}")
    resolved = []
    for r in rules:
        ov = uf.rule_overrides.get(r.id)
        if ov is not None:
            update = ov.model_dump(exclude_none=True)
            unused = unused_rule_fields(r.type, update)
            if unused:
                raise InputError(path, f"rule_overrides.{r.id}.{unused[0]}",
                                 f"rule {r.id!r} is a `{r.type}` rule, which does not use `{unused[0]}`",
                                 "remove it, or override a field the rule uses (docs/instance-format.md)")
            r = r.overridden(update, path, f"rule_overrides.{r.id}")
        if r.enabled:
            resolved.append(r)

    # rule references: groups exist somewhere, shifts exist in this unit, tasks exist (per type)
    for r in resolved:
        f = origin[r.id]
        r.check(RuleRefs(file=f, tasks=catalogue, shift_ids=tuple(s.id for s in uf.shifts),
                         known_group=lambda g, where, f=f: _known_group(g, all_groups, f, where),
                         select=lambda sel, where, f=f: select_shifts(uf.shifts, sel, f, where)))

    # the unit's own task minutes replace the catalogue's wherever this unit uses the task
    for t in uf.task_minutes:
        if t not in catalogue:
            raise InputError(path, f"task_minutes.{t}", f"unknown task {t!r}",
                             f"use a task id from {cat_path.name}, or remove the entry")
    catalogue = {t: _unit_minutes(spec, uf.task_minutes.get(t)) for t, spec in catalogue.items()}

    # workload: tasks and classes exist, shift selectors resolve
    classes = {c.id for c in uf.patient_classes}
    used: dict[str, TaskSpec] = {}
    for i, w in enumerate(uf.workload):
        if w.task not in catalogue:
            raise InputError(path, f"workload[{i}].task", f"unknown task {w.task!r}",
                             f"use a task id from {cat_path.name}")
        select_shifts(uf.shifts, w.shifts, path, f"workload[{i}].shifts")
        if isinstance(w.per_patient, dict):
            for c in w.per_patient:
                if c not in classes:
                    raise InputError(path, f"workload[{i}].per_patient.{c}", f"unknown patient class {c!r}",
                                     f"use one of: {', '.join(sorted(classes))}")
        used[w.task] = catalogue[w.task]

    _dupes([o.id for o in uf.overheads], path, "overheads")
    overhead: dict[str, float] = {}
    for i, o in enumerate(uf.overheads):
        hit = [t for t in used if any(x == t or x == f"family:{catalogue[t].family}" for x in o.tasks)]
        if not hit:
            raise InputError(path, f"overheads[{i}].tasks", "matches no task in the unit's workload",
                             "name task ids or family:NAME of tasks that the workload uses")
        for t in hit:
            overhead[t] = overhead.get(t, 0.0) + o.minutes
    used = {t: (spec.model_copy(update={"minutes": spec.minutes + overhead[t]}) if t in overhead else spec)
            for t, spec in used.items()}

    for g, per_shift in uf.availability.items():
        _known_group(g, groups, path, f"availability.{g}")
        for sel in per_shift:
            select_shifts(uf.shifts, sel, path, f"availability.{g}.{sel}")
    availability = {g: {} for g in groups}
    for g, per_shift in uf.availability.items():
        for sel, cap in per_shift.items():
            for sid in select_shifts(uf.shifts, sel, path, f"availability.{g}"):
                availability[g][sid] = min(cap, availability[g].get(sid, math.inf))

    if isinstance(uf.productive_share, dict):
        for g in uf.productive_share:
            if g != "default":
                _known_group(g, groups, path, f"productive_share.{g}")
        default = uf.productive_share.get("default", 1.0)
        productive = {g: uf.productive_share.get(g, default) for g in groups}
    else:
        productive = {g: float(uf.productive_share) for g in groups}

    today: dict[str, dict[str, float]] = {}
    for t in used:
        shares = uf.today_overrides.get(t, catalogue[t].today)
        today[t] = dict(shares)
    for t, shares in uf.today_overrides.items():
        if t not in catalogue:
            raise InputError(path, f"today_overrides.{t}", f"unknown task {t!r}", "name a task id from the catalogue")
        if abs(sum(shares.values()) - 1) > 1e-6:
            raise InputError(path, f"today_overrides.{t}", f"shares add up to {sum(shares.values()):g}",
                             "make the shares add up to 1")
        allowed = {a.group for a in catalogue[t].allowed}
        for g in shares:
            if g not in allowed:
                raise InputError(path, f"today_overrides.{t}.{g}", f"{g!r} is not allowed to do {t!r}",
                                 "choose among the task's allowed groups")

    inst = Instance(
        path=path, id=uf.id, name=uf.name, type=uf.type, beds=uf.beds, groups=groups,
        shifts=tuple(uf.shifts), patient_counts={c.id: c.count for c in uf.patient_classes},
        tasks=used, workload=tuple(uf.workload), rules=tuple(resolved), rule_files=origin,
        productive=productive, availability=availability, training=frozenset(uf.training),
        today=today, fte=uf.fte, catalogue_path=cat_path, groups_path=groups_path, overhead_minutes=overhead,
        baseline_shares=uf.baseline_shares, planning_base=uf.planning_base,
        planning_base_source=uf.planning_base_source,
    )
    _check_planning_base(inst, path, "planning_base")
    _check_someone_may_do_each_task(inst)
    return inst


def _unit_minutes(spec: TaskSpec, own: TaskMinutes | None) -> TaskSpec:
    """The task with the unit's minutes (and their source) in place of the catalogue's."""
    if own is None:
        return spec
    return spec.model_copy(update={"minutes": own.minutes,
                                   "minutes_source": own.source or ("illustrative" if own.illustrative else None)})


def with_planning_base(inst: Instance, base: str | None, file: Path | str | None = None,
                       where: str = "planning_base", source: str | None = None) -> Instance:
    """The unit with another planning base (None: assistants as base), checked as the unit's own
    would be. A caller that sets the base (a national scenario) names its own file and field for errors."""
    out = replace(inst, planning_base=base, planning_base_source=source)
    _check_planning_base(out, file or inst.path, where)
    _check_someone_may_do_each_task(out)
    return out


def _check_planning_base(inst: Instance, file, where: str) -> None:
    """The base is one of the unit's groups, and every task of the workload says whether it needs
    health competence (without the marking LEON cannot tell which tasks the base bounds)."""
    base = inst.planning_base
    if base is None:
        return
    if base not in inst.groups:
        raise InputError(file, where, f"the planning base {base!r} is not one of the unit's groups",
                         f"use one of: {', '.join(inst.groups)} (usually helsefagarbeider), or add {base!r} "
                         "to `groups`")
    unmarked = [t for t in inst.tasks if inst.tasks[t].health_competence is None]
    if unmarked:
        data, node = read_yaml(inst.catalogue_path)
        i = next(i for i, t in enumerate(data["tasks"]) if t.get("id") == unmarked[0])
        more = f" (unmarked in this workload: {', '.join(unmarked[:6])}{', …' if len(unmarked) > 6 else ''})"
        fail_at(inst.catalogue_path, node, ("tasks", i, "health_competence"),
                f"task {unmarked[0]!r} does not say whether it needs health competence, which the planning "
                f"base {base!r} of {Path(file).name} needs{more if len(unmarked) > 1 else ''}",
                "add `health_competence: true` (personal care, medication, observation, procedures, clinical "
                "assessment) or `false` (meals, cleaning, laundry, practical help, activities, logistics, "
                "kitchen) after the task's `family:` line, or remove `planning_base` from the unit")


def allowed_groups(inst: Instance, task: TaskSpec,
                   today_practice: bool = False) -> list[tuple[str, float, tuple[str, ...]]]:
    """(group, time factor, supervisors) for the unit's groups that may do a task here.

    A catalogue condition `training` holds if the unit lists that training or the group does the task
    today; reserved-task rules narrow the list; delegation rules add a supervisor condition. With a
    planning base, a task that needs health competence goes to no group below the base's level — in
    LEON only: `today_practice` (baseline, pooled) keeps today's performers as they are. Without a base
    today's performers always stay allowed (checked at load), so today's practice is one of LEON's options.
    """
    today = inst.today.get(task.id, {})
    floor = None if today_practice or not task.health_competence else inst.base_level
    out = []
    for a in task.allowed:
        if a.group not in inst.groups:
            continue
        if floor is not None and inst.groups[a.group].level < floor:
            continue
        if a.training and a.training not in inst.training and a.group not in today:
            continue
        sup, reserved = _conditions(inst, task, a.group, set(a.supervisor or []))
        present = tuple(sorted(g for g in sup if g in inst.groups))
        if reserved or (sup and not present):  # no supervisor group in the unit: cannot delegate
            continue
        out.append((a.group, a.time_factor, present))
    return out


def _conditions(inst: Instance, task: TaskSpec, group: str, sup: set[str]) -> tuple[set[str], str | None]:
    """Supervisors a group needs for a task, and the reserved-task rule that excludes it (if any)."""
    reserved = None
    for r in inst.rules:
        need, excluded = r.on_task(task, group)
        sup = sup | need
        if excluded:
            reserved = r.id
    return sup, reserved


def _check_someone_may_do_each_task(inst: Instance) -> None:
    for t in inst.tasks.values():
        # a rule that takes a task from today's performers is the thing to fix: name it before the
        # more general "no one may do it" (which it can cause when it reserves the task for absent groups)
        for g in inst.today[t.id]:
            if g in inst.groups:
                _reserved_from_today(inst, t, g)
        names = ", ".join(a.group for a in t.allowed)
        if not allowed_groups(inst, t, today_practice=True):
            raise InputError(inst.path, f"workload (task {t.id!r})",
                             f"none of the groups allowed to do {t.id!r} ({names}) can do it in this unit "
                             "(missing from `groups`, lacking `training`, or excluded by a rule)",
                             "add one of those groups to the unit's `groups`, list the training, or change the rule")
        if not allowed_groups(inst, t):
            base = inst.planning_base
            raise InputError(inst.path, f"workload (task {t.id!r})",
                             f"{t.id!r} needs health competence, and none of its allowed groups ({names}) that "
                             f"this unit can use is at or above the planning base {base!r} (level "
                             f"{inst.base_level:g})",
                             f"add such a group to `groups`, choose a lower `planning_base`, or mark {t.id!r} "
                             "`health_competence: false` in the catalogue if it needs none")
        spec = {a.group: a for a in t.allowed}
        for g in inst.today[t.id]:
            if g not in inst.groups:
                raise InputError(inst.path, f"workload (task {t.id!r})",
                                 f"today's performer {g!r} of {t.id!r} is not one of the unit's groups",
                                 f"add {g!r} to `groups`, or set `today_overrides: {{{t.id}: {{...}}}}`")
            sup, _ = _conditions(inst, t, g, set(spec[g].supervisor or []))
            if sup and not any(x in inst.groups for x in sup):
                raise InputError(inst.path, f"workload (task {t.id!r})",
                                 f"today's performer {g!r} needs one of {sorted(sup)} on shift for {t.id!r}, "
                                 "but the unit has none of them",
                                 "add a supervisor group to `groups` or set `today_overrides`")


def _reserved_from_today(inst: Instance, task: TaskSpec, group: str) -> None:
    """Today's performers stay allowed (the baseline is today's practice): a reserved-task rule that
    excludes one of them is an error, not a silent change of today's practice."""
    _, reserved = _conditions(inst, task, group, set())
    if reserved:
        rule = next(r for r in inst.rules if r.id == reserved)
        raise InputError(inst.rule_files[reserved], f"rules.{reserved}",
                         f"reserves {task.id!r} for {', '.join(rule.groups or [])}, but {group!r} does it today "
                         f"in {inst.id}",
                         f"add {group!r} to the rule's `groups`, or set `today_overrides` for {task.id!r} in "
                         "the unit so that only the rule's groups do it today")
