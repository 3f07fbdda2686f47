"""National layer execution: same results in-process, in a process pool and on Dask; the solve cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

import commands.national
from planner.national.config import load_national
from planner.national.run import run_and_write, run_national
from test_national import toy_national


def _arrays(res):
    return {sid: np.stack([p.need_all, p.supply_all, p.gap, p.freed_by_leon]) for sid, p in res.projections.items()}


def test_same_results_whatever_the_executor(tmp_path):
    cfg = load_national(toy_national(tmp_path))
    kw = {"draws": 3, "units": 2, "cache_dir": None, "progress": False}
    inproc = _arrays(run_national(cfg, workers=0, **kw))
    for w in (1, 2):
        got = _arrays(run_national(cfg, workers=w, **kw))
        for sid in inproc:
            np.testing.assert_array_equal(got[sid], inproc[sid])

    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        got = _arrays(run_national(cfg, dask=cluster.scheduler_address, **kw))
    for sid in inproc:
        np.testing.assert_array_equal(got[sid], inproc[sid])


def test_noise_really_varies_between_draws(tmp_path):
    """Guard against the executor test passing trivially: draws differ, a rerun does not."""
    p = toy_national(tmp_path)
    # two tasks with different class weights, so the patient-mix shift changes the årsverk
    unit = tmp_path / "units" / "toy.yaml"
    u = yaml.safe_load(unit.read_text())
    u["tasks"]["tung_stell"] = {"minutes": 30, "family": "stell", "per_patient_per_day": {"lett": 0, "tung": 2},
                                "today": {"sykepleier": 0.5, "helsefagarbeider": 0.5}, "leon": {"helsefagarbeider": 1}}
    unit.write_text(yaml.safe_dump(u))
    cfg = load_national(p)
    a = run_national(cfg, draws=4, units=2, workers=0, cache_dir=None, progress=False, tornado=False)
    b = run_national(cfg, draws=4, units=2, workers=0, cache_dir=None, progress=False, tornado=False)
    f = a.projections["mid"].freed_by_leon[:, -1, 0]
    assert len(set(np.round(f, 6))) == 4
    np.testing.assert_array_equal(f, b.projections["mid"].freed_by_leon[:, -1, 0])


def test_cache_makes_a_rerun_solve_nothing_and_sees_changes(tmp_path):
    p = toy_national(tmp_path)
    cache = tmp_path / "cache"
    cfg = load_national(p)
    first = run_national(cfg, draws=2, units=1, workers=0, cache_dir=cache, progress=False)
    assert first.stats["unit_solves"] > 0 and first.stats["cached"] == 0
    again = run_national(cfg, draws=2, units=1, workers=0, cache_dir=cache, progress=False)
    assert again.stats["unit_solves"] == 0
    for sid, arr in _arrays(first).items():
        np.testing.assert_array_equal(_arrays(again)[sid], arr)
    # more draws: only the new draws are solved
    more = run_national(cfg, draws=3, units=1, workers=0, cache_dir=cache, progress=False)
    assert 0 < more.stats["unit_solves"] < first.stats["unit_solves"]
    # a changed unit file invalidates its solves
    unit = tmp_path / "units" / "toy.yaml"
    unit.write_text(unit.read_text().replace("minutes: 60", "minutes: 90"))
    changed = run_national(load_national(p), draws=2, units=1, workers=0, cache_dir=cache, progress=False)
    assert changed.stats["cached"] == 0


def test_cache_key_hashes_the_unit_model_not_the_roster_engines():
    import planner
    from planner.national.units import solver_files
    root = Path(planner.__file__).resolve().parent.parent
    names = {p.relative_to(root).as_posix() for p in solver_files("unit")}
    # the code a unit solve runs is in the key, so editing it invalidates cached solves ...
    assert {"models/staffing/mip.py", "models/lp.py", "planner/staffing/solve.py",
            "planner/staffing/instance.py"} <= names
    # ... and the roster and NRP engines beside it in models/ are not: editing them keeps the cache
    assert not [n for n in names if "nrp" in n or "roster" in n]


def test_summary_is_identical_on_rerun(tmp_path):
    p = toy_national(tmp_path)
    kw = {"draws": 2, "units": 1, "workers": 0, "progress": False, "console": False}
    run_and_write(p, tmp_path / "a", cache_dir=tmp_path / "c", **kw)
    run_and_write(p, tmp_path / "b", cache_dir=None, **kw)
    a = (tmp_path / "a" / "summary.json").read_bytes()
    assert a == (tmp_path / "b" / "summary.json").read_bytes()
    assert json.loads(a)["draws"] == 2


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("address", ["no-port-here", "refused"])
def test_dask_bad_address_is_an_input_error(tmp_path, capsys, address):
    pytest.importorskip("distributed")
    import dask
    if address == "refused":
        address = f"tcp://127.0.0.1:{_free_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        rc = commands.national.main(["national", "run", str(toy_national(tmp_path)), "--dask", address, "--draws", "1",
                                "--no-cache", "--no-progress", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "--dask" in err and "fix:" in err and "Traceback" not in err


def _broken_batch(jobs):
    raise RuntimeError("the unit files are not on this worker")


def test_dask_worker_failure_is_a_clear_error(tmp_path):
    distributed = pytest.importorskip("distributed")
    from planner.io.errors import InputError
    from planner.national.executors import run_jobs
    from planner.national.units import Job

    jobs = [Job(str(tmp_path / "u.yaml"), "toy", 0, -1, (1,))]
    with (distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
          pytest.raises(InputError, match="Dask worker failed: RuntimeError")):
        run_jobs(jobs, dask=cluster.scheduler_address, progress=False, fn=_broken_batch)


def test_cache_key_covers_every_module_a_unit_solve_imports():
    """A module added to the unit model later must join the key, or edits to it would serve stale solves."""
    import subprocess
    import sys
    from pathlib import Path

    from planner.national.units import solver_files

    root = Path(__file__).resolve().parent.parent
    unit = root / "instances" / "units" / "sykehjem.yaml"
    if not unit.is_file():
        pytest.skip("shipped nursing-home unit not present")
    code = (
        "import sys\n"
        "from planner.national.units import Job, solve_job\n"
        f"solve_job(Job({str(unit)!r}, 'sykehjem', 0, -1, (1,), relax=True))\n"
        "print('\\n'.join(m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    used = {Path(f).resolve() for f in out.split()}
    ours = {p for p in used if root in p.parents and p.parts[len(root.parts)] in ("planner", "models")
            and p.name not in ("__init__.py", "errors.py")}
    missing = sorted(str(p.relative_to(root)) for p in ours - set(solver_files("unit")))
    assert not missing, f"add to solver_files: {missing}"
