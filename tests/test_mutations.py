"""Mutated shipped files never crash leon: exit 0, 1 or 2, no traceback, no hang, no input file written.

Each example copies `instances/` to a temporary folder, breaks one file the way a user's editing does
(a key deleted, a value of another type, a huge / tiny / negative / non-finite number, a duplicated
key, a ragged roster row) and runs the command that reads it. The budget is small (at most 200
examples, a few minutes in all): the aim is the classes of breakage, not every file.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import signal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import cli

ROOT = Path(__file__).resolve().parent.parent
SECONDS_PER_RUN = 90  # a run over this is a hang: the solves below have a time limit of 10 s

UNIT = "units/sykehjem.yaml"
# (file that is mutated, the command that reads it); paths relative to the copied instances/
TARGETS = [
    (UNIT, ["solve", "{i}/" + UNIT, "--quiet", "--no-explain", "--time-limit", "10"]),
    ("catalogue/tasks.yaml", ["solve", "{i}/" + UNIT, "--quiet", "--no-explain", "--time-limit", "10"]),
    ("catalogue/groups.yaml", ["check", "{i}/" + UNIT]),
    ("rules/sykehjem.yaml", ["solve", "{i}/" + UNIT, "--quiet", "--no-explain", "--time-limit", "10"]),
    ("staff/sykehjem.yaml", ["roster", "check", "{i}/rosters/sykehjem_6uker.csv", "--unit", "{i}/" + UNIT,
                             "--staff", "{i}/staff/sykehjem.yaml"]),
    ("rules/ks.yaml", ["roster", "check", "{i}/rosters/sykehjem_6uker.csv", "--unit", "{i}/" + UNIT,
                       "--staff", "{i}/staff/sykehjem.yaml", "--rules", "{i}/rules/ks.yaml"]),
    ("roster_models/fafo.yaml", ["check", "{i}/roster_models/fafo.yaml"]),
    ("national/norge.yaml", ["check", "{i}/national/norge.yaml"]),
]
# what `leon check` must agree with for each mutated YAML file: the files whose check covers the command's
# reading of it (check passes exactly what the commands accept)
CHECK_FOR = {
    UNIT: [UNIT], "catalogue/tasks.yaml": [UNIT], "catalogue/groups.yaml": [UNIT], "rules/sykehjem.yaml": [UNIT],
    "staff/sykehjem.yaml": ["staff/sykehjem.yaml"], "rules/ks.yaml": ["rules/ks.yaml"],
}
GRID = ("rosters/sykehjem_6uker.csv", ["roster", "check", "{i}/rosters/sykehjem_6uker.csv", "--unit",
                                       "{i}/" + UNIT, "--staff", "{i}/staff/sykehjem.yaml"])
NATIONAL_CSV = ("national/helsemod_groups.csv", ["check", "{i}/national/norge.yaml"])

ODD_VALUES = [0, -1, -1e9, 1e-300, 1e12, 1.0e30, float("nan"), float("inf"), True, "30", "", None,
              [], {}, {"a": 1}, "x" * 5000]


def _paths(data, prefix=()):
    """Every (path, value) in a YAML document, mappings and lists alike."""
    yield prefix, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


def _set(data, path, value, delete=False):
    node = data
    for p in path[:-1]:
        node = node[p]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value


def _mutate_yaml(text: str, draw) -> str:
    data = yaml.safe_load(text)
    how = draw(st.sampled_from(["delete", "value", "number", "duplicate"]))
    if how == "duplicate":
        lines = text.splitlines()
        keyed = [i for i, line in enumerate(lines) if line and not line.startswith((" ", "#", "-")) and ":" in line]
        i = draw(st.sampled_from(keyed))
        return "\n".join(lines + [lines[i]]) + "\n"
    paths = [p for p, _ in _paths(data) if p]
    if how == "number":
        paths = [p for p, v in _paths(data) if p and isinstance(v, (int, float)) and not isinstance(v, bool)] or paths
    path = draw(st.sampled_from(paths))
    data = copy.deepcopy(data)
    if how == "delete":
        _set(data, path, None, delete=True)
    elif how == "number":
        _set(data, path, draw(st.sampled_from([0, -1, -1e9, 1e-300, 1e12, 1.0e30, float("nan"), float("inf")])))
    else:
        _set(data, path, draw(st.sampled_from(ODD_VALUES)))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _mutate_csv(text: str, draw) -> str:
    lines = text.splitlines()
    body = [i for i, line in enumerate(lines) if line and not line.startswith("#")][1:]
    i = draw(st.sampled_from(body))
    how = draw(st.sampled_from(["short", "long", "tab", "semicolon", "bom", "nan", "blank_cell"]))
    sep = ","
    cells = lines[i].split(sep)
    if how == "short":
        cells = cells[:-draw(st.integers(1, max(1, len(cells) - 1)))]
    elif how == "long":
        cells = cells + ["D", "x"]
    elif how == "nan":
        cells[-1] = draw(st.sampled_from(["NaN", "inf", "-inf", "1e400", "'5'", "true"]))
    elif how == "blank_cell":
        cells[draw(st.integers(0, len(cells) - 1))] = ""
    lines[i] = sep.join(cells)
    out = "\n".join(lines) + "\n"
    if how == "tab":
        out = out.replace(",", "\t")
    elif how == "semicolon":
        out = out.replace(",", ";")
    elif how == "bom":
        out = "\ufeff" + out
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _alarm(signum, frame):
    raise TimeoutError(f"a run took over {SECONDS_PER_RUN} s: a hang")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("pristine") / "instances"
    shutil.copytree(ROOT / "instances", src)
    return src


# no shrinking: a failing example is printed as drawn, and a slow shrink would not fit the budget
@settings(max_examples=200, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_shipped_files_give_a_clean_exit(data, pristine, tmp_path_factory, capsys):
    target, argv = data.draw(st.sampled_from(TARGETS + [GRID, NATIONAL_CSV]), label="target")
    inst = tmp_path_factory.mktemp("m") / "instances"
    shutil.copytree(pristine, inst)
    f = inst / target
    text = f.read_text(encoding="utf-8")
    f.write_text(_mutate_csv(text, data.draw) if target.endswith(".csv") else _mutate_yaml(text, data.draw),
                 encoding="utf-8")
    before = _digests(inst)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_RUN)
    try:
        code = cli.main([a.format(i=inst) for a in argv])  # any exception but exit codes fails the test
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("error: ") and "fix:" in err, err
    assert _digests(inst) == before, "a run wrote into its input folder"
    if target in CHECK_FOR:
        checked = cli.main(["check", *(str(inst / f) for f in CHECK_FOR[target])])
        capsys.readouterr()
        # an error in the mutated file itself must be found by check too (an error in another file, e.g. a
        # roster row whose person was deleted from the staff file, is for the command alone to find)
        if code == 2 and err.startswith(f"error: {f}"):
            assert checked == 2, f"the command refused {target} but leon check passed it:\n{err}"
        if checked == 2:
            assert code == 2, f"leon check refused {target} but the command accepted it (exit {code})"
