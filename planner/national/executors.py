"""Run many independent unit solves: in-process, a local process pool, or a Dask cluster.

Results come back in job order whatever the executor, and each job carries its own seed, so the
numbers do not depend on who ran them or how many workers there were.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Sequence

from tqdm import tqdm

from planner.io.errors import InputError
from planner.national.units import Job, solve_batch


def _batches(n: int, workers: int, batch_size: int | None) -> list[range]:
    if batch_size is None:
        batch_size = max(1, min(64, n // max(1, workers * 8)))
    return [range(i, min(n, i + batch_size)) for i in range(0, n, batch_size)]


def _bar(total: int, progress: bool, desc: str):
    return tqdm(total=total, desc=desc, unit="solve", disable=not progress, file=sys.stderr,
                dynamic_ncols=True, leave=False)


def run_jobs(jobs: Sequence[Job], workers: int | None = None, dask: str | Any | None = None,
             progress: bool = True, batch_size: int | None = None,
             fn: Callable[[list[Job]], list[dict]] = solve_batch) -> list[dict]:
    """Solve `jobs`; `workers=0` runs in this process, None = all cores; `dask` = scheduler address."""
    n = len(jobs)
    if n == 0:
        return []
    results: list[Any] = [None] * n
    if dask is not None:
        return _run_dask(jobs, dask, progress, batch_size, fn)
    if workers is None:
        workers = os.cpu_count() or 1
    if workers <= 0:
        with _bar(n, progress, "unit solves") as bar:
            for i, j in enumerate(jobs):
                results[i] = fn([j])[0]
                bar.update(1)
        return results
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    batches = _batches(n, workers, batch_size)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool, _bar(n, progress, "unit solves") as bar:
        futs = {pool.submit(fn, [jobs[i] for i in b]): b for b in batches}
        for f in as_completed(futs):
            b = futs[f]
            for i, r in zip(b, f.result()):
                results[i] = r
            bar.update(len(b))
    return results


DASK_FIX = ("check the address (tcp://HOST:PORT) and that a scheduler and workers run there "
            "(`dask scheduler`, `dask worker tcp://HOST:8786`), or leave out --dask to use local processes")


def _connect(address: Any):
    """A Dask client, or an input error naming --dask (a bad or unreachable address is the user's to fix)."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(address, "--dask", "Dask distributed is not installed",
                         "pip install distributed, or leave out --dask to use local processes") from None
    if isinstance(address, Client):
        return address
    try:
        return Client(address)
    except (OSError, ValueError, TypeError, TimeoutError) as e:
        raise InputError(address, "--dask", f"cannot connect to a Dask scheduler: {e}", DASK_FIX) from None


def _run_dask(jobs: Sequence[Job], address: Any, progress: bool, batch_size: int | None, fn) -> list[dict]:
    from distributed import as_completed as das_completed

    # a worker runs in its own folder, maybe on another machine: send absolute paths (the same files
    # must be at the same paths there)
    jobs = [dataclasses.replace(j, unit_path=str(Path(j.unit_path).resolve())) for j in jobs]
    client = _connect(address)
    try:
        nworkers = max(1, sum(client.nthreads().values()))
        batches = _batches(len(jobs), nworkers, batch_size)
        payloads = [[jobs[i] for i in b] for b in batches]
        futs = client.map(fn, payloads, pure=False)
        index = {f.key: b for f, b in zip(futs, batches)}
        results: list[Any] = [None] * len(jobs)
        with _bar(len(jobs), progress, "unit solves (dask)") as bar:
            for f in das_completed(futs):
                b = index[f.key]
                for i, r in zip(b, _dask_result(f, address)):
                    results[i] = r
                bar.update(len(b))
        return results
    finally:
        if client is not address:
            client.close()


def _dask_result(fut, address: Any) -> list[dict]:
    """A batch's results; job errors come back as records, so what raises here is the cluster."""
    try:
        return fut.result()
    except Exception as e:  # noqa: BLE001 - lost worker, unpicklable job, version skew
        raise InputError(address, "--dask", f"a Dask worker failed: {type(e).__name__}: {e}",
                         "the workers must run this leon version, import `planner` and read the unit files "
                         "at the same paths; or leave out --dask") from None
