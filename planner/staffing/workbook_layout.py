"""The sheets and columns of a unit workbook (`leon template` writes them, planner.staffing.workbook reads them).

One list of columns per sheet, each with the unit field it fills and how a cell is read. Number bounds are
not written here: `bounds` takes them from the pydantic fields of planner.staffing.schema.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from annotated_types import Ge, Gt, Le, Lt
from pydantic.fields import FieldInfo

from planner.staffing.schema import FteSpec, PatientClass, RuleOverride, ShiftSpec, TaskMinutes, UnitFile, WorkloadEntry


@dataclass(frozen=True)
class Col:
    name: str            # the header, as the unit format names the field
    cell: str            # text, num, bool, list (comma-separated), yaml (a YAML flow value), info (not read)
    help: str            # Norwegian (bokmål) explanation for the `forklaring` sheet
    model: type | None = None  # the pydantic model whose field gives the number bounds
    field: str | None = None


def _src(model) -> list[Col]:
    return [Col("source", "text", "Kilde for tallene på raden (dokument og sted, eller URL)."),
            Col("illustrative", "bool", "TRUE hvis tallene er illustrative (uten kilde).", model),
            Col("note", "text", "Fritt notat.")]


# key/value rows of the `enhet` sheet: the unit's own fields (fte.* fill the `fte:` mapping)
ENHET = [
    Col("id", "text", "Enhetens id: små bokstaver, tall og _ (f.eks. sykehjem_langtid)."),
    Col("name", "text", "Enhetens navn."),
    Col("type", "text", "Type enhet: sykehjem, sykehus, hjemmetjeneste eller other."),
    Col("description", "text", "Kort beskrivelse (valgfri)."),
    Col("beds", "num", "Antall plasser/senger.", UnitFile, "beds"),
    Col("catalogue", "text", "Oppgavekatalogen (filsti, relativ til mappen arbeidsboken ligger i)."),
    Col("groups", "list", "Personellgruppene enheten bruker, skilt med komma (id-er fra gruppefilen)."),
    Col("planning_base", "text", "Planleggingsgrunnlaget: laveste gruppe som kan få oppgaver som krever "
        "helsefaglig kompetanse (vanligvis helsefagarbeider). Tom: assistenter som grunnlag."),
    Col("planning_base_source", "text", "Kilde for planleggingsgrunnlaget."),
    Col("productive_share", "yaml", "Andel av betalt tid som går til oppgaver (0,1-1), eller per gruppe "
        "som {default: 0.8, sykepleier: 0.85}."),
    Col("productive_share_source", "text", "Kilde for produktiv andel."),
    Col("baseline_shares", "text", "day eller shift: om dagens fordeling gjelder per døgntype eller per vakt."),
    Col("training", "list", "Opplæring enheten kan forutsette, skilt med komma."),
    Col("fte.norm_hours_per_week", "num", "Timer per uke i en hel stilling (årsverk).", FteSpec,
        "norm_hours_per_week"),
    Col("fte.holiday_weeks", "num", "Ferieuker per år.", FteSpec, "holiday_weeks"),
    Col("fte.sick_leave_share", "num", "Sykefravær som andel (0-0,5).", FteSpec, "sick_leave_share"),
    Col("fte.source", "text", "Kilde for årsverksnormene."),
    Col("fte.illustrative", "bool", "TRUE hvis årsverksnormene er illustrative.", FteSpec),
    Col("fte.note", "text", "Notat om årsverksnormene."),
    Col("source", "text", "Kilde for enheten som helhet."),
    Col("illustrative", "bool", "TRUE hvis enheten er illustrativ.", UnitFile),
    Col("note", "text", "Fritt notat om enheten."),
    Col("today_overrides", "yaml", "Dagens fordeling per oppgave, når den avviker fra katalogen: "
        "{oppgave: {gruppe: andel}}."),
    Col("overheads", "yaml", "Minutter som legges til oppgaver (reisetid, dokumentasjon), som YAML-liste."),
    Col("extra_rules", "yaml", "Enhetens egne regler, som YAML-liste (se docs/instance-format.md)."),
]

PASIENTER = [
    Col("id", "text", "Pasientklassens id (f.eks. lett, middels, tung)."),
    Col("name", "text", "Navn på klassen."),
    Col("count", "num", "Antall pasienter i klassen.", PatientClass, "count"),
    Col("description", "text", "Beskrivelse av klassen."),
    *_src(PatientClass),
]

VAKTER = [
    Col("id", "text", "Vaktens id (f.eks. hverdag_dag)."),
    Col("day_type", "text", "Døgntype: hverdag eller helg."),
    Col("time", "text", "Tid på døgnet: dag, kveld, natt eller lang."),
    Col("start", "text", "Start, TT:MM (f.eks. 07:30)."),
    Col("end", "text", "Slutt, TT:MM (en nattevakt slutter neste morgen)."),
    Col("paid_hours", "num", "Betalte timer per vakt.", ShiftSpec, "paid_hours"),
    Col("days_per_week", "num", "Hvor mange dager i uka vakten går (hverdag 5, helg 2).", ShiftSpec,
        "days_per_week"),
    *_src(ShiftSpec),
]

# after per_unit come one column per patient class, `per_patient:KLASSE` (the format's per-class factors)
ARBEIDSMENGDE = [
    Col("task", "text", "Oppgavens id fra katalogen (velg fra listen)."),
    Col("shifts", "list", "Vakter oppgaven gjøres på: all, en vakt-id, en tid (dag, kveld, natt) eller en "
        "døgntype (hverdag, helg); flere skilles med komma."),
    Col("per_patient", "num", "Antall ganger per pasient per vakt, lik for alle klasser. Fyll enten denne, "
        "kolonnene per_patient:KLASSE, eller per_unit.", WorkloadEntry, "per_patient"),
    Col("per_unit", "num", "Antall ganger per vakt for hele enheten.", WorkloadEntry, "per_unit"),
]
CLASS_PREFIX = "per_patient:"
CLASS_HELP = "Antall ganger per pasient i klassen {c} per vakt (tom: 0, klassen får ikke oppgaven)."
ARBEIDSMENGDE_TAIL = _src(WorkloadEntry)

OPPGAVETID = [
    Col("task", "text", "Oppgavens id fra katalogen (velg fra listen)."),
    Col("catalogue_minutes", "info", "Katalogens minutter per gang, til sammenligning (leses ikke)."),
    Col("minutes", "num", "Enhetens egne minutter per gang, i stedet for katalogens. Tom: katalogens "
        "minutter gjelder.", TaskMinutes, "minutes"),
    *_src(TaskMinutes),
]

REGLER = [
    Col("rule_file", "text", "En regelfil enheten bruker (filsti relativ til arbeidsboken). En rad med bare "
        "regelfil tar filen med."),
    Col("rule", "text", "En regels id (velg fra listen). Fyll feltene til høyre for å endre regelen for "
        "denne enheten; tomme felt endrer ingenting."),
    Col("about", "info", "Regelens navn og type (bare til informasjon, leses ikke)."),
    Col("enabled", "bool", "FALSE slår regelen av for enheten, TRUE slår den på.", RuleOverride),
    Col("min", "num", "Minste antall (for regler med min).", RuleOverride, "min"),
    Col("max", "num", "Høyeste antall (for regler med max).", RuleOverride, "max"),
    Col("ratio", "num", "Forholdstall (for regler med ratio).", RuleOverride, "ratio"),
    Col("max_patients", "num", "Høyeste antall pasienter per person.", RuleOverride, "max_patients"),
    Col("shifts", "list", "Vakter regelen gjelder (som i arbeidsmengde), skilt med komma."),
    Col("groups", "list", "Grupper regelen gjelder, skilt med komma."),
    Col("source", "text", "Kilde for endringen."),
    Col("note", "text", "Notat om endringen."),
]

TILGJENGELIGHET = [
    Col("group", "text", "Personellgruppe (velg fra listen)."),
    Col("shifts", "text", "Vakt-id, tid eller døgntype som taket gjelder."),
    Col("max_heads", "num", "Høyeste antall personer fra gruppen på vakten.", UnitFile, "availability"),
]

# sheet name -> columns; the order is the order of the sheets
SHEETS = {"enhet": [Col("felt", "info", "Feltets navn i enhetsformatet (endres ikke)."),
                    Col("verdi", "info", "Verdien. Tekst, tall, TRUE/FALSE eller lister som beskrevet per felt.")],
          "pasienter": PASIENTER, "vakter": VAKTER, "arbeidsmengde": ARBEIDSMENGDE + ARBEIDSMENGDE_TAIL,
          "oppgavetid": OPPGAVETID, "regler": REGLER, "tilgjengelighet": TILGJENGELIGHET}
# sheets a workbook may lack (one written before the sheet existed): the field keeps its default
OPTIONAL = {"oppgavetid"}
LISTS = "lister"       # the hidden sheet the drop-down lists refer to
HELP = "forklaring"


def bounds(model: type, field: str) -> tuple[float | None, float | None]:
    """(lowest, highest) value the schema accepts for a number field (None: no bound on that side)."""
    info = model.model_fields[field]
    lo = hi = None
    for m in _metadata(info):
        if isinstance(m, (Ge, Gt)):
            lo = m.ge if isinstance(m, Ge) else m.gt
        elif isinstance(m, (Le, Lt)):
            hi = m.le if isinstance(m, Le) else m.lt
    return lo, hi


def _metadata(info: FieldInfo) -> list:
    """The constraints of a field, or of the first number inside its type (a number or a mapping of numbers)."""
    if any(isinstance(m, (Ge, Gt, Le, Lt)) for m in info.metadata):
        return list(info.metadata)
    todo = [info.annotation]
    while todo:
        ann = todo.pop(0)
        for arg in typing.get_args(ann):
            if isinstance(arg, FieldInfo) and any(isinstance(m, (Ge, Gt, Le, Lt)) for m in arg.metadata):
                return list(arg.metadata)
            todo.append(arg)
    return []
