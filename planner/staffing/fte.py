"""Weekly staffed hours -> årsverk (FTE), net and gross.

net   = weekly hours / norm hours per week (35,5 rota with nights and every third Sunday, 33,6 heavy
        rota, 37,5 day work; see the unit's `fte.source`);
gross = net × 52 / (52 − holiday weeks) / (1 − sick-leave share): the årsverk to employ so that the
        rota is staffed through holidays and sick leave.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.staffing.schema import FteSpec

WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class FteResult:
    net: dict[str, float]
    gross: dict[str, float]
    norm_hours_per_week: float
    gross_up: float

    @property
    def total_net(self) -> float:
        return sum(self.net.values())

    @property
    def total_gross(self) -> float:
        return sum(self.gross.values())


def gross_up_factor(spec: FteSpec) -> float:
    return WEEKS_PER_YEAR / (WEEKS_PER_YEAR - spec.holiday_weeks) / (1.0 - spec.sick_leave_share)


def fte_from_hours(weekly_hours: dict[str, float], spec: FteSpec) -> FteResult:
    up = gross_up_factor(spec)
    net = {g: h / spec.norm_hours_per_week for g, h in weekly_hours.items()}
    return FteResult(net=net, gross={g: v * up for g, v in net.items()},
                     norm_hours_per_week=spec.norm_hours_per_week, gross_up=up)
