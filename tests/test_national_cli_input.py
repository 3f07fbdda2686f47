"""`leon national run|report` with bad input from the command line: options out of their range, a
misspelt --planning-base, a summary.json that `leon national run` did not write. Each gives an
InputError (exit 2: the option or file, the field path, what is wrong, the fix), never a traceback.

Runs use the toy units of test_national (no solver); the planning base needs the small real unit
in tests/data.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

import commands.national
from planner.io.errors import InputError
from planner.national import schema
from planner.national.config import load_national
from planner.national.outputs import KOMMUNE_REPORT_KEYS, REPORT_KEYS, load_summary, print_report
from planner.national.run import check_planning_base_option, check_request
from test_national import _edit, toy_national
from test_national_split import _kommune, split_national

DATA = Path(__file__).resolve().parent / "data"
TRACEBACK = "Traceback"
FIX = "fix: give the summary.json written by `leon national run`"


def _run(capsys, national: Path, tmp: Path, *extra: str) -> tuple[int, str]:
    rc = commands.national.main(["national", "run", str(national), "--out", str(tmp / "out"),
                                 "--cache", str(tmp / "cache"), "--no-progress", *extra])
    err = capsys.readouterr().err
    assert TRACEBACK not in err
    return rc, err


# ------------------------------------------------------------------------------ numeric options
@pytest.mark.parametrize("args, option, allowed", [
    (["--draws", "10001"], "--draws", "1 to 10 000"),
    (["--draws", "100000000"], "--draws", "1 to 10 000"),
    (["--draws", "0"], "--draws", "1 to 10 000"),
    (["--units", "101", "--draws", "1"], "--units", "1 to 100"),
    (["--units", "0", "--draws", "1"], "--units", "1 to 100"),
    (["--workers", "-1", "--draws", "1"], "--workers", "0 to 1024"),
    (["--workers", "100000", "--draws", "1"], "--workers", "0 to 1024"),
])
def test_an_option_out_of_its_range_is_refused_before_any_work(tmp_path, capsys, args, option, allowed):
    rc, err = _run(capsys, toy_national(tmp_path), tmp_path, *args)
    assert rc == 2, err
    assert err.startswith(f"error: {option}: {args[1]} is ") and f"must be {allowed}" in err
    assert f"fix: give {option} {allowed}" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()    # nothing solved or written


def _monte_carlo(p: Path, key: str, value: int) -> Path:
    return _edit(p, lambda d: d["monte_carlo"].update({key: value}))


def test_the_options_take_exactly_what_the_file_may_say(tmp_path):
    """--draws and --units have the bounds of `monte_carlo.draws` and `monte_carlo.units_per_archetype`."""
    cfg = load_national(toy_national(tmp_path))
    (d_lo, d_hi), (u_lo, u_hi) = schema.DRAWS, schema.VARIANTS
    assert (d_lo, d_hi, u_lo, u_hi) == (1, 10_000, 1, 100)      # docs/national.md, «File format»
    assert check_request(cfg, None, d_hi, u_hi, 1024)[1:] == (d_hi, u_hi)
    assert check_request(cfg, None, d_lo, u_lo, 0)[1:] == (d_lo, u_lo)
    for draws, units, option in ((d_hi + 1, None, "--draws"), (d_lo - 1, None, "--draws"),
                                 (None, u_hi + 1, "--units"), (None, u_lo - 1, "--units")):
        with pytest.raises(InputError) as e:
            check_request(cfg, None, draws, units)
        assert e.value.file == option
    for key, hi in (("draws", d_hi), ("units_per_archetype", u_hi)):
        p = _monte_carlo(toy_national(tmp_path), key, hi)
        assert getattr(load_national(p), key) == hi
        _monte_carlo(p, key, hi + 1)
        with pytest.raises(InputError) as e:
            load_national(p)
        assert f"monte_carlo.{key}" in e.value.field and f"above {hi:,}".replace(",", " ") in e.value.problem


@pytest.mark.parametrize("value", [2.5, float("nan"), float("inf"), True, "3"])
def test_a_number_that_is_not_whole_is_refused(tmp_path, value):
    """A caller of run_national (the web app) gets the same message as the command line."""
    cfg = load_national(toy_national(tmp_path))
    for option, args in (("--draws", (value, 1, 0)), ("--units", (1, value, 0)), ("--workers", (1, 1, value))):
        with pytest.raises(InputError) as e:
            check_request(cfg, None, *args)
        assert e.value.file == option and "is not a whole number" in e.value.problem


@pytest.mark.parametrize("value", ["nan", "inf", "1e3", "2.5", ""])
def test_a_number_that_is_not_whole_on_the_command_line(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as e:
        commands.national.main(["national", "run", str(toy_national(tmp_path)), "--draws", value])
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert "argument --draws: invalid int value" in err and TRACEBACK not in err


# ------------------------------------------------------------------------------- --planning-base
def _national_with_real_units(tmp: Path, second: list[str] | None = None) -> Path:
    """The toy national file with the small real unit of tests/data as its archetype (`a`), and with
    `second` a second archetype (`b`): the same unit with only those groups."""
    p = toy_national(tmp)
    names = ("a", "b") if second else ("a",)
    for name in names:
        (tmp / name).mkdir()
        for f in DATA.glob("*.yaml"):
            shutil.copy(f, tmp / name / f.name)
    if second:
        _edit(tmp / "b" / "unit.yaml", lambda d: d.update(groups=second))
    arch = {"volume_driver": "plasser", "service_area": "omsorg", "calibration": None}
    return _edit(p, lambda d: d.update(archetypes=[{"id": n, "unit": f"{n}/unit.yaml", **arch} for n in names]))


def test_a_misspelt_planning_base_names_the_option_and_the_groups(tmp_path, capsys):
    rc, err = _run(capsys, _national_with_real_units(tmp_path), tmp_path, "--planning-base", "helsefagarbeidr",
                   "--draws", "1", "--workers", "0")
    assert rc == 2, err
    assert err.startswith("error: --planning-base: unknown group 'helsefagarbeidr'")
    assert "did you mean 'helsefagarbeider'?" in err
    assert "use one of: assistent, helsefagarbeider, sykepleier, or `none`" in err
    assert "national.yaml" not in err and "to `groups`" not in err       # the file is not to blame
    assert not (tmp_path / "out").exists()


def test_a_planning_base_not_every_unit_has(tmp_path):
    cfg = load_national(_national_with_real_units(tmp_path, second=["helsefagarbeider", "sykepleier"]))
    with pytest.raises(InputError) as e:
        check_planning_base_option(cfg, "assistent")
    assert e.value.file == "--planning-base" and "not of b" in e.value.problem
    assert e.value.fix == "use one of: helsefagarbeider, sykepleier, or `none` (assistants as base)"
    with pytest.raises(InputError) as e:
        check_planning_base_option(cfg, "lege")
    assert "unknown group 'lege'" in e.value.problem and "did you mean" not in e.value.fix
    for ok in ("none", "helsefagarbeider", "sykepleier"):
        check_planning_base_option(cfg, ok)       # no error


# ---------------------------------------------------------------------------- national report
@pytest.fixture(scope="module")
def summaries(tmp_path_factory) -> dict[str, dict]:
    """A national summary (scenario mid, with a group outside HELSEMOD) and a kommune's, as `leon national
    run` writes them; the national one with a validation check and a planning-base shortfall added by
    hand, so the report prints every part it can."""
    tmp = tmp_path_factory.mktemp("runs")
    p = split_national(tmp)
    common = ["--scenario", "mid", "--draws", "2", "--no-cache", "--no-progress", "--workers", "0"]
    assert commands.national.main(["national", "run", str(p), "--out", str(tmp / "nat"), *common]) == 0
    assert commands.national.main(["national", "run", str(p), "--out", str(tmp / "kom"), *common,
                                   "--kommune", str(_kommune(tmp, 40))]) == 0
    nat = json.loads((tmp / "nat" / "summary.json").read_text(encoding="utf-8"))
    nat["validation_units"]["mid"] = [{
        "id": "share_check", "what": "share of the unit's baseline årsverk", "measure": "share", "test": "within",
        "model": 0.4, "figure": 0.5, "difference": -0.1, "tolerance": 0.05, "status": "fail", "source": "test",
        "tolerance_reason": "test", "unchecked": ""}]
    nat["planning_base"]["mid"] = [{"text": "helsefagarbeider needs fewer", "shortfalls": [{
        "archetype": "toy", "group": "helsefagarbeider", "baseline_fte": 2.0, "leon_fte": 1.0,
        "families": [{"family": "stell", "baseline_hours_per_week": 10.0, "leon_hours_per_week": 5.0,
                      "to": ["assistent"]}], "binding_rules": ["dekning"]}]}]
    kom = json.loads((tmp / "kom" / "summary.json").read_text(encoding="utf-8"))
    assert "assistent" in nat["other_groups"] and kom["kind"] == "kommune"
    return {"national": nat, "kommune": kom}


def _report(capsys, tmp: Path, summary: object = None, text: str | bytes | None = None) -> tuple[int, str, str]:
    f = tmp / "summary.json"
    if isinstance(text, bytes):
        f.write_bytes(text)
    else:
        f.write_text(json.dumps(summary) if text is None else text, encoding="utf-8")
    rc = commands.national.main(["national", "report", str(tmp)])
    out, err = capsys.readouterr()
    assert TRACEBACK not in err
    return rc, out, err


def _set(d: dict, path: tuple, value: object) -> dict:
    d = copy.deepcopy(d)
    at = d
    for k in path[:-1]:
        at = at[k]
    if value is _DELETE:
        del at[path[-1]]
    else:
        at[path[-1]] = value
    return d


_DELETE = object()
STEPS = ("baseline_gap", "task_sharing", "technology", "part_time", "sick_leave", "gap")


@pytest.mark.parametrize("kind", ["national", "kommune"])
def test_the_written_summaries_report(tmp_path, capsys, summaries, kind):
    rc, out, err = _report(capsys, tmp_path, summaries[kind])
    assert rc == 0, err
    assert "freed by LEON" in out
    if kind == "national":
        assert "1 of 1 checks fail" in out and "Moved away from helsefagarbeider: stell" in out
        assert "assistent 2040: supply" in out


@pytest.mark.parametrize("key", ["scenarios", "groups", "gap", "bands", "need"])
def test_a_key_of_the_wrong_type(tmp_path, capsys, summaries, key):
    """The tester's cases: each gave `TypeError: 'int' object is not iterable`."""
    rc, _, err = _report(capsys, tmp_path, _set(summaries["national"], (key,), 5))
    assert rc == 2
    want = "expected a list" if key in ("scenarios", "groups") else "expected a mapping"
    assert f"summary.json: {key}: {want} (got 5)" in err and FIX in err


@pytest.mark.parametrize("path, value, where, problem", [
    (("gap", "mid", "2040", "total"), "x", "gap.mid.2040.total", "expected a number (got 'x')"),
    (("gap", "mid", "2040", "total"), True, "gap.mid.2040.total", "expected a number (got True)"),
    (("need", "mid", "2040", "total"), _DELETE, "need.mid.2040", "no entry for the group 'total'"),
    (("need", "mid", "2040"), _DELETE, "need.mid", "no entry for the year '2040'"),
    (("supply", "mid"), _DELETE, "supply", "no entry for the scenario 'mid'"),
    (("bands", "mid", "year"), "2040", "bands.mid.year", "expected a whole number (got '2040')"),
    (("bands", "mid", "gap"), [], "bands.mid.gap", "expected a mapping"),
    (("freed_split", "mid", "integer"), 5, "freed_split.mid.integer", "expected a mapping (got 5)"),
    (("freed_split", "mid", "gap"), None, "freed_split.mid.gap", "got nothing"),
    (("waterfall", "mid", "by_skill", "bogus"), dict.fromkeys(STEPS, 0.0), "waterfall.mid.by_skill.bogus",
     "expected one of"),
    (("waterfall", "mid", "technology"), _DELETE, "waterfall.mid.technology", "is required but missing"),
    (("tornado", "mid", 0, "swing"), None, "tornado.mid[0].swing", "expected a number"),
    (("calibration", "mid"), _DELETE, "calibration", "no entry for the scenario 'mid'"),
    (("validation_units", "mid", 0, "status"), "maybe", "validation_units.mid[0].status", "expected one of"),
    (("validation_units", "mid", 0, "tolerance"), None, "validation_units.mid[0].tolerance", "got null"),
    (("planning_base", "mid", 0, "shortfalls", 0, "families"), 5, "planning_base.mid[0].shortfalls[0].families",
     "expected a list (got 5)"),
    (("other_groups", "assistent", "basis", "mid"), _DELETE, "other_groups.assistent.basis",
     "no entry for the scenario 'mid'"),
    (("scenarios",), [], "scenarios", "is empty"),
    (("groups",), ["sykepleier", "sykepleier"], "groups", "group 'sykepleier' is listed twice"),
    (("groups", 0), "[/x]", "groups[0]", "is not an id"),
    (("warnings",), "text", "warnings", "expected a list"),
])
def test_a_malformed_national_summary_names_the_key_path(tmp_path, capsys, summaries, path, value, where, problem):
    rc, _, err = _report(capsys, tmp_path, _set(summaries["national"], path, value))
    assert rc == 2, err
    assert f"summary.json: {where}: " in err and problem in err and FIX in err


@pytest.mark.parametrize("path, value, where", [
    (("kommune",), "Testkommune", "kommune"),
    (("kommune", "name"), _DELETE, "kommune.name"),
    (("units_baseline", "mid", "2040", "total"), _DELETE, "units_baseline.mid.2040"),
    (("freed_split", "mid", "year"), 1999, "units_baseline.mid"),
    (("freed_split", "mid", "relaxed", "pooling"), {"sykepleier": 1}, "freed_split.mid.relaxed.pooling"),
])
def test_a_malformed_kommune_summary_names_the_key_path(tmp_path, capsys, summaries, path, value, where):
    rc, _, err = _report(capsys, tmp_path, _set(summaries["kommune"], path, value))
    assert rc == 2, err
    assert f"summary.json: {where}: " in err and FIX in err


@pytest.mark.parametrize("text, problem", [
    ("", "not valid JSON"),
    ("[]", "(top level): expected a mapping of the run's results, got list"),
    ("5", "got int"),
    ("null", "got NoneType"),
    ('"summary"', "got str"),
    ("[" * 100_000, "not valid JSON"),
    ('{"version": ' + "1" * 5000 + "}", "not valid JSON"),
    (b"{\xff}", "not valid JSON"),
])
def test_a_file_that_is_no_summary_at_all(tmp_path, capsys, text, problem):
    rc, _, err = _report(capsys, tmp_path, text=text)
    assert rc == 2 and problem in err and "fix:" in err


def test_a_summary_with_a_non_finite_number(tmp_path, capsys, summaries):
    text = json.dumps(_set(summaries["national"], ("need", "mid", "2040", "total"), float("nan")))
    rc, _, err = _report(capsys, tmp_path, text=text)
    assert "NaN" in text and rc == 2
    assert "need.mid.2040.total: is not a finite number" in err


def _paths(x, pre=(), many=frozenset()):
    """Every key path of a summary; of a mapping keyed by group or year (whose entries the report reads
    alike) the first and the last entry, of a list the first two items."""
    if pre:
        yield pre
    if isinstance(x, dict):
        items = list(x.items())
        if pre and all(k.isdigit() or k in many for k in x):
            items = items[:1] + items[-1:]
        for k, v in items:
            yield from _paths(v, pre + (k,), many)
    elif isinstance(x, list):
        for i, v in enumerate(x[:2]):
            yield from _paths(v, pre + (i,), many)


def _others(value: object) -> list:
    """Values to put in place of `value`: what its type is not (text with a markup tag for text, whose
    brackets rich would read), or nothing."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ["5", None, _DELETE]
    return [5, _DELETE] + (["[/x]"] if isinstance(value, str) else [[]] if isinstance(value, dict) else
                           [{}, ["x"]] if isinstance(value, list) else [])


def _mutated(good: dict, path: tuple, value: object) -> str:
    """The summary as JSON text with the value at `path` replaced (or removed); `good` is changed back."""
    at = good
    for k in path[:-1]:
        at = at[k]
    was = at[path[-1]]
    try:
        if value is _DELETE:
            del at[path[-1]]
        else:
            at[path[-1]] = value
        return json.dumps(good)
    finally:
        if isinstance(at, list) and value is _DELETE:
            at.insert(path[-1], was)
        else:
            at[path[-1]] = was


@pytest.mark.parametrize("kind", ["national", "kommune"])
def test_no_malformed_summary_gives_a_traceback(tmp_path, summaries, kind):
    """Every key path the report reads set to a value of another type, or removed: the report prints or
    refuses the file with an InputError, nothing else."""
    good = copy.deepcopy(summaries[kind])
    read = {*(KOMMUNE_REPORT_KEYS if kind == "kommune" else REPORT_KEYS), "version", "kind", "warnings", "other_groups"}
    refused = printed = 0
    for path in (p for p in _paths(good, many=frozenset(good["groups"])) if p[0] in read):   # others: not read
        at = good
        for k in path:
            at = at[k]
        for value in _others(at):
            (tmp_path / "summary.json").write_text(_mutated(good, path, value), encoding="utf-8")
            try:
                print_report(load_summary(tmp_path), Console(file=io.StringIO(), width=160))
                printed += 1
            except InputError as e:
                assert e.file.endswith("summary.json") and e.fix
                refused += 1
    assert good == summaries[kind]      # each change was undone (a removed key comes back last)
    assert refused > 100 and printed > 20     # years before the horizon are in no table: anything goes
