"""A content-addressed cache of unit solves: key = hash of everything the result depends on."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from planner.io.errors import InputError


def job_key(solver_fp: str, unit_fp: str, payload: list) -> str:
    blob = json.dumps([solver_fp, unit_fp, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class SolveCache:
    """SQLite file under the cache directory; only the parent process reads and writes it."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "solves.sqlite"
        self._con = sqlite3.connect(self.path)
        self._con.execute("CREATE TABLE IF NOT EXISTS solves (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._con.commit()

    @classmethod
    def open(cls, directory: str | Path) -> "SolveCache":
        """The cache, or an input error naming --cache when the directory or its file is unusable."""
        try:
            return cls(directory)
        except (OSError, sqlite3.Error) as e:
            problem = getattr(e, "strerror", None) or str(e)
            raise InputError(directory, "--cache", f"cannot use the solve cache here: {problem}",
                             "give a writable directory with --cache DIR, delete a damaged "
                             "solves.sqlite in it, or run with --no-cache") from None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(dict.fromkeys(keys))
        out: dict[str, Any] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = "SELECT key, value FROM solves WHERE key IN (%s)" % ",".join("?" * len(chunk))
            for k, v in self._con.execute(q, chunk):
                out[k] = json.loads(v)
        return out

    def put_many(self, items: dict[str, Any]) -> None:
        with self._con:
            self._con.executemany("INSERT OR REPLACE INTO solves (key, value) VALUES (?, ?)",
                                  [(k, json.dumps(v, sort_keys=True)) for k, v in items.items()])

    def close(self) -> None:
        self._con.close()
