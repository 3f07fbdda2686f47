"""Heltid analysis: for a requirement, a rule set and roster models (weekend frequency, shift
lengths), how many heads are needed and how many of them can be full-time?

For each model:
1. arithmetic (the FAFO ideal-type reasoning of NOU 2023:4 Tabell 9.2): persons needed per weekend
   x weekend cycle = the fewest heads that can cover the weekends; weekly hours / norm = årsverk;
2. a roster at those bounds: position sizes from a whole-shift plan, weekend teams, nights for one
   person per team first, a greedy start repaired by CP-SAT under every hard rule; one full-time
   position less, then one head more, while no legal roster with full cover is found (``plan_group``);
3. the audit of that roster (same rule objects).
"""
from __future__ import annotations

from planner.roster.heltid.bounds import (
    _plan_hours,
    _sizes,
    _sums,
    _weekend_persons,
    weekend_arithmetic,
)
from planner.roster.heltid.compare import run
from planner.roster.heltid.group import MIN_SEARCH, SMALL_GROUP, plan_group
from planner.roster.heltid.model import _long_cover, run_model
from planner.roster.heltid.models_file import ModelsFile, RosterModel, load_models
from planner.roster.heltid.proof import _alone, _unworkable
from planner.roster.heltid.row import outcome_row
from planner.roster.setup import Calendar, cover_list, shift_types

__all__ = ["MIN_SEARCH", "SMALL_GROUP", "Calendar", "ModelsFile", "RosterModel", "_alone", "_long_cover",
           "_plan_hours", "_sizes", "_sums", "_unworkable", "_weekend_persons", "cover_list", "load_models",
           "outcome_row", "plan_group", "run", "run_model", "shift_types", "weekend_arithmetic"]
