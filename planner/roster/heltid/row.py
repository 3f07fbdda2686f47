"""A model's row of the comparison: figures from its legal rosters, and its verdict."""
from __future__ import annotations

from planner.roster.heltid.group import _legal, _open_attempts
from planner.roster.heltid.models_file import ModelsFile


def _row(st: dict, mf: ModelsFile, rosters: dict | None) -> dict:
    """The model's row: figures from the best roster of each group, withheld unless every group's is
    legal, and the verdict."""
    results, order, proof = st["results"], st["order"], st["proof"]
    row = dict(st["row"])
    persons, loads, hard, soft, missing, by_group, statuses = [], [], 0, 0, 0, {}, []
    heads_lb = ft_ub = 0
    hours_tot = 0.0
    for g in order:
        res = results[g]
        b, best = res["bound"], res["best"]
        heads_lb += b["heads_min"]
        ft_ub += b["full_time_max"]
        hours_tot += b["hours"]
        if best is None:
            statuses.append("UNKNOWN")
            by_group[g] = {"status": "UNKNOWN", "bound": b, "time_s": res["time_s"], "attempts": res["log"]}
            continue
        statuses.append("OK" if _legal(res) else "OPEN")
        rep, Q = best["rep"], best["Q"]
        if rosters is not None:
            rosters[g] = (Q, best["asg"])
        persons += Q.persons
        if rep is not None:      # audited: every legal roster (the figures come from these alone)
            loads += [v["weekend_shifts"] for v in rep["load"].values()]
            soft += rep["summary"]["soft_violations"]
        hard += best["hard"]
        missing += best["missing"]
        by_group[g] = {"status": statuses[-1], "heads": best["heads"], "full_time": best["full_time"],
                       "positions": sorted(best["sizes"], reverse=True), "attempt": best["attempt"],
                       "night_split": best["night_split"], "missing": best["missing"],
                       "hard_violations": best["hard"], "bound": b, "time_s": res["time_s"],
                       "det_s": round(res["det_s"], 1),
                       "below_min_position": any(0 < x < mf.min_position for x in best["sizes"]),
                       "attempts": res["log"]}
    by_group = {g: by_group[g] for g in st["groups"] if g in by_group}
    pct = [p.percent for p in persons]
    n = max(1, len(pct))
    ft = sum(1 for x in pct if x >= 100)
    legal = not proof and all(s == "OK" for s in statuses)
    row.update(
        status="OK" if legal else "NOT_FOUND",
        heads=len(pct), heads_bound=heads_lb, full_time_bound=ft_ub,
        proven=legal and all(by_group[g].get("full_time") == by_group[g]["bound"]["full_time_max"]
                             and by_group[g].get("heads") == by_group[g]["bound"]["heads_min"] for g in by_group),
        arsverk=round(sum(pct) / 100, 2), arsverk_cover=round(hours_tot / (st["norm"] * st["weeks"]), 2),
        full_time=ft, full_time_share=round(ft / n, 3), average_position=round(sum(pct) / n, 1),
        # the share of the full-time positions the bounds allow that the roster does not reach
        full_time_gap=round((ft_ub - ft) / ft_ub, 3) if ft_ub else 0.0,
        weekend_shifts_per_person=round(sum(loads) / n, 2),
        violations=hard, soft_violations=soft, missing_shifts=missing, by_group=by_group,
        det_time_s=round(sum(r["det_s"] for r in results.values()), 1),
        budget_s=round(st["budget"], 1), setup_s=round(st["setup_s"], 2), time_s=round(st["spent"], 1))
    row.update(outcome_row(row, results, order, proof))
    if not legal:
        # no legal roster with full cover: the figures would describe an illegal roster (or none), so
        # they are withheld (by_group keeps the best attempt for diagnosis)
        row.update(heads=None, arsverk=None, full_time=None, full_time_share=None, average_position=None,
                   weekend_shifts_per_person=None, full_time_gap=None)
    return row


def outcome_row(row: dict, results: dict, order: list[str], proof: str | None = None) -> dict:
    """A row's verdict: ``proven`` (a legal roster at both arithmetic bounds: optimal for the model's
    question), ``feasible`` (legal, with its gap to the bounds), ``infeasible`` (proven: the model
    cannot work, a finding about it) or ``none_found_in_time`` (no legal roster within the limits: not a
    finding)."""
    if proof:
        return {"outcome": "infeasible", "outcome_reason": proof}
    if row["status"] == "OK":
        if row["proven"]:
            return {"outcome": "proven", "outcome_reason": "a legal roster with full cover at both arithmetic "
                    "bounds (fewest heads, most full-time positions)"}
        # did an attempt nearer the bounds than the one taken end without a proof (time ran out)?
        timed = any(_open_attempts(results[g]) for g in order)
        return {"outcome": "feasible", "outcome_reason":
                f"legal with {row['full_time']} of the {row['full_time_bound']} full-time positions the bounds "
                f"allow (gap {round(100 * row['full_time_gap'], 1):g} %) and {row['heads']} heads, "
                f"{row['heads'] - row['heads_bound']} above the fewest; "
                + ("a staffing nearer the bounds ran out of time (a longer --time-limit may close the gap)"
                   if timed else "the staffings nearer the bounds ended without a legal roster with the search's "
                   "weekend teams or free part-time sizes (another roster may exist)")}
    open_ = [g for g in order if not _legal(results[g])]
    if all(len(results[g]["ended"]) >= results[g]["attempts"] for g in open_):
        # the search tried everything it tries: not a timeout, but not a finding about the model either
        return {"outcome": "none_found_in_time", "outcome_reason": "; ".join(
            f"{g}: each of the {results[g]['attempts']} staffings the search tries ({results[g]['bound']['heads_min']}"
            f" to {results[g]['bound']['heads_min'] + 1} heads) ended without a legal roster with its weekend teams "
            f"or free part-time sizes ({results[g]['impossible']} proven impossible)" for g in open_)
            + " - not a proof about the model (a roster with more heads may exist)"}

    def best(g):
        b = results[g]["best"]
        return "no roster yet" if b is None else f"best: {b['missing']} shift-heads open, {b['hard']} hard violations"

    return {"outcome": "none_found_in_time", "outcome_reason":
            f"no legal roster within the model's {row['budget_s']:g} s for "
            + ", ".join(f"{g} ({best(g)})" for g in open_) + " - a timeout, not a proof; give a longer --time-limit "
            "(shared by the models, each at most the models file's time_limit:)"}
