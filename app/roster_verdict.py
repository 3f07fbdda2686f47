"""What a roster build found, in words a pilot reads: Norwegian bokmål by default, English with the switch.

Built from the fields of app.roster_logic.verdict_fields (status, cost, proven bound, gap, what ended the
run, open cover, soft violations by rule, rules in conflict), not from the engine's English sentence.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "optimal": "Lovlig turnus funnet, og den er bevist best: ingen turnus kan få lavere kostnad med disse "
                   "reglene og vektene (kostnad {obj}).",
        "feasible": "Lovlig turnus funnet{start}. Kostnad {obj}; ingen turnus kan bli bedre enn {bound} (bevist "
                    "nedre grense), så den er høyst {gap} fra den beste.",
        "feasible_unbounded": "Lovlig turnus funnet{start}. Kostnad {obj}; løseren har ennå ikke bevist noen "
                              "nedre grense, så hvor nær den beste den er, vet vi ikke.",
        "start": " (startturnusen: søket fant ingen bedre)",
        "none_found_in_time": "Ingen lovlig turnus funnet: søket fant ingen turnus uten harde brudd. Det beviser "
                              "ikke at reglene er umulige – gi mer tid.",
        "infeasible": "Bevist umulig: ingen turnus kan holde alle de harde reglene med disse ansatte.",
        "conflict": "Regler som ikke kan holde samtidig: {items}.",
        "time_limit": "Tidsgrensen på {limit} s stoppet søket.",
        "det_time": "Den deterministiske grensen stoppet søket.",
        "stop": "Du stoppet søket etter {secs} s.",
        "stop_kept": "Du stoppet søket etter {secs} s og beholdt den beste turnusen så langt.",
        "finished": "Søket ble ferdig etter {secs} s.",
        "open_one": "1 vakt står åpen (se dekningshullene).",
        "open": "{n} vakter står åpne (se dekningshullene).",
        "covered": "Alle vakter i bemanningsbehovet er dekket.",
        "soft": "Myke brudd som koster mest: {items}.",
        "soft_item": "{rule} {n} (kostnad {cost})",
        "no_soft": "Ingen myke brudd.",
        "unavoidable": "Uunngåelig (bevist): {items} – disse gruppene deler ingen dekning med de andre, og "
                       "ingen turnus dekker deres behov billigere.",
    },
    "en": {
        "optimal": "Legal roster found, and it is proven best: no roster can cost less under these rules and "
                   "weights (cost {obj}).",
        "feasible": "Legal roster found{start}. Cost {obj}; no roster can do better than {bound} (proven lower "
                    "bound), so it is at most {gap} from the best.",
        "feasible_unbounded": "Legal roster found{start}. Cost {obj}; the solver has not yet proven a lower "
                              "bound, so how close it is to the best is not known.",
        "start": " (the start roster: the search found no better one)",
        "none_found_in_time": "No legal roster found: the search found no roster without hard violations. This "
                              "does not prove the rules impossible – give more time.",
        "infeasible": "Proven impossible: no roster can keep every hard rule with these staff.",
        "conflict": "Rules that cannot hold together: {items}.",
        "time_limit": "The time limit of {limit} s ended the search.",
        "det_time": "The deterministic limit ended the search.",
        "stop": "You stopped the search after {secs} s.",
        "stop_kept": "You stopped the search after {secs} s and kept the best roster so far.",
        "finished": "The search finished after {secs} s.",
        "open_one": "1 shift is left open (see the coverage gaps).",
        "open": "{n} shifts are left open (see the coverage gaps).",
        "covered": "Every shift of the requirement is covered.",
        "soft": "Soft violations that cost most: {items}.",
        "soft_item": "{rule} {n} (cost {cost})",
        "no_soft": "No soft violations.",
        "unavoidable": "Unavoidable (proven): {items} – these groups share no cover with the others, and no "
                       "roster meets their cover for less.",
    },
}
SOFT_SHOWN = 3   # the costliest soft rules named in the verdict (the table below lists them all)


def number(x: float, lang: str = "nb") -> str:
    """A whole number with a space between thousands (20 237), as the unit page writes NOK."""
    return f"{x:,.0f}".replace(",", " ") if lang == "nb" else f"{x:,.0f}"


def share(x: float, lang: str = "nb") -> str:
    """A share as a percentage with one decimal: 12,3 % (bokmål), 12.3% (English)."""
    return f"{100 * x:.1f}".replace(".", ",") + " %" if lang == "nb" else f"{100 * x:.1f}%"


def kind(v: dict) -> str:
    """How the page frames the verdict: success (a legal roster, all covered), warning (legal with open
    cover, or nothing found in time), error (proven infeasible)."""
    if v["status"] == "infeasible":
        return "error"
    if v["status"] in ("optimal", "feasible") and not v["open"]:
        return "success"
    return "warning"


def text(v: dict, lang: str = "nb") -> str:
    """The verdict as sentences: what was found and proven, what ended the run, open cover, soft costs."""
    w = WORDS.get(lang, WORDS["nb"])
    legal = v["status"] in ("optimal", "feasible")
    out = []
    if v["status"] == "optimal":
        out.append(w["optimal"].format(obj=number(v["objective"], lang)))
    elif v["status"] == "feasible":
        start = w["start"] if v["kept_start"] else ""
        if v["bound"] is not None and v["gap"] is not None:
            out.append(w["feasible"].format(start=start, obj=number(v["objective"], lang),
                                            bound=number(v["bound"], lang), gap=share(v["gap"], lang)))
        else:
            out.append(w["feasible_unbounded"].format(start=start, obj=number(v["objective"], lang)))
    else:
        out.append(w[v["status"]])
    if v["status"] == "infeasible":
        if v["conflict"]:
            items = [f"{k.split('|', 1)[0]} ({k.split('|', 1)[1]})" if "|" in k else k for k in v["conflict"]]
            out.append(w["conflict"].format(items=", ".join(items)))
        return " ".join(out)
    secs = f"{v['seconds']:.0f}"
    how = v["stopped_by"]
    if how == "stop":
        out.append(w["stop_kept" if legal else "stop"].format(secs=secs))
    elif how in ("time_limit", "det_time"):
        out.append(w[how].format(limit=f"{v['time_limit']:g}"))
    else:
        out.append(w["finished"].format(secs=secs))
    if legal:
        n = v["open"] or 0
        out.append(w["covered"] if n == 0 else w["open_one"] if n == 1 else w["open"].format(n=n))
        soft = v["soft"][:SOFT_SHOWN]
        out.append(w["soft"].format(items=", ".join(w["soft_item"].format(rule=r, n=k, cost=number(c, lang))
                                                  for r, k, c in soft)) if soft else w["no_soft"])
        if v.get("unavoidable"):
            out.append(w["unavoidable"].format(items=", ".join(f"{', '.join(gs)} {number(c, lang)}"
                                                               for gs, c in v["unavoidable"])))
    return " ".join(out)
